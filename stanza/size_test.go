package stanza

import (
	"testing"

	"github.com/beevik/etree"
)

// size predicts the canonical form's length exactly, whatever the
// escapes, dropped text and shared, already rendered children.
func TestSizeIsExact(t *testing.T) {
	for _, src := range []string{
		`<a/>`,
		`<p:a xmlns:p='u' p:b='&lt;&gt;&amp;&apos;&quot;' c=''/>`,
		"<a>\n <b>x &lt; y 'q' \"d\"</b> <c/>\t</a>",
		`<a> </a>`,
		`<iq type='set'><query xmlns='jabber:iq:roster'><item jid='a@b' name='&amp;'/><item jid='c@d'/></query></iq>`,
	} {
		d := etree.NewDocument()
		if err := d.ReadFromString(src); err != nil {
			t.Fatal(err)
		}
		s := FromElement(d.Root())
		if n, c := s.e.size(), s.Canonical(); n != len(c) {
			t.Errorf("size %d, canonical %d: %s", n, len(c), c)
		}
		// A derived value over rendered children sizes them from cache.
		if len(s.Elements()) > 0 {
			_ = s.Elements()[0].Canonical()
		}
		w := s.WithAttr("", "to", "x&y")
		if n, c := w.e.size(), w.Canonical(); n != len(c) {
			t.Errorf("derived: size %d, canonical %d: %s", n, len(c), c)
		}
	}
}
