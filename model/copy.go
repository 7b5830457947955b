package model

import "github.com/beevik/etree"

// sharedRoot is a delivered stanza's own part: its root element with room
// for the attribute and child lists of a typical stanza, in one
// allocation (shareStanza; the server's own deliveries use the exact-fit
// slabs of rootSlabs instead).
type sharedRoot struct {
	el    etree.Element
	attrs [5]etree.Attr
	toks  [4]etree.Token
}

// blankElement carries the unexported state of a new, detached element
// (no parent, index -1), copied into each shared root.
var blankElement = *etree.NewElement("")

// shareStanza returns st's root as a new element — name, attributes and
// child list copied — whose descendants are st's own, shared (see
// Event: they are read-only for everyone, the server included). Every
// delivery gets its own root because the router changes the root between
// deliveries ('to' of a broadcast, the delay of a stored presence) and
// never a descendant of a stanza it has delivered. This replaced a deep
// copy per delivery (copyStanza), which cost about half of a fan-out.
func shareStanza(st *etree.Element) *etree.Element {
	r := new(sharedRoot)
	el := &r.el
	*el = blankElement
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

// rootSlabs is the unused room the server's delivered roots are cut from
// (share): elements, attribute lists and child lists, each from its own
// slab and cut to the exact length. A fan-out to K sessions builds K
// roots; one allocation per delivery (and the collections it brought on)
// was most of a fan-out's cost, and a fixed-size root with room for five
// attributes and four children was mostly room: garbage collection
// follows the bytes allocated, not the objects.
type rootSlabs struct {
	els                          []etree.Element
	attrs                        []etree.Attr
	toks                         []etree.Token
	elChunk, attrChunk, tokChunk int
}

// share is shareStanza with the root cut from the server's slabs. Each
// list is capped at its length, so a receiver's append copies it rather
// than writing into the next root's room. Slabs double from a small size
// up to a bound, so a short-lived server (one per replay) does not zero
// room it never uses; a slab stays in memory while any event's root cut
// from it does.
func (s *Server) share(st *etree.Element) *etree.Element {
	r := &s.roots
	if len(r.els) == 0 {
		r.elChunk = min(max(2*r.elChunk, 8), 128)
		r.els = make([]etree.Element, r.elChunk)
	}
	el := &r.els[0]
	r.els = r.els[1:]
	*el = blankElement
	el.Space, el.Tag = st.Space, st.Tag
	if n := len(st.Attr); n > 0 {
		el.Attr = cut(&r.attrs, &r.attrChunk, n, 32, 512)
		copy(el.Attr, st.Attr)
	}
	if n := len(st.Child); n > 0 {
		el.Child = cut(&r.toks, &r.tokChunk, n, 16, 256)
		copy(el.Child, st.Child)
	}
	return el
}

// cut returns the next n elements of *slab, capped at n, refilling the
// slab (its size doubling from lo up to hi, or n when larger) when it has
// fewer than n left.
func cut[T any](slab *[]T, chunk *int, n, lo, hi int) []T {
	if len(*slab) < n {
		*chunk = min(max(2**chunk, lo), hi)
		*slab = make([]T, max(*chunk, n))
	}
	out := (*slab)[:n:n]
	*slab = (*slab)[n:]
	return out
}
