// Package xmlstream reads the top-level elements of an XMPP stream as
// etree elements: for the client (xmpptcp), the fake servers that test
// it (xmpptcp/xmpptcptest, xmpptcp's own tests) and scansim serve, whose
// stream reader (serve/xmlread.go) adds a server's limits and stream
// errors around the same element builder.
package xmlstream

import (
	"encoding/xml"
	"fmt"

	"github.com/beevik/etree"
)

// DefaultMaxDepth is the nesting bound BuildElement applies when given
// none: 100 levels, far more than any stanza a server sends (a roster
// push or a MAM result nests five or six), and small enough that a
// server streaming <a><a><a>... is cut off at once.
const DefaultMaxDepth = 100

// DepthError reports an element nested deeper than the bound.
type DepthError struct{ Max int }

func (e *DepthError) Error() string {
	return fmt.Sprintf("xmpptcp: a stanza is nested deeper than %d levels", e.Max)
}

// MismatchError reports an end tag that does not close the open element.
type MismatchError struct{ End, Open string }

func (e *MismatchError) Error() string {
	return fmt.Sprintf("xmpptcp: </%s> closes <%s>", e.End, e.Open)
}

// RestrictedError reports a comment, processing instruction or DTD
// inside an element, which RFC 6120 §11.1 forbids (BuildRestricted).
type RestrictedError struct{}

func (*RestrictedError) Error() string {
	return "comments, processing instructions and DTDs are not allowed"
}

// BuildElement reads the rest of the element that start opens and
// returns it as an etree element: prefixes are kept as written
// (Space), xmlns declarations stay attributes, text is kept as written;
// comments and processing instructions are skipped. An element nested
// deeper than maxDepth levels (the top-level element is level 1; 0 means
// DefaultMaxDepth) is a *DepthError, a stray end tag a *MismatchError;
// next's errors are returned as they are.
func BuildElement(start xml.StartElement, next func() (xml.Token, error), maxDepth int) (*etree.Element, error) {
	return build(start, next, maxDepth, false)
}

// BuildRestricted is BuildElement for a server, which must not accept
// what RFC 6120 §11.1 restricts: a comment, processing instruction or
// DTD inside the element is a *RestrictedError.
func BuildRestricted(start xml.StartElement, next func() (xml.Token, error), maxDepth int) (*etree.Element, error) {
	return build(start, next, maxDepth, true)
}

func build(start xml.StartElement, next func() (xml.Token, error), maxDepth int, restricted bool) (*etree.Element, error) {
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	root := newElement(start)
	stack := []*etree.Element{root}
	for len(stack) > 0 {
		tok, err := next()
		if err != nil {
			return nil, err
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxDepth {
				return nil, &DepthError{Max: maxDepth}
			}
			el := newElement(t)
			top.AddChild(el)
			stack = append(stack, el)
		case xml.EndElement:
			if t.Name.Local != top.Tag || t.Name.Space != top.Space {
				return nil, &MismatchError{End: fullName(t.Name), Open: top.FullTag()}
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.CreateCharData(string(t))
		default:
			if restricted {
				return nil, &RestrictedError{}
			}
		}
	}
	return root, nil
}

func newElement(se xml.StartElement) *etree.Element {
	el := etree.NewElement(se.Name.Local)
	el.Space = se.Name.Space
	for _, a := range se.Attr {
		el.Attr = append(el.Attr, etree.Attr{Space: a.Name.Space, Key: a.Name.Local, Value: a.Value})
	}
	return el
}

func fullName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// Reader reads one stream, as a server does: its header, then its
// top-level elements. Reading errors end the stream.
type Reader struct {
	Dec    *xml.Decoder
	Closed bool // the last Element ended at </stream:stream>
}

// Header reads up to the stream header; false at the end of input.
func (r *Reader) Header() bool {
	for {
		tok, err := r.Dec.RawToken()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "stream" {
			return true
		}
	}
}

// Element reads the next top-level element; nil at the end of the
// stream (Closed is then set) or of the input, or on malformed XML.
func (r *Reader) Element() *etree.Element {
	for {
		tok, err := r.Dec.RawToken()
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			el, err := BuildElement(t, r.Dec.RawToken, 0)
			if err != nil {
				return nil
			}
			return el
		case xml.EndElement:
			r.Closed = true
			return nil
		}
	}
}
