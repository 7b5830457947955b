package serve

import (
	"bufio"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/internal/xmlstream"
)

// errTooBig is what the byte counter returns once a top-level element has
// used up its budget; the stream reader turns it into policy-violation.
var errTooBig = errors.New("stanza too large")

// budgetReader hands the XML decoder one byte at a time (it is an
// io.ByteReader, so the decoder adds no buffer of its own) and counts
// them, so the size limit is exact: the bytes of one top-level element,
// whitespace before it included.
type budgetReader struct {
	r     *bufio.Reader
	n     int
	limit int
}

func (b *budgetReader) ReadByte() (byte, error) {
	if b.limit > 0 && b.n >= b.limit {
		return 0, errTooBig
	}
	c, err := b.r.ReadByte()
	if err == nil {
		b.n++
	}
	return c, err
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c, err := b.ReadByte()
	if err != nil {
		return 0, err
	}
	p[0] = c
	return 1, nil
}

// streamReader reads one XML stream as a server must: the header, then
// top-level elements, each within the size and depth limits, rejecting
// what RFC 6120 §11.1 forbids (comments, processing instructions other
// than the XML declaration, DTDs).
type streamReader struct {
	src      budgetReader
	dec      *xml.Decoder
	maxDepth int
	// started, when set, is called when a top-level element begins (the
	// connection bounds the time its reading may take).
	started func()
}

func newStreamReader(r *bufio.Reader, maxSize, maxDepth int) *streamReader {
	sr := &streamReader{src: budgetReader{r: r, limit: maxSize}, maxDepth: maxDepth}
	sr.dec = xml.NewDecoder(&sr.src)
	sr.dec.Strict = true
	return sr
}

// header is a stream header's attributes, by their full name as written
// ("to", "version", "xmlns", "xmlns:stream", "xml:lang").
type header map[string]string

// readHeader reads up to and including the stream header.
func (sr *streamReader) readHeader() (header, error) {
	sr.src.n = 0
	first := true
	for {
		tok, err := sr.dec.RawToken()
		if err != nil {
			return nil, sr.wrap(err)
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			if !first || t.Target != "xml" {
				return nil, &streamError{cond: "restricted-xml", text: "processing instructions are not allowed"}
			}
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return nil, &streamError{cond: "not-well-formed", text: "text before the stream header"}
			}
		case xml.Comment, xml.Directive:
			return nil, &streamError{cond: "restricted-xml", text: "comments and DTDs are not allowed"}
		case xml.StartElement:
			h := header{}
			for _, a := range t.Attr {
				h[fullName(a.Name)] = a.Value
			}
			if t.Name.Local != "stream" || h[xmlnsOf(t.Name.Space)] != nsStreams {
				return nil, &streamError{cond: "invalid-namespace", text: "expected <stream:stream xmlns:stream='" + nsStreams + "'>"}
			}
			return h, nil
		case xml.EndElement:
			return nil, &streamError{cond: "not-well-formed", text: "end tag before the stream header"}
		}
		first = false
	}
}

func xmlnsOf(prefix string) string {
	if prefix == "" {
		return "xmlns"
	}
	return "xmlns:" + prefix
}

// next reads the next top-level element. It returns (nil, io.EOF) when the
// client closed its stream with </stream:stream>; other errors are a
// *streamError to send, or a transport error.
func (sr *streamReader) next() (*etree.Element, error) {
	sr.src.n = 0
	for {
		tok, err := sr.dec.RawToken()
		if err != nil {
			return nil, sr.wrap(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			// Whitespace keepalives; text at the top level is not XMPP.
			if strings.TrimSpace(string(t)) != "" {
				return nil, &streamError{cond: "not-well-formed", text: "text between stanzas"}
			}
			sr.src.n = 0
		case xml.EndElement:
			return nil, io.EOF
		case xml.StartElement:
			if sr.started != nil {
				sr.started()
			}
			el, err := xmlstream.BuildRestricted(t, sr.dec.RawToken, sr.maxDepth)
			if err != nil {
				return nil, sr.wrap(err)
			}
			return el, nil
		default:
			return nil, &streamError{cond: "restricted-xml", text: "comments, processing instructions and DTDs are not allowed"}
		}
	}
}

// wrap turns a decoder error into the stream error it deserves: a syntax
// error is not-well-formed, the size budget policy-violation; transport
// errors pass through.
func (sr *streamReader) wrap(err error) error {
	var (
		se *xml.SyntaxError
		de *xmlstream.DepthError
		me *xmlstream.MismatchError
		re *xmlstream.RestrictedError
	)
	switch {
	case errors.As(err, &de):
		return &streamError{cond: "policy-violation", text: "stanza nested too deeply"}
	case errors.As(err, &me):
		return &streamError{cond: "not-well-formed", text: "</" + me.End + "> closes <" + me.Open + ">"}
	case errors.As(err, &re):
		return &streamError{cond: "restricted-xml", text: re.Error()}
	case errors.Is(err, errTooBig):
		return &streamError{cond: "policy-violation", text: "stanza too large"}
	case errors.As(err, &se):
		if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(se.Msg, "unexpected EOF") {
			return io.ErrUnexpectedEOF
		}
		return &streamError{cond: "not-well-formed", text: se.Msg}
	}
	return err
}

func fullName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}
