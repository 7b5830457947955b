package model

import (
	"strings"

	"github.com/beevik/etree"
)

// Canonical renders el as compact XML with attributes sorted by (prefix,
// name), so that two stanzas that differ only in attribute order render
// identically (Prosody writes attributes in Lua hash order). Children keep
// their order; whitespace-only text between elements is dropped. The form
// is stable across runs and is what traces record.
//
// It is on the simulator's hot path (every traced stanza), so it avoids
// allocating beyond the builder's buffer.
func Canonical(el *etree.Element) string {
	var b strings.Builder
	b.Grow(256)
	writeCanonical(&b, el)
	return b.String()
}

func writeCanonical(b *strings.Builder, el *etree.Element) {
	b.WriteByte('<')
	writeTag(b, el.Space, el.Tag)
	var buf [8]*etree.Attr
	attrs := buf[:0]
	for i := range el.Attr {
		attrs = append(attrs, &el.Attr[i])
	}
	// Insertion sort: stanzas carry a handful of attributes.
	for i := 1; i < len(attrs); i++ {
		for j := i; j > 0 && attrLess(attrs[j], attrs[j-1]); j-- {
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
			writeCanonical(b, c)
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

func writeTag(b *strings.Builder, space, tag string) {
	if space != "" {
		b.WriteString(space)
		b.WriteByte(':')
	}
	b.WriteString(tag)
}

func attrLess(x, y *etree.Attr) bool {
	if x.Space != y.Space {
		return x.Space < y.Space
	}
	return x.Key < y.Key
}

func isSpace(s string) bool {
	return strings.TrimSpace(s) == ""
}

// escapeInto writes s with XML escapes, copying unescaped runs in one go.
func escapeInto(b *strings.Builder, s string, attr bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\'':
			if !attr {
				continue
			}
			esc = "&apos;"
		case '"':
			if !attr {
				continue
			}
			esc = "&quot;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(s[last:])
}
