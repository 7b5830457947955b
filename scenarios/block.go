package scenarios

import (
	"encoding/xml"
	"io"
	"strings"

	"github.com/beevik/etree"
)

// ScansionNS is the namespace scansim binds to the pre-declared
// scansion: prefix. §4.1: the URI is undocumented; this is the guess the
// reference gives.
const ScansionNS = "https://matthewwild.co.uk/projects/scansion"

const (
	nsClient = "jabber:client"
	nsXML    = "http://www.w3.org/XML/1998/namespace"
	// maxDepth bounds the nesting of a stanza block, so that no input can
	// drive the recursive matcher and writers too deep.
	maxDepth = 100
)

// Value directives of §4.5 rule 3, recognised only as a whole attribute
// value.
const (
	directiveAny     = "{scansion:any}"
	directiveCapture = "{scansion:capture:" // + NAME + "}"
)

// captureName returns NAME for "{scansion:capture:NAME}".
func captureName(v string) (string, bool) {
	if !strings.HasPrefix(v, directiveCapture) || !strings.HasSuffix(v, "}") {
		return "", false
	}
	name := v[len(directiveCapture) : len(v)-1]
	return name, name != "" && !strings.ContainsAny(name, "{}")
}

type blockKind uint8

const (
	blockPlain    blockKind = iota // ParseBlock: no variable checks
	blockSends                     // a sends block
	blockReceives                  // a receives block
)

// newWrapper returns the element every block is parsed inside (§4.1):
// it declares the default namespace jabber:client and the scansion:
// prefix.
func newWrapper() *etree.Element {
	w := etree.NewElement("scansion-block")
	w.Attr = make([]etree.Attr, 0, 2)
	w.CreateAttr("xmlns", nsClient)
	w.CreateAttr("xmlns:scansion", ScansionNS)
	return w
}

// ParseBlock parses the XML of a receives block: one or more top-level
// elements, with the default namespace jabber:client and the scansion:
// prefix pre-declared (§4.1). Whitespace-only text is dropped. ${...}
// variables are left as written. The elements are children of one
// wrapper element that declares both namespaces.
func ParseBlock(src string) ([]*etree.Element, error) {
	var errs, warns ErrorList
	p := blockParser{errs: &errs, warns: &warns, base: Pos{Line: 1}, kind: blockPlain}
	sts := p.parse(src)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if len(sts) == 0 {
		return nil, &Error{Pos: Pos{Line: 1}, Msg: "no element: expected a stanza"}
	}
	els := make([]*etree.Element, len(sts))
	for i, s := range sts {
		els[i] = s.Elem
	}
	return els, nil
}

// blockParser parses the XML text of one block. Line 1 of the text is
// base.Line in the file.
type blockParser struct {
	errs, warns *ErrorList
	base        Pos
	kind        blockKind
	// checkVar, when set, reports a problem with the variables in an
	// attribute value.
	checkVar func(string) error
	// data: the text is a recorded stanza, whose attribute values are
	// data, not directives (FromTrace).
	data bool
	// scratch is the token scanner's room, reused across the blocks of
	// a script (nil: each block gets its own).
	scratch *tokScratch
	// wrapper is the element the top-level elements are parsed into,
	// shared by the blocks of a script (nil: each block gets its own).
	// A wrapper per block was an eighth of a parse's memory.
	wrapper *etree.Element
	// xmlOnly reads the block with encoding/xml even where the fast
	// scanner applies, which also builds the tree without slabs: the
	// tests compare the two builds.
	xmlOnly bool
}

func (p *blockParser) at(line int) Pos {
	return Pos{File: p.base.File, Line: p.base.Line + line - 1}
}

type blockFrame struct {
	el    *etree.Element
	line  int
	decls []nsDecl // prefix ("" for the default) and namespace, in order
}

// lookupPrefix resolves prefix in the scopes of stack, then in the
// wrapper's (expectedRoot).
func lookupPrefix(stack []blockFrame, prefix string) (string, bool) {
	for i := len(stack) - 1; i >= 0; i-- {
		if ns, ok := lookupDecl(stack[i].decls, prefix); ok {
			return ns, true
		}
	}
	ns, ok := expectedRoot.root[prefix]
	return ns, ok
}

func fullName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// parse returns the block's top-level elements. Problems are added to
// p.errs (then the result must not be used) and p.warns.
func (p *blockParser) parse(text string) []*Stanza {
	src := blockTokens(text, p.scratch)
	if p.xmlOnly {
		src = tokReader{x: newXMLTokens(text)}
	}
	var slabs blockSlabs
	if src.toks != nil {
		var kidBuf []int
		if p.scratch != nil {
			kidBuf = p.scratch.kids
		}
		kidBuf = slabs.size(src.toks, kidBuf)
		if p.scratch != nil {
			p.scratch.kids = kidBuf
		}
	}
	wrapper := p.wrapper
	if wrapper == nil {
		wrapper = newWrapper()
	}
	var (
		stackBuf [8]blockFrame
		stack    = stackBuf[:0]
		out      []*Stanza
		start    int
	)
	for {
		tok, err := src.next()
		line := tok.line
		if err == io.EOF {
			break
		}
		if err != nil {
			if se, ok := err.(*xml.SyntaxError); ok {
				p.errs.Addf(p.at(se.Line), "malformed XML: %s", se.Msg)
			} else {
				p.errs.Addf(p.at(line), "malformed XML: %v", err)
			}
			return nil
		}
		switch tok.kind {
		case tokStart:
			t := xml.StartElement{Name: tok.name, Attr: tok.attr}
			if len(stack) >= maxDepth {
				p.errs.Addf(p.at(line), "elements nested deeper than %d levels", maxDepth)
				return nil
			}
			decls := p.decls(t)
			el, ok := p.startElement(t, line, stack, decls, &slabs)
			if !ok {
				return nil
			}
			if len(stack) == 0 {
				wrapper.AddChild(el)
				start = tok.off
				out = append(out, &Stanza{Elem: el, Pos: p.at(line)})
			} else {
				stack[len(stack)-1].el.AddChild(el)
			}
			stack = append(stack, blockFrame{el: el, line: line, decls: decls})
		case tokEnd:
			if len(stack) == 0 {
				p.errs.Addf(p.at(line), "malformed XML: unexpected end tag </%s>", fullName(tok.name))
				return nil
			}
			top := stack[len(stack)-1]
			if !sameFullTag(tok.name, top.el) {
				p.errs.Addf(p.at(line), "malformed XML: end tag </%s> does not match <%s> opened on line %d",
					fullName(tok.name), top.el.FullTag(), p.at(top.line).Line)
				return nil
			}
			p.trimSpace(top.el)
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				out[len(out)-1].Raw = text[start:tok.end]
			}
		case tokText:
			s := tok.text
			if len(stack) == 0 {
				if trimmed := strings.TrimLeft(s, " \t\r\n"); trimmed != "" {
					line += strings.Count(s[:len(s)-len(trimmed)], "\n")
					p.errs.Addf(p.at(line), "text outside an element: %q; expected a stanza such as <message/>", strings.TrimSpace(s))
					return nil
				}
				continue
			}
			if p.kind != blockPlain && !p.data && strings.Contains(s, "${") {
				p.warns.Addf(p.at(line), "variables are substituted in attribute values only; %q in text is used literally", strings.TrimSpace(s))
			}
			stack[len(stack)-1].el.AddChild(slabs.text(s))
		case tokComment:
			// XML comments are accepted and dropped (§1.5 leaves them open).
		case tokProcInst:
			p.errs.Addf(p.at(line), "processing instruction <?%s?> not allowed in a stanza block", tok.text)
			return nil
		case tokDirective:
			p.errs.Addf(p.at(line), "directive <!%s> not allowed in a stanza block", tok.text)
			return nil
		}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		p.errs.Addf(p.at(top.line), "malformed XML: <%s> is never closed", top.el.FullTag())
		return nil
	}
	return out
}

// sameFullTag reports whether fullName(n) == el.FullTag() without
// building either string.
func sameFullTag(n xml.Name, el *etree.Element) bool {
	return n.Space == el.Space && n.Local == el.Tag
}

// lookupDecl finds prefix among one element's declarations; the last
// wins, as it would in a map filled in order.
func lookupDecl(decls []nsDecl, prefix string) (string, bool) {
	for i := len(decls) - 1; i >= 0; i-- {
		if decls[i].prefix == prefix {
			return decls[i].ns, true
		}
	}
	return "", false
}

// decls returns the namespace declarations of t: a list, not a map (an
// element declares one or two; a map each was a twentieth of a parse's
// memory).
func (p *blockParser) decls(t xml.StartElement) []nsDecl {
	var m []nsDecl
	for _, a := range t.Attr {
		var prefix string
		switch {
		case a.Name.Space == "" && a.Name.Local == "xmlns":
		case a.Name.Space == "xmlns":
			prefix = a.Name.Local
		default:
			continue
		}
		m = append(m, nsDecl{prefix, a.Value})
	}
	return m
}

// startElement builds the element for t and checks its names and
// attributes.
func (p *blockParser) startElement(t xml.StartElement, line int, stack []blockFrame, decls []nsDecl, slabs *blockSlabs) (*etree.Element, bool) {
	pos := p.at(line)
	name := fullName(t.Name)
	// Declarations on t itself are in scope for t's own names.
	resolve := func(prefix string) (string, bool) {
		if ns, ok := lookupDecl(decls, prefix); ok {
			return ns, true
		}
		return lookupPrefix(stack, prefix)
	}
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" && a.Value == "" {
			p.errs.Addf(pos, "malformed XML: <%s> declares prefix %q with an empty namespace", name, a.Name.Local)
			return nil, false
		}
	}
	if _, ok := resolve(t.Name.Space); !ok {
		p.errs.Addf(pos, "undeclared namespace prefix %q in <%s>", t.Name.Space, name)
		return nil, false
	}
	if !validLocal(t.Name.Local) {
		p.errs.Addf(pos, "malformed XML: invalid element name %q", name)
		return nil, false
	}
	// As etree.NewElement(name) names it: the name has at most one
	// colon (validLocal), which splits it.
	el := slabs.element(t.Name.Space, t.Name.Local, len(t.Attr))
	ok := true
	for i, a := range t.Attr {
		key := fullName(a.Name)
		if !validLocal(a.Name.Local) {
			// encoding/xml lets ":=''" through with the local name ":".
			p.errs.Addf(pos, "malformed XML: invalid attribute name %q in <%s>", key, name)
			return nil, false
		}
		// Elements carry a handful of attributes: a scan beats a set.
		for _, b := range t.Attr[:i] {
			if b.Name == a.Name {
				p.errs.Addf(pos, "malformed XML: attribute %s appears twice in <%s>", key, name)
				return nil, false
			}
		}
		el.CreateAttr(key, a.Value)
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		ns := ""
		if a.Name.Space != "" {
			var bound bool
			if ns, bound = resolve(a.Name.Space); !bound {
				p.errs.Addf(pos, "undeclared namespace prefix %q in attribute %s of <%s>", a.Name.Space, key, name)
				ok = false
				continue
			}
		}
		if !p.data && !p.checkAttr(pos, name, key, ns, a) {
			ok = false
		}
	}
	return el, ok
}

// validLocal reports whether a decoded local name can be written back:
// encoding/xml passes through names such as ":" that etree would split.
func validLocal(s string) bool {
	return s != "" && !strings.Contains(s, ":")
}

// checkAttr checks scansion directives and variables in one attribute.
func (p *blockParser) checkAttr(pos Pos, elName, key, ns string, a xml.Attr) bool {
	if ns == ScansionNS {
		if a.Name.Local != "strict" {
			p.errs.Addf(pos, "unknown directive %s on <%s>: expected scansion:strict", key, elName)
			return false
		}
		if a.Value != "true" && a.Value != "false" {
			p.errs.Addf(pos, "%s=%q on <%s>: expected \"true\" or \"false\"", key, a.Value, elName)
			return false
		}
		if p.kind == blockSends {
			p.warns.Addf(pos, "%s on <%s> has no effect in a sends block and is not sent", key, elName)
		}
		return true
	}
	if strings.HasPrefix(a.Value, "{scansion:") {
		_, isCapture := captureName(a.Value)
		switch {
		case p.kind == blockSends:
			p.warns.Addf(pos, "%s=%q on <%s>: value directives apply to receives only; the value is sent literally", key, a.Value, elName)
		case a.Value != directiveAny && !isCapture:
			p.errs.Addf(pos, "%s=%q on <%s>: unknown value directive; expected {scansion:any} or {scansion:capture:NAME}", key, a.Value, elName)
			return false
		}
	}
	if p.checkVar != nil {
		if err := p.checkVar(a.Value); err != nil {
			p.errs.Addf(pos, "attribute %s of <%s>: %v", key, elName, err)
			return false
		}
	}
	return true
}

// trimSpace removes whitespace-only text from el: always when el has
// child elements (it is indentation), and in receives blocks also from
// leaves, where it means "don't care" (§4.5 rule 5).
func (p *blockParser) trimSpace(el *etree.Element) {
	hasElem := false
	for _, t := range el.Child {
		if _, ok := t.(*etree.Element); ok {
			hasElem = true
			break
		}
	}
	if !hasElem && p.kind == blockSends {
		return
	}
	kept := el.Child[:0]
	for _, t := range el.Child {
		if c, ok := t.(*etree.CharData); ok && strings.TrimSpace(c.Data) == "" {
			continue
		}
		kept = append(kept, t)
	}
	el.Child = kept
	el.ReindexChildren()
}
