package model

import (
	"sort"
	"strings"

	"github.com/beevik/etree"
)

// Canonical renders el as compact XML with attributes sorted by (prefix,
// name), so that two stanzas that differ only in attribute order render
// identically (Prosody writes attributes in Lua hash order). Children keep
// their order; whitespace-only text between elements is dropped. The form
// is stable across runs and is what traces record.
func Canonical(el *etree.Element) string {
	var b strings.Builder
	writeCanonical(&b, el)
	return b.String()
}

func writeCanonical(b *strings.Builder, el *etree.Element) {
	b.WriteByte('<')
	b.WriteString(el.FullTag())
	attrs := el.Attr
	if len(attrs) > 1 {
		attrs = append([]etree.Attr(nil), attrs...)
		sort.Slice(attrs, func(i, j int) bool {
			if attrs[i].Space != attrs[j].Space {
				return attrs[i].Space < attrs[j].Space
			}
			return attrs[i].Key < attrs[j].Key
		})
	}
	for _, a := range attrs {
		b.WriteByte(' ')
		b.WriteString(a.FullKey())
		b.WriteString(`='`)
		escapeInto(b, a.Value, true)
		b.WriteByte('\'')
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
			if strings.TrimSpace(c.Data) == "" && hasElementChild(el) {
				continue
			}
			if c.Data == "" {
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
	b.WriteString(el.FullTag())
	b.WriteByte('>')
}

func hasElementChild(el *etree.Element) bool {
	for _, t := range el.Child {
		if _, ok := t.(*etree.Element); ok {
			return true
		}
	}
	return false
}

func escapeInto(b *strings.Builder, s string, attr bool) {
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\'':
			if attr {
				b.WriteString("&apos;")
			} else {
				b.WriteRune(r)
			}
		case '"':
			if attr {
				b.WriteString("&quot;")
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteRune(r)
		}
	}
}
