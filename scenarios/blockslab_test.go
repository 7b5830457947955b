package scenarios

import (
	"fmt"
	"testing"

	"github.com/beevik/etree"
)

// TestBlockSlabsBuildAlike: a block built from slabs (the fast scanner's
// path) is the same tree, element for element, as the one encoding/xml's
// path builds with etree's constructors: names, attributes in order
// (each pointing at its element), children in order, texts, and every
// parent and index link, over the token cases and every block of the
// corpora.
func TestBlockSlabsBuildAlike(t *testing.T) {
	texts := append([]string(nil), fastTokenCases...)
	texts = append(texts, "<iq type='set' id='b'>\n  <block xmlns='urn:xmpp:blocking'>\n    <item jid='x@y'/>\n    <item jid='z@y'/>\n  </block>\n</iq>\n<message to='a@b'><body>hi</body></message>")
	texts = append(texts, corpusBlocks(t)...)
	slabbed := 0
	for _, kind := range []blockKind{blockSends, blockReceives} {
		for _, text := range texts {
			build := func(xmlOnly bool) ([]*Stanza, error) {
				var errs, warns ErrorList
				p := blockParser{errs: &errs, warns: &warns, base: Pos{Line: 1}, kind: kind, xmlOnly: xmlOnly}
				sts := p.parse(text)
				return sts, errs.Err()
			}
			fast, ferr := build(false)
			slow, serr := build(true)
			if (ferr == nil) != (serr == nil) {
				t.Errorf("%q: errors differ: %v / %v", text, ferr, serr)
				continue
			}
			if ferr != nil {
				continue
			}
			if len(fast) != len(slow) {
				t.Errorf("%q: %d stanzas, encoding/xml path %d", text, len(fast), len(slow))
				continue
			}
			if _, ok := fastTokens(text); ok {
				slabbed++
			}
			for i := range fast {
				if d := treeDiff(fast[i].Elem, slow[i].Elem); d != "" {
					t.Errorf("%q stanza %d: %s", text, i, d)
				}
				if fast[i].Raw != slow[i].Raw || fast[i].Pos != slow[i].Pos {
					t.Errorf("%q stanza %d: raw or position differ", text, i)
				}
				if fast[i].Elem.NamespaceURI() != slow[i].Elem.NamespaceURI() {
					t.Errorf("%q stanza %d: namespace %q, encoding/xml path %q", text, i, fast[i].Elem.NamespaceURI(), slow[i].Elem.NamespaceURI())
				}
			}
		}
	}
	if slabbed == 0 {
		t.Fatal("no block took the slab path")
	}
}

// treeDiff describes the first difference between two trees, links
// included ("" when none).
func treeDiff(a, b *etree.Element) string {
	if a.Space != b.Space || a.Tag != b.Tag {
		return fmt.Sprintf("element %s:%s against %s:%s", a.Space, a.Tag, b.Space, b.Tag)
	}
	if a.Attr == nil || a.Child == nil {
		return fmt.Sprintf("<%s>: nil attribute or child list (etree.NewElement makes them empty)", a.Tag)
	}
	if a.Parent() != nil && a.Index() < 0 {
		return fmt.Sprintf("<%s>: parented with index %d", a.Tag, a.Index())
	}
	if len(a.Attr) != len(b.Attr) {
		return fmt.Sprintf("<%s>: %d attributes against %d", a.Tag, len(a.Attr), len(b.Attr))
	}
	for i := range a.Attr {
		x, y := a.Attr[i], b.Attr[i]
		if x.Space != y.Space || x.Key != y.Key || x.Value != y.Value {
			return fmt.Sprintf("<%s>: attribute %d %s:%s=%q against %s:%s=%q", a.Tag, i, x.Space, x.Key, x.Value, y.Space, y.Key, y.Value)
		}
		if x.Element() != a || y.Element() != b {
			return fmt.Sprintf("<%s>: attribute %s does not point at its element", a.Tag, x.Key)
		}
	}
	if len(a.Child) != len(b.Child) {
		return fmt.Sprintf("<%s>: %d children against %d", a.Tag, len(a.Child), len(b.Child))
	}
	for i := range a.Child {
		if a.Child[i].Parent() != a || a.Child[i].Index() != i {
			return fmt.Sprintf("<%s>: child %d's parent or index is wrong", a.Tag, i)
		}
		switch x := a.Child[i].(type) {
		case *etree.Element:
			y, ok := b.Child[i].(*etree.Element)
			if !ok {
				return fmt.Sprintf("<%s>: child %d is an element against %T", a.Tag, i, b.Child[i])
			}
			if d := treeDiff(x, y); d != "" {
				return d
			}
		case *etree.CharData:
			y, ok := b.Child[i].(*etree.CharData)
			if !ok {
				return fmt.Sprintf("<%s>: child %d is text against %T", a.Tag, i, b.Child[i])
			}
			if x.Data != y.Data || x.IsWhitespace() != y.IsWhitespace() || x.IsCData() != y.IsCData() {
				return fmt.Sprintf("<%s>: text %q against %q", a.Tag, x.Data, y.Data)
			}
		default:
			return fmt.Sprintf("<%s>: child %d is a %T", a.Tag, i, x)
		}
	}
	return ""
}
