package scenarios

import (
	"strings"

	"github.com/beevik/etree"
)

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
	// comments holds the comment lines kept with definitions and
	// actions, and the trailer.
	comments slab[string]
	// The compiled forms (see parse_compile.go): every stanza's, and the
	// nodes, attributes, child lists and variables of the expected ones.
	compiled slab[compiledStanza]
	xnodes   slab[xnode]
	xattrs   slab[xattr]
	xkids    slab[*xnode]
	vars     slab[string]
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
		size := max(n, s.est)
		if s.est == 0 {
			size = max(n, minChunk)
		}
		s.est = 0
		s.free = make([]T, size)
	}
	out := s.free[:n:n]
	s.free = s.free[n:]
	return out
}

func (s *slab[T]) one() *T { return &s.take(1)[0] }

// estimate sizes the slabs for src, a whole script or one block: an
// element per "<" that starts a name, of which those inside another are
// children; an attribute per "="; a text per run of non-space
// characters after a tag, within a block; an action per line that starts
// with anything but space, a comment or a definition, a comment per
// line that starts like one, and a stanza per
// sends or receives line. A line that
// starts at column 0 ends a block: the counts of nesting and text start
// again there. It returns whether all of src is fastSafe.
func (b *parseSlabs) estimate(src string) (safe bool) {
	elems, attrs, texts, lines, blocks, kids, vars, comments := 0, 0, 0, 0, 0, 0, 0, 0
	xnodes, xattrs, xkids := 0, 0, 0
	depth := 0
	afterTag := false
	recv := false // in a receives block
	safe = true
	n := len(src)
	for i := 0; i < n; {
		// i is at the start of a line.
		if c := src[i]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			// Text at column 0 ends a block.
			depth, afterTag, recv = 0, false, false
			switch c {
			case '#', '/', '-':
				comments++
			case '[':
			default:
				lines++
				switch lineVerb(src[i:]) {
				case Receives:
					recv = true
					blocks++
				case Sends:
					blocks++
				}
			}
		}
		for i < n {
			c := src[i]
			i++
			switch estClass[c] {
			case estPlain:
				for i < n && estClass[src[i]] == estPlain {
					i++
				}
				if afterTag {
					texts++
					afterTag = false
				}
				continue
			case estSpace:
				continue
			case estUnsafe:
				safe = false
				if afterTag && c != '\r' {
					texts++
					afterTag = false
				}
				continue
			}
			if c == '\n' {
				break
			}
			switch c {
			case '<':
				afterTag = false
				if i < n {
					switch d := src[i]; {
					case isNameStart(d):
						elems++
						if recv {
							xnodes++
						}
						if depth > 0 {
							kids++
							if recv {
								xkids++
							}
						}
						depth++
					case d == '/' && depth > 0:
						depth--
					}
				}
			case '/':
				if i < n && src[i] == '>' && depth > 0 {
					depth--
				}
			case '>':
				afterTag = true
			case '=':
				attrs++
				if recv {
					xattrs++
				}
			case '$':
				if i < n && src[i] == '{' {
					vars++
				}
			case ']':
				if strings.HasPrefix(src[i:], "]>") {
					safe = false
				}
			}
		}
	}
	b.elems.est, b.attrs.est, b.texts.est = elems, attrs, texts
	b.kids.est = kids + texts
	b.actions.est, b.comments.est = lines, comments
	b.stanzas.est, b.stPtrs.est, b.compiled.est = blocks, blocks, blocks
	b.xnodes.est, b.xattrs.est, b.xkids.est, b.vars.est = xnodes, xattrs, xkids, vars
	return safe
}

// lineVerb returns the verb of the action line at the start of s when
// it is a sends or a receives ("Name receives:"), else 0.
func lineVerb(s string) Verb {
	if j := strings.IndexByte(s, '\n'); j >= 0 {
		s = s[:j]
	}
	if j := strings.IndexByte(s, ':'); j >= 0 {
		s = s[:j]
	}
	s = strings.TrimRight(s, " \t\r")
	switch {
	case strings.HasSuffix(s, " receives"):
		return Receives
	case strings.HasSuffix(s, " sends"):
		return Sends
	}
	return 0
}

// estClass sorts the bytes for estimate: markup it counts (and '\n'),
// white space, bytes fastScan does not read (fastSafe), the rest.
var estClass = func() (t [256]uint8) {
	for c := range t {
		if c < 0x20 || c >= 0x7f || c == '&' {
			t[c] = estUnsafe
		}
	}
	for _, c := range "<>/=$]\n" {
		t[c] = estMarkup
	}
	t[' '], t['\t'] = estSpace, estSpace
	return t
}()

const (
	estPlain uint8 = iota
	estMarkup
	estSpace
	estUnsafe
)

// blankElement is a new element as etree.NewElement makes it: its empty
// attribute and child lists are not nil.
var blankElement = etree.NewElement("")

// element returns a new element named space:tag with room for nAttrs
// attributes, to be added to its parent (which sets its parent and
// index: the index of a detached element, -1, is never seen).
// Assigning the fields one by one costs a third of copying a whole
// blank element in (a copy of pointers takes the write barrier for each
// while the collector marks).
func (b *parseSlabs) element(space, tag string, nAttrs int) *etree.Element {
	el := b.elems.one()
	el.Space, el.Tag = space, tag
	if nAttrs > 0 {
		el.Attr = b.attrs.take(nAttrs)[:0]
	} else {
		el.Attr = blankElement.Attr
	}
	el.Child = blankElement.Child
	return el
}

// text returns a new text holding s, to be added to its parent (see
// element).
func (b *parseSlabs) text(s string) *etree.CharData {
	t := b.texts.one()
	t.Data = s
	return t
}
