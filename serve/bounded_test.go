package serve

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
)

// TestMemoryBoundedOverLongSession: over a session of thousands of
// stanzas, serve retains at most TraceWindow trace events (the window),
// none in the simulation after each settle, and per session only the
// resource it asked for; the recorded script, made from the spool, still
// has every stanza and replays, and its replay's newest events are the
// window's, Seq for Seq.
func TestMemoryBoundedOverLongSession(t *testing.T) {
	const window, messages = 64, 2000
	s := start(t, Options{Profile: "prosody-13", TraceWindow: window})
	romeo := dial(t, s, "romeo", "orchard")
	juliet := dial(t, s, "juliet", "balcony")
	for i := range messages {
		send(t, romeo, fmt.Sprintf(`<message type='chat' to='juliet@localhost/balcony' id='m%d'><body>%d</body></message>`, i, i))
	}
	got := 0
	deadline := time.Now().Add(30 * time.Second)
	for got < messages && time.Now().Before(deadline) {
		got += len(juliet.TakeAll())
		time.Sleep(5 * time.Millisecond)
	}
	if got != messages {
		t.Fatalf("juliet received %d of %d messages", got, messages)
	}
	var simHeld, requested, room int
	if err := s.do(func() {
		simHeld = len(s.core.sim.Trace())
		requested = len(s.core.rec.requested)
		room = cap(s.core.rec.window)
	}); err != nil {
		t.Fatal(err)
	}
	tr, total := s.Trace()
	if len(tr) != window || total < 2*messages {
		t.Fatalf("window holds %d events of %d recorded; want %d of at least %d", len(tr), total, window, 2*messages)
	}
	if simHeld != 0 || requested != 2 || room > window {
		t.Fatalf("retained: %d events in the simulation (want 0), room for %d in the window (want at most %d), %d requested resources (want 2, one per session)", simHeld, room, window, requested)
	}
	var text strings.Builder
	if err := s.TraceText(&text); err != nil {
		t.Fatal(err)
	}
	note := fmt.Sprintf("# showing the newest %d of %d events", window, total)
	if !strings.HasPrefix(text.String(), note) {
		t.Fatalf("the text trace does not say it is truncated: %.200s", text.String())
	}
	romeo.Close()
	juliet.Close()

	sc, err := s.Script()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(sc), "<body>"); n != 2*messages {
		t.Fatalf("the script has %d bodies, want %d (each message sent and received)", n, 2*messages)
	}
	script, err := scenarios.Parse("recorded.scs", sc)
	if err != nil {
		t.Fatal(err)
	}
	o, err := driver.NewOptions(s.ProfileName(), s.Seed(), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	res := scenarios.Run(script, scenarios.RunOptions{Strict: true, Options: o})
	if !res.Passed {
		t.Fatalf("recorded script fails in the simulation: %v %v", res.Err, res.Failure)
	}
	tr, total = s.Trace()
	if uint64(len(res.Trace)) != total {
		t.Fatalf("replay recorded %d events, serve %d", len(res.Trace), total)
	}
	var want, replayed strings.Builder
	sim.WriteTrace(&want, timeless(tr))
	sim.WriteTrace(&replayed, timeless(res.Trace[len(res.Trace)-len(tr):]))
	if want.String() != replayed.String() {
		t.Fatalf("the window differs from the replay's newest events:\n%s\nreplay:\n%s", want.String(), replayed.String())
	}
}
