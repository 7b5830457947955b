package model

import (
	"fmt"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// dumpTree renders everything copyStanza must reproduce, including what
// the etree writers and accessors can observe: indexes, parents, flags.
func dumpTree(b *strings.Builder, el *etree.Element, parent *etree.Element, depth int) {
	fmt.Fprintf(b, "%*s<%s|%s> index=%d parentOK=%v attrNil=%v childNil=%v\n", depth, "", el.Space, el.Tag, el.Index(), el.Parent() == parent, el.Attr == nil, el.Child == nil)
	for _, a := range el.Attr {
		fmt.Fprintf(b, "%*s@%s|%s=%q\n", depth, "", a.Space, a.Key, a.Value)
	}
	for _, t := range el.Child {
		switch c := t.(type) {
		case *etree.Element:
			dumpTree(b, c, el, depth+1)
		case *etree.CharData:
			fmt.Fprintf(b, "%*stext %q index=%d parentOK=%v ws=%v cdata=%v\n", depth+1, "", c.Data, c.Index(), c.Parent() == el, c.IsWhitespace(), c.IsCData())
		default:
			fmt.Fprintf(b, "%*s%T index=%d\n", depth+1, "", c, c.Index())
		}
	}
}

func TestCopyStanzaSameAsCopy(t *testing.T) {
	docs := []string{
		`<presence/>`,
		`<presence from='a@b/c' to='d@e'><status>away</status><x xmlns='vcard-temp:x:update'><photo/></x></presence>`,
		"<message>\n  <body> x </body>\n  <a:b xmlns:a='urn:a' a:k='v'/>\n</message>",
		`<iq><q><![CDATA[x]]></q></iq>`,
		`<iq><!-- c --><q/></iq>`,
	}
	var els []*etree.Element
	for _, d := range docs {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(d); err != nil {
			t.Fatal(err)
		}
		els = append(els, doc.Root(), doc.Root().Copy())
		if kids := doc.Root().ChildElements(); len(kids) > 0 {
			els = append(els, kids[0])
		}
	}
	built := etree.NewElement("presence")
	built.CreateAttr("type", "probe")
	built.CreateElement("status").SetText("  ")
	built.AddChild(etree.NewText("  "))
	built.CreateElement("x").CreateAttr("xmlns", "urn:x")
	els = append(els, built, newStanza("message", "to", "a@b"))
	for _, el := range els {
		var want, got strings.Builder
		dumpTree(&want, el.Copy(), nil, 0)
		fast := copyStanza(el)
		dumpTree(&got, fast, nil, 0)
		if want.String() != got.String() {
			t.Errorf("copy of %s:\nCopy:\n%s\ncopyStanza:\n%s", Canonical(el), want.String(), got.String())
		}
		// The copy is independent of the original.
		fast.CreateAttr("zz", "1")
		if el.SelectAttr("zz") != nil {
			t.Errorf("copy shares attributes with %s", Canonical(el))
		}
	}
}

func BenchmarkCopyStanza(b *testing.B) {
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
	b.Run("copyStanza", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = copyStanza(el)
		}
	})
}
