package sim_test

import (
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	sv "github.com/scansim/scansim/stanza"
)

// Every trace event carries its stanza as a value whose canonical form is
// the event's Stanza string, and what a client receives is that value:
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
	if rec.Value.Canonical() != before || ev.Stanza != before {
		t.Errorf("editing the received element changed the recorded stanza")
	}
	for _, e := range s.Trace() {
		if e.Value.Canonical() != e.Stanza {
			t.Errorf("#%d %s: Value %q, Stanza %q", e.Seq, e.Kind, e.Value.Canonical(), e.Stanza)
		}
		if e.Kind == sim.TraceSend && e.Stanza != `<message to='juliet@localhost/balcony' type='chat'><body>a &lt; b</body></message>` {
			t.Errorf("send recorded as %s, want the stanza as it was at the call", e.Stanza)
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
		if byEl[i].Stanza != byVal[i].Stanza || byEl[i].Kind != byVal[i].Kind {
			t.Errorf("#%d: Send %s %s, SendValue %s %s", i+1, byEl[i].Kind, byEl[i].Stanza, byVal[i].Kind, byVal[i].Stanza)
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
