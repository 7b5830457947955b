// Package stanza holds an immutable XML element: a stanza as the
// simulator traces it and the script language expects it, built once and
// shared by every holder.
//
// It is a leaf package (it imports nothing of scansim's) so that the
// model, the simulator, the script language, the trace formatter and the
// TCP client can pass one stanza value between them instead of copying
// element trees or re-parsing canonical strings.
//
// # Ownership
//
// A Stanza never changes once built. Every holder may keep it, share it
// and read it from any goroutine; nobody may modify what its accessors
// return (Attrs returns the shared slice, for speed). FromElement copies
// the element's structure, so the caller keeps ownership of the
// *etree.Element and may go on changing it; Element returns a fresh tree
// that belongs to the caller. Per-recipient changes (WithAttr,
// WithoutAttr, WithChild) return a new Stanza that shares everything it
// does not change with the original.
//
// # Canonical form
//
// Canonical renders the stanza in the form traces record (see
// Canonical's documentation). It is computed once, on first use, and
// cached in the value, so every holder of one Stanza pays for it once.
package stanza

import (
	"sync/atomic"

	"github.com/beevik/etree"
)

// Stanza is an immutable XML element. The zero value is "no stanza":
// IsZero reports it, Canonical renders it as "", Element returns nil.
type Stanza struct{ e *elem }

// Attr is one attribute as written: Space is its prefix ("" for none),
// Key its local name. Namespace declarations are attributes too
// (Key "xmlns", or Space "xmlns"), as in etree.
type Attr struct{ Space, Key, Value string }

// elem is one element. Nothing in it changes after construction except
// canon, which is written at most once (published through canonState, so
// that shared values may be rendered from several goroutines).
type elem struct {
	space, tag string
	attrs      []Attr
	kids       []node
	// canon is the canonical form once canonState is canonDone. The
	// first caller to render e claims it (canonNone to canonBusy), writes
	// canon and publishes it; a caller that finds it busy renders its own
	// copy. No lock, and no allocation beyond the string.
	canonState atomic.Uint32
	canon      string
}

// node is one child: an element, or text when e is nil.
type node struct {
	e    *elem
	text string
}

// Child is one child of a stanza being built by New: an element (Elem)
// or character data (Text).
type Child struct{ n node }

// Elem makes s a child element. A zero s is no child (New skips it).
func Elem(s Stanza) Child { return Child{node{e: s.e}} }

// Text makes character data t a child. New leaves empty text out.
func Text(t string) Child { return Child{node{text: t}} }

// New builds a stanza from its parts. attrs and the children are copied,
// so the caller may reuse its slices.
func New(space, tag string, attrs []Attr, children ...Child) Stanza {
	e := &elem{space: space, tag: tag}
	if len(attrs) > 0 {
		e.attrs = append([]Attr(nil), attrs...)
	}
	n := 0
	for _, c := range children {
		if c != (Child{}) {
			n++
		}
	}
	if n > 0 {
		// one allocation for the list, however many children
		e.kids = make([]node, 0, n)
	}
	for _, c := range children {
		if c == (Child{}) {
			// Elem of a zero Stanza, or Text(""): nothing to render.
			continue
		}
		e.kids = append(e.kids, c.n)
	}
	return Stanza{e}
}

// IsZero reports whether s is the zero Stanza (no stanza).
func (s Stanza) IsZero() bool { return s.e == nil }

// Space returns the element's prefix ("" for none).
func (s Stanza) Space() string {
	if s.e == nil {
		return ""
	}
	return s.e.space
}

// Tag returns the element's local name.
func (s Stanza) Tag() string {
	if s.e == nil {
		return ""
	}
	return s.e.tag
}

// Attrs returns the element's attributes in the order they were given.
// The slice is shared: do not modify it.
func (s Stanza) Attrs() []Attr {
	if s.e == nil {
		return nil
	}
	return s.e.attrs
}

// Attr returns the value of the first attribute with prefix space and
// local name key (in the order given).
func (s Stanza) Attr(space, key string) (string, bool) {
	if s.e == nil {
		return "", false
	}
	for _, a := range s.e.attrs {
		if a.Space == space && a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// NumChild returns the number of children: elements and text.
func (s Stanza) NumChild() int {
	if s.e == nil {
		return 0
	}
	return len(s.e.kids)
}

// ChildAt returns child i: an element (el non-zero) or text.
func (s Stanza) ChildAt(i int) (el Stanza, text string) {
	n := s.e.kids[i]
	return Stanza{n.e}, n.text
}

// Elements returns the child elements, in order.
func (s Stanza) Elements() []Stanza {
	if s.e == nil {
		return nil
	}
	var out []Stanza
	for _, n := range s.e.kids {
		if n.e != nil {
			out = append(out, Stanza{n.e})
		}
	}
	return out
}

// WithAttr returns s with the attribute (space, key) set to value: the
// first such attribute is replaced, or the attribute is appended. The
// result shares s's children; s is unchanged.
func (s Stanza) WithAttr(space, key, value string) Stanza {
	if s.e == nil {
		return s
	}
	attrs := make([]Attr, len(s.e.attrs), len(s.e.attrs)+1)
	copy(attrs, s.e.attrs)
	found := false
	for i := range attrs {
		if attrs[i].Space == space && attrs[i].Key == key {
			attrs[i].Value = value
			found = true
			break
		}
	}
	if !found {
		attrs = append(attrs, Attr{space, key, value})
	}
	return Stanza{&elem{space: s.e.space, tag: s.e.tag, attrs: attrs, kids: s.e.kids}}
}

// WithAttrs returns s with the attribute list attrs (copied) in place of
// its own. The result shares s's children; s is unchanged. It is the one
// step for several attribute edits (each WithAttr copies the list).
func (s Stanza) WithAttrs(attrs []Attr) Stanza {
	if s.e == nil {
		return s
	}
	var own []Attr
	if len(attrs) > 0 {
		own = append([]Attr(nil), attrs...)
	}
	return Stanza{&elem{space: s.e.space, tag: s.e.tag, attrs: own, kids: s.e.kids}}
}

// WithoutAttr returns s without its attributes (space, key). The result
// shares s's children; s is unchanged.
func (s Stanza) WithoutAttr(space, key string) Stanza {
	if s.e == nil {
		return s
	}
	var attrs []Attr
	for _, a := range s.e.attrs {
		if a.Space != space || a.Key != key {
			attrs = append(attrs, a)
		}
	}
	return Stanza{&elem{space: s.e.space, tag: s.e.tag, attrs: attrs, kids: s.e.kids}}
}

// WithChild returns s with c appended as its last child element (a
// delay, a push id). The result shares s's attributes and other
// children; s and c are unchanged. A zero c leaves s as it is.
func (s Stanza) WithChild(c Stanza) Stanza {
	if s.e == nil || c.e == nil {
		return s
	}
	kids := make([]node, len(s.e.kids), len(s.e.kids)+1)
	copy(kids, s.e.kids)
	kids = append(kids, node{e: c.e})
	return Stanza{&elem{space: s.e.space, tag: s.e.tag, attrs: s.e.attrs, kids: kids}}
}

// FromElement returns the stanza el holds. It copies el's structure (the
// strings are shared, being immutable), so el stays the caller's. Comments,
// processing instructions and directives are left out: they are not part
// of a stanza's meaning, and the canonical form omits them. A nil el gives
// the zero Stanza.
//
// The copy takes three allocations whatever the tree's size: a first walk
// counts elements, attributes and children, and the tree is then cut from
// three slabs.
func FromElement(el *etree.Element) Stanza {
	if el == nil {
		return Stanza{}
	}
	var b builder
	b.count(el)
	b.alloc()
	return Stanza{b.build(el)}
}

// FromElements is FromElement of each of els (nil ones give the zero
// Stanza), with the trees cut from three slabs shared by all of them: a
// script's stanzas, built once, cost three allocations together.
func FromElements(els []*etree.Element) []Stanza {
	var b builder
	for _, el := range els {
		if el != nil {
			b.count(el)
		}
	}
	b.alloc()
	out := make([]Stanza, len(els))
	for i, el := range els {
		if el != nil {
			out[i] = Stanza{b.build(el)}
		}
	}
	return out
}

// builder cuts trees from three slabs, sized by count.
type builder struct {
	elems []elem
	attrs []Attr
	kids  []node

	nElems, nAttrs, nKids int
}

// count adds el's elements, attributes and children to the sizes.
func (b *builder) count(el *etree.Element) {
	b.nElems++
	b.nAttrs += len(el.Attr)
	for _, t := range el.Child {
		switch c := t.(type) {
		case *etree.Element:
			b.nKids++
			b.count(c)
		case *etree.CharData:
			b.nKids++
		}
	}
}

func (b *builder) alloc() {
	b.elems = make([]elem, b.nElems)
	if b.nAttrs > 0 {
		b.attrs = make([]Attr, b.nAttrs)
	}
	if b.nKids > 0 {
		b.kids = make([]node, b.nKids)
	}
}

func (b *builder) build(el *etree.Element) *elem { return b.buildShared(el, nil) }

// buildShared builds el from b's slabs; el's element children are taken
// from m when it remembers them and remembered in it when built (nil m:
// every child is built). Only el's own children are shared: deeper
// levels belong to them.
func (b *builder) buildShared(el *etree.Element, m *Memo) *elem {
	e := &b.elems[0]
	b.elems = b.elems[1:]
	e.space, e.tag = el.Space, el.Tag
	if n := len(el.Attr); n > 0 {
		e.attrs = b.attrs[:n:n]
		b.attrs = b.attrs[n:]
		for i, a := range el.Attr {
			e.attrs[i] = Attr{a.Space, a.Key, a.Value}
		}
	}
	n := 0
	for _, t := range el.Child {
		switch t.(type) {
		case *etree.Element, *etree.CharData:
			n++
		}
	}
	if n > 0 {
		e.kids = b.kids[:n:n]
		b.kids = b.kids[n:]
		i := 0
		for _, t := range el.Child {
			switch c := t.(type) {
			case *etree.Element:
				var k *elem
				if m != nil {
					k = m.find(c)
				}
				if k == nil {
					k = b.build(c)
					if m != nil {
						m.add(c, k)
					}
				}
				e.kids[i] = node{e: k}
				i++
			case *etree.CharData:
				e.kids[i] = node{text: c.Data}
				i++
			}
		}
	}
	return e
}

// Element returns a new etree element equal to s (attributes in their
// order, children in theirs), owned by the caller. The zero Stanza gives
// nil.
func (s Stanza) Element() *etree.Element {
	if s.e == nil {
		return nil
	}
	var t elementSlabs
	t.count(s.e)
	// One slab each of elements, attributes, child lists and texts: a
	// tree of etree.NewElement, CreateAttr and CreateText costs several
	// allocations per element, and every stanza a script sends is built
	// here. The root gets room for rootSpare more attributes and
	// children, which the server adds (the stream's xml:lang, the
	// stamped from) without copying the lists. A small tree takes its
	// slabs from one allocation (smallTree).
	switch {
	case t.nElems == 1 && t.nToks == 0 && t.nAttrs+rootSpare <= len(leafTree{}.attrs):
		b := new(leafTree)
		t.elems, t.attrs, t.toks = b.elems[:], b.attrs[:], b.toks[:]
	case t.nElems <= len(pairTree{}.elems) && t.nAttrs+rootSpare <= len(pairTree{}.attrs) &&
		t.nToks+rootSpare <= len(pairTree{}.toks) && t.nTexts <= len(pairTree{}.texts):
		b := new(pairTree)
		t.elems, t.attrs, t.toks, t.texts = b.elems[:], b.attrs[:], b.toks[:], b.texts[:]
	case t.nElems <= len(smallTree{}.elems) && t.nAttrs+rootSpare <= len(smallTree{}.attrs) &&
		t.nToks+rootSpare <= len(smallTree{}.toks) && t.nTexts <= len(smallTree{}.texts):
		b := new(smallTree)
		t.elems, t.attrs, t.toks, t.texts = b.elems[:], b.attrs[:], b.toks[:], b.texts[:]
	default:
		t.elems = make([]etree.Element, t.nElems)
		t.attrs = make([]etree.Attr, t.nAttrs+rootSpare)
		t.toks = make([]etree.Token, t.nToks+rootSpare)
		if t.nTexts > 0 {
			t.texts = make([]etree.CharData, t.nTexts)
		}
	}
	return t.build(s.e, rootSpare)
}

// rootSpare is the room Element leaves in the root's attribute and child
// lists.
const rootSpare = 2

// leafTree, pairTree and smallTree hold the slabs of trees the size of
// most stanzas a script sends: a presence or an iq without children; a
// message with a body; a blocklist iq with an item. They are sized to
// the allocator's classes (352, 640 and 896 bytes), and the smallest that
// fits is used: room that is not used costs zeroing and collections.
type leafTree struct {
	elems [1]etree.Element
	attrs [4]etree.Attr
	toks  [rootSpare]etree.Token
}

type pairTree struct {
	elems [2]etree.Element
	attrs [6]etree.Attr
	toks  [4]etree.Token
	texts [1]etree.CharData
}

type smallTree struct {
	elems [3]etree.Element
	attrs [8]etree.Attr
	toks  [4]etree.Token
	texts [2]etree.CharData
}

// elementSlabs is the storage of one Element call's tree.
type elementSlabs struct {
	nElems, nAttrs, nToks, nTexts int

	elems []etree.Element
	attrs []etree.Attr
	toks  []etree.Token
	texts []etree.CharData
}

// Blank values carry etree's unexported state of a new, detached element
// and text (no parent, index -1), copied into each slab entry.
var (
	blankElement  = *etree.NewElement("")
	blankCharData = *etree.NewText("")
)

func (t *elementSlabs) count(e *elem) {
	t.nElems++
	t.nAttrs += len(e.attrs)
	t.nToks += len(e.kids)
	for _, n := range e.kids {
		if n.e != nil {
			t.count(n.e)
		} else {
			t.nTexts++
		}
	}
}

// build makes e's element from the slabs, with room for spare more
// attributes and children than it has.
func (t *elementSlabs) build(e *elem, spare int) *etree.Element {
	el := &t.elems[0]
	t.elems = t.elems[1:]
	*el = blankElement
	// As etree.NewElement(e.tag) splits a prefixed name; e.space wins.
	el.Tag = e.tag
	for i := 0; i < len(e.tag); i++ {
		if e.tag[i] == ':' {
			el.Tag = e.tag[i+1:]
			break
		}
	}
	el.Space = e.space
	n := len(e.attrs) + spare
	el.Attr, t.attrs = t.attrs[:0:n], t.attrs[n:]
	for _, a := range e.attrs {
		if hasAttr(el, a.Space, a.Key) {
			// A duplicate (which XML forbids, but an element built
			// by hand may hold): CreateAttr would overwrite the
			// first. Keep both, as the stanza has them.
			el.Attr = append(el.Attr, etree.Attr{Space: a.Space, Key: a.Key, Value: a.Value})
			continue
		}
		// CreateAttr, not a literal: etree attributes point back to
		// their element (Attr.NamespaceURI needs it).
		if a.Space != "" {
			el.CreateAttr(a.Space+":"+a.Key, a.Value)
		} else {
			el.CreateAttr(a.Key, a.Value)
		}
	}
	n = len(e.kids) + spare
	el.Child, t.toks = t.toks[:0:n], t.toks[n:]
	for _, k := range e.kids {
		if k.e != nil {
			el.AddChild(t.build(k.e, 0))
		} else {
			c := &t.texts[0]
			t.texts = t.texts[1:]
			*c = blankCharData
			c.Data = k.text
			el.AddChild(c)
		}
	}
	return el
}

func hasAttr(el *etree.Element, space, key string) bool {
	for _, a := range el.Attr {
		if a.Space == space && a.Key == key {
			return true
		}
	}
	return false
}

// MapAttrs returns s with every attribute value v, of the element and of
// its descendants, replaced by f(v); f sees them in document order (an
// element's attributes, then its children's). Elements in whose subtree
// f changed nothing are shared with s, so substituting a variable in a
// stanza's to attribute builds one new element. The first error f
// returns is returned with the zero Stanza.
func (s Stanza) MapAttrs(f func(value string) (string, error)) (Stanza, error) {
	if s.e == nil {
		return s, nil
	}
	e, err := s.e.mapAttrs(f)
	if err != nil {
		return Stanza{}, err
	}
	return Stanza{e}, nil
}

func (e *elem) mapAttrs(f func(string) (string, error)) (*elem, error) {
	var attrs []Attr
	for i, a := range e.attrs {
		v, err := f(a.Value)
		if err != nil {
			return nil, err
		}
		if v != a.Value && attrs == nil {
			attrs = make([]Attr, len(e.attrs))
			copy(attrs, e.attrs)
		}
		if attrs != nil {
			attrs[i].Value = v
		}
	}
	var kids []node
	for i, n := range e.kids {
		if n.e == nil {
			continue
		}
		k, err := n.e.mapAttrs(f)
		if err != nil {
			return nil, err
		}
		if k != n.e && kids == nil {
			kids = make([]node, len(e.kids))
			copy(kids, e.kids)
		}
		if kids != nil {
			kids[i].e = k
		}
	}
	if attrs == nil && kids == nil {
		return e, nil
	}
	if attrs == nil {
		attrs = e.attrs
	}
	if kids == nil {
		kids = e.kids
	}
	return &elem{space: e.space, tag: e.tag, attrs: attrs, kids: kids}, nil
}
