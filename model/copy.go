package model

import "github.com/beevik/etree"

// sharedRoot is a delivered stanza's own part: its root element with room
// for the attribute and child lists of a typical stanza, in one
// allocation.
type sharedRoot struct {
	el    etree.Element
	attrs [5]etree.Attr
	toks  [4]etree.Token
}

// blankElement carries the unexported state of a new, detached element
// (no parent, index -1), copied into each sharedRoot.
var blankElement = *etree.NewElement("")

// shareStanza returns st's root as a new element — name, attributes and
// child list copied — whose descendants are st's own, shared (see
// Event: they are read-only for everyone, the server included). Every
// delivery gets its own root because the router changes the root between
// deliveries ('to' of a broadcast, the delay of a stored presence) and
// never a descendant of a stanza it has delivered. This replaced a deep
// copy per delivery (copyStanza), which cost about half of a fan-out.
func shareStanza(st *etree.Element) *etree.Element { return shareInto(new(sharedRoot), st) }

// share is shareStanza with the root cut from a slab of roots: a fan-out
// to K sessions builds K roots, and one allocation per delivery (and the
// collections it brought on) was most of a fan-out's cost. Slabs double
// from 8 roots up to 64; a slab stays in memory while any event's root
// cut from it does.
func (s *Server) share(st *etree.Element) *etree.Element {
	if len(s.roots) == 0 {
		s.rootChunk = min(max(2*s.rootChunk, 8), 64)
		s.roots = make([]sharedRoot, s.rootChunk)
	}
	r := &s.roots[0]
	s.roots = s.roots[1:]
	return shareInto(r, st)
}

// shareInto builds st's shared copy in r, which must be zero.
func shareInto(r *sharedRoot, st *etree.Element) *etree.Element {
	r.el = blankElement
	el := &r.el
	el.Space, el.Tag = st.Space, st.Tag
	if n := len(st.Attr); n <= len(r.attrs) {
		el.Attr = r.attrs[:n:n]
	} else {
		el.Attr = make([]etree.Attr, n)
	}
	copy(el.Attr, st.Attr)
	if n := len(st.Child); n <= len(r.toks) {
		el.Child = r.toks[:n:n]
	} else {
		el.Child = make([]etree.Token, n)
	}
	copy(el.Child, st.Child)
	return el
}
