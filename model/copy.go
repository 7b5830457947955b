package model

import "github.com/beevik/etree"

// copyStanza returns a deep copy of st, as st.Copy() does, in a handful
// of allocations: every delivery copies its stanza (the sender's element
// keeps changing as it is routed on), and etree's Copy allocates each
// element, attribute list, child list and text separately.
//
// The copy is the same tree — names, attributes (in order), children,
// text and its whitespace flag, child indexes, the root's index — and
// falls back to Copy for anything it could not reproduce: CDATA, comments
// and other tokens, children whose index is not their position, a root
// whose index is not -1 (that of a new element), text whose whitespace
// flag disagrees with its content.
func copyStanza(st *etree.Element) *etree.Element {
	var n treeCounts
	if st.Index() != -1 || !n.count(st) {
		return st.Copy()
	}
	b := treeCopier{
		attrs: make([]etree.Attr, n.attrs),
		toks:  make([]etree.Token, n.toks),
	}
	if n.els > 1 {
		b.els = make([]etree.Element, n.els-1)
	}
	if n.texts > 0 {
		b.texts = make([]etree.CharData, n.texts)
	}
	root := etree.NewElement("")
	b.fill(root, st)
	return root
}

type treeCounts struct{ els, attrs, toks, texts int }

// count adds el's subtree to n and reports whether copyStanza can
// reproduce it.
func (n *treeCounts) count(el *etree.Element) bool {
	n.els++
	n.attrs += len(el.Attr)
	n.toks += len(el.Child)
	for i, t := range el.Child {
		switch c := t.(type) {
		case *etree.Element:
			if c.Index() != i || !n.count(c) {
				return false
			}
		case *etree.CharData:
			if c.Index() != i || c.IsCData() || (c.IsWhitespace() && !xmlSpace(c.Data)) {
				return false
			}
			n.texts++
		default:
			return false
		}
	}
	return true
}

type treeCopier struct {
	els   []etree.Element
	attrs []etree.Attr
	toks  []etree.Token
	texts []etree.CharData
}

// fill makes dst, a fresh element, a copy of src.
func (b *treeCopier) fill(dst, src *etree.Element) {
	dst.Space, dst.Tag = src.Space, src.Tag
	k := len(src.Attr)
	dst.Attr = b.attrs[:k:k]
	copy(dst.Attr, src.Attr)
	b.attrs = b.attrs[k:]
	k = len(src.Child)
	dst.Child = b.toks[:0:k]
	b.toks = b.toks[k:]
	for _, t := range src.Child {
		switch c := t.(type) {
		case *etree.Element:
			e := &b.els[0]
			b.els = b.els[1:]
			b.fill(e, c)
			dst.AddChild(e)
		case *etree.CharData:
			d := &b.texts[0]
			b.texts = b.texts[1:]
			if c.IsWhitespace() {
				d.SetData(c.Data) // sets the flag
			} else {
				d.Data = c.Data
			}
			dst.AddChild(d)
		}
	}
}

// xmlSpace is etree's test for its whitespace flag.
func xmlSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}
