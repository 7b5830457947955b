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
	// The sizes of the last chunk of each slab: each grows on its own,
	// so that one running short does not renew the others.
	elemChunk, attrChunk, kidChunk int
}

const (
	arenaFirstChunk = 8
	arenaMaxChunk   = 128
)

// FromElement is FromElement(el) with the tree cut from a's slabs. Like
// any Stanza's, its canonical form is rendered when first asked for: the
// simulator's trace holds the value and renders it only when printed.
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
	return Stanza{b.build(el)}
}

// refill starts new slabs when one has not room enough for the tree
// being built: chunks double from arenaFirstChunk elements and children
// up to arenaMaxChunk, and from twice that many attributes. A child is
// an element below a root or a text, so a tree usually has about one
// per element or fewer (a message with a body: two elements, two
// children; a childless presence: one element, none), while a delivered
// root alone carries three to five attributes (type, to, from, id,
// xml:lang); a child slab twice the element slab was mostly thrown away
// at each renewal (a replay of blocking.scs used 26 of 112). All three
// are renewed together, though the others may still have room: a stanza
// cut from a new slab of one kind and an older slab of another ties the two
// together, and slabs renewed one at a time chain every slab the arena
// ever cut back to the first, so that a long-running simulation (scansim
// serve) kept every stanza it ever built while any recent one lived.
// Renewed together, a generation of slabs is reachable only from the
// stanzas cut from it.
func (a *Arena) refill(elems, attrs, kids int) {
	a.elemChunk = min(max(2*a.elemChunk, arenaFirstChunk), arenaMaxChunk)
	a.elems = make([]elem, max(a.elemChunk, elems))
	a.attrChunk = min(max(2*a.attrChunk, 2*arenaFirstChunk), 2*arenaMaxChunk)
	a.attrs = make([]Attr, max(a.attrChunk, attrs))
	a.kidChunk = min(max(2*a.kidChunk, arenaFirstChunk), arenaMaxChunk)
	a.kids = make([]node, max(a.kidChunk, kids))
}

// Memo remembers, by identity, the values FromShared built for element
// children, so that a root delivered many times with the same children (a
// broadcast: one presence to every contact, each copy with its own root)
// builds them once. Whoever fills a Memo promises not to change a
// remembered element while the Memo holds it; Reset forgets everything.
// The zero value is ready to use.
type Memo struct {
	keys []*etree.Element
	vals []*elem
}

// memoMax bounds a Memo: a lookup is a scan, and the children worth
// remembering are those of the last few stanzas.
const memoMax = 32

// Reset forgets every remembered element, keeping the room.
func (m *Memo) Reset() {
	clear(m.keys)
	clear(m.vals)
	m.keys, m.vals = m.keys[:0], m.vals[:0]
}

func (m *Memo) find(el *etree.Element) *elem {
	for i, k := range m.keys {
		if k == el {
			return m.vals[i]
		}
	}
	return nil
}

func (m *Memo) add(el *etree.Element, e *elem) {
	if len(m.keys) < memoMax {
		m.keys = append(m.keys, el)
		m.vals = append(m.vals, e)
	}
}

// FromShared is a.FromElement(el) with el's element children taken from
// m when it remembers them, and remembered in it when built: the root is
// always built anew (its attributes and list of children are read now),
// its children only once per Memo. Nothing is rendered (see FromElement).
func (a *Arena) FromShared(el *etree.Element, m *Memo) Stanza {
	if el == nil {
		return Stanza{}
	}
	var b builder
	b.nElems++
	b.nAttrs += len(el.Attr)
	for _, t := range el.Child {
		switch c := t.(type) {
		case *etree.Element:
			b.nKids++
			if m.find(c) != nil {
				// A child shared with an earlier root (a broadcast's
				// second recipient on): taken, not built.
				continue
			}
			b.count(c)
		case *etree.CharData:
			b.nKids++
		}
	}
	if len(a.elems) < b.nElems || len(a.attrs) < b.nAttrs || len(a.kids) < b.nKids {
		a.refill(b.nElems, b.nAttrs, b.nKids)
	}
	b.elems, a.elems = a.elems[:b.nElems:b.nElems], a.elems[b.nElems:]
	b.attrs, a.attrs = a.attrs[:b.nAttrs:b.nAttrs], a.attrs[b.nAttrs:]
	b.kids, a.kids = a.kids[:b.nKids:b.nKids], a.kids[b.nKids:]
	return Stanza{b.buildShared(el, m)}
}
