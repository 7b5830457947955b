package stanza_test

import (
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
)

// FromShared builds what FromElement builds; with a Memo the children of
// an element seen before are the values built then (shared), while the
// root is read anew each time: a broadcast changes 'to' between
// deliveries, never a child.
func TestFromShared(t *testing.T) {
	el := parse(t, `<presence from='a@h/r' to='b@h'><show>away</show>text<status>gone</status></presence>`)
	var a stanza.Arena
	var m stanza.Memo
	first := a.FromShared(el, &m)
	if got, want := first.Canonical(), stanza.FromElement(el).Canonical(); got != want {
		t.Fatalf("FromShared = %s, FromElement = %s", got, want)
	}
	el.CreateAttr("to", "c@h")
	el.AddChild(etree.NewElement("delay"))
	second := a.FromShared(el, &m)
	if got, want := second.Canonical(), stanza.FromElement(el).Canonical(); got != want {
		t.Fatalf("after a change of the root: FromShared = %s, FromElement = %s", got, want)
	}
	if first.Canonical() == second.Canonical() {
		t.Fatal("the first value changed with the root")
	}
	c1, _ := first.ChildAt(0)
	c2, _ := second.ChildAt(0)
	if c1 != c2 {
		t.Error("a remembered child was built again")
	}
	m.Reset()
	third := a.FromShared(el, &m)
	if c3, _ := third.ChildAt(0); c3 == c2 {
		t.Error("Reset did not forget the children")
	}
	if third.Canonical() != second.Canonical() {
		t.Errorf("after Reset: %s, want %s", third.Canonical(), second.Canonical())
	}
	if v := a.FromShared(nil, &m); !v.IsZero() {
		t.Error("FromShared(nil) is not the zero Stanza")
	}
}

// A child shared by many roots (a broadcast to many recipients) is built
// once: every root still renders as FromElement does, escapes included.
func TestFromSharedManyRoots(t *testing.T) {
	el := parse(t, `<presence from='a@h/r'><status>x &amp; &lt;y&gt; &apos;z&apos;</status><c xmlns='urn:c' v='&quot;q&quot;'/></presence>`)
	var a stanza.Arena
	var m stanza.Memo
	var first stanza.Stanza
	for i, to := range []string{"b@h", "c@h", "d@h", "e@h"} {
		el.CreateAttr("to", to)
		got := a.FromShared(el, &m)
		if want := stanza.FromElement(el).Canonical(); got.Canonical() != want {
			t.Fatalf("root %d: FromShared = %s, FromElement = %s", i, got.Canonical(), want)
		}
		if i == 0 {
			first = got
			continue
		}
		for j := range got.NumChild() {
			c, _ := got.ChildAt(j)
			c0, _ := first.ChildAt(j)
			if c != c0 {
				t.Errorf("root %d: child %d built again", i, j)
			}
		}
	}
}
