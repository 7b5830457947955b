package scenarios

import "github.com/beevik/etree"

// parseSlabs is the room a script's parsed stanzas are built in: their
// elements, attribute lists, child lists and texts, and the script's
// actions and stanzas, each cut from one slab sized once, before the
// parse, from a count over the whole source (see estimate). Built one by
// one (etree.NewElement, a list per element, child lists grown by
// appending) a script cost about six allocations per element; slabs per
// block still cost four per block. A count that falls short (it is an
// estimate: the text of comments counts too, whitespace-only text is
// not foreseen) takes a further chunk, so nothing depends on it being
// exact.
type parseSlabs struct {
	elems   slab[etree.Element]
	attrs   slab[etree.Attr]
	kids    slab[etree.Token]
	texts   slab[etree.CharData]
	actions slab[Action]
	stanzas slab[Stanza]
	stPtrs  slab[*Stanza]
}

// slab hands out fresh values of T from one allocation; est is the size
// of the first one, made when first needed.
type slab[T any] struct {
	free []T
	est  int
}

// minChunk is the size of a further chunk when the estimate fell short.
const minChunk = 16

func (s *slab[T]) take(n int) []T {
	if len(s.free) < n {
		size := max(n, s.est, minChunk)
		s.est = 0
		s.free = make([]T, size)
	}
	out := s.free[:n:n]
	s.free = s.free[n:]
	return out
}

func (s *slab[T]) one() *T { return &s.take(1)[0] }

// estimate sizes the slabs for src, a whole script or one block: an
// element per "<" that starts a name, an attribute per "=", a text per
// run of non-space characters after a ">", an action per line that
// starts with anything but space, a comment or a definition.
func (b *parseSlabs) estimate(src string) {
	elems, attrs, texts, lines := 0, 0, 0, 0
	afterTag := false
	lineStart := true
	for i := 0; i < len(src); i++ {
		c := src[i]
		if lineStart {
			switch c {
			case ' ', '\t', '\r', '\n', '#', '[', '/', '-':
			default:
				lines++
			}
		}
		lineStart = c == '\n'
		switch c {
		case '<':
			afterTag = false
			if i+1 < len(src) && isNameStart(src[i+1]) {
				elems++
			}
		case '>':
			afterTag = true
		case '=':
			attrs++
		case ' ', '\t', '\r', '\n':
		default:
			if afterTag {
				texts++
				afterTag = false
			}
		}
	}
	b.elems.est, b.attrs.est, b.texts.est = elems, attrs, texts
	b.kids.est = elems + texts
	b.actions.est, b.stanzas.est, b.stPtrs.est = lines, lines, lines
}

// blankElement and blankText carry the unexported state of a new,
// detached element and text (no parent, index -1), copied into each
// one cut from a slab.
var (
	blankElement = *etree.NewElement("")
	blankText    = *etree.NewText("")
)

// element returns a new detached element named space:tag with room for
// nAttrs attributes.
func (b *parseSlabs) element(space, tag string, nAttrs int) *etree.Element {
	el := b.elems.one()
	*el = blankElement
	el.Space, el.Tag = space, tag
	if nAttrs > 0 {
		el.Attr = b.attrs.take(nAttrs)[:0]
	}
	return el
}

// text returns a new detached text holding s.
func (b *parseSlabs) text(s string) *etree.CharData {
	t := b.texts.one()
	*t = blankText
	t.Data = s
	return t
}
