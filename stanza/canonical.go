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

const (
	canonNone = iota
	canonBusy
	canonDone
)

// cached returns e's canonical form if it has been published.
func (e *elem) cached() (string, bool) {
	if e.canonState.Load() == canonDone {
		return e.canon, true
	}
	return "", false
}

func (e *elem) canonical() string {
	if c, ok := e.cached(); ok {
		return c
	}
	var b strings.Builder
	// Sized exactly first: one allocation, however long the stanza.
	b.Grow(e.size())
	e.write(&b)
	c := b.String()
	if e.canonState.CompareAndSwap(canonNone, canonBusy) {
		e.canon = c
		e.canonState.Store(canonDone)
	}
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
	if c, ok := e.cached(); ok {
		// A shared subtree (a derived stanza's children) already rendered.
		b.WriteString(c)
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

// size returns the length of e's canonical form (what write writes).
func (e *elem) size() int {
	if c, ok := e.cached(); ok {
		return len(c)
	}
	n := 1 + tagSize(e.space, e.tag) // <tag
	for i := range e.attrs {
		a := &e.attrs[i]
		n += 1 + tagSize(a.Space, a.Key) + 2 + escapedSize(a.Value, true) + 1 // ␠name='value'
	}
	hasElem := false
	for _, k := range e.kids {
		if k.e != nil {
			hasElem = true
			break
		}
	}
	content := 0
	empty := true
	for _, k := range e.kids {
		if k.e != nil {
			content += k.e.size()
			empty = false
			continue
		}
		if k.text == "" || (hasElem && isSpace(k.text)) {
			continue
		}
		content += escapedSize(k.text, false)
		empty = false
	}
	if empty {
		return n + 2 // />
	}
	return n + 1 + content + 2 + tagSize(e.space, e.tag) + 1 // >content</tag>
}

func tagSize(space, tag string) int {
	if space != "" {
		return len(space) + 1 + len(tag)
	}
	return len(tag)
}

// escapedSize is the length escapeInto writes for s.
func escapedSize(s string, attr bool) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			n += len("&amp;") - 1
		case '<', '>':
			n += len("&lt;") - 1
		case '\'', '"':
			if attr {
				n += len("&apos;") - 1
			}
		}
	}
	return n
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
