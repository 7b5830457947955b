package model_test

import (
	"fmt"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/stanza"
)

// ProcessValue must do what Process does with the element the value
// holds, call after call (its elements share slabs, which the server
// changes at the root and keeps: stored presences, offline messages), and
// must leave the value as it was.
func TestProcessValueIsProcess(t *testing.T) {
	for _, prof := range []model.Profile{model.Default(), model.Prosody012(), model.Ejabberd()} {
		t.Run(prof.Name, func(t *testing.T) {
			byElem := model.New(model.Options{Profile: &prof})
			byValue := model.New(model.Options{Profile: &prof, Values: true})
			ids := map[string]model.SessionID{}
			for _, u := range []string{"a", "b", "c"} {
				id, _, _, err := byElem.Bind(u, "r")
				if err != nil {
					t.Fatal(err)
				}
				if id2, _, _, err := byValue.Bind(u, "r"); err != nil || id2 != id {
					t.Fatalf("bind %s: %v, %d != %d", u, err, id2, id)
				}
				ids[u] = id
			}
			steps := []struct{ from, xml string }{
				{"a", `<presence><status>here</status></presence>`},
				{"b", `<presence/>`},
				{"a", `<presence type='subscribe' to='b@localhost'/>`},
				{"b", `<presence type='subscribed' to='a@localhost'/>`},
				{"a", `<message to='c@localhost' type='chat' id='m1'><body>offline?</body></message>`},
				{"a", `<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='B@localhost'/><item jid='x@y'/></block></iq>`},
				{"b", `<message to='a@localhost/r' id='m2'><body>blocked</body></message>`},
				{"a", `<iq type='get' id='b2'><blocklist xmlns='urn:xmpp:blocking'/></iq>`},
				{"a", `<iq type='set' id='b3'><unblock xmlns='urn:xmpp:blocking'/></iq>`},
				{"b", `<message to='a@localhost' id='m3' xml:lang='de'><body>hallo</body></message>`},
				{"c", `<presence/>`},
				{"a", `<presence type='unavailable'/>`},
				{"a", `<iq type='get' id='v'><query xmlns='jabber:iq:version'/></iq>`},
			}
			n := 0
			for i, st := range steps {
				doc := etree.NewDocument()
				if err := doc.ReadFromString(st.xml); err != nil {
					t.Fatal(err)
				}
				v := stanza.FromElement(doc.Root())
				before := v.Canonical()
				want := render(byElem.Process(ids[st.from], doc.Root()))
				got := render(byValue.ProcessValue(ids[st.from], v))
				n += len(got)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("step %d %s:\nProcessValue %q\nProcess      %q", i, st.xml, got, want)
				}
				if v.Canonical() != before || stanza.FromElement(v.Element()).Canonical() != before {
					t.Errorf("step %d: ProcessValue changed its value", i)
				}
			}
			if n < 5 {
				t.Errorf("only %d events: the steps test little", n)
			}
		})
	}
}

// A zero value is no stanza: no events, no panic.
func TestProcessValueZero(t *testing.T) {
	srv := model.New(model.Options{})
	id, _, _, err := srv.Bind("a", "r")
	if err != nil {
		t.Fatal(err)
	}
	if evs := srv.ProcessValue(id, stanza.Stanza{}); len(evs) != 0 {
		t.Errorf("ProcessValue of the zero Stanza: %v", evs)
	}
}

func render(evs []model.Event) []string {
	var out []string
	for _, ev := range evs {
		s := ev.Value.Canonical()
		if ev.Stanza != nil {
			s = stanza.CanonicalElement(ev.Stanza)
		}
		out = append(out, fmt.Sprintf("%s %d %s %s %s", ev.Kind, ev.Session, ev.To, ev.Reason, s))
	}
	return out
}
