package scenarios

import (
	"encoding/xml"
	"io"
	"strings"
)

// The block parser reads its text as a stream of rawToks. Most blocks are
// plain ASCII markup — elements, quoted attribute values without
// references, text — which fastTokens scans directly, with no allocation
// per name or value (they are substrings of the text). Anything else
// (references, comments, CR, non-ASCII, malformed markup, ...) makes
// fastTokens give up, and the whole block is read again by encoding/xml,
// whose tokens and errors are the reference: for every text fastTokens
// accepts, it yields exactly the tokens, lines and offsets encoding/xml's
// RawToken does (TestFastTokensAgree).

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
	attr []xml.Attr
	text string // text, the directive's body, the instruction's target
}

// tokReader yields a block's tokens, from the fast scan when it applied,
// else from encoding/xml: next returns io.EOF at the end and an error (an
// *xml.SyntaxError for malformed XML) where reading stops.
type tokReader struct {
	toks []rawTok
	i    int
	x    *xmlTokens
}

func (r *tokReader) next() (rawTok, error) {
	if r.x != nil {
		return r.x.next()
	}
	if r.i >= len(r.toks) {
		return rawTok{}, io.EOF
	}
	r.i++
	return r.toks[r.i-1], nil
}

// xmlTokens reads tokens with encoding/xml in strict mode.
type xmlTokens struct{ d *xml.Decoder }

func newXMLTokens(text string) *xmlTokens {
	d := xml.NewDecoder(strings.NewReader(text))
	d.Strict = true
	return &xmlTokens{d: d}
}

func (x *xmlTokens) next() (rawTok, error) {
	line, _ := x.d.InputPos()
	off := int(x.d.InputOffset())
	tok, err := x.d.RawToken()
	if err != nil {
		return rawTok{line: line, off: off}, err
	}
	t := rawTok{line: line, off: off, end: int(x.d.InputOffset())}
	switch v := tok.(type) {
	case xml.StartElement:
		t.kind, t.name, t.attr = tokStart, v.Name, v.Attr
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
	return t, nil
}

// tokScratch is fastTokens' room for tokens and attributes, reused from
// one block to the next: a block's tokens are read before the next block
// is scanned, and nothing keeps them (the parser copies names and values,
// which are substrings of the text, into its elements).
type tokScratch struct {
	toks  []rawTok
	attrs []xml.Attr
	// kids is blockSlabs' room for the child counts.
	kids []int
}

// blockTokens returns the reader for text: the fast scan, into sc (nil:
// fresh room), when it applies, encoding/xml otherwise.
func blockTokens(text string, sc *tokScratch) tokReader {
	if toks, ok := fastTokens(text, sc); ok {
		return tokReader{toks: toks}
	}
	return tokReader{x: newXMLTokens(text)}
}

// fastSafe reports whether every byte of text is one fastTokens handles:
// printable ASCII, tab and newline, and no "]]>" (an error in text).
func fastSafe(text string) bool {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if (c < 0x20 && c != '\t' && c != '\n') || c >= 0x7f || c == '&' {
			return false
		}
	}
	return !strings.Contains(text, "]]>")
}

func isNameStart(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_'
}

func isNameChar(c byte) bool {
	return isNameStart(c) || '0' <= c && c <= '9' || c == '.' || c == '-' || c == ':'
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// fastTokens scans text as encoding/xml's RawToken would, or reports
// false when the text uses anything beyond plain markup. The tokens are
// cut from sc (nil: fresh room) and valid until its next use.
func fastTokens(text string, sc *tokScratch) ([]rawTok, bool) {
	if !fastSafe(text) {
		return nil, false
	}
	if sc == nil {
		sc = new(tokScratch)
	}
	buf := sc.toks
	// Room for every token and attribute up front: each tag starts with
	// '<' and gives one token, an empty one ("/>") two, and text sits
	// between tags; each attribute holds a '='. The attributes of all
	// elements share one slab: a list per element was a fifth of a
	// parse's memory.
	if est := 2*strings.Count(text, "<") + strings.Count(text, "/>") + 1; cap(buf) < est {
		buf = make([]rawTok, 0, est)
		sc.toks = buf
	}
	attrSlab := sc.attrs[:0]
	if na := strings.Count(text, "="); cap(attrSlab) < na {
		attrSlab = make([]xml.Attr, 0, na)
		sc.attrs = attrSlab
	}
	toks := buf[:0]
	line := 1
	i := 0
	n := len(text)
	// advance moves i to j, counting newlines.
	advance := func(j int) {
		line += strings.Count(text[i:j], "\n")
		i = j
	}
	// name scans an XML name at j: ASCII, at most one colon, which must
	// split it into two non-empty parts.
	name := func(j int) (xml.Name, int, bool) {
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
	skip := func(j int) int {
		for j < n && isXMLSpace(text[j]) {
			j++
		}
		return j
	}
	for i < n {
		start, startLine := i, line
		if text[i] != '<' {
			j := strings.IndexByte(text[i:], '<')
			if j < 0 {
				j = n
			} else {
				j += i
			}
			advance(j)
			toks = append(toks, rawTok{kind: tokText, line: startLine, off: start, end: i, text: text[start:i]})
			continue
		}
		if i+1 >= n {
			return nil, false
		}
		if text[i+1] == '/' {
			nm, j, ok := name(i + 2)
			if !ok {
				return nil, false
			}
			j = skip(j)
			if j >= n || text[j] != '>' {
				return nil, false
			}
			advance(j + 1)
			toks = append(toks, rawTok{kind: tokEnd, line: startLine, off: start, end: i, name: nm})
			continue
		}
		nm, j, ok := name(i + 1)
		if !ok {
			return nil, false
		}
		var attrs []xml.Attr
		nattrs := 0
		empty := false
		for {
			j = skip(j)
			if j >= n {
				return nil, false
			}
			if text[j] == '/' {
				if j+1 >= n || text[j+1] != '>' {
					return nil, false
				}
				j += 2
				empty = true
				break
			}
			if text[j] == '>' {
				j++
				break
			}
			an, k, ok := name(j)
			if !ok {
				return nil, false
			}
			k = skip(k)
			if k >= n || text[k] != '=' {
				return nil, false
			}
			k = skip(k + 1)
			if k >= n || (text[k] != '"' && text[k] != '\'') {
				return nil, false
			}
			q := text[k]
			e := strings.IndexByte(text[k+1:], q)
			if e < 0 {
				return nil, false
			}
			v := text[k+1 : k+1+e]
			if strings.IndexByte(v, '<') >= 0 {
				return nil, false
			}
			attrSlab = append(attrSlab, xml.Attr{Name: an, Value: v})
			nattrs++
			j = k + 1 + e + 1
		}
		if nattrs > 0 {
			attrs = attrSlab[len(attrSlab)-nattrs : len(attrSlab) : len(attrSlab)]
		} else {
			// RawToken returns a non-nil, empty attribute list.
			attrs = []xml.Attr{}
		}
		advance(j)
		toks = append(toks, rawTok{kind: tokStart, line: startLine, off: start, end: i, name: nm, attr: attrs})
		if empty {
			toks = append(toks, rawTok{kind: tokEnd, line: line, off: i, end: i, name: nm})
		}
	}
	sc.toks, sc.attrs = toks[:0], attrSlab[:0]
	return toks, true
}
