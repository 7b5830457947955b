package scenarios

import (
	"strings"

	"github.com/scansim/scansim/stanza"
)

// The received side of matching, from a stanza value: what the simulation
// delivers (sim.Received.Value). It compiles exactly as compile does
// from an element with expected false — the same names, attributes
// without namespace declarations, trimmed direct text and children — so
// a value and the element it was built from match alike; a value just
// needs no element built for it.

// matchesValue is matches of the received stanza v, read as it is: the
// value is walked in step with e (matchValue) instead of being compiled
// first, so a match costs no compiled tree. A mismatch that must be
// explained compiles v then (compiledValue).
func (m *Matcher) matchesValue(e *xnode, v stanza.Stanza) bool {
	m.recv.nscope = 0
	if m.matchValue(e, v, receivedRoot, 0) {
		m.trail = m.trail[:0]
		return true
	}
	m.undo(0)
	return false
}

// compiledValue is the compiled received value v, for explaining why
// matchesValue returned false. It lives until the next compile.
func (m *Matcher) compiledValue(v stanza.Stanza) *xnode {
	m.recv.resetValue(v)
	return m.recv.compileValue(v, receivedRoot, 0)
}

// resetValue is reset for the tree of v.
func (c *compiler) resetValue(v stanza.Stanza) {
	var n treeSize
	n.addValue(v, 0)
	if cap(c.nodeBuf) < n.nodes {
		c.nodeBuf = make([]xnode, n.nodes)
	}
	c.nodes = c.nodeBuf[:n.nodes]
	clear(c.nodes)
	if cap(c.attrs) < n.attrs {
		c.attrs = make([]xattr, 0, n.attrs)
	}
	if cap(c.kids) < n.kids {
		c.kids = make([]*xnode, 0, n.kids)
	}
	c.attrs, c.kids = c.attrs[:0], c.kids[:0]
	c.nscope = 0
}

func (n *treeSize) addValue(v stanza.Stanza, depth int) {
	n.nodes++
	n.attrs += len(v.Attrs())
	for i := range v.NumChild() {
		if k, _ := v.ChildAt(i); !k.IsZero() && depth < maxDepth {
			n.kids++
			n.addValue(k, depth+1)
		}
	}
}

// valueDeclPrefix is declPrefix of a value's attribute.
func valueDeclPrefix(a *stanza.Attr) (string, bool) {
	switch {
	case a.Space == "" && a.Key == "xmlns":
		return "", true
	case a.Space == "xmlns":
		return a.Key, true
	}
	return "", false
}

// pushValue is push for a value's attributes.
func (cp *compiler) pushValue(scope *nsScope, attrs []stanza.Attr) *nsScope {
	declares := false
	for i := range attrs {
		if _, ok := valueDeclPrefix(&attrs[i]); ok {
			declares = true
			break
		}
	}
	if !declares {
		return scope
	}
	if cp.nscope == len(cp.scopes) {
		cp.scopes = append(cp.scopes, new(nsScope))
	}
	sc := cp.scopes[cp.nscope]
	cp.nscope++
	*sc = nsScope{parent: scope}
	sc.decls = sc.buf[:0]
	for i := range attrs {
		if prefix, ok := valueDeclPrefix(&attrs[i]); ok {
			sc.decls = append(sc.decls, nsDecl{prefix, attrs[i].Value})
		}
	}
	return sc
}

// compileValue is compile of a received value (expected false).
func (cp *compiler) compileValue(v stanza.Stanza, scope *nsScope, depth int) *xnode {
	attrs := v.Attrs()
	scope = cp.pushValue(scope, attrs)
	nc := v.NumChild()
	kids := 0
	if depth < maxDepth {
		for i := range nc {
			if k, _ := v.ChildAt(i); !k.IsZero() {
				kids++
			}
		}
	}
	n := cp.take(len(attrs), kids)
	n.ns, n.local = scope.resolve(v.Space()), v.Tag()
	for i := range attrs {
		a := &attrs[i]
		if _, ok := valueDeclPrefix(a); ok {
			continue
		}
		ns := ""
		if a.Space != "" {
			ns = scope.resolve(a.Space)
		}
		n.attrs = append(n.attrs, xattr{ns: ns, local: a.Key, value: a.Value, slot: cp.slots && strings.Contains(a.Value, "${")})
	}
	if depth < maxDepth {
		for i := range nc {
			if k, _ := v.ChildAt(i); !k.IsZero() {
				n.kids = append(n.kids, cp.compileValue(k, scope, depth+1))
			}
		}
	}
	n.text = valueText(v)
	return n
}

// matchValue is match(e, r) for r = compileValue(v, scope, depth),
// without building r: the same names, attributes without namespace
// declarations, trimmed direct text and element children (none below
// maxDepth), read from v as they are needed. The namespace scopes v's
// elements declare are taken from m.recv's pool and given back when
// their subtree is done.
func (m *Matcher) matchValue(e *xnode, v stanza.Stanza, scope *nsScope, depth int) bool {
	if e.local != v.Tag() {
		return false
	}
	cp := &m.recv
	mark := cp.nscope
	ok := m.matchValueIn(e, v, cp.pushValue(scope, v.Attrs()), depth)
	cp.nscope = mark
	return ok
}

// matchValueIn is matchValue with v's own scope pushed.
func (m *Matcher) matchValueIn(e *xnode, v stanza.Stanza, scope *nsScope, depth int) bool {
	if e.ns != scope.resolve(v.Space()) {
		return false
	}
	attrs := v.Attrs()
	for i := range e.attrs {
		a := &e.attrs[i]
		got, ok := valueAttr(attrs, scope, a.ns, a.local)
		if !ok || !m.value(m.want(a), got) {
			return false
		}
	}
	if e.strict {
		n := 0
		for i := range attrs {
			if _, decl := valueDeclPrefix(&attrs[i]); !decl {
				n++
			}
		}
		if n != len(e.attrs) {
			return false
		}
	}
	if e.text != "" && e.text != valueText(v) {
		return false
	}
	// The received element children, gathered on a stack shared by the
	// whole walk (a nested gather may move it; what this call gathered
	// stays readable where it is).
	start := len(m.vkids)
	if depth < maxDepth {
		for i := range v.NumChild() {
			if k, _ := v.ChildAt(i); !k.IsZero() {
				m.vkids = append(m.vkids, k)
			}
		}
	}
	rs := m.vkids[start:]
	var ok bool
	if e.strict {
		ok = len(e.kids) == len(rs)
		for i := 0; ok && i < len(rs); i++ {
			ok = m.matchValue(e.kids[i], rs[i], scope, depth+1)
		}
	} else {
		ok = m.assignValue(e.kids, rs, scope, depth+1)
	}
	m.vkids = m.vkids[:start]
	return ok
}

// valueAttr is xnode.attr of the compiled value: the first attribute,
// namespace declarations left out, with the namespace ns and the local
// name local.
func valueAttr(attrs []stanza.Attr, scope *nsScope, ns, local string) (string, bool) {
	for i := range attrs {
		a := &attrs[i]
		if a.Key != local {
			continue
		}
		if _, decl := valueDeclPrefix(a); decl {
			continue
		}
		got := ""
		if a.Space != "" {
			got = scope.resolve(a.Space)
		}
		if got == ns {
			return a.Value, true
		}
	}
	return "", false
}

// valueText is the compiled value's text: its direct text, concatenated
// and trimmed.
func valueText(v stanza.Stanza) string {
	var (
		text   strings.Builder
		pieces int
		first  string
	)
	for i := range v.NumChild() {
		k, t := v.ChildAt(i)
		if !k.IsZero() {
			continue
		}
		switch pieces {
		case 0:
			first = t
		case 1:
			text.WriteString(first)
			text.WriteString(t)
		default:
			text.WriteString(t)
		}
		pieces++
	}
	if pieces > 1 {
		first = text.String()
	}
	return strings.TrimSpace(first)
}

// assignValue is assign of the received children rs.
func (m *Matcher) assignValue(es []*xnode, rs []stanza.Stanza, scope *nsScope, depth int) bool {
	return assignEach(m, es, rs, func(e *xnode, r stanza.Stanza) bool { return m.matchValue(e, r, scope, depth) })
}
