package model

import (
	"fmt"
	"testing"

	"github.com/beevik/etree"
)

// The server cuts each call's event list and each delivered root from
// slabs shared by successive calls (flush, share). What a call returned
// must stay as it was whatever later calls do, and what a caller does
// with a returned list (append to it, change its roots, as Event allows)
// must not show in later calls' events.
func TestSlabsKeepReturnedEvents(t *testing.T) {
	type step struct {
		user, xml string
	}
	steps := []step{{"u0", `<presence/>`}}
	for i := 1; i <= 6; i++ {
		c := fmt.Sprintf("c%d", i)
		steps = append(steps,
			step{c, `<presence/>`},
			step{"u0", `<presence type='subscribe' to='` + c + `@localhost'/>`},
			step{c, `<presence type='subscribed' to='u0@localhost'/>`},
			step{c, `<presence type='subscribe' to='u0@localhost'/>`},
			step{"u0", `<presence type='subscribed' to='` + c + `@localhost'/>`},
			step{"u0", `<presence><status>s` + c + `</status></presence>`},
			step{c, `<message to='u0@localhost' type='chat' id='m` + c + `'><body>hi</body></message>`})
	}
	render := func(evs []Event) []string {
		var out []string
		for _, ev := range evs {
			s := ""
			if ev.Stanza != nil {
				s = Canonical(ev.Stanza)
			}
			out = append(out, fmt.Sprintf("%v %d %s %s %s", ev.Kind, ev.Session, ev.To, ev.Reason, s))
		}
		return out
	}
	// run plays the steps; meddle, when set, is done to each returned
	// list after it has been rendered.
	run := func(meddle bool) (kept [][]Event, rendered [][]string) {
		srv := New(Options{})
		var appended []Event // the last list the caller appended to
		ids := map[string]SessionID{}
		for _, st := range steps {
			if _, ok := ids[st.user]; !ok {
				id, _, evs, err := srv.Bind(st.user, "r")
				if err != nil {
					t.Fatal(err)
				}
				ids[st.user] = id
				kept, rendered = append(kept, evs), append(rendered, render(evs))
			}
			doc := etree.NewDocument()
			if err := doc.ReadFromString(st.xml); err != nil {
				t.Fatal(err)
			}
			evs := srv.Process(ids[st.user], doc.Root())
			kept, rendered = append(kept, evs), append(rendered, render(evs))
			if appended != nil && appended[len(appended)-1].Reason != "meddled" {
				t.Fatalf("a later call overwrote the event a caller appended to its list")
			}
			if meddle {
				evs = append(evs, Event{Kind: Drop, Reason: "meddled"})
				appended = evs
				for _, ev := range evs {
					if ev.Stanza != nil {
						ev.Stanza.CreateAttr("meddled", "1")
						ev.Stanza.CreateElement("meddled")
					}
				}
				kept[len(kept)-1] = nil // its roots are changed: not rechecked
			}
		}
		return kept, rendered
	}
	kept, want := run(false)
	for i, evs := range kept {
		if got := render(evs); fmt.Sprint(got) != fmt.Sprint(want[i]) {
			t.Errorf("call %d's events changed after later calls:\n got %q\nwant %q", i, got, want[i])
		}
	}
	_, got := run(true)
	for i := range want {
		if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
			t.Errorf("call %d: a caller's changes to earlier events showed:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
}

// newElement builds what etree.NewElement builds, including prefixed
// names, and grows past its inline room like any element.
func TestNewElement(t *testing.T) {
	for _, tag := range []string{"presence", "stream:error", "a:b:c"} {
		got, want := newElement(tag), etree.NewElement(tag)
		for i := range 7 {
			for _, el := range []*etree.Element{got, want} {
				el.CreateAttr(fmt.Sprintf("k%d", i), "v")
				el.CreateElement(fmt.Sprintf("c%d", i)).SetText("t")
			}
		}
		if got.Space != want.Space || got.Tag != want.Tag || Canonical(got) != Canonical(want) {
			t.Errorf("newElement(%q) = %s:%s %s, want %s:%s %s", tag, got.Space, got.Tag, Canonical(got), want.Space, want.Tag, Canonical(want))
		}
		if got.Parent() != nil || got.Index() != -1 {
			t.Errorf("newElement(%q) is attached", tag)
		}
		for i, c := range got.Child {
			if c.Parent() != got || c.Index() != i {
				t.Errorf("newElement(%q): child %d not attached in place", tag, i)
			}
		}
	}
}
