package model_test

import (
	"fmt"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
)

// A server built with Options.Values emits the events a server without
// it emits, in the same order, each stanza as a value (Event.Value,
// Stanza nil) whose canonical form is that of the element the other
// server emits: the values mode changes the representation, never the
// behaviour. The calls cover every kind of event that carries a stanza:
// deliveries (a broadcast among them), server errors and results,
// pushes, drops, offline storage and its flush, and stream errors.
// ReuseEvents, on with Values here, changes only how long a list lives.
func TestValuesModeEmitsTheSameEvents(t *testing.T) {
	type call struct {
		who string // session name; "+name" binds, "-name" closes
		xml string
	}
	calls := []call{
		{"+a", ""}, {"+b", ""}, {"+c", ""},
		{"a", `<presence/>`}, {"b", `<presence/>`},
		{"a", `<presence type='subscribe' to='b@localhost'/>`},
		{"b", `<presence type='subscribed' to='a@localhost'/>`},
		{"b", `<presence type='subscribe' to='a@localhost'/>`},
		{"a", `<presence type='subscribed' to='b@localhost'/>`},
		{"a", `<presence><status>away</status><show>xa</show></presence>`},
		{"a", `<message to='b@localhost' type='chat'><body>hi</body></message>`},
		{"a", `<message to='nobody@localhost' type='chat'><body>stored</body></message>`},
		{"a", `<iq type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>`},
		{"a", `<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='b@localhost'/></block></iq>`},
		{"b", `<message to='a@localhost' type='chat'><body>blocked</body></message>`},
		{"a", `<iq type='get' id='d1' to='localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`},
		{"a", `<iq type='get' id='x1'><nonsense xmlns='urn:nonsense'/></iq>`},
		{"+nobody", ""},
		{"-b", ""},
		{"+a", ""}, // a conflict: the old session gets a stream error
		{"c", `<foo/>`},
	}
	// With values the event lists are reused too (ReuseEvents): each is
	// copied before the next call, as that option asks.
	run := func(values bool) []model.Event {
		srv := model.New(model.Options{Values: values, ReuseEvents: values})
		ids := map[string]model.SessionID{}
		var all []model.Event
		for _, c := range calls {
			var evs []model.Event
			switch c.who[0] {
			case '+':
				id, _, e, err := srv.Bind(c.who[1:], "r")
				if err != nil {
					t.Fatal(err)
				}
				ids[c.who[1:]] = id
				evs = e
			case '-':
				evs = srv.Close(ids[c.who[1:]], false)
			default:
				d := etree.NewDocument()
				if err := d.ReadFromString(c.xml); err != nil {
					t.Fatal(err)
				}
				evs = srv.Process(ids[c.who], d.Root())
			}
			all = append(all, evs...)
		}
		return all
	}
	els, vals := run(false), run(true)
	if len(els) != len(vals) {
		t.Fatalf("%d events without values, %d with", len(els), len(vals))
	}
	kinds := map[model.EventKind]int{}
	for i := range els {
		e, v := els[i], vals[i]
		line := fmt.Sprintf("event %d (%s %s)", i+1, e.Kind, e.Reason)
		if e.Kind != v.Kind || e.Session != v.Session || e.To != v.To || e.Reason != v.Reason {
			t.Errorf("%s: with values %s %d %s %q", line, v.Kind, v.Session, v.To, v.Reason)
		}
		if v.Stanza != nil {
			t.Errorf("%s: an element in values mode", line)
		}
		if (e.Stanza == nil) != v.Value.IsZero() {
			t.Errorf("%s: element %v, value %v", line, e.Stanza != nil, !v.Value.IsZero())
			continue
		}
		if e.Stanza != nil {
			kinds[e.Kind]++
			if got, want := v.Value.Canonical(), model.Canonical(e.Stanza); got != want {
				t.Errorf("%s:\n value   %s\n element %s", line, got, want)
			}
		}
	}
	for _, k := range []model.EventKind{model.Deliver, model.Drop, model.Store, model.StreamError} {
		if kinds[k] == 0 {
			t.Errorf("no %s event with a stanza: the calls no longer cover it", k)
		}
	}
}
