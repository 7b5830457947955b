package tracefmt

import (
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
)

// element returns ev's stanza as an element to read, or nil when it has
// none or it is not XML. Events from the simulation carry the stanza
// value, which is built into the element that parsing its canonical
// string would give; only events without one (a real server's, a
// hand-made trace) or whose value holds what a parser would refuse are
// parsed from the string.
func element(ev sim.TraceEvent) *etree.Element {
	if v := ev.Value; !v.IsZero() && v.Canonical() == ev.Canonical() && parsable(v) {
		return fromValue(v)
	}
	return parse(ev.Canonical())
}

// fromValue builds the element that parsing v.Canonical() gives:
// attributes in canonical order, the text the canonical form drops left
// out, adjacent text merged, and line ends normalised to "\n" as an XML
// parser does (XML 1.0 §2.11).
func fromValue(v stanza.Stanza) *etree.Element {
	el := etree.NewElement(v.Tag())
	el.Space = v.Space()
	for _, a := range v.CanonicalAttrs() {
		name := a.Key
		if a.Space != "" {
			name = a.Space + ":" + a.Key
		}
		el.CreateAttr(name, normaliseEOL(a.Value))
	}
	hasElem := false
	for i := range v.NumChild() {
		if c, _ := v.ChildAt(i); !c.IsZero() {
			hasElem = true
			break
		}
	}
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			// SetData marks whitespace as the parser does (Indent drops it).
			el.CreateText("").SetData(normaliseEOL(text.String()))
			text.Reset()
		}
	}
	for i := range v.NumChild() {
		c, t := v.ChildAt(i)
		if !c.IsZero() {
			flush()
			el.AddChild(fromValue(c))
			continue
		}
		if t == "" || (hasElem && strings.TrimSpace(t) == "") {
			continue
		}
		text.WriteString(t)
	}
	flush()
	return el
}

func normaliseEOL(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// parsable reports whether v's canonical form certainly parses: names of
// plain ASCII name characters (and a prefix only with a name), text and
// values of characters XML allows. Anything else takes the parser's
// path, which decides.
func parsable(v stanza.Stanza) bool {
	if !plainName(v.Tag()) || (v.Space() != "" && !plainName(v.Space())) {
		return false
	}
	for _, a := range v.Attrs() {
		if !plainName(a.Key) || (a.Space != "" && !plainName(a.Space)) || !xmlChars(a.Value) {
			return false
		}
	}
	for i := range v.NumChild() {
		c, t := v.ChildAt(i)
		if c.IsZero() {
			if !xmlChars(t) {
				return false
			}
		} else if !parsable(c) {
			return false
		}
	}
	return true
}

func plainName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// xmlChars reports whether s is valid UTF-8 of characters XML 1.0 allows
// (§2.2 Char).
func xmlChars(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF || r >= 0xD800 && r <= 0xDFFF {
			return false
		}
		i += n
	}
	return true
}

// prettyEvent is Pretty of ev's stanza, read from its value when it has
// one.
func prettyEvent(ev sim.TraceEvent) string {
	if ev.Canonical() == "" {
		return ""
	}
	el := element(ev)
	if el == nil {
		return ev.Canonical()
	}
	doc := etree.NewDocument()
	doc.SetRoot(el)
	return indented(doc, ev.Canonical())
}
