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
// base.Line in the file. A script's parser keeps one for all its blocks,
// so that its slabs and scratch room serve them all.
type blockParser struct {
	errs, warns *ErrorList
	base        Pos
	kind        blockKind
	// script, when set, is the script whose clients the variables in
	// attribute values must name (checkVars).
	script *Script
	// data: the text is a recorded stanza, whose attribute values are
	// data, not directives (FromTrace).
	data bool
	// slabs is the room the trees are built in (nil: sized for each
	// block from its own text). safe says that the text they were sized
	// for is fastSafe, and so every block cut from it.
	slabs *parseSlabs
	safe  bool
	// wrapper is the element the top-level elements are parsed into,
	// shared by the blocks of a script (nil: each block gets its own).
	// A wrapper per block was an eighth of a parse's memory.
	wrapper *etree.Element
	// xmlOnly reads the block with encoding/xml even where the fast
	// scanner applies: the tests compare the two.
	xmlOnly bool

	// Scratch room, reused from one block to the next.
	src   tokReader
	tok   rawTok
	stack []blockFrame
	// decls holds the namespace declarations of the open elements, each
	// frame's from its declStart on.
	decls []nsDecl
	// kids holds the children of the open elements, each frame's from
	// its kidStart on; they are attached when the element closes, to a
	// child list of the exact size.
	kids []pendingKid
	out  []*Stanza
	// vars holds the attribute values holding variables of the stanza
	// being read, in document order (an expected stanza's
	// compiledStanza.vars); directive says that it has an attribute in
	// the scansion namespace (a stanza to send is then sent without).
	vars      []string
	directive bool
	// notes describe the attributes of the start tag just read.
	notes []attrNote
	// The first room of the scratch lists, inside the parser's own
	// allocation: most scripts need no more.
	stackBuf [4]blockFrame
	declBuf  [2]nsDecl
	kidBuf   [16]pendingKid
	outBuf   [2]*Stanza
	varBuf   [4]string
	noteBuf  [4]attrNote
}

// pendingKid is a child of an open element: an element, or (el nil) a
// text.
type pendingKid struct {
	el   *etree.Element
	xn   *xnode // el's expected node, when compiling
	text string
	drop bool // a text left out (attach)
}

func (p *blockParser) at(line int) Pos {
	return Pos{File: p.base.File, Line: p.base.Line + line - 1}
}

type blockFrame struct {
	el        *etree.Element
	line      int
	declStart int
	kidStart  int
	hasElem   bool // an element child has been read
	x         xframe
}

// lookupPrefix resolves prefix in the declarations of the open elements,
// innermost first, then in the wrapper's (expectedRoot).
func (p *blockParser) lookupPrefix(prefix string) (string, bool) {
	if ns, ok := lookupDecl(p.decls, prefix); ok {
		return ns, true
	}
	return rootPrefix(prefix)
}

// rootPrefix is expectedRoot's map read as a switch (a map lookup per
// name was a thirtieth of a parse).
func rootPrefix(prefix string) (string, bool) {
	switch prefix {
	case "":
		return nsClient, true
	case "scansion":
		return ScansionNS, true
	case "xml":
		return nsXML, true
	}
	return "", false
}

func fullName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// parse returns the block's top-level elements. Problems are added to
// p.errs (then the result must not be used) and p.warns.
//
// The fast scanner is tried first; where it gives up, what it built is
// dropped (the wrapper's new children, the warnings) and the block is
// read again by encoding/xml. The tokens before the point where it gave
// up are encoding/xml's, so any error found before it is the one
// encoding/xml's reading finds first.
func (p *blockParser) parse(text string) []*Stanza {
	if p.slabs == nil {
		p.slabs = new(parseSlabs)
		p.safe = p.slabs.estimate(text)
	}
	if p.wrapper == nil {
		p.wrapper = newWrapper()
	}
	if !p.xmlOnly && (p.safe || fastSafe(text)) {
		p.src.x = nil
		p.src.fast.reset(text)
		nWrap, nWarn := len(p.wrapper.Child), len(*p.warns)
		sts, err := p.build(text)
		if err != errGiveUp {
			return sts
		}
		p.wrapper.Child = p.wrapper.Child[:nWrap]
		*p.warns = (*p.warns)[:nWarn]
	}
	p.src.x = newXMLTokens(text)
	sts, _ := p.build(text)
	p.src.x = nil
	return sts
}

// build reads the tokens of text from p.src. It returns errGiveUp when
// the fast scanner gave up, with nothing reported.
func (p *blockParser) build(text string) ([]*Stanza, error) {
	if p.stack == nil {
		p.stack, p.decls, p.kids, p.out, p.vars = p.stackBuf[:0], p.declBuf[:0], p.kidBuf[:0], p.outBuf[:0], p.varBuf[:0]
		p.notes = p.noteBuf[:0]
		p.src.fast.attrs = p.src.fast.attrBuf[:0]
	}
	p.stack, p.decls, p.kids, p.out = p.stack[:0], p.decls[:0], p.kids[:0], p.out[:0]
	tok := &p.tok
	start := 0
	for {
		err := p.src.next(tok)
		line := tok.line
		if err == io.EOF {
			break
		}
		if err == errGiveUp {
			return nil, err
		}
		if err != nil {
			if se, ok := err.(*xml.SyntaxError); ok {
				p.errs.Addf(p.at(se.Line), "malformed XML: %s", se.Msg)
			} else {
				p.errs.Addf(p.at(line), "malformed XML: %v", err)
			}
			return nil, nil
		}
		switch tok.kind {
		case tokStart:
			if len(p.stack) >= maxDepth {
				p.errs.Addf(p.at(line), "elements nested deeper than %d levels", maxDepth)
				return nil, nil
			}
			declStart := len(p.decls)
			for _, a := range tok.attr {
				switch {
				case a.name.Space == "" && a.name.Local == "xmlns":
					p.decls = append(p.decls, nsDecl{"", a.value})
				case a.name.Space == "xmlns":
					p.decls = append(p.decls, nsDecl{a.name.Local, a.value})
				}
			}
			el, ok := p.startElement(tok, line)
			if !ok {
				return nil, nil
			}
			f := blockFrame{el: el, line: line, declStart: declStart}
			var parent *blockFrame
			if len(p.stack) > 0 {
				parent = &p.stack[len(p.stack)-1]
			}
			if p.script != nil {
				p.scanVars(tok)
			}
			if p.compiling() {
				var px *xframe
				if parent != nil {
					px = &parent.x
				}
				f.x = p.startNode(tok, px)
			}
			if parent == nil {
				p.wrapper.AddChild(el)
				start = tok.off
				st := p.slabs.stanzas.one()
				*st = Stanza{Elem: el, Pos: p.at(line)}
				p.out = append(p.out, st)
			} else {
				parent.hasElem = true
				p.kids = append(p.kids, pendingKid{el: el, xn: f.x.n})
			}
			f.kidStart = len(p.kids)
			p.stack = append(p.stack, f)
		case tokEnd:
			if len(p.stack) == 0 {
				p.errs.Addf(p.at(line), "malformed XML: unexpected end tag </%s>", fullName(tok.name))
				return nil, nil
			}
			top := &p.stack[len(p.stack)-1]
			if !sameFullTag(tok.name, top.el) {
				p.errs.Addf(p.at(line), "malformed XML: end tag </%s> does not match <%s> opened on line %d",
					fullName(tok.name), top.el.FullTag(), p.at(top.line).Line)
				return nil, nil
			}
			p.attach(top)
			if p.compiling() {
				p.endNode(&top.x, p.kids[top.kidStart:])
			}
			p.kids, p.decls = p.kids[:top.kidStart], p.decls[:top.declStart]
			p.stack = p.stack[:len(p.stack)-1]
			if len(p.stack) == 0 {
				st := p.out[len(p.out)-1]
				st.Raw = text[start:tok.end]
				if p.script != nil {
					p.compileStanza(st, top.x.n)
				}
			}
		case tokText:
			s := tok.text
			if len(p.stack) == 0 {
				if trimmed := strings.TrimLeft(s, " \t\r\n"); trimmed != "" {
					line += strings.Count(s[:len(s)-len(trimmed)], "\n")
					p.errs.Addf(p.at(line), "text outside an element: %q; expected a stanza such as <message/>", strings.TrimSpace(s))
					return nil, nil
				}
				continue
			}
			if p.kind != blockPlain && !p.data && strings.Contains(s, "${") {
				p.warns.Addf(p.at(line), "variables are substituted in attribute values only; %q in text is used literally", strings.TrimSpace(s))
			}
			p.kids = append(p.kids, pendingKid{text: s})
		case tokComment:
			// XML comments are accepted and dropped (§1.5 leaves them open).
		case tokProcInst:
			p.errs.Addf(p.at(line), "processing instruction <?%s?> not allowed in a stanza block", tok.text)
			return nil, nil
		case tokDirective:
			p.errs.Addf(p.at(line), "directive <!%s> not allowed in a stanza block", tok.text)
			return nil, nil
		}
	}
	if len(p.stack) > 0 {
		top := p.stack[len(p.stack)-1]
		p.errs.Addf(p.at(top.line), "malformed XML: <%s> is never closed", top.el.FullTag())
		return nil, nil
	}
	if len(p.out) == 0 {
		return nil, nil
	}
	out := p.slabs.stPtrs.take(len(p.out))
	copy(out, p.out)
	return out, nil
}

// attach gives the element of f, which is closing, its children, in a
// list of the exact size. Whitespace-only text is left out when the
// element has child elements (it is indentation), and in receives blocks
// also from leaves, where it means "don't care" (§4.5 rule 5).
func (p *blockParser) attach(f *blockFrame) {
	kids := p.kids[f.kidStart:]
	if len(kids) == 0 {
		return
	}
	trim := f.hasElem || p.kind != blockSends
	n := 0
	for i := range kids {
		if kids[i].el != nil || !trim || strings.TrimSpace(kids[i].text) != "" {
			n++
		} else {
			kids[i].drop = true
		}
	}
	if n == 0 {
		return
	}
	el := f.el
	el.Child = p.slabs.kids.take(n)[:0]
	for _, k := range kids {
		switch {
		case k.el != nil:
			el.AddChild(k.el)
		case !k.drop:
			el.AddChild(p.slabs.text(k.text))
		}
	}
}

// sameFullTag reports whether fullName(n) == el.FullTag() without
// building either string.
func sameFullTag(n xml.Name, el *etree.Element) bool {
	return n.Space == el.Space && n.Local == el.Tag
}

// lookupDecl finds prefix among declarations in order; the last wins,
// as it would in a map filled in order.
func lookupDecl(decls []nsDecl, prefix string) (string, bool) {
	for i := len(decls) - 1; i >= 0; i-- {
		if decls[i].prefix == prefix {
			return decls[i].ns, true
		}
	}
	return "", false
}

// startElement builds the element for t and checks its names and
// attributes. t's own namespace declarations are already on p.decls:
// they are in scope for its own names.
func (p *blockParser) startElement(t *rawTok, line int) (*etree.Element, bool) {
	pos := p.at(line)
	for _, a := range t.attr {
		if a.name.Space == "xmlns" && a.value == "" {
			p.errs.Addf(pos, "malformed XML: <%s> declares prefix %q with an empty namespace", fullName(t.name), a.name.Local)
			return nil, false
		}
	}
	if _, ok := p.lookupPrefix(t.name.Space); !ok {
		p.errs.Addf(pos, "undeclared namespace prefix %q in <%s>", t.name.Space, fullName(t.name))
		return nil, false
	}
	if !validLocal(t.name.Local) {
		p.errs.Addf(pos, "malformed XML: invalid element name %q", fullName(t.name))
		return nil, false
	}
	// As etree.NewElement(name) names it: the name has at most one
	// colon (validLocal), which splits it.
	el := p.slabs.element(t.name.Space, t.name.Local, len(t.attr))
	ok := true
	p.notes = p.notes[:0]
	for i, a := range t.attr {
		if !validLocal(a.name.Local) {
			// encoding/xml lets ":=''" through with the local name ":".
			p.errs.Addf(pos, "malformed XML: invalid attribute name %q in <%s>", a.full, fullName(t.name))
			return nil, false
		}
		// Elements carry a handful of attributes: a scan beats a set.
		for _, b := range t.attr[:i] {
			if b.name == a.name {
				p.errs.Addf(pos, "malformed XML: attribute %s appears twice in <%s>", a.full, fullName(t.name))
				return nil, false
			}
		}
		el.CreateAttr(a.full, a.value)
		note := attrNote{hasVar: strings.Contains(a.value, "${")}
		if isDecl(&t.attr[i]) {
			note.decl = true
			p.notes = append(p.notes, note)
			continue
		}
		if a.name.Space != "" {
			var bound bool
			if note.ns, bound = p.lookupPrefix(a.name.Space); !bound {
				p.errs.Addf(pos, "undeclared namespace prefix %q in attribute %s of <%s>", a.name.Space, a.full, fullName(t.name))
				ok = false
				continue
			}
		}
		p.notes = append(p.notes, note)
		if !p.data && !p.checkAttr(pos, t.name, note, a) {
			ok = false
		}
	}
	return el, ok
}

// attrNote is what startElement found out about an attribute of the
// start tag, for the compile (p.notes, in the tag's order).
type attrNote struct {
	ns     string // its namespace, resolved ("" unprefixed)
	decl   bool   // a namespace declaration
	hasVar bool   // its value holds a variable ("${")
}

// validLocal reports whether a decoded local name can be written back:
// encoding/xml passes through names such as ":" that etree would split.
func validLocal(s string) bool {
	return s != "" && !strings.Contains(s, ":")
}

// checkAttr checks scansion directives and variables in one attribute.
func (p *blockParser) checkAttr(pos Pos, el xml.Name, note attrNote, a tokAttr) bool {
	key := a.full
	if note.ns == ScansionNS {
		if a.name.Local != "strict" {
			p.errs.Addf(pos, "unknown directive %s on <%s>: expected scansion:strict", key, fullName(el))
			return false
		}
		if a.value != "true" && a.value != "false" {
			p.errs.Addf(pos, "%s=%q on <%s>: expected \"true\" or \"false\"", key, a.value, fullName(el))
			return false
		}
		if p.kind == blockSends {
			p.warns.Addf(pos, "%s on <%s> has no effect in a sends block and is not sent", key, fullName(el))
		}
		return true
	}
	if strings.HasPrefix(a.value, "{scansion:") {
		_, isCapture := captureName(a.value)
		switch {
		case p.kind == blockSends:
			p.warns.Addf(pos, "%s=%q on <%s>: value directives apply to receives only; the value is sent literally", key, a.value, fullName(el))
		case a.value != directiveAny && !isCapture:
			p.errs.Addf(pos, "%s=%q on <%s>: unknown value directive; expected {scansion:any} or {scansion:capture:NAME}", key, a.value, fullName(el))
			return false
		}
	}
	if p.script != nil && note.hasVar {
		if err := checkVars(a.value, p.script); err != nil {
			p.errs.Addf(pos, "attribute %s of <%s>: %v", key, fullName(el), err)
			return false
		}
	}
	return true
}
