package scenarios

import (
	"path/filepath"
	"testing"

	"github.com/beevik/etree"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/scansim/scansim/stanza"
)

// A received stanza compiles alike from its element and from its value
// (what the simulation delivers): every stanza of the repository's
// scripts, as if received, and the shapes a server sends that scripts
// seldom write.
func TestCompileValueAgrees(t *testing.T) {
	var els []*etree.Element
	for _, x := range []string{
		`<message from='a@h/r' to='b@h' type='chat' xml:lang='en'><body>hi</body></message>`,
		"<message>\n  <body> a &lt; b </body>\n  <!-- c --><thread>t</thread>x<![CDATA[y]]>\n</message>",
		`<s:x xmlns:s='urn:s' s:b='1' a='2'><s:y/><z xmlns='urn:z'><w s:c='3'/></z></s:x>`,
		`<iq type='result'><query xmlns='jabber:iq:roster' ver='1'><item jid='c@h' subscription='both'/></query></iq>`,
		`<stream:error xmlns:stream='http://etherx.jabber.org/streams'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>`,
		`<presence><p:q/></presence>`, // an undeclared prefix
	} {
		d := etree.NewDocument()
		if err := d.ReadFromString(x); err != nil {
			t.Fatal(err)
		}
		els = append(els, d.Root())
	}
	els = append(els, testdataStanzas(t)...)
	opt := cmp.Options{cmp.AllowUnexported(xnode{}, xattr{}), cmpopts.EquateEmpty()}
	var c compiler
	for _, el := range els {
		want := compileReceived(el)
		v := stanza.FromElement(el)
		c.resetValue(v)
		got := c.compileValue(v, receivedRoot, 0)
		if d := cmp.Diff(want, got, opt); d != "" {
			t.Errorf("%s: compiled from the value differs (-element +value):\n%s", v.Canonical(), d)
		}
	}
	t.Logf("%d stanzas", len(els))
}

// The matcher gives the same answer, match or mismatch at the same path,
// for a received stanza as element and as value.
func TestMatchesValueAgrees(t *testing.T) {
	cases := []struct{ expected, received string }{
		{`<message><body>hi</body></message>`, `<message from='a@h/r'><body>hi</body></message>`},
		{`<message><body>hi</body></message>`, `<message><body>ho</body></message>`},
		{`<iq><query xmlns='jabber:iq:roster'><item jid='a@localhost'/></query></iq>`, `<iq><query xmlns='jabber:iq:roster'><item jid='b@localhost'/></query></iq>`},
		{`<iq type='result' id='{scansion:any}'/>`, `<iq type='result' id='x'/>`},
	}
	for _, c := range cases {
		exp, rcv := etree.NewDocument(), etree.NewDocument()
		if err := exp.ReadFromString(c.expected); err != nil {
			t.Fatal(err)
		}
		if err := rcv.ReadFromString(c.received); err != nil {
			t.Fatal(err)
		}
		e := compileExpected(exp.Root())
		m1, m2 := NewMatcher(), NewMatcher()
		r1, ok1 := m1.matches(e, rcv.Root())
		v := stanza.FromElement(rcv.Root())
		ok2 := m2.matchesValue(e, v)
		r2 := m2.compiledValue(v)
		if ok1 != ok2 {
			t.Errorf("%s vs %s: element %v, value %v", c.expected, c.received, ok1, ok2)
			continue
		}
		if !ok1 {
			p1, _ := m1.explain(e, r1)
			p2, _ := m2.explain(e, r2)
			if p1 != p2 {
				t.Errorf("%s vs %s: mismatch at %s (element), %s (value)", c.expected, c.received, p1, p2)
			}
		}
	}
}

// FuzzCompileValue: any stanza a block parses to compiles alike from its
// element and from its value.
func FuzzCompileValue(f *testing.F) {
	for _, s := range []string{
		`<presence/>`,
		`<message type='chat'><body>hi</body>x<delay xmlns='urn:xmpp:delay' stamp='now'/></message>`,
		`<s:x xmlns:s='urn:s' s:b='1'><y xmlns='b'><z/></y>text</s:x>`,
	} {
		f.Add(s)
	}
	opt := cmp.Options{cmp.AllowUnexported(xnode{}, xattr{}), cmpopts.EquateEmpty()}
	f.Fuzz(func(t *testing.T, xml string) {
		els, err := ParseBlock(xml)
		if err != nil {
			return
		}
		var c compiler
		for _, el := range els {
			want := compileReceived(el)
			v := stanza.FromElement(el)
			c.resetValue(v)
			if d := cmp.Diff(want, c.compileValue(v, receivedRoot, 0), opt); d != "" {
				t.Fatalf("%s: compiled from the value differs (-element +value):\n%s", xml, d)
			}
		}
	})
}

// Matching a received value in place (matchValue) answers as compiling it
// and matching the compiled tree does, captures included: every expected
// stanza of the repository's scripts against every stanza of them as
// received, and against shapes that match only in part (extra attributes
// and children, reordered children, several text pieces, prefixes,
// captures, strict mode).
func TestMatchValueAgrees(t *testing.T) {
	var els []*etree.Element
	for _, x := range []string{
		`<message from='a@h/r' to='b@h' type='chat'><body>hi</body></message>`,
		`<message to='b@h' type='chat' from='a@h/r' id='1'><thread>t</thread><body>hi</body></message>`,
		"<message type='chat'>\n <body>h</body>i<body> h</body>\n</message>",
		`<iq type='result' id='x'><query xmlns='jabber:iq:roster'><item jid='a@h' subscription='both'/><item jid='b@h'/></query></iq>`,
		`<iq type='result' id='x'><r:query xmlns:r='jabber:iq:roster'><r:item jid='b@h'/><r:item jid='a@h' subscription='both'/></r:query></iq>`,
		`<iq type='result' id='{scansion:any}' xmlns:scansion='https://matthewwild.co.uk/projects/scansion'/>`,
		`<iq type='result' id='{scansion:capture:x}' xmlns:scansion='https://matthewwild.co.uk/projects/scansion'><q xmlns='u' v='{scansion:capture:x}'/></iq>`,
		`<iq type='result' id='7'><q xmlns='u' v='7'/></iq>`,
		`<iq type='result' id='7'><q xmlns='u' v='8'/><q xmlns='u' v='7'/></iq>`,
		`<presence xmlns:scansion='https://matthewwild.co.uk/projects/scansion' scansion:strict='true'><x xmlns='v'/></presence>`,
		`<presence><x xmlns='v'/></presence>`,
		`<presence a='1'><x xmlns='v'/><y/></presence>`,
		`<presence xml:lang='en'><p:q xmlns:p='v' p:a='1'/></presence>`,
		`<presence><status> hi </status></presence>`,
	} {
		d := etree.NewDocument()
		if err := d.ReadFromString(x); err != nil {
			t.Fatal(x, err)
		}
		els = append(els, d.Root())
	}
	els = append(els, testdataStanzas(t)...)
	// Each distinct stanza once (the scripts repeat many): the pairs are
	// quadratic.
	var vals []stanza.Stanza
	seen := map[string]bool{}
	uniq := els[:0]
	for _, el := range els {
		v := stanza.FromElement(el)
		if !seen[v.Canonical()] {
			seen[v.Canonical()] = true
			uniq, vals = append(uniq, el), append(vals, v)
		}
	}
	els = uniq
	matches := 0
	for i, exp := range els {
		e := compileExpected(exp)
		m1, m2 := NewMatcher(), NewMatcher()
		for j, rcv := range els {
			_, ok1 := m1.matches(e, rcv)
			ok2 := m2.matchesValue(e, vals[j])
			if ok1 != ok2 {
				t.Fatalf("expected %s, received %s: compiled %v, in place %v", vals[i].Canonical(), vals[j].Canonical(), ok1, ok2)
			}
			if !ok1 {
				continue // neither binds anything
			}
			if d := cmp.Diff(m1.captures, m2.captures); d != "" {
				t.Fatalf("received %s: captures differ (-compiled +in place):\n%s", vals[j].Canonical(), d)
			}
			matches++
		}
	}
	if matches < len(els) {
		t.Errorf("only %d matches among %d stanzas: the pairs test too little", matches, len(els))
	}
	t.Logf("%d stanzas, %d matching pairs", len(els), matches)
}

// FuzzMatchValue: for any expected and received stanza a block parses
// to, matching the received value in place answers as compiling it and
// matching the compiled tree, captures included.
func FuzzMatchValue(f *testing.F) {
	for _, c := range [][2]string{
		{`<message><body>hi</body></message>`, `<message from='a@h/r'><body>hi</body></message>`},
		{`<iq id='{scansion:capture:i}'><q xmlns='u' v='{scansion:capture:i}'/></iq>`, `<iq id='7'><q xmlns='u' v='8'/><q xmlns='u' v='7'/></iq>`},
		{`<presence scansion:strict='true'><x xmlns='v'/></presence>`, `<presence><x xmlns='v'/><y/></presence>`},
		{`<s:x xmlns:s='urn:s' s:b='1'><s:y/></s:x>`, `<t:x xmlns:t='urn:s' t:b='1'>a<t:y/>b</t:x>`},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, expected, received string) {
		es, err := ParseBlock(expected)
		if err != nil || len(es) == 0 {
			return
		}
		rs, err := ParseBlock(received)
		if err != nil {
			return
		}
		e := compileExpected(es[0])
		m1, m2 := NewMatcher(), NewMatcher()
		for _, r := range rs {
			_, ok1 := m1.matches(e, r)
			ok2 := m2.matchesValue(e, stanza.FromElement(r))
			if ok1 != ok2 {
				t.Fatalf("%s against %s: compiled %v, in place %v", expected, stanza.FromElement(r).Canonical(), ok1, ok2)
			}
			if d := cmp.Diff(m1.captures, m2.captures); d != "" {
				t.Fatalf("%s against %s: captures differ (-compiled +in place):\n%s", expected, stanza.FromElement(r).Canonical(), d)
			}
		}
	})
}

// testdataStanzas returns every stanza of the scripts in testdata that
// parse (the others are the parser tests' error cases).
func testdataStanzas(t *testing.T) []*etree.Element {
	t.Helper()
	files, _ := filepath.Glob("testdata/*.scs")
	if len(files) == 0 {
		t.Fatal("no scripts in testdata")
	}
	var els []*etree.Element
	for _, s := range parsedScripts(t, files) {
		for _, a := range s.Actions {
			for _, st := range a.Stanzas {
				els = append(els, st.Elem)
			}
		}
	}
	return els
}
