package scenarios

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// The block parser reads its text as a stream of rawToks, pulled one at a
// time (no list of a block's tokens is kept). Most blocks are plain ASCII
// markup — elements, quoted attribute values without references, text —
// which fastScan reads directly, with no allocation per token, name or
// value (they are substrings of the text). Anything else (references,
// comments, CR, non-ASCII, malformed markup, ...) makes fastScan give up,
// and the block is read again from its start by encoding/xml, whose
// tokens and errors are the reference: for every text fastScan reads,
// it yields exactly the tokens, lines and offsets encoding/xml's RawToken
// does (TestFastTokensAgree), and where it gives up, the tokens before
// are those encoding/xml yields too (it reads a stream).

type tokKind uint8

const (
	tokStart tokKind = iota + 1
	tokEnd
	tokText
	tokComment
	tokProcInst
	tokDirective
)

type rawTok struct {
	kind tokKind
	line int // the line at the token's start (xml.Decoder.InputPos)
	off  int // the offset of the token's start
	end  int // the offset after the token
	name xml.Name
	attr []tokAttr
	text string // text, the directive's body, the instruction's target
}

// tokAttr is an attribute of a start tag. full is its name as written,
// "space:local" or "local" (a substring of the text on the fast path,
// so that naming the etree attribute allocates nothing).
type tokAttr struct {
	name  xml.Name
	full  string
	value string
}

// errGiveUp is fastScan's "not plain markup": read the block with
// encoding/xml instead.
var errGiveUp = errors.New("fast scan gives up")

// tokReader yields a block's tokens, from fastScan or, when x is set,
// from encoding/xml: next fills t and returns nil, io.EOF at the end,
// errGiveUp (fast scan only), or an error (an *xml.SyntaxError for
// malformed XML) where reading stops. t's attributes are valid until
// the next call.
type tokReader struct {
	fast fastScan
	x    *xmlTokens
}

func (r *tokReader) next(t *rawTok) error {
	if r.x != nil {
		return r.x.next(t)
	}
	return r.fast.next(t)
}

// xmlTokens reads tokens with encoding/xml in strict mode.
type xmlTokens struct {
	d     *xml.Decoder
	attrs []tokAttr
}

func newXMLTokens(text string) *xmlTokens {
	d := xml.NewDecoder(strings.NewReader(text))
	d.Strict = true
	return &xmlTokens{d: d}
}

func (x *xmlTokens) next(t *rawTok) error {
	line, _ := x.d.InputPos()
	off := int(x.d.InputOffset())
	*t = rawTok{line: line, off: off}
	tok, err := x.d.RawToken()
	if err != nil {
		return err
	}
	t.end = int(x.d.InputOffset())
	switch v := tok.(type) {
	case xml.StartElement:
		t.kind, t.name = tokStart, v.Name
		x.attrs = x.attrs[:0]
		for _, a := range v.Attr {
			x.attrs = append(x.attrs, tokAttr{name: a.Name, full: fullName(a.Name), value: a.Value})
		}
		t.attr = x.attrs
	case xml.EndElement:
		t.kind, t.name = tokEnd, v.Name
	case xml.CharData:
		t.kind, t.text = tokText, string(v)
	case xml.Comment:
		t.kind = tokComment
	case xml.ProcInst:
		t.kind, t.text = tokProcInst, v.Target
	case xml.Directive:
		t.kind, t.text = tokDirective, string(v)
	}
	return nil
}

// fastSafe reports whether every byte of text is one fastScan handles:
// printable ASCII, tab and newline, and no "]]>" (an error in text).
func fastSafe(text string) bool {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if (c < 0x20 && c != '\t' && c != '\n') || c >= 0x7f || c == '&' {
			return false
		}
		if c == ']' && strings.HasPrefix(text[i+1:], "]>") {
			return false
		}
	}
	return true
}

func isNameStart(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_'
}

func isNameChar(c byte) bool {
	return isNameStart(c) || '0' <= c && c <= '9' || c == '.' || c == '-' || c == ':'
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// fastScan reads a fastSafe text as encoding/xml's RawToken would, and
// gives up (errGiveUp) where the text uses anything beyond plain markup.
type fastScan struct {
	text string
	i    int // the offset of the next token
	line int // the line at i
	// attrs is the room for a start tag's attributes, reused by the
	// next one.
	attrs []tokAttr
	// empty is the end token owed after an empty element's start tag
	// ("<a/>" gives two tokens).
	empty    bool
	emptyTag xml.Name
	attrBuf  [4]tokAttr // attrs' first room
}

func (s *fastScan) reset(text string) {
	s.text, s.i, s.line, s.empty = text, 0, 1, false
	s.attrs = s.attrs[:0]
}

// name scans an XML name at j: ASCII, at most one colon, which must
// split it into two non-empty parts.
func (s *fastScan) name(j int) (xml.Name, int, bool) {
	text := s.text
	n := len(text)
	if j >= n || !isNameStart(text[j]) {
		return xml.Name{}, j, false
	}
	k := j + 1
	colon := -1
	for k < n && isNameChar(text[k]) {
		if text[k] == ':' {
			if colon >= 0 {
				return xml.Name{}, k, false
			}
			colon = k
		}
		k++
	}
	if colon < 0 {
		return xml.Name{Local: text[j:k]}, k, true
	}
	if colon == k-1 {
		return xml.Name{}, k, false
	}
	return xml.Name{Space: text[j:colon], Local: text[colon+1 : k]}, k, true
}

func (s *fastScan) skip(j int) int {
	for j < len(s.text) && isXMLSpace(s.text[j]) {
		j++
	}
	return j
}

// advance moves to j, counting newlines.
func (s *fastScan) advance(j int) {
	s.line += strings.Count(s.text[s.i:j], "\n")
	s.i = j
}

func (s *fastScan) next(t *rawTok) error {
	text := s.text
	n := len(text)
	if s.empty {
		s.empty = false
		*t = rawTok{kind: tokEnd, line: s.line, off: s.i, end: s.i, name: s.emptyTag}
		return nil
	}
	i := s.i
	if i >= n {
		return io.EOF
	}
	start, startLine := i, s.line
	if text[i] != '<' {
		j := strings.IndexByte(text[i:], '<')
		if j < 0 {
			j = n
		} else {
			j += i
		}
		s.advance(j)
		*t = rawTok{kind: tokText, line: startLine, off: start, end: j, text: text[start:j]}
		return nil
	}
	if i+1 >= n {
		return errGiveUp
	}
	if text[i+1] == '/' {
		nm, j, ok := s.name(i + 2)
		if !ok {
			return errGiveUp
		}
		j = s.skip(j)
		if j >= n || text[j] != '>' {
			return errGiveUp
		}
		s.advance(j + 1)
		*t = rawTok{kind: tokEnd, line: startLine, off: start, end: j + 1, name: nm}
		return nil
	}
	nm, j, ok := s.name(i + 1)
	if !ok {
		return errGiveUp
	}
	attrs := s.attrs[:0]
	for {
		j = s.skip(j)
		if j >= n {
			return errGiveUp
		}
		if text[j] == '/' {
			if j+1 >= n || text[j+1] != '>' {
				return errGiveUp
			}
			j += 2
			s.empty, s.emptyTag = true, nm
			break
		}
		if text[j] == '>' {
			j++
			break
		}
		an, k, ok := s.name(j)
		if !ok {
			return errGiveUp
		}
		full := text[j:k]
		k = s.skip(k)
		if k >= n || text[k] != '=' {
			return errGiveUp
		}
		k = s.skip(k + 1)
		if k >= n || (text[k] != '"' && text[k] != '\'') {
			return errGiveUp
		}
		q := text[k]
		e := strings.IndexByte(text[k+1:], q)
		if e < 0 {
			return errGiveUp
		}
		v := text[k+1 : k+1+e]
		if strings.IndexByte(v, '<') >= 0 {
			return errGiveUp
		}
		attrs = append(attrs, tokAttr{name: an, full: full, value: v})
		j = k + 1 + e + 1
	}
	s.attrs = attrs
	s.advance(j)
	*t = rawTok{kind: tokStart, line: startLine, off: start, end: j, name: nm, attr: attrs}
	return nil
}
