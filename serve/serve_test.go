package serve

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/google/go-cmp/cmp"
	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/xmpptcp"
)

func start(t *testing.T, o Options) *Server {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func dial(t *testing.T, s *Server, user, resource string) *xmpptcp.Conn {
	t.Helper()
	c, err := xmpptcp.Dial(xmpptcp.Config{Addr: s.Addr(), User: user, Resource: resource, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("dial %s: %v", user, err)
	}
	return c
}

func waitFor(t *testing.T, c *xmpptcp.Conn, pred func(*etree.Element) bool) *etree.Element {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, st := range c.TakeAll() {
			if pred(st.Stanza) {
				return st.Stanza
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("timed out")
	return nil
}

func TestMessageAndBlock(t *testing.T) {
	s := start(t, Options{Profile: "prosody-13"})
	romeo := dial(t, s, "romeo", "orchard")
	juliet := dial(t, s, "juliet", "balcony")
	msg := etree.NewElement("message")
	msg.CreateAttr("to", "juliet@localhost/balcony")
	msg.CreateAttr("type", "chat")
	msg.CreateElement("body").SetText("hi")
	if err := romeo.Send(msg); err != nil {
		t.Fatal(err)
	}
	got := waitFor(t, juliet, func(e *etree.Element) bool { return e.Tag == "message" })
	if from := got.SelectAttrValue("from", ""); from != "romeo@localhost/orchard" {
		t.Fatalf("from = %q", from)
	}
	if err := s.Block("juliet", "romeo@localhost"); err != nil {
		t.Fatal(err)
	}
	if err := romeo.Send(msg.Copy()); err != nil {
		t.Fatal(err)
	}
	// The blocked sender's message is dropped in silence (Prosody's
	// mod_blocklist inbound stage); the blocker's own message to him
	// bounces with not-acceptable and <blocked/> (XEP-0191 §3.4).
	back := etree.NewElement("message")
	back.CreateAttr("to", "romeo@localhost/orchard")
	back.CreateElement("body").SetText("no")
	if err := juliet.Send(back); err != nil {
		t.Fatal(err)
	}
	bounce := waitFor(t, juliet, func(e *etree.Element) bool { return e.Tag == "message" })
	if bounce.SelectAttrValue("type", "") != "error" || bounce.FindElement("error/not-acceptable") == nil || bounce.FindElement("error/blocked") == nil {
		t.Fatalf("bounce: %v", stanzaText(bounce))
	}
	if err := romeo.Ping(); err != nil {
		t.Fatal(err)
	}
	for _, st := range romeo.TakeAll() {
		if st.Stanza.Tag == "message" {
			t.Fatalf("romeo received %s", stanzaText(st.Stanza))
		}
	}
	romeo.Close()
	juliet.Close()
	sc, err := s.Script()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sc), "Romeo sends:") || !strings.Contains(string(sc), "<blocked xmlns='urn:xmpp:blocking:errors'/>") {
		t.Fatalf("script:\n%s", sc)
	}
	replaySame(t, s, sc)
}

// replaySame replays a recorded script in the simulation, strictly, with
// the server's profile and seed, and requires the replay's trace to be
// the server's, event for event: the transport added nothing and lost
// nothing.
func replaySame(t *testing.T, s *Server, sc []byte) {
	t.Helper()
	script, err := scenarios.Parse("recorded.scs", sc)
	if err != nil {
		t.Fatalf("recorded script does not parse: %v\n%s", err, sc)
	}
	o, err := driver.NewOptions(s.ProfileName(), s.Seed(), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	res := scenarios.Run(script, scenarios.RunOptions{Strict: true, Options: o})
	if !res.Passed {
		t.Fatalf("recorded script fails in the simulation: %v %v\n%s", res.Err, res.Failure, sc)
	}
	var want, got strings.Builder
	tr, _ := s.Trace()
	sim.WriteTrace(&want, timeless(tr))
	sim.WriteTrace(&got, timeless(res.Trace))
	if d := cmp.Diff(want.String(), got.String()); d != "" {
		t.Fatalf("replay trace differs from the server's (-serve +replay):\n%s", d)
	}
}

// timeless returns tr without what depends on the instant: serve's
// clock moves with real time, the replay's barely does (clock.go), so
// the two traces agree in everything but the times and the stamps and
// values the recording loosens.
func timeless(tr []sim.TraceEvent) []sim.TraceEvent {
	out := make([]sim.TraceEvent, len(tr))
	for i, e := range tr {
		e.At, e.Elapsed = time.Time{}, 0
		e.Text = instant.ReplaceAllStringFunc(e.Canonical(), func(m string) string {
			return m[:strings.IndexAny(m, "'>")+1] + "*"
		})
		out[i] = e
	}
	return out
}

var instant = regexp.MustCompile(`stamp='[^']*|seconds='[^']*|<utc>[^<]*`)

func stanzaText(e *etree.Element) string {
	d := etree.NewDocument()
	d.SetRoot(e.Copy())
	s, _ := d.WriteToString()
	return s
}

// What the control surface pre-populates is what the model built from
// the users' own stanzas: an offline message is flushed at the next
// initial presence with its delay stamp, a published PEP item is there
// to fetch, and the whole session still replays.
func TestPopulate(t *testing.T) {
	s := start(t, Options{Profile: "prosody-13"})
	if err := s.Offline("romeo", "juliet@localhost", "while you were out"); err != nil {
		t.Fatal(err)
	}
	// PEP's default access model is presence: Juliet may read Romeo's
	// node once she is subscribed to him (XEP-0163 §4.1).
	if err := s.Subscribe("juliet", "romeo"); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish("romeo", "urn:xmpp:tune", "current", "<tune xmlns='http://jabber.org/protocol/tune'><title>Fair Verona</title></tune>"); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish("romeo", "urn:xmpp:tune", "x", "<not-closed>"); err == nil {
		t.Fatal("a malformed item was accepted")
	}
	juliet := dial(t, s, "juliet", "balcony")
	juliet.SendRaw("<presence/>")
	got := waitFor(t, juliet, func(e *etree.Element) bool { return e.Tag == "message" })
	if got.FindElement("body").Text() != "while you were out" || got.FindElement("delay") == nil {
		t.Fatalf("offline message: %s", stanzaText(got))
	}
	juliet.SendRaw("<iq type='get' id='items' to='romeo@localhost'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:tune'/></pubsub></iq>")
	items := waitFor(t, juliet, func(e *etree.Element) bool { return e.SelectAttrValue("id", "") == "items" })
	if items.SelectAttrValue("type", "") != "result" || !strings.Contains(stanzaText(items), "Fair Verona") {
		t.Fatalf("PEP items: %s", stanzaText(items))
	}
	juliet.Close()
	sc, err := s.Script()
	if err != nil {
		t.Fatal(err)
	}
	replaySame(t, s, sc)
}

// Resources the server generates are drawn from the seed in bind order,
// so the recording (which leaves them out) draws the same ones when it
// is replayed with the same seed.
func TestGeneratedResourcesReplay(t *testing.T) {
	s := start(t, Options{Seed: 42})
	romeo := dial(t, s, "romeo", "")
	juliet := dial(t, s, "juliet", "")
	if !strings.HasPrefix(juliet.JID(), "juliet@localhost/") || len(juliet.JID()) <= len("juliet@localhost/") {
		t.Fatalf("bound %q", juliet.JID())
	}
	romeo.SendRaw("<message to='" + juliet.JID() + "'><body>hi</body></message>")
	waitFor(t, juliet, func(e *etree.Element) bool { return e.Tag == "message" })
	romeo.Close()
	juliet.Close()
	sc, err := s.Script()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sc), "resource:") {
		t.Fatalf("a generated resource was recorded as requested:\n%s", sc)
	}
	replaySame(t, s, sc)
}
