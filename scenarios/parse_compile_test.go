package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// checkCompiledAgrees fails when a stanza of s, compiled while it was
// parsed, differs from compileStanza's compiling of its Elem, the form
// each run made before the parse compiled (and still makes for a Stanza
// Parse did not make).
func checkCompiledAgrees(t *testing.T, name string, s *Script) {
	t.Helper()
	for i, a := range s.Actions {
		for j, st := range a.Stanzas {
			got := st.compiled
			if got == nil {
				t.Fatalf("%s: action %d stanza %d: not compiled by Parse", name, i+1, j+1)
			}
			want := compileStanza(st.Elem, a.Verb == Sends)
			if got.src != st.Elem || got.sending != want.sending {
				t.Fatalf("%s: action %d stanza %d: compiled from another element, or for the other use", name, i+1, j+1)
			}
			if !sameXnode(got.exp, want.exp) {
				t.Fatalf("%s: action %d stanza %d: expected node %s, compileStanza %s", name, i+1, j+1, dumpXnode(got.exp), dumpXnode(want.exp))
			}
			if !reflect.DeepEqual(got.vars, want.vars) || !reflect.DeepEqual(got.sendVars, want.sendVars) {
				t.Fatalf("%s: action %d stanza %d: variables %q/%q, compileStanza %q/%q", name, i+1, j+1, got.vars, got.sendVars, want.vars, want.sendVars)
			}
			if (got.memo == nil) != (want.memo == nil) {
				t.Fatalf("%s: action %d stanza %d: memo %v, compileStanza %v", name, i+1, j+1, got.memo != nil, want.memo != nil)
			}
			if got.send.IsZero() != want.send.IsZero() || (!got.send.IsZero() && (got.send.Canonical() != want.send.Canonical() || !reflect.DeepEqual(got.send.Attrs(), want.send.Attrs()))) {
				t.Fatalf("%s: action %d stanza %d: stanza to send differs from compileStanza's", name, i+1, j+1)
			}
		}
	}
}

// sameXnode compares two compiled trees field by field (an empty list
// and a nil one are the same).
func sameXnode(a, b *xnode) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.ns != b.ns || a.local != b.local || a.text != b.text || a.strict != b.strict || a.capture != b.capture ||
		len(a.attrs) != len(b.attrs) || len(a.kids) != len(b.kids) {
		return false
	}
	for i := range a.attrs {
		if a.attrs[i] != b.attrs[i] {
			return false
		}
	}
	for i := range a.kids {
		if !sameXnode(a.kids[i], b.kids[i]) {
			return false
		}
	}
	return true
}

func dumpXnode(n *xnode) string {
	if n == nil {
		return "nil"
	}
	s := "<" + n.ns + " " + n.local
	for _, a := range n.attrs {
		s += " " + a.ns + ":" + a.local + "=" + a.value
	}
	s += fmt.Sprintf(" strict=%v capture=%v>", n.strict, n.capture) + n.text
	for _, k := range n.kids {
		s += dumpXnode(k)
	}
	return s + "</>"
}

// parseCompiledCases exercise the compile's rules: strictness inherited
// and overridden, namespaces declared and prefixed, captures deep down,
// text in pieces around comments, variables in sends with and without
// directives.
const parseCompiledScript = `[Client] Romeo
	jid: romeo@localhost

Romeo sends:
	<iq type="set" id="${Romeo's JID}" xmlns:s="https://matthewwild.co.uk/projects/scansion" s:strict="true"><query xmlns="a" to="${Romeo's full JID}"/></iq>

Romeo sends:
	<message to="${Romeo's JID}"><body>a<!-- c -->b</body></message>

Romeo receives:
	<iq type="result" scansion:strict="true" xmlns:p="urn:p" p:x="${Romeo's JID}">
		<query xmlns="jabber:iq:roster" scansion:strict="false"><item jid="{scansion:capture:j}"/></query>
		<p:thing xml:lang="en">  text <!-- c --> more  </p:thing>
		<other xmlns="urn:o"><deep><deeper id="{scansion:any}"/></deep></other>
	</iq>

Romeo receives:
	<message><body>x &amp; y</body> <body/> </message>
`

func TestParseCompiledAgrees(t *testing.T) {
	s, err := Parse("c.scs", []byte(parseCompiledScript))
	if err != nil {
		t.Fatal(err)
	}
	checkCompiledAgrees(t, "c.scs", s)
	var files []string
	for _, dir := range []string{"testdata", filepath.Join("..", "..", "shared", "scansion"), filepath.Join("..", "..", "shared", "scansion-upstream")} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.scs"))
		files = append(files, m...)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if s, err := Parse(f, src); err == nil {
			checkCompiledAgrees(t, f, s)
		}
	}
}

// FuzzParseCompiled: for every script Parse accepts, what it compiled
// while parsing is what compileStanza makes of the parsed elements.
func FuzzParseCompiled(f *testing.F) {
	f.Add([]byte(parseCompiledScript))
	for _, dir := range []string{"testdata", filepath.Join("..", "..", "shared", "scansion")} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.scs"))
		for _, file := range m {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if s, err := Parse("f.scs", src); err == nil {
			checkCompiledAgrees(t, "f.scs", s)
		}
	})
}
