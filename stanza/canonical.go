package stanza

import "strings"

// Canonical renders s as compact XML with attributes sorted by (prefix,
// name), so that two stanzas that differ only in attribute order render
// identically (Prosody writes attributes in Lua hash order). Children keep
// their order; whitespace-only text between elements is dropped (text is
// dropped only in an element that has child elements: in a leaf it is
// content). Empty text is dropped. Attribute values escape & < > ' and ";
// text escapes & < and >. An element without rendered children is written
// self-closing ("<x/>"). The form is stable across runs and is what traces
// record; it is byte for byte the model's historical model.Canonical.
//
// It is computed on first use and cached in s (and shared by every copy
// of s); the zero Stanza renders as "".
func (s Stanza) Canonical() string {
	if s.e == nil {
		return ""
	}
	return s.e.canonical()
}

func (e *elem) canonical() string {
	if p := e.canon.Load(); p != nil {
		return *p
	}
	var b strings.Builder
	b.Grow(256)
	e.write(&b)
	c := b.String()
	e.canon.Store(&c)
	return c
}

// CanonicalAttrs returns the attributes in canonical order (by prefix,
// then name; attributes equal in both keep their order), in a new slice.
func (s Stanza) CanonicalAttrs() []Attr {
	if s.e == nil {
		return nil
	}
	out := make([]Attr, len(s.e.attrs))
	copy(out, s.e.attrs)
	sortAttrs(out)
	return out
}

// sortAttrs is an insertion sort (stable): stanzas carry a handful of
// attributes.
func sortAttrs(attrs []Attr) {
	for i := 1; i < len(attrs); i++ {
		for j := i; j > 0 && attrLess(&attrs[j], &attrs[j-1]); j-- {
			attrs[j], attrs[j-1] = attrs[j-1], attrs[j]
		}
	}
}

func (e *elem) write(b *strings.Builder) {
	if p := e.canon.Load(); p != nil {
		// A shared subtree (a derived stanza's children) already rendered.
		b.WriteString(*p)
		return
	}
	b.WriteByte('<')
	writeTag(b, e.space, e.tag)
	var buf [8]*Attr
	attrs := buf[:0]
	for i := range e.attrs {
		attrs = append(attrs, &e.attrs[i])
	}
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
	for _, n := range e.kids {
		if n.e != nil {
			hasElem = true
			break
		}
	}
	empty := true
	for _, n := range e.kids {
		if n.e != nil {
			if empty {
				b.WriteByte('>')
				empty = false
			}
			n.e.write(b)
			continue
		}
		if n.text == "" || (hasElem && isSpace(n.text)) {
			continue
		}
		if empty {
			b.WriteByte('>')
			empty = false
		}
		escapeInto(b, n.text, false)
	}
	if empty {
		b.WriteString("/>")
		return
	}
	b.WriteString("</")
	writeTag(b, e.space, e.tag)
	b.WriteByte('>')
}

func writeTag(b *strings.Builder, space, tag string) {
	if space != "" {
		b.WriteString(space)
		b.WriteByte(':')
	}
	b.WriteString(tag)
}

func attrLess(x, y *Attr) bool {
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
