package properties

import (
	"strings"

	"github.com/beevik/etree"
)

// fastParse parses the XML the properties handle — model.Canonical
// stanzas and the machine's stanzas: elements, attributes in single or
// double quotes, text, the five predefined entities — straight into
// etree elements, as etree's reader (encoding/xml RawToken) would build
// them, without its per-call decoder and 4 KB buffer. Anything else
// (comments, CDATA, processing instructions, character references,
// carriage returns, odd names, trailing content) reports ok=false and
// the caller falls back to etree. TestFastParseMatchesEtree checks the
// equivalence on every stanza of random runs.
func fastParse(s string) (el *etree.Element, ok bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 && c != '\t' && c != '\n' {
			return nil, false // encoding/xml checks characters and encodings
		}
	}
	if strings.Contains(s, "]]>") {
		return nil, false
	}
	p := fastParser{s: s}
	el = p.element(nil)
	if el == nil || p.i != len(s) {
		return nil, false
	}
	return el, true
}

type fastParser struct {
	s string
	i int
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':'
}

// name reads a name with at most one colon, not at either end.
func (p *fastParser) name() (string, bool) {
	j := p.i
	colons := 0
	for j < len(p.s) && isNameByte(p.s[j]) {
		if p.s[j] == ':' {
			colons++
		}
		j++
	}
	n := p.s[p.i:j]
	if n == "" || colons > 1 || n[0] == ':' || n[len(n)-1] == ':' || n[0] >= '0' && n[0] <= '9' || n[0] == '-' || n[0] == '.' {
		return "", false
	}
	p.i = j
	return n, true
}

func (p *fastParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

// unescape decodes the predefined entities; ok=false on anything else
// after '&', on '<' and on '\r' (encoding/xml rewrites it).
func unescape(s string) (string, bool) {
	if strings.IndexByte(s, '\r') >= 0 || strings.IndexByte(s, '<') >= 0 {
		return "", false
	}
	if strings.IndexByte(s, '&') < 0 {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			b.WriteByte(s[i])
			continue
		}
		j := strings.IndexByte(s[i:], ';')
		if j < 0 {
			return "", false
		}
		switch s[i+1 : i+j] {
		case "amp":
			b.WriteByte('&')
		case "lt":
			b.WriteByte('<')
		case "gt":
			b.WriteByte('>')
		case "apos":
			b.WriteByte('\'')
		case "quot":
			b.WriteByte('"')
		default:
			return "", false
		}
		i += j
	}
	return b.String(), true
}

// element parses one element at p.i (which must be '<'); nil on failure.
func (p *fastParser) element(parent *etree.Element) *etree.Element {
	if p.i >= len(p.s) || p.s[p.i] != '<' {
		return nil
	}
	p.i++
	tag, ok := p.name()
	if !ok {
		return nil
	}
	var el *etree.Element
	if parent == nil {
		el = etree.NewElement(tag)
	} else {
		el = parent.CreateElement(tag)
	}
	for {
		p.space()
		if p.i >= len(p.s) {
			return nil
		}
		switch p.s[p.i] {
		case '/':
			if p.i+1 >= len(p.s) || p.s[p.i+1] != '>' {
				return nil
			}
			p.i += 2
			return el
		case '>':
			p.i++
			return p.content(el, tag)
		}
		if p.i > 0 && !strings.ContainsRune(" \t\n", rune(p.s[p.i-1])) {
			return nil // attributes are separated by space
		}
		k, ok := p.name()
		if !ok {
			return nil
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '=' {
			return nil
		}
		p.i++
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '\'' && p.s[p.i] != '"' {
			return nil
		}
		q := p.s[p.i]
		j := strings.IndexByte(p.s[p.i+1:], q)
		if j < 0 {
			return nil
		}
		raw := p.s[p.i+1 : p.i+1+j]
		if strings.ContainsAny(raw, "\t\n") {
			return nil
		}
		v, ok := unescape(raw)
		if !ok {
			return nil
		}
		el.CreateAttr(k, v)
		p.i += j + 2
	}
}

// content parses children and text up to </tag>.
func (p *fastParser) content(el *etree.Element, tag string) *etree.Element {
	for {
		j := strings.IndexByte(p.s[p.i:], '<')
		if j < 0 {
			return nil
		}
		if j > 0 {
			t, ok := unescape(p.s[p.i : p.i+j])
			if !ok {
				return nil
			}
			el.CreateText(t).SetData(t) // SetData sets the whitespace flag
			p.i += j
		}
		if strings.HasPrefix(p.s[p.i:], "</") {
			p.i += 2
			n, ok := p.name()
			if !ok || n != tag {
				return nil
			}
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != '>' {
				return nil
			}
			p.i++
			return el
		}
		if p.i+1 < len(p.s) && (p.s[p.i+1] == '!' || p.s[p.i+1] == '?') {
			return nil
		}
		if p.element(el) == nil {
			return nil
		}
	}
}
