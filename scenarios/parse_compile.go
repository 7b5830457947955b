package scenarios

import "strings"

// The expected stanzas of a script's receives blocks are compiled for
// matching while they are parsed, into the same form compiler.compile
// gives (an xnode tree with resolved names, strictness and captures, and
// the attribute values holding variables): the parser has resolved every
// name already, and each node is finished when its element closes. Done
// after the parse, the compile walked every tree again, resolving the
// namespaces anew, and cost a sixth of a parse. TestParseCompiledAgrees
// holds the two to the same result.

// xframe is the compile state of an open element of a receives block.
type xframe struct {
	n *xnode
	// explicit is the nearest scansion:strict, the element's own or an
	// ancestor's: 0 none, else strictFalse or strictTrue.
	explicit uint8
	nsStrict bool // the element or an ancestor is outside jabber:client
}

const (
	strictFalse uint8 = iota + 1
	strictTrue
)

// compiling reports whether p compiles the expected stanzas it reads.
func (p *blockParser) compiling() bool {
	return p.kind == blockReceives && p.script != nil && !p.data
}

// startNode compiles the start of el's expected node: t is its start tag
// (checked: every prefix resolves; p.notes describe its attributes),
// parent the open element's frame (nil at the top).
func (p *blockParser) startNode(t *rawTok, parent *xframe) xframe {
	n := p.slabs.xnodes.one()
	n.ns, _ = p.lookupPrefix(t.name.Space)
	n.local = t.name.Local
	f := xframe{n: n}
	if parent != nil {
		f.explicit, f.nsStrict = parent.explicit, parent.nsStrict
	}
	own := uint8(0)
	nAttrs := 0
	for _, note := range p.notes {
		if !note.decl && note.ns != ScansionNS {
			nAttrs++
		}
	}
	if nAttrs > 0 {
		n.attrs = p.slabs.xattrs.take(nAttrs)[:0]
	}
	for i, note := range p.notes {
		a := &t.attr[i]
		switch {
		case note.decl:
		case note.ns == ScansionNS:
			if a.name.Local == "strict" {
				own = strictFalse
				if a.value == "true" {
					own = strictTrue
				}
			}
		default:
			if _, ok := captureName(a.value); ok {
				n.capture = true
			}
			n.attrs = append(n.attrs, xattr{ns: note.ns, local: a.name.Local, value: a.value, slot: note.hasVar})
		}
	}
	f.nsStrict = f.nsStrict || n.ns != nsClient
	if own != 0 {
		f.explicit = own
	}
	n.strict = f.nsStrict
	if f.explicit != 0 {
		n.strict = f.explicit == strictTrue
	}
	return f
}

// endNode finishes f's node when its element closes: its children are
// the kept kids (see attach), its text their text, joined and trimmed.
func (p *blockParser) endNode(f *xframe, kids []pendingKid) {
	n := f.n
	elems, pieces := 0, 0
	var first string
	for i := range kids {
		k := &kids[i]
		switch {
		case k.drop:
		case k.el != nil:
			elems++
		default:
			if pieces == 0 {
				first = k.text
			}
			pieces++
		}
	}
	if elems > 0 {
		n.kids = p.slabs.xkids.take(elems)[:0]
	}
	if pieces > 1 {
		var b strings.Builder
		for i := range kids {
			if k := &kids[i]; !k.drop && k.el == nil {
				b.WriteString(k.text)
			}
		}
		first = b.String()
	}
	for i := range kids {
		if k := &kids[i]; k.el != nil {
			n.kids = append(n.kids, k.xn)
			n.capture = n.capture || k.xn.capture
		}
	}
	n.text = strings.TrimSpace(first)
}

// isDecl reports a namespace declaration.
func isDecl(a *tokAttr) bool {
	return a.name.Space == "xmlns" || (a.name.Space == "" && a.name.Local == "xmlns")
}

// scanVars notes the attribute values of t holding variables, and
// whether t has a directive (see p.notes).
func (p *blockParser) scanVars(t *rawTok) {
	if len(p.stack) == 0 {
		p.vars, p.directive = p.vars[:0], false
	}
	for i, note := range p.notes {
		if note.hasVar {
			p.vars = append(p.vars, t.attr[i].value)
		}
		if !note.decl && note.ns == ScansionNS {
			p.directive = true
		}
	}
}

// compileStanza gives st, a top-level element just closed, its compiled
// form: the expected stanza (n, its node) for a receives block, the
// stanza to send for a sends block, whose value compileScript builds for
// all plain ones at once; one with directives is built here. vars and
// sendVars are nil when there are none, as compileStanza makes them.
func (p *blockParser) compileStanza(st *Stanza, n *xnode) {
	c := p.slabs.compiled.one()
	st.compiled = c
	c.src = st.Elem
	var vars []string
	if len(p.vars) > 0 {
		vars = p.slabs.vars.take(len(p.vars))
		copy(vars, p.vars)
	}
	if p.kind == blockSends {
		c.sending = true
		if p.directive {
			c.send = sendTemplate(st.Elem, expectedRoot)
			c.sendVars = valueVars(nil, c.send)
		} else {
			// Sent as it stands, its variables are the element's.
			c.sendVars = vars
		}
		return
	}
	c.exp, c.vars = n, vars
}
