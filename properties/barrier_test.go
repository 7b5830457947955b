package properties

import (
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/serve"
	"github.com/scansim/scansim/serve/servetest"
)

// TestFullBarrierCatchesUnpredictedStanza: the wire's partial barriers
// ping only the acting connection and those the model's step reaches
// (driver.PartialQuiescer). A stanza the server sends elsewhere — here
// to u2a, which the model predicts nothing for, on a link that holds
// it back — must still be caught: by the full barrier every
// fullBarrierEvery steps, or by the one at the end of the sequence.
//
// The server is `scansim serve` in process (the model behind a real
// XMPP listener, so the wire drives it as it drives Prosody); the
// stanza is one a control session injects, so the harness's own model
// does not know of it.
func TestFullBarrierCatchesUnpredictedStanza(t *testing.T) {
	for _, pings := range []int{1, 2, 5} {
		srv := servetest.Start(t, serve.Options{})
		cfg := Config{Server: &driver.ServerDriver{Addr: srv.Addr, Timeout: 5 * time.Second}}
		prof, spec := cfg.profiles()
		h := newHarness(2, prof, spec, nil, 1)
		cfg.options().apply(h)
		if err := h.attach(cfg.Server); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"u1a", "u2a"} {
			if msg := h.apply(Op{Name: "a1Connect", Kind: OpConnect, Slot: s, Res: "a"}); msg != "" {
				t.Fatalf("%s connects: %s", s, msg)
			}
		}
		// u2a's link holds every write back by a second, and an intruder
		// sends it a message the model cannot predict.
		u2a := h.real.prefix + "u2@localhost/a"
		if n, err := srv.Delay(u2a, time.Second); err != nil || n != 1 {
			t.Fatalf("Delay(%s): %d connections, %v", u2a, n, err)
		}
		if _, err := srv.SendAs("intruder@localhost", "<message to='"+u2a+"' type='chat' id='x1'><body>unpredicted</body></message>"); err != nil {
			t.Fatal(err)
		}
		// u1a pings the server: steps that reach u1a alone. Steps 1 and 2
		// were the connects; step 4 is a full barrier.
		caught, at := "", 0
		for i := range pings {
			msg := h.apply(Op{Name: "g1IQ", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='get' to='localhost' id='p" + string(rune('1'+i)) + "'><ping xmlns='urn:xmpp:ping'/></iq>"})
			if msg != "" {
				caught, at = msg, 3+i
				break
			}
		}
		if caught == "" {
			caught, at = h.finishReal(), 0 // the sequence's closing barrier
		}
		h.real.close()
		switch {
		case caught == "":
			t.Errorf("%d pings: the stanza to u2a was never caught", pings)
		case !strings.Contains(caught, "u2a") || !strings.Contains(caught, "unpredicted"):
			t.Errorf("%d pings: caught something else: %s", pings, caught)
		case at > 4:
			t.Errorf("%d pings: caught at step %d, after the full barrier of step 4", pings, at)
		case at == 0 && pings >= 2:
			t.Errorf("%d pings: caught only at the end, not by the full barrier of step 4", pings)
		}
		t.Logf("%d pings: caught at step %d (0: the closing barrier)", pings, at)
	}
}
