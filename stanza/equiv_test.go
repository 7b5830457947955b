package stanza_test

import (
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
	"pgregory.net/rapid"
)

// The canonical form is the model's: for any element, the stanza built
// from it renders exactly as CanonicalElement renders the element, and a
// derived stanza renders as the element changed the same way.

var (
	genName  = rapid.SampledFrom([]string{"a", "b", "iq", "body", "x", "lang", "xmlns", "to", "from"})
	genSpace = rapid.SampledFrom([]string{"", "", "", "p", "xml", "xmlns"})
	genText  = rapid.SampledFrom([]string{"", " ", "\n  ", "hi", "a<b", "&amp;", "'q\"", " x ", "é\t", "\r\n"})
)

func genElement(t *rapid.T, depth int) *etree.Element {
	el := etree.NewElement(genName.Draw(t, "tag"))
	el.Space = genSpace.Draw(t, "space")
	for range rapid.IntRange(0, 10).Draw(t, "attrs") {
		sp, key := genSpace.Draw(t, "aspace"), genName.Draw(t, "akey")
		// A literal append, not CreateAttr: duplicates and any order
		// must render as the model renders them.
		el.Attr = append(el.Attr, etree.Attr{Space: sp, Key: key, Value: genText.Draw(t, "value")})
	}
	for range rapid.IntRange(0, 4).Draw(t, "kids") {
		switch rapid.IntRange(0, 3).Draw(t, "kind") {
		case 0:
			if depth < 3 {
				el.AddChild(genElement(t, depth+1))
			}
		case 1, 2:
			el.AddChild(etree.NewText(genText.Draw(t, "text")))
		case 3:
			el.AddChild(etree.NewComment("c"))
		}
	}
	return el
}

func TestCanonicalIsModelCanonical(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		el := genElement(t, 0)
		s := stanza.FromElement(el)
		if got, want := s.Canonical(), stanza.CanonicalElement(el); got != want {
			t.Fatalf("stanza %s\nmodel  %s", got, want)
		}
		if got, want := stanza.FromElement(s.Element()).Canonical(), s.Canonical(); got != want {
			t.Fatalf("Element round trip %s\nwant %s", got, want)
		}
		// Derived values: as the model changes a recipient's copy.
		key := genName.Draw(t, "setkey")
		val := genText.Draw(t, "setval")
		d := s.WithAttr("", key, val)
		cp := el.Copy()
		setAttr(cp, key, val)
		child := genElement(t, 2)
		d = d.WithChild(stanza.FromElement(child))
		cp.AddChild(child.Copy())
		if got, want := d.Canonical(), stanza.CanonicalElement(cp); got != want {
			t.Fatalf("derived %s\nmodel   %s", got, want)
		}
		if got, want := s.Canonical(), stanza.CanonicalElement(el); got != want {
			t.Fatalf("deriving changed the original: %s\nwant %s", got, want)
		}
	})
}

// setAttr sets the first unprefixed attribute key, or appends one.
func setAttr(el *etree.Element, key, val string) {
	for i := range el.Attr {
		if el.Attr[i].Space == "" && el.Attr[i].Key == key {
			el.Attr[i].Value = val
			return
		}
	}
	el.Attr = append(el.Attr, etree.Attr{Key: key, Value: val})
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{
		`<message to='a' from='b'><body>hi &amp; bye</body></message>`,
		"<a>\n <b x='1'/> t <c/></a>",
		`<iq xmlns:p='urn:p' p:z='1' type='get'><query xmlns='jabber:iq:roster'/></iq>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		d := etree.NewDocument()
		if err := d.ReadFromString(src); err != nil || d.Root() == nil {
			return
		}
		el := d.Root()
		if got, want := stanza.FromElement(el).Canonical(), stanza.CanonicalElement(el); got != want {
			t.Fatalf("stanza %s\nmodel  %s", got, want)
		}
	})
}

// The canonical form is sized before it is written: one allocation for
// the string however long the stanza (escapes included), and none to
// cache it.
func TestCanonicalSize(t *testing.T) {
	el := etree.NewElement("message")
	el.CreateAttr("to", "a'b\"c<d>&e")
	el.CreateElement("body").SetText(strings.Repeat("<x> & 'y' ", 50))
	s := stanza.FromElement(el)
	if n := testing.AllocsPerRun(10, func() {
		_ = stanza.FromElement(el).Canonical()
	}); n > 4 {
		t.Errorf("FromElement+Canonical of a long stanza: %v allocations, want at most 4 (3 slabs, 1 string)", n)
	}
	if s.Canonical() != stanza.CanonicalElement(el) {
		t.Errorf("long stanza: %s", s.Canonical())
	}
}
