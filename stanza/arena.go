package stanza

import "github.com/beevik/etree"

// Arena builds stanzas from elements with their trees cut from slabs it
// allocates in chunks, so that building many small stanzas (a simulation's
// every delivery) costs a few allocations per chunk instead of three per
// stanza. The stanzas are ordinary immutable values: they may outlive the
// arena and be shared like any other (a chunk stays in memory while a
// stanza cut from it does). An Arena is not safe for concurrent use; the
// zero value is ready to use.
type Arena struct {
	elems []elem
	attrs []Attr
	kids  []node
	chunk int // the size of the last chunk of elements
}

const (
	arenaFirstChunk = 8
	arenaMaxChunk   = 128
)

// FromElement is FromElement(el) with the tree cut from a's slabs. The
// canonical form is rendered at once, sized from the walk that sized the
// tree: an arena's users (the simulator's trace) need it straight away.
func (a *Arena) FromElement(el *etree.Element) Stanza {
	if el == nil {
		return Stanza{}
	}
	var b builder
	b.count(el)
	if len(a.elems) < b.nElems || len(a.attrs) < b.nAttrs || len(a.kids) < b.nKids {
		a.refill(b.nElems, b.nAttrs, b.nKids)
	}
	b.elems, a.elems = a.elems[:b.nElems:b.nElems], a.elems[b.nElems:]
	b.attrs, a.attrs = a.attrs[:b.nAttrs:b.nAttrs], a.attrs[b.nAttrs:]
	b.kids, a.kids = a.kids[:b.nKids:b.nKids], a.kids[b.nKids:]
	e := b.build(el)
	// Escapes are not counted: an eighth more covers the usual few.
	e.render(b.nBytes + b.nBytes/8)
	return Stanza{e}
}

// refill starts new slabs, each large enough for the tree being built:
// chunks double from arenaFirstChunk elements up to arenaMaxChunk, with
// room for two attributes and two children per element (stanzas seldom
// hold more).
func (a *Arena) refill(elems, attrs, kids int) {
	a.chunk = min(max(2*a.chunk, arenaFirstChunk), arenaMaxChunk)
	if len(a.elems) < elems {
		a.elems = make([]elem, max(a.chunk, elems))
	}
	if len(a.attrs) < attrs {
		a.attrs = make([]Attr, max(2*a.chunk, attrs))
	}
	if len(a.kids) < kids {
		a.kids = make([]node, max(2*a.chunk, kids))
	}
}
