package stanza

import (
	"strings"

	"github.com/beevik/etree"
)

// CanonicalElement renders el in the canonical form, exactly as
// FromElement(el).Canonical() would, without building a value: for code
// that holds a mutable etree element (the model's modules, the
// properties' reference, the comparison's masking) and needs its
// canonical text once. It shares the escaping and tag writing with the
// value renderer, so the two forms cannot drift apart.
func CanonicalElement(el *etree.Element) string {
	var b strings.Builder
	b.Grow(256)
	writeElement(&b, el)
	return b.String()
}

func writeElement(b *strings.Builder, el *etree.Element) {
	b.WriteByte('<')
	writeTag(b, el.Space, el.Tag)
	var buf [8]*etree.Attr
	attrs := buf[:0]
	for i := range el.Attr {
		attrs = append(attrs, &el.Attr[i])
	}
	// Insertion sort: stanzas carry a handful of attributes.
	for i := 1; i < len(attrs); i++ {
		for j := i; j > 0 && elementAttrLess(attrs[j], attrs[j-1]); j-- {
			attrs[j], attrs[j-1] = attrs[j-1], attrs[j]
		}
	}
	for _, a := range attrs {
		b.WriteByte(' ')
		writeTag(b, a.Space, a.Key)
		b.WriteString(`='`)
		escapeInto(b, a.Value, true)
		b.WriteByte('\'')
	}
	hasElem := false
	for _, t := range el.Child {
		if _, ok := t.(*etree.Element); ok {
			hasElem = true
			break
		}
	}
	empty := true
	for _, t := range el.Child {
		switch c := t.(type) {
		case *etree.Element:
			if empty {
				b.WriteByte('>')
				empty = false
			}
			writeElement(b, c)
		case *etree.CharData:
			if c.Data == "" || (hasElem && isSpace(c.Data)) {
				continue
			}
			if empty {
				b.WriteByte('>')
				empty = false
			}
			escapeInto(b, c.Data, false)
		}
	}
	if empty {
		b.WriteString("/>")
		return
	}
	b.WriteString("</")
	writeTag(b, el.Space, el.Tag)
	b.WriteByte('>')
}

func elementAttrLess(x, y *etree.Attr) bool {
	if x.Space != y.Space {
		return x.Space < y.Space
	}
	return x.Key < y.Key
}
