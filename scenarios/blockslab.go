package scenarios

import "github.com/beevik/etree"

// blockSlabs is the room a block's tree is built in when its tokens are
// known up front (the fast scan): its elements, attribute lists, child
// lists and texts, one slab of each for the block, counted from the
// tokens. Built one by one (etree.NewElement, a list per element, child
// lists grown by appending) a block cost about six allocations per
// element, and every script parse builds every block. Whatever the count
// did not foresee (the encoding/xml path, which has no token list) is
// allocated as before.
type blockSlabs struct {
	elems []etree.Element
	attrs []etree.Attr
	toks  []etree.Token
	texts []etree.CharData
	// kids[i] is the number of children of the i-th element in document
	// order; next is the index of the next element to be built.
	kids []int
	next int
}

// blankElement and blankText carry the unexported state of a new,
// detached element and text (no parent, index -1), copied into each
// one cut from a slab.
var (
	blankElement = *etree.NewElement("")
	blankText    = *etree.NewText("")
)

// size counts toks (a whole block, in order) and makes the slabs.
// kidBuf is reused room for the per-element child counts.
func (b *blockSlabs) size(toks []rawTok, kidBuf []int) []int {
	nElems, nAttrs, nKids, nTexts := 0, 0, 0, 0
	for i := range toks {
		switch toks[i].kind {
		case tokStart:
			nElems++
			nAttrs += len(toks[i].attr)
		case tokText:
			nTexts++
		}
	}
	if nElems == 0 {
		return kidBuf
	}
	kids := kidBuf[:0]
	var stackBuf [maxDepth + 1]int
	stack := stackBuf[:0]
	for i := range toks {
		switch toks[i].kind {
		case tokStart:
			if len(stack) > 0 {
				kids[stack[len(stack)-1]]++
				nKids++
			}
			kids = append(kids, 0)
			if len(stack) == len(stackBuf) {
				// Deeper than the parser accepts: it reports that;
				// the counts stop here and the rest is allocated as
				// it comes.
				b.kids = kids
				return kids
			}
			stack = append(stack, len(kids)-1)
		case tokEnd:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case tokText:
			if len(stack) > 0 {
				kids[stack[len(stack)-1]]++
				nKids++
			}
		}
	}
	b.kids = kids
	b.elems = make([]etree.Element, nElems)
	if nAttrs > 0 {
		b.attrs = make([]etree.Attr, nAttrs)
	}
	if nKids > 0 {
		b.toks = make([]etree.Token, nKids)
	}
	if nTexts > 0 {
		b.texts = make([]etree.CharData, nTexts)
	}
	return kids
}

// element returns a new detached element named space:tag with room for
// nAttrs attributes and its counted children.
func (b *blockSlabs) element(space, tag string, nAttrs int) *etree.Element {
	if len(b.elems) == 0 || b.next >= len(b.kids) {
		el := etree.NewElement(tag)
		el.Space = space
		if nAttrs > 0 {
			el.Attr = make([]etree.Attr, 0, nAttrs)
		}
		return el
	}
	el := &b.elems[0]
	b.elems = b.elems[1:]
	*el = blankElement
	el.Space, el.Tag = space, tag
	if nAttrs > 0 && len(b.attrs) >= nAttrs {
		el.Attr, b.attrs = b.attrs[:0:nAttrs], b.attrs[nAttrs:]
	} else if nAttrs > 0 {
		el.Attr = make([]etree.Attr, 0, nAttrs)
	}
	if n := b.kids[b.next]; n > 0 && len(b.toks) >= n {
		el.Child, b.toks = b.toks[:0:n], b.toks[n:]
	}
	b.next++
	return el
}

// text returns a new detached text holding s.
func (b *blockSlabs) text(s string) *etree.CharData {
	if len(b.texts) == 0 {
		return etree.NewText(s)
	}
	t := &b.texts[0]
	b.texts = b.texts[1:]
	*t = blankText
	t.Data = s
	return t
}
