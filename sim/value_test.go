package sim_test

import (
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	sv "github.com/scansim/scansim/stanza"
)

// Every trace event carries its stanza as a value (the simulator leaves
// Text empty: Canonical renders the value when read), its canonical form
// is that of the element it was built from, and what a client receives is
// that value:
// taken when the stanza entered the link, so a receiver's later edits to
// its element change neither.
func TestTraceValues(t *testing.T) {
	s := sim.New(sim.Config{Seed: 3})
	a, err := s.Connect("a", "romeo", "orchard")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Connect("b", "juliet", "balcony")
	if err != nil {
		t.Fatal(err)
	}
	s.RunUntilQuiet()
	msg := etree.NewElement("message")
	msg.CreateAttr("to", "juliet@localhost/balcony")
	msg.CreateAttr("type", "chat")
	msg.CreateElement("body").SetText("a < b")
	if err := a.Send(msg); err != nil {
		t.Fatal(err)
	}
	msg.CreateAttr("type", "edited after send")
	s.RunUntilQuiet()
	got := b.TakeAll()
	if len(got) != 1 {
		t.Fatalf("b received %d stanzas, want 1", len(got))
	}
	rec := got[0]
	ev := s.Trace()[rec.Seq-1]
	if ev.Value != rec.Value {
		t.Errorf("the inbox holds another value than the trace event")
	}
	before := rec.Value.Canonical()
	if before != model.Canonical(rec.Stanza) {
		t.Errorf("received value %s, element %s", before, model.Canonical(rec.Stanza))
	}
	rec.Stanza.CreateAttr("from", "someone-else@localhost")
	if rec.Value.Canonical() != before || ev.Canonical() != before {
		t.Errorf("editing the received element changed the recorded stanza")
	}
	for _, e := range s.Trace() {
		if e.Text != "" {
			t.Errorf("#%d %s: the simulator filled Text %q; it renders only when read", e.Seq, e.Kind, e.Text)
		}
		// Rendered afresh from a copy of the tree, not from the value's
		// cache: the lazily rendered form is the element's canonical form.
		if !e.Value.IsZero() && e.Canonical() != model.Canonical(e.Value.Element()) {
			t.Errorf("#%d %s: Canonical %q, element %q", e.Seq, e.Kind, e.Canonical(), model.Canonical(e.Value.Element()))
		}
		if e.Kind == sim.TraceSend && e.Canonical() != `<message to='juliet@localhost/balcony' type='chat'><body>a &lt; b</body></message>` {
			t.Errorf("send recorded as %s, want the stanza as it was at the call", e.Canonical())
		}
	}
}

// SendValue sends what Send of the same element sends, and records the
// value itself.
func TestSendValue(t *testing.T) {
	run := func(byValue bool) ([]sim.TraceEvent, sv.Stanza) {
		s := sim.New(sim.Config{Seed: 1})
		a, err := s.Connect("a", "romeo", "orchard")
		if err != nil {
			t.Fatal(err)
		}
		s.RunUntilQuiet()
		iq := etree.NewElement("iq")
		iq.CreateAttr("type", "get")
		iq.CreateAttr("id", "r1")
		iq.CreateElement("query").CreateAttr("xmlns", "jabber:iq:roster")
		v := sv.FromElement(iq)
		if byValue {
			err = a.SendValue(v)
		} else {
			err = a.Send(iq)
		}
		if err != nil {
			t.Fatal(err)
		}
		s.RunUntilQuiet()
		return s.Trace(), v
	}
	byEl, _ := run(false)
	byVal, v := run(true)
	if len(byEl) != len(byVal) {
		t.Fatalf("traces differ in length: %d, %d", len(byEl), len(byVal))
	}
	for i := range byEl {
		if byEl[i].Canonical() != byVal[i].Canonical() || byEl[i].Kind != byVal[i].Kind {
			t.Errorf("#%d: Send %s %s, SendValue %s %s", i+1, byEl[i].Kind, byEl[i].Canonical(), byVal[i].Kind, byVal[i].Canonical())
		}
		if byVal[i].Kind == sim.TraceSend && byVal[i].Value != v {
			t.Errorf("SendValue did not record the value it was given")
		}
	}
	s := sim.New(sim.Config{})
	c, err := s.Connect("a", "romeo", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SendValue(sv.Stanza{}); err == nil {
		t.Errorf("SendValue of the zero Stanza succeeded")
	}
}

// A backend that hands one element to several sessions (the relay's
// shout) gets one value for all of them: the stanza is rendered once,
// while each inbox still gets its own element.
func TestSharedDeliveryValue(t *testing.T) {
	s, _ := newSim(t, 1, 0)
	a := connect(t, s, "a", "alice", "x")
	b := connect(t, s, "b", "bob", "y")
	s.RunUntilQuiet()
	shout := etree.NewElement("shout")
	shout.CreateElement("body").SetText("hi")
	send(t, a, shout)
	s.RunUntilQuiet()
	ra, rb := a.TakeAll(), b.TakeAll()
	if len(ra) != 1 || len(rb) != 1 {
		t.Fatalf("received %d and %d, want 1 each", len(ra), len(rb))
	}
	if ra[0].Value != rb[0].Value {
		t.Errorf("one element delivered twice got two values")
	}
	if ra[0].Stanza == rb[0].Stanza {
		t.Errorf("two sessions share one element")
	}
	ra[0].Stanza.CreateAttr("edited", "1")
	if rb[0].Value.Canonical() != "<shout><body>hi</body></shout>" || model.Canonical(rb[0].Stanza) != rb[0].Value.Canonical() {
		t.Errorf("one receiver's edit shows elsewhere: %s / %s", rb[0].Value.Canonical(), model.Canonical(rb[0].Stanza))
	}
}

// ValuesOnly changes what the inbox holds (values, no elements), never
// the trace: a broadcast, a message, an error and a close give the same
// trace line for line, and each received value is its trace event's.
func TestValuesOnly(t *testing.T) {
	run := func(valuesOnly bool) ([]sim.TraceEvent, []sim.Received) {
		s := sim.New(sim.Config{Seed: 3, MaxLatency: 5 * time.Millisecond, ValuesOnly: valuesOnly})
		a, err := s.Connect("a", "romeo", "orchard")
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Connect("b", "juliet", "balcony")
		if err != nil {
			t.Fatal(err)
		}
		send := func(c *sim.Client, x string) {
			d := etree.NewDocument()
			if err := d.ReadFromString(x); err != nil {
				t.Fatal(err)
			}
			if err := c.Send(d.Root()); err != nil {
				t.Fatal(err)
			}
			s.RunUntilQuiet()
		}
		send(a, `<presence/>`)
		send(b, `<presence/>`)
		send(a, `<presence type='subscribe' to='juliet@localhost'/>`)
		send(b, `<presence type='subscribed' to='romeo@localhost'/>`)
		send(a, `<presence><status>away</status></presence>`)
		send(a, `<message to='juliet@localhost' type='chat'><body>hi</body></message>`)
		send(b, `<iq type='get' id='x'><nonsense xmlns='urn:x'/></iq>`)
		if err := a.Disconnect(); err != nil {
			t.Fatal(err)
		}
		s.RunUntilQuiet()
		return s.Trace(), append(a.TakeAll(), b.TakeAll()...)
	}
	trEl, recEl := run(false)
	trVal, recVal := run(true)
	if len(trEl) != len(trVal) || len(recEl) != len(recVal) {
		t.Fatalf("trace %d/%d events, inbox %d/%d stanzas", len(trEl), len(trVal), len(recEl), len(recVal))
	}
	for i := range trEl {
		if trEl[i].Kind != trVal[i].Kind || trEl[i].Canonical() != trVal[i].Canonical() || trEl[i].Cause != trVal[i].Cause {
			t.Errorf("#%d: %s %s, with ValuesOnly %s %s", i+1, trEl[i].Kind, trEl[i].Canonical(), trVal[i].Kind, trVal[i].Canonical())
		}
	}
	for i, r := range recVal {
		if r.Stanza != nil {
			t.Errorf("received #%d: an element under ValuesOnly", i)
		}
		if r.Value.IsZero() || r.Value != trVal[r.Seq-1].Value {
			t.Errorf("received #%d: the value is not its trace event's", i)
		}
		if recEl[i].Stanza == nil || model.Canonical(recEl[i].Stanza) != r.Value.Canonical() {
			t.Errorf("received #%d: %s without ValuesOnly", i, r.Value.Canonical())
		}
	}
}
