package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
)

// Matcher compares expected stanzas with received ones by the rules of
// §4.5. It holds the {scansion:capture:NAME} bindings, whose scope is
// one script (§10): use one Matcher per script run.
//
// The expected element is read as a receives block is parsed (§4.1):
// an unprefixed name without an xmlns declaration in scope is in
// jabber:client and the scansion: prefix is bound to ScansionNS, whether
// or not the element is still inside the wrapper ParseBlock returns.
// The received element is read as a stanza on a client stream: the
// stream's default namespace is jabber:client.
type Matcher struct {
	captures map[string]string
	trail    []string // capture names bound tentatively, in order
	// subst fills a variable slot of an expected stanza compiled once for
	// all runs (the runner's bindings); nil outside the runner, where
	// expected stanzas have no slots.
	subst func(string) string
	// recv holds the slabs of the last compiled received stanza, reused
	// by the next: a compiled received stanza lives only until its match
	// (or its mismatch's explanation) is over.
	recv compiler
	// vkids is the stack of received children matchValue walks.
	vkids []stanza.Stanza
}

// NewMatcher returns a Matcher with no captures bound.
func NewMatcher() *Matcher { return &Matcher{captures: make(map[string]string)} }

// Captures returns a copy of the bindings made by successful matches.
func (m *Matcher) Captures() map[string]string {
	c := make(map[string]string, len(m.captures))
	for k, v := range m.captures {
		c[k] = v
	}
	return c
}

// Match compares received with expected. It returns nil when they match,
// keeping the captures the match bound; otherwise it returns the first
// difference and leaves the captures as they were.
func (m *Matcher) Match(expected, received *etree.Element) *Mismatch {
	e := compileExpected(expected)
	r, ok := m.matches(e, received)
	if ok {
		return nil
	}
	return m.mismatch(e, r, expected, received)
}

// matches is Match without the explanation: e is the compiled expected
// element. It returns the compiled received element for mismatch.
func (m *Matcher) matches(e *xnode, received *etree.Element) (*xnode, bool) {
	m.recv.reset(received)
	r := m.recv.compile(received, receivedRoot, false, nil, false, 0)
	if m.match(e, r) {
		m.trail = m.trail[:0]
		return r, true
	}
	m.undo(0)
	return r, false
}

// mismatch explains why matches(e, ...) returned r and false.
func (m *Matcher) mismatch(e, r *xnode, expected, received *etree.Element) *Mismatch {
	path, reason := m.explain(e, r)
	m.undo(0)
	return newMismatch(path, reason, e, expected, received)
}

// Mismatch describes why a received stanza does not match an expected
// one.
type Mismatch struct {
	// Path locates the first difference, for example
	// "/iq/query{jabber:iq:roster}/item[2]@jid" (see explain).
	Path string
	// Reason says what differs there.
	Reason string
	// Expected and Received are the two stanzas in canonical form (see stanza.Stanza.Canonical).
	Expected, Received string
	// Diff is a line diff of the two stanzas, indented one element per
	// line: "-" lines are expected only, "+" lines received only; the
	// received side without what the match ignores (see diffStanzas).
	Diff string
}

// Error returns "path: reason".
func (m *Mismatch) Error() string { return m.Path + ": " + m.Reason }

func newMismatch(path, reason string, e *xnode, expected, received *etree.Element) *Mismatch {
	return &Mismatch{
		Path:     path,
		Reason:   reason,
		Expected: stanza.FromElement(expected).Canonical(),
		Received: stanza.FromElement(received).Canonical(),
		Diff:     diffStanzas(expected, e, received),
	}
}

// xnode is an element compiled for matching: resolved names, attributes
// without namespace declarations (and, for expected elements, without
// scansion directives), the trimmed concatenation of its direct text, and
// the element children.
type xnode struct {
	ns, local string
	attrs     []xattr
	text      string
	kids      []*xnode
	strict    bool // expected only: the mode of §4.5 rule 2
	capture   bool // expected only: a capture occurs in this subtree
}

type xattr struct {
	ns, local, value string
	slot             bool // expected only: value holds ${...}, filled by Matcher.subst
}

// want is the expected value of a, its variables filled in.
func (m *Matcher) want(a *xattr) string {
	if a.slot && m.subst != nil {
		return m.subst(a.value)
	}
	return a.value
}

func (n *xnode) attr(ns, local string) (string, bool) {
	for _, a := range n.attrs {
		if a.ns == ns && a.local == local {
			return a.value, true
		}
	}
	return "", false
}

func (n *xnode) sameName(o *xnode) bool { return n.ns == o.ns && n.local == o.local }

// nsScope is a chain of namespace declarations: a snapshot of those an
// element makes (decls, in attribute order), or for the roots a fixed
// set (root).
type nsScope struct {
	decls  []nsDecl
	root   map[string]string
	parent *nsScope
	buf    [2]nsDecl
}

type nsDecl struct{ prefix, ns string }

var (
	expectedRoot = &nsScope{root: map[string]string{"": nsClient, "scansion": ScansionNS, "xml": nsXML}}
	receivedRoot = &nsScope{root: map[string]string{"": nsClient, "xml": nsXML}}
)

func (s *nsScope) resolve(prefix string) string {
	for ; s != nil; s = s.parent {
		if s.root != nil {
			if ns, ok := s.root[prefix]; ok {
				return ns
			}
			continue
		}
		// The last declaration of a prefix wins.
		for i := len(s.decls) - 1; i >= 0; i-- {
			if s.decls[i].prefix == prefix {
				return s.decls[i].ns
			}
		}
	}
	// An undeclared prefix cannot be parsed from a script; in a received
	// stanza keep it distinguishable from every real namespace.
	return "undeclared-prefix:" + prefix
}

// push returns the scope inside el: s itself when el declares nothing.
func (s *nsScope) push(el *etree.Element) *nsScope {
	var sc *nsScope
	for _, a := range el.Attr {
		prefix, ok := declPrefix(a)
		if !ok {
			continue
		}
		if sc == nil {
			sc = &nsScope{parent: s}
			sc.decls = sc.buf[:0]
		}
		sc.decls = append(sc.decls, nsDecl{prefix, a.Value})
	}
	if sc == nil {
		return s
	}
	return sc
}

// declPrefix reports whether a is a namespace declaration, and of which
// prefix ("" for the default namespace).
func declPrefix(a etree.Attr) (string, bool) {
	switch {
	case a.Space == "" && a.Key == "xmlns":
		return "", true
	case a.Space == "xmlns":
		return a.Key, true
	}
	return "", false
}

func compileReceived(el *etree.Element) *xnode {
	c := newCompiler(el)
	return c.compile(el, receivedRoot, false, nil, false, 0)
}

func compileExpected(el *etree.Element) *xnode {
	c := newCompiler(el)
	return c.compile(el, expectedRoot, true, nil, false, 0)
}

// compiler hands out the xnodes, attribute lists and child lists of one
// compiled tree from three slabs, sized by a first walk.
type compiler struct {
	nodes []xnode
	attrs []xattr
	kids  []*xnode
	slots bool // mark attribute values holding ${...} as variable slots
	// nodeBuf is the base of nodes, kept for reset.
	nodeBuf []xnode
	// scopes are the namespace scopes of the tree being compiled, reused
	// by the next (the compiled tree keeps resolved names, not scopes).
	scopes []*nsScope
	nscope int
}

// push is scope.push(el) with the new scope taken from cp.scopes.
func (cp *compiler) push(scope *nsScope, el *etree.Element) *nsScope {
	declares := false
	for _, a := range el.Attr {
		if _, ok := declPrefix(a); ok {
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
	for _, a := range el.Attr {
		if prefix, ok := declPrefix(a); ok {
			sc.decls = append(sc.decls, nsDecl{prefix, a.Value})
		}
	}
	return sc
}

func newCompiler(el *etree.Element) *compiler {
	c := &compiler{}
	c.reset(el)
	return c
}

// reset sizes c's slabs for els, reusing their memory when it suffices.
func (c *compiler) reset(els ...*etree.Element) {
	var n treeSize
	for _, el := range els {
		n.add(el, 0)
	}
	if cap(c.nodeBuf) < n.nodes {
		c.nodeBuf = make([]xnode, n.nodes)
	}
	// take hands out nodes from the front: start again from the base.
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

// treeSize counts what compile takes for a tree: nodes, attributes and
// child links, down to maxDepth.
type treeSize struct{ nodes, attrs, kids int }

func (n *treeSize) add(e *etree.Element, depth int) {
	n.nodes++
	n.attrs += len(e.Attr)
	for _, t := range e.Child {
		if c, ok := t.(*etree.Element); ok && depth < maxDepth {
			n.kids++
			n.add(c, depth+1)
		}
	}
}

// take returns a fresh xnode with room for n attributes and k children.
func (c *compiler) take(n, k int) *xnode {
	x := &c.nodes[0]
	c.nodes = c.nodes[1:]
	x.attrs = c.attrs[len(c.attrs) : len(c.attrs) : len(c.attrs)+n]
	c.attrs = c.attrs[:len(c.attrs)+n]
	x.kids = c.kids[len(c.kids) : len(c.kids) : len(c.kids)+k]
	c.kids = c.kids[:len(c.kids)+k]
	return x
}

// compile builds the xnode of el. For expected elements, explicit is the
// nearest ancestor's scansion:strict (nil: none) and nsStrict says
// whether an ancestor is outside jabber:client (§4.5 rule 2).
func (cp *compiler) compile(el *etree.Element, scope *nsScope, expected bool, explicit *bool, nsStrict bool, depth int) *xnode {
	scope = cp.push(scope, el)
	kids := 0
	if depth < maxDepth {
		for _, t := range el.Child {
			if _, ok := t.(*etree.Element); ok {
				kids++
			}
		}
	}
	n := cp.take(len(el.Attr), kids)
	n.ns, n.local = scope.resolve(el.Space), el.Tag
	var own *bool
	for _, a := range el.Attr {
		if _, ok := declPrefix(a); ok {
			continue
		}
		ns := ""
		if a.Space != "" {
			ns = scope.resolve(a.Space)
		}
		if expected && ns == ScansionNS {
			if a.Key == "strict" {
				v := a.Value == "true"
				own = &v
			}
			continue
		}
		if expected {
			if _, ok := captureName(a.Value); ok {
				n.capture = true
			}
		}
		n.attrs = append(n.attrs, xattr{ns: ns, local: a.Key, value: a.Value, slot: cp.slots && strings.Contains(a.Value, "${")})
	}
	if expected {
		nsStrict = nsStrict || n.ns != nsClient
		if own != nil {
			explicit = own
		}
		n.strict = nsStrict
		if explicit != nil {
			n.strict = *explicit
		}
	}
	// The direct text, concatenated: usually a single piece, which
	// needs no builder.
	var (
		text   strings.Builder
		pieces int
		first  string
	)
	for _, t := range el.Child {
		switch c := t.(type) {
		case *etree.CharData:
			switch pieces {
			case 0:
				first = c.Data
			case 1:
				text.WriteString(first)
				text.WriteString(c.Data)
			default:
				text.WriteString(c.Data)
			}
			pieces++
		case *etree.Element:
			if depth >= maxDepth {
				continue
			}
			k := cp.compile(c, scope, expected, explicit, nsStrict, depth+1)
			n.capture = n.capture || k.capture
			n.kids = append(n.kids, k)
		}
	}
	if pieces > 1 {
		first = text.String()
	}
	n.text = strings.TrimSpace(first)
	return n
}

// match applies §4.5 to e and r. Captures it binds stay on the trail; a
// caller that backtracks undoes them.
func (m *Matcher) match(e, r *xnode) bool {
	if !e.sameName(r) {
		return false
	}
	for i := range e.attrs {
		a := &e.attrs[i]
		v, ok := r.attr(a.ns, a.local)
		if !ok || !m.value(m.want(a), v) {
			return false
		}
	}
	// Names are unique within an element, so "every expected attribute is
	// present" plus equal counts is "exactly the expected set".
	if e.strict && len(r.attrs) != len(e.attrs) {
		return false
	}
	if e.text != "" && e.text != r.text {
		return false
	}
	if e.strict {
		if len(e.kids) != len(r.kids) {
			return false
		}
		for i := range e.kids {
			if !m.match(e.kids[i], r.kids[i]) {
				return false
			}
		}
		return true
	}
	return m.assign(e.kids, r.kids)
}

// value matches one attribute value (§4.5 rule 3).
func (m *Matcher) value(want, got string) bool {
	if want == directiveAny {
		return true
	}
	if name, ok := captureName(want); ok {
		if v, bound := m.captures[name]; bound {
			return v == got
		}
		m.captures[name] = got
		m.trail = append(m.trail, name)
		return true
	}
	return want == got
}

func (m *Matcher) undo(mark int) {
	for _, name := range m.trail[mark:] {
		delete(m.captures, name)
	}
	m.trail = m.trail[:mark]
}

// assign finds a one-to-one assignment of the expected children es to
// distinct received children rs, in any order (§4.5 rule 4, non-strict).
func (m *Matcher) assign(es, rs []*xnode) bool {
	return assignEach(m, es, rs, func(e, r *xnode) bool { return e.sameName(r) && m.match(e, r) })
}

// assignEach is assign over received children of either form (compiled,
// or values matched in place: assignValue), one telling whether expected
// e matches received r on its own. Without captures, whether a pair
// matches does not depend on the other pairs, so a bipartite matching
// decides; with captures it does, so the search backtracks and undoes the
// bindings of failed branches (rule 6).
func assignEach[R any](m *Matcher, es []*xnode, rs []R, one func(e *xnode, r R) bool) bool {
	if len(es) == 0 {
		return true
	}
	if len(es) > len(rs) {
		return false
	}
	for _, e := range es {
		if e.capture {
			return backtrackEach(m, es, rs, 0, make([]bool, len(rs)), one)
		}
	}
	if len(es) == 1 {
		// One expected child (the usual payload): any match will do.
		for _, r := range rs {
			if one(es[0], r) {
				return true
			}
		}
		return false
	}
	// ok[i][j]: expected child i matches received child j on its own.
	ok := make([][]bool, len(es))
	for i, e := range es {
		ok[i] = make([]bool, len(rs))
		any := false
		for j, r := range rs {
			ok[i][j] = one(e, r)
			any = any || ok[i][j]
		}
		if !any {
			return false
		}
	}
	return bipartite(ok, len(rs)) == len(es)
}

// backtrackEach assigns es[i:] to the received children not used yet,
// undoing the captures of every branch that fails.
func backtrackEach[R any](m *Matcher, es []*xnode, rs []R, i int, used []bool, one func(e *xnode, r R) bool) bool {
	if i == len(es) {
		return true
	}
	for j, r := range rs {
		if used[j] {
			continue
		}
		mark := len(m.trail)
		if one(es[i], r) {
			used[j] = true
			if backtrackEach(m, es, rs, i+1, used, one) {
				return true
			}
			used[j] = false
		}
		m.undo(mark)
	}
	return false
}

// bipartite returns the size of a maximum matching in the bipartite
// graph ok (left i, right j), by augmenting paths.
func bipartite(ok [][]bool, right int) int {
	owner := make([]int, right)
	for j := range owner {
		owner[j] = -1
	}
	var try func(i int, seen []bool) bool
	try = func(i int, seen []bool) bool {
		for j := 0; j < right; j++ {
			if !ok[i][j] || seen[j] {
				continue
			}
			seen[j] = true
			if owner[j] < 0 || try(owner[j], seen) {
				owner[j] = i
				return true
			}
		}
		return false
	}
	n := 0
	for i := range ok {
		if try(i, make([]bool, right)) {
			n++
		}
	}
	return n
}

// explain finds the first difference between e and r, which do not
// match, and returns its path and a description.
//
// A path is a sequence of steps "/local", with "{namespace}" appended
// when the element's namespace differs from its parent's (for the
// stanza: from jabber:client), and "[n]" (1-based) when the parent has
// several children of that name (counted among the expected children,
// or among the received ones for an unexpected received child). "@name"
// ends a path at an
// attribute ("@{namespace}name" for a namespaced one, "@xml:lang"), and
// "/text()" at the text.
func (m *Matcher) explain(e, r *xnode) (string, string) {
	path := []string{step(e, nsClient, 0)}
	if !e.sameName(r) {
		return path[0], fmt.Sprintf("expected element %s, received %s", e.display(), r.display())
	}
	return m.explainSame(e, r, path)
}

// explainSame explains a mismatch of two elements with the same name,
// whose path (including their own step) is path.
func (m *Matcher) explainSame(e, r *xnode, path []string) (string, string) {
	here := strings.Join(path, "")
	for _, a := range e.attrs {
		v, ok := r.attr(a.ns, a.local)
		at := here + "@" + attrName(a)
		if !ok {
			return at, fmt.Sprintf("missing attribute %s (expected %q)", attrName(a), a.value)
		}
		if bound, isBound := m.boundCapture(a.value); isBound && bound != v {
			return at, fmt.Sprintf("attribute %s: expected %q (captured by %s), received %q", attrName(a), bound, a.value, v)
		}
		if !m.value(a.value, v) {
			return at, fmt.Sprintf("attribute %s: expected %q, received %q", attrName(a), a.value, v)
		}
	}
	if e.strict {
		for _, a := range r.attrs {
			if _, ok := e.attr(a.ns, a.local); !ok {
				return here + "@" + attrName(a), fmt.Sprintf("unexpected attribute %s=%q (strict mode: the attribute set must be exact)", attrName(a), a.value)
			}
		}
	}
	if e.text != "" && e.text != r.text {
		return here + "/text()", fmt.Sprintf("text: expected %q, received %q", e.text, r.text)
	}
	ns := e.ns
	if e.strict {
		n := min(len(e.kids), len(r.kids))
		for i := 0; i < n; i++ {
			ek, rk := e.kids[i], r.kids[i]
			mark := len(m.trail)
			if m.match(ek, rk) {
				continue
			}
			m.undo(mark)
			p := append(path[:len(path):len(path)], step(ek, ns, siblingIndex(e.kids, i)))
			if !ek.sameName(rk) {
				return strings.Join(p, ""), fmt.Sprintf("expected element %s, received %s (strict mode: children must match in order)", ek.display(), rk.display())
			}
			return m.explainSame(ek, rk, p)
		}
		if len(r.kids) > n {
			rk := r.kids[n]
			return here + step(rk, ns, siblingIndex(r.kids, n)), fmt.Sprintf("unexpected child element %s (strict mode: expected %d children, received %d)", rk.display(), len(e.kids), len(r.kids))
		}
		if len(e.kids) > n {
			ek := e.kids[n]
			return here + step(ek, ns, siblingIndex(e.kids, n)), fmt.Sprintf("missing child element %s (strict mode: expected %d children, received %d)", ek.display(), len(e.kids), len(r.kids))
		}
		return here, "stanza does not match"
	}
	// Non-strict: find the first expected child that matches no received
	// child on its own, and explain it against its best candidate.
	for i, ek := range e.kids {
		var cands []*xnode
		for _, rk := range r.kids {
			if ek.sameName(rk) {
				cands = append(cands, rk)
			}
		}
		p := append(path[:len(path):len(path)], step(ek, ns, siblingIndex(e.kids, i)))
		if len(cands) == 0 {
			return strings.Join(p, ""), fmt.Sprintf("missing child element %s", ek.display())
		}
		found := false
		for _, rk := range cands {
			mark := len(m.trail)
			found = m.match(ek, rk)
			m.undo(mark)
			if found {
				break
			}
		}
		if !found && len(cands) > 1 {
			// Several namesakes and none fits: comparing with any one of
			// them ("feature[1]@var: expected X, received Y") blames a
			// child that was never meant; the fault is that X is absent.
			return strings.Join(p, ""), fmt.Sprintf("no %s among the %d received <%s> children; received: %s",
				m.describe(ek, ns), len(cands), ek.local, summarize(cands))
		}
		if !found {
			// Compare with the received child in the same position among
			// its namesakes, else the first.
			k := sameNameRank(e.kids, i)
			if k >= len(cands) {
				k = 0
			}
			return m.explainSame(ek, cands[k], p)
		}
	}
	return here, fmt.Sprintf("the expected children of %s cannot all be matched to distinct received children (received %d children)", e.display(), len(r.kids))
}

func (m *Matcher) boundCapture(want string) (string, bool) {
	name, ok := captureName(want)
	if !ok {
		return "", false
	}
	v, bound := m.captures[name]
	return v, bound
}

// step renders one path step for n, whose parent is in namespace
// parentNS. idx is n's 1-based rank among same-named siblings, or 0 when
// it has none.
func step(n *xnode, parentNS string, idx int) string {
	s := "/" + n.local
	if n.ns != parentNS {
		s += "{" + n.ns + "}"
	}
	if idx > 0 {
		s += "[" + strconv.Itoa(idx) + "]"
	}
	return s
}

// siblingIndex returns the 1-based rank of kids[i] among the children
// with its name, or 0 when it is the only one.
func siblingIndex(kids []*xnode, i int) int {
	count := 0
	for _, k := range kids {
		if k.sameName(kids[i]) {
			count++
		}
	}
	if count < 2 {
		return 0
	}
	return sameNameRank(kids, i) + 1
}

// sameNameRank returns the 0-based rank of kids[i] among its namesakes.
func sameNameRank(kids []*xnode, i int) int {
	rank := 0
	for _, k := range kids[:i] {
		if k.sameName(kids[i]) {
			rank++
		}
	}
	return rank
}

func attrName(a xattr) string {
	switch a.ns {
	case "":
		return a.local
	case nsXML:
		return "xml:" + a.local
	}
	return "{" + a.ns + "}" + a.local
}

func (n *xnode) display() string {
	if n.ns == nsClient {
		return "<" + n.local + ">"
	}
	return "<" + n.local + " xmlns='" + n.ns + "'>"
}

// describe renders an expected element by its name and attributes, as
// "<feature var='X'>", variables filled in: what a missing child is.
func (m *Matcher) describe(n *xnode, parentNS string) string {
	var b strings.Builder
	b.WriteString("<" + n.local)
	if n.ns != parentNS {
		b.WriteString(" xmlns='" + n.ns + "'")
	}
	for i := range n.attrs {
		fmt.Fprintf(&b, " %s='%s'", attrName(n.attrs[i]), m.want(&n.attrs[i]))
	}
	if n.text != "" {
		return b.String() + ">" + n.text + "</" + n.local + ">"
	}
	return b.String() + "/>"
}

// maxListed bounds the received children a report lists.
const maxListed = 12

// summarize lists received elements by their attributes (and text), the
// first maxListed of them: "<feature var='a'/>, <feature var='b'/>".
func summarize(ns []*xnode) string {
	var parts []string
	for i, n := range ns {
		if i == maxListed {
			parts = append(parts, fmt.Sprintf("… and %d more", len(ns)-maxListed))
			break
		}
		var b strings.Builder
		b.WriteString("<" + n.local)
		for _, a := range n.attrs {
			fmt.Fprintf(&b, " %s='%s'", attrName(a), a.value)
		}
		switch {
		case n.text != "":
			b.WriteString(">" + n.text + "</" + n.local + ">")
		case len(n.kids) > 0:
			fmt.Fprintf(&b, ">…%d children</%s>", len(n.kids), n.local)
		default:
			b.WriteString("/>")
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, ", ")
}
