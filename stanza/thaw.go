package stanza

import "github.com/beevik/etree"

// Thawer builds etree elements from stanzas (Element) with their trees
// cut from slabs it allocates in chunks, for a caller that turns many
// stanzas into elements it then owns and changes (a server handed every
// stanza a client sends): a few allocations per chunk instead of one per
// stanza, each list cut to its exact length (with room at the root, as
// Element leaves, for the attributes and children a server adds). An
// element cut from a chunk keeps the whole chunk in memory while it lives.
// A Thawer is not safe for concurrent use; the zero value is ready to use.
type Thawer struct {
	elems []etree.Element
	attrs []etree.Attr
	toks  []etree.Token
	texts []etree.CharData
	// chunk: the size of the last element slab (see refill).
	chunk int
}

const (
	thawFirstChunk = 8
	thawMaxChunk   = 64
)

// Element is s.Element() with the tree cut from t's slabs. The zero
// Stanza gives nil.
func (t *Thawer) Element(s Stanza) *etree.Element {
	if s.e == nil {
		return nil
	}
	var sl elementSlabs
	sl.count(s.e)
	nAttrs, nToks := sl.nAttrs+rootSpare, sl.nToks+rootSpare
	if len(t.elems) < sl.nElems || len(t.attrs) < nAttrs || len(t.toks) < nToks || len(t.texts) < sl.nTexts {
		t.refill(sl.nElems, nAttrs, nToks, sl.nTexts)
	}
	sl.elems, t.elems = t.elems[:sl.nElems:sl.nElems], t.elems[sl.nElems:]
	sl.attrs, t.attrs = t.attrs[:nAttrs:nAttrs], t.attrs[nAttrs:]
	sl.toks, t.toks = t.toks[:nToks:nToks], t.toks[nToks:]
	sl.texts, t.texts = t.texts[:sl.nTexts:sl.nTexts], t.texts[sl.nTexts:]
	return sl.build(s.e, rootSpare)
}

// refill starts new slabs, all four together, when one has not room
// enough for the tree being built. The element slab's chunks double from
// thawFirstChunk up to thawMaxChunk; the others are sized in proportion,
// as the stanzas clients send use them (per element: about one attribute
// and a root's rootSpare more, most elements a child, few a text: a
// replay of blocking.scs sends 14 stanzas of 21 elements, 54 attributes
// with the room, 38 children with the room, 3 texts), so that one
// running short leaves little of the others unused; a tree larger than a
// chunk gets its own. Renewed together for the reason Arena's are: an
// element points into its attribute and child slabs and an attribute
// back to its element, so slabs renewed one at a time would chain every
// chunk ever cut while any element that a server keeps (a stored
// presence) lived.
func (t *Thawer) refill(elems, attrs, toks, texts int) {
	t.chunk = min(max(2*t.chunk, thawFirstChunk), thawMaxChunk)
	c := t.chunk
	t.elems = make([]etree.Element, max(c, elems))
	t.attrs = make([]etree.Attr, max(c*5/2, attrs))
	t.toks = make([]etree.Token, max(c*2, toks))
	t.texts = make([]etree.CharData, max(c/4, texts))
}
