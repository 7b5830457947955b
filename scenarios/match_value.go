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

// matchesValue is matches of the received stanza v.
func (m *Matcher) matchesValue(e *xnode, v stanza.Stanza) (*xnode, bool) {
	m.recv.resetValue(v)
	r := m.recv.compileValue(v, receivedRoot, 0)
	if m.match(e, r) {
		m.trail = m.trail[:0]
		return r, true
	}
	m.undo(0)
	return r, false
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
	var (
		text   strings.Builder
		pieces int
		first  string
	)
	for i := range nc {
		k, t := v.ChildAt(i)
		if k.IsZero() {
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
			continue
		}
		if depth >= maxDepth {
			continue
		}
		n.kids = append(n.kids, cp.compileValue(k, scope, depth+1))
	}
	if pieces > 1 {
		first = text.String()
	}
	n.text = strings.TrimSpace(first)
	return n
}
