package model

import (
	"testing"

	"github.com/beevik/etree"
)

// TestShareStanza: the shared copy reads as the original (same canonical
// form, also with more attributes and children than its inline room), its
// root is its own — attributes set or removed and children appended on
// either side do not show on the other — and it is a detached element.
func TestShareStanza(t *testing.T) {
	docs := []string{
		`<presence/>`,
		`<presence from='a@b/c' to='d@e'><status>away</status><x xmlns='vcard-temp:x:update'><photo/></x></presence>`,
		`<message a='1' b='2' c='3' d='4' e='5' f='6'><x/><y/>text<z/><w/><v/></message>`,
		"<message>\n  <body> x </body>\n  <a:b xmlns:a='urn:a' a:k='v'/>\n</message>",
	}
	for _, d := range docs {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(d); err != nil {
			t.Fatal(err)
		}
		el := doc.Root()
		want := Canonical(el)
		sh := shareStanza(el)
		if got := Canonical(sh); got != want {
			t.Errorf("shared copy %s, want %s", got, want)
		}
		if sh.Parent() != nil || sh.Index() != -1 {
			t.Errorf("%s: shared copy attached (parent %v, index %d)", want, sh.Parent(), sh.Index())
		}
		sh.CreateAttr("zz", "1")
		sh.RemoveAttr("from")
		sh.CreateElement("extra")
		if got := Canonical(el); got != want {
			t.Errorf("changing the shared copy's root changed the original: %s, want %s", got, want)
		}
		sh2 := shareStanza(el)
		el.CreateAttr("to", "other@e")
		el.RemoveAttr("a")
		el.CreateElement("delay")
		if Canonical(sh2) != want {
			t.Errorf("changing the original's root changed the shared copy: %s", Canonical(sh2))
		}
	}
}

func BenchmarkShareStanza(b *testing.B) {
	el := etree.NewElement("presence")
	el.CreateAttr("from", "u0@localhost/r")
	el.CreateAttr("to", "c1@localhost")
	el.CreateElement("status").SetText("away")
	newNS(el, "x", nsVCardHint).CreateElement("photo")
	b.Run("etree", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = el.Copy()
		}
	})
	b.Run("shareStanza", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = shareStanza(el)
		}
	})
}
