package scenarios

import (
	"strings"
	"sync/atomic"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
)

// compiledStanza is what the runner needs of one script stanza, computed
// once from its Elem when the script is parsed and shared by every run of
// the script (runs may be concurrent: nothing in it changes once built).
type compiledStanza struct {
	src     *etree.Element // the Elem it was compiled from
	sending bool           // compiled to be sent (send) or expected (exp, vars)
	// exp is the stanza as an expected one, with variable slots: its
	// attribute values still hold ${...}, filled in at match time.
	exp *xnode
	// vars are the attribute values holding ${...}, in the order the
	// expansion meets them, so that a variable that cannot be resolved
	// yet is reported before anything is matched.
	vars []string
	// send is the stanza as sent, scansion directives removed (§4.4 item
	// 5), variables still in place. sendVars are its attribute values
	// holding ${...}, in document order.
	send     stanza.Stanza
	sendVars []string
	// memo is the last substitution of send's variables, shared by the
	// runs of the script: runs that bind the same JIDs (every run of one
	// script on the simulation, with the same options) send the same
	// immutable stanza, whose canonical form is then rendered once.
	memo *sendMemo
}

// sendMemo holds the last substituted stanza. It is a pointer in
// compiledStanza so that copying a Stanza copies no atomic value.
type sendMemo struct{ p atomic.Pointer[substituted] }

// substituted is send with its variables filled in: vals[i] is the value
// of sendVars[i].
type substituted struct {
	vals []string
	v    stanza.Stanza
}

// compiledFor returns s's compiled form for its action (sending or
// expected): the one Parse made, or, for a Stanza Parse did not make or
// whose Elem was replaced since, a fresh one.
func (s *Stanza) compiledFor(sending bool) *compiledStanza {
	if c := s.compiled; c != nil && c.src == s.Elem && c.sending == sending {
		return c
	}
	c := compileStanza(s.Elem, sending)
	return &c
}

// compileScript finishes the compiled forms the parse made (see
// parse_compile.go): the expected stanzas are compiled already, and so
// are the stanzas to send that carry directives; the plain ones are
// built here, their trees cut from three slabs shared by all of them
// (stanza.FromElements).
func compileScript(s *Script) {
	plain, memos := 0, 0
	for _, a := range s.Actions {
		if a.Verb != Sends {
			continue
		}
		for _, st := range a.Stanzas {
			if st.compiled.send.IsZero() {
				plain++
			}
		}
	}
	els := make([]*etree.Element, 0, plain)
	for _, a := range s.Actions {
		if a.Verb != Sends {
			continue
		}
		for _, st := range a.Stanzas {
			if st.compiled.send.IsZero() {
				els = append(els, st.Elem)
			}
		}
	}
	built := stanza.FromElements(els)
	for _, a := range s.Actions {
		if a.Verb != Sends {
			continue
		}
		for _, st := range a.Stanzas {
			c := st.compiled
			if c.send.IsZero() {
				c.send, built = built[0], built[1:]
			}
			if len(c.sendVars) > 0 {
				memos++
			}
		}
	}
	memo := make([]sendMemo, memos)
	for _, a := range s.Actions {
		if a.Verb != Sends {
			continue
		}
		for _, st := range a.Stanzas {
			if c := st.compiled; len(c.sendVars) > 0 {
				c.memo, memo = &memo[0], memo[1:]
			}
		}
	}
}

// compileStanza compiles el for one use: to be sent, or expected. A
// stanza belongs to one action, so it is compiled for that one only.
func compileStanza(el *etree.Element, sending bool) compiledStanza {
	c := compiledStanza{src: el, sending: sending}
	if sending {
		if hasDirective(el, expectedRoot) {
			c.send = sendTemplate(el, expectedRoot)
		} else {
			c.send = stanza.FromElement(el)
		}
		c.sendVars = valueVars(nil, c.send)
		if len(c.sendVars) > 0 {
			c.memo = new(sendMemo)
		}
		return c
	}
	cp := compiler{slots: true}
	cp.reset(el)
	c.exp = cp.compile(el, expectedRoot, true, nil, false, 0)
	if n := countVars(el); n > 0 {
		c.vars = make([]string, 0, n)
		c.vars = appendVars(c.vars, el)
	}
	return c
}

// countVars counts the attribute values of el and its descendants that
// hold ${...}; appendVars appends them in document order.
func countVars(el *etree.Element) int {
	n := 0
	for _, a := range el.Attr {
		if strings.Contains(a.Value, "${") {
			n++
		}
	}
	for _, t := range el.Child {
		if k, ok := t.(*etree.Element); ok {
			n += countVars(k)
		}
	}
	return n
}

func appendVars(vars []string, el *etree.Element) []string {
	for _, a := range el.Attr {
		if strings.Contains(a.Value, "${") {
			vars = append(vars, a.Value)
		}
	}
	for _, t := range el.Child {
		if k, ok := t.(*etree.Element); ok {
			vars = appendVars(vars, k)
		}
	}
	return vars
}

// hasDirective reports whether el or a descendant has an attribute in
// the scansion namespace.
func hasDirective(el *etree.Element, scope *nsScope) bool {
	scope = scope.push(el)
	for _, a := range el.Attr {
		if _, decl := declPrefix(a); !decl && a.Space != "" && scope.resolve(a.Space) == ScansionNS {
			return true
		}
	}
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok && hasDirective(c, scope) {
			return true
		}
	}
	return false
}

// sendTemplate builds el as sent: without the attributes in the scansion
// namespace (namespace declarations stay, as the model has always been
// sent them).
func sendTemplate(el *etree.Element, scope *nsScope) stanza.Stanza {
	scope = scope.push(el)
	attrs := make([]stanza.Attr, 0, len(el.Attr))
	for _, a := range el.Attr {
		if _, decl := declPrefix(a); !decl && a.Space != "" && scope.resolve(a.Space) == ScansionNS {
			continue
		}
		attrs = append(attrs, stanza.Attr{Space: a.Space, Key: a.Key, Value: a.Value})
	}
	kids := make([]stanza.Child, 0, len(el.Child))
	for _, t := range el.Child {
		switch c := t.(type) {
		case *etree.Element:
			kids = append(kids, stanza.Elem(sendTemplate(c, scope)))
		case *etree.CharData:
			kids = append(kids, stanza.Text(c.Data))
		}
	}
	return stanza.New(el.Space, el.Tag, attrs, kids...)
}

// valueVars appends the attribute values of v holding ${...}, in the
// order MapAttrs visits them.
func valueVars(vars []string, v stanza.Stanza) []string {
	for _, a := range v.Attrs() {
		if strings.Contains(a.Value, "${") {
			vars = append(vars, a.Value)
		}
	}
	for i := range v.NumChild() {
		if k, _ := v.ChildAt(i); !k.IsZero() {
			vars = valueVars(vars, k)
		}
	}
	return vars
}

// substitute returns c.send with the variables filled in from b: the
// memo's stanza when every value is the one it was made with.
func (c *compiledStanza) substitute(b *bindings) (stanza.Stanza, error) {
	var last *substituted
	if c.memo != nil {
		last = c.memo.p.Load()
	}
	hit := last != nil
	for i, raw := range c.sendVars {
		v, err := b.expand(raw)
		if err != nil {
			return stanza.Stanza{}, err
		}
		hit = hit && last.vals[i] == v
	}
	if hit {
		return last.v, nil
	}
	v, err := c.send.MapAttrs(b.expand)
	if err != nil {
		return stanza.Stanza{}, err
	}
	if c.memo != nil {
		vals := make([]string, len(c.sendVars))
		for i, raw := range c.sendVars {
			vals[i], _ = b.expand(raw) // resolved above
		}
		c.memo.p.Store(&substituted{vals: vals, v: v})
	}
	return v, nil
}

// valueSender is an Endpoint that can send a stanza value without an
// element built for it (the simulation's: the trace then records the
// value, whose canonical form is cached with the script).
type valueSender interface {
	SendValue(v stanza.Stanza) error
}
