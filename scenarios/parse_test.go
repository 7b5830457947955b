package scenarios_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
)

// lineOf returns the 1-based number of the first line of src that
// equals line.
func lineOf(t *testing.T, src, line string) int {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if l == line {
			return i + 1
		}
	}
	t.Fatalf("no line %q", line)
	return 0
}

const richScript = `# Title here
# More description
# second line
## slow
## status: stable: really

[Client] Juliet's phone
	jid: Juliet@localhost
	password: password
	resource: mobile
	custom: kept
// a comment between definitions
[Client] Romeo
  jid: romeo@localhost/balcony

---------

# Act 1
-- lua style
Romeo connects
Juliet's phone connects

Romeo sends
	<message to="${Juliet's phone's full JID}">

		<body>a &amp; b</body>
	</message>

Juliet's phone receives:
	<message from="${Romeo's full JID}" xml:lang='en'/>
Romeo sends: <presence/>
Romeo receives: nothing
Romeo disconnects
-- trailing
`

func TestParseFeatures(t *testing.T) {
	s, err := scenarios.Parse("rich.scs", []byte(richScript))
	if err != nil {
		t.Fatal(err)
	}
	if s.File != "rich.scs" || s.Title != "Title here" || s.Description != "More description\nsecond line" {
		t.Errorf("header: file %q title %q description %q", s.File, s.Title, s.Description)
	}
	wantTags := []scenarios.Tag{{Name: "slow"}, {Name: "status", Value: "stable: really"}}
	if len(s.Tags) != 2 || s.Tags[0].Name != wantTags[0].Name || s.Tags[0].Value != "" ||
		s.Tags[1].Name != wantTags[1].Name || s.Tags[1].Value != wantTags[1].Value || s.Tags[1].Pos.Line != 5 {
		t.Errorf("tags = %+v", s.Tags)
	}
	if len(s.Clients) != 2 {
		t.Fatalf("clients = %d", len(s.Clients))
	}
	phone, romeo := s.Clients[0], s.Clients[1]
	if phone.Name != "Juliet's phone" || phone.Pos.Line != 7 || phone.Resource() != "mobile" ||
		phone.JID() != (model.JID{Node: "juliet", Domain: "localhost"}) {
		t.Errorf("phone = %+v (resource %q, jid %v)", phone, phone.Resource(), phone.JID())
	}
	if v, ok := phone.Prop("custom"); !ok || v != "kept" {
		t.Errorf("unknown property not kept: %q %v", v, ok)
	}
	if romeo.Name != "Romeo" || romeo.Resource() != "balcony" || s.Client("Romeo") != romeo {
		t.Errorf("romeo = %+v", romeo)
	}
	if len(s.Warnings) != 1 || s.Warnings[0].Pos.Line != 11 || !strings.Contains(s.Warnings[0].Msg, `unknown property "custom"`) {
		t.Errorf("warnings = %v", s.Warnings)
	}

	type act struct {
		client  string
		verb    scenarios.Verb
		nothing bool
		line    string // the action line, to find its number
		stanza  string // canonical form of the single stanza
	}
	want := []act{
		{"Romeo", scenarios.Connects, false, "Romeo connects", ""},
		{"Juliet's phone", scenarios.Connects, false, "Juliet's phone connects", ""},
		{"Romeo", scenarios.Sends, false, "Romeo sends", `<message to='${Juliet&apos;s phone&apos;s full JID}'><body>a &amp; b</body></message>`},
		{"Juliet's phone", scenarios.Receives, false, "Juliet's phone receives:", `<message from='${Romeo&apos;s full JID}' xml:lang='en'/>`},
		{"Romeo", scenarios.Sends, false, "Romeo sends: <presence/>", `<presence/>`},
		{"Romeo", scenarios.Receives, true, "Romeo receives: nothing", ""},
		{"Romeo", scenarios.Disconnects, false, "Romeo disconnects", ""},
	}
	if len(s.Actions) != len(want) {
		t.Fatalf("%d actions, want %d", len(s.Actions), len(want))
	}
	for i, w := range want {
		a := s.Actions[i]
		if a.Client != w.client || a.Verb != w.verb || a.Nothing != w.nothing || a.Pos.Line != lineOf(t, richScript, w.line) || a.Pos.File != "rich.scs" {
			t.Errorf("action %d = %s %s nothing=%v at %v, want %s %s nothing=%v line %d", i+1,
				a.Client, a.Verb, a.Nothing, a.Pos, w.client, w.verb, w.nothing, lineOf(t, richScript, w.line))
		}
		switch {
		case w.stanza == "" && len(a.Stanzas) != 0:
			t.Errorf("action %d has stanzas", i+1)
		case w.stanza != "" && (len(a.Stanzas) != 1 || model.Canonical(a.Stanzas[0].Elem) != w.stanza):
			t.Errorf("action %d stanzas = %v, want %s", i+1, a.Stanzas, w.stanza)
		}
	}
	if c := s.Actions[0].Comments; len(c) != 2 || c[0] != "# Act 1" || c[1] != "-- lua style" {
		t.Errorf("comments of action 1 = %q", c)
	}
	if len(s.Trailer) != 1 || s.Trailer[0] != "-- trailing" {
		t.Errorf("trailer = %q", s.Trailer)
	}
	st := s.Actions[2].Stanzas[0]
	if st.Pos.Line != lineOf(t, richScript, "\t<message to=\"${Juliet's phone's full JID}\">") {
		t.Errorf("stanza line = %d", st.Pos.Line)
	}
	if !strings.HasPrefix(st.Raw, "<message to=") || !strings.HasSuffix(st.Raw, "</message>") {
		t.Errorf("raw = %q", st.Raw)
	}
	if st.Elem.NamespaceURI() != "jabber:client" {
		t.Errorf("stanza namespace = %q, want jabber:client from the wrapper", st.Elem.NamespaceURI())
	}
	if d := s.Actions[2].Data; !strings.HasPrefix(d, "<message") || !strings.Contains(d, "\n\n") {
		t.Errorf("data = %q: want the block as written, blank line included", d)
	}
}

func TestParseLineEndingsAndIndentation(t *testing.T) {
	src := "\uFEFF# T\r\n\r\n[Client] Romeo\r\n    jid: romeo@localhost\r\n-----\r\nRomeo sends:\r\n  <presence>\r\n      <status>hi</status>\r\n  </presence>\r\n"
	s, err := scenarios.Parse("crlf.scs", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if s.Title != "T" || len(s.Actions) != 1 || model.Canonical(s.Actions[0].Stanzas[0].Elem) != "<presence><status>hi</status></presence>" {
		t.Errorf("got title %q, actions %d", s.Title, len(s.Actions))
	}
}

func TestParseMultiStanzaBlock(t *testing.T) {
	// server_contact_info.scs: a blank line, then a second stanza that
	// lost its action line. Accepted with a warning (§1.6, §10).
	src := "[Client] Romeo\n\tjid: romeo@localhost\n\nRomeo sends:\n\t<iq type='get' id='1'/>\n\n\t<iq type='result' id='2'/>\n\nRomeo receives:\n\t<a/>\n\t<b/>\n"
	s, err := scenarios.Parse("two.scs", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Actions[0].Stanzas); n != 2 {
		t.Fatalf("sends holds %d stanzas, want 2", n)
	}
	if p := s.Actions[0].Stanzas[1].Pos.Line; p != 7 {
		t.Errorf("second stanza on line %d, want 7", p)
	}
	want := []string{
		"two.scs:4: sends block holds 2 stanzas (lines 5, 7); they are sent as one burst, without waiting for answers in between",
		"two.scs:9: receives block holds 2 stanzas (lines 10, 11); each is expected in turn",
	}
	if len(s.Warnings) != 2 || s.Warnings[0].Error() != want[0] || s.Warnings[1].Error() != want[1] {
		t.Errorf("warnings = %v, want %q", s.Warnings, want)
	}
}

func TestParseWarnings(t *testing.T) {
	src := "[Client] Romeo\n\tjid: romeo@localhost/a\n\tresource: b\n\nRomeo sends:\n\t<message scansion:strict='true' id='{scansion:any}'><body>${Romeo's JID}</body></message>\n"
	s, err := scenarios.Parse("w.scs", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`w.scs:1: [Client] Romeo: jid has resource "a" and the resource property is "b"; the resource property wins`,
		`w.scs:6: scansion:strict on <message> has no effect in a sends block and is not sent`,
		`w.scs:6: id="{scansion:any}" on <message>: value directives apply to receives only; the value is sent literally`,
		`w.scs:6: variables are substituted in attribute values only; "${Romeo's JID}" in text is used literally`,
	}
	var got []string
	for _, w := range s.Warnings {
		got = append(got, w.Error())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s.Client("Romeo").Resource() != "b" {
		t.Errorf("resource = %q, want the property's b", s.Client("Romeo").Resource())
	}
}

const errHead = "[Client] Romeo\n\tjid: romeo@localhost\n-----\n" // lines 1-3

var parseErrors = []struct {
	name, src string
	want      string // "file:line: " prefix and a distinctive part
}{
	{"unknown client", errHead + "Juliet connects\n", `e.scs:4: unknown client "Juliet"`},
	{"unknown verb", errHead + "Romeo kisses Juliet\n", `e.scs:4: unknown verb "Juliet"`},
	{"unknown verb with colon", errHead + "Romeo send:\n\t<presence/>\n", `e.scs:4: unknown verb "send"`},
	{"missing name", errHead + "sends:\n\t<presence/>\n", `e.scs:4: missing client name before "sends"`},
	{"prose line", errHead + "Hello\n", `e.scs:4: expected an action "<Name> <verb>"`},
	{"data on connects", errHead + "Romeo connects\n\t<presence/>\n", `e.scs:5: Romeo connects takes no data`},
	{"inline data on disconnects", errHead + "Romeo disconnects: now\n", `e.scs:4: Romeo disconnects takes no data`},
	{"empty sends", errHead + "Romeo sends:\n\nRomeo disconnects\n", `e.scs:4: empty sends block`},
	{"empty receives", errHead + "Romeo receives:\n", `e.scs:4: empty receives block`},
	{"mismatched end tag", errHead + "Romeo sends:\n\t<message>\n\t\t<body>hi</bod>\n\t</message>\n", `e.scs:6: malformed XML: end tag </bod> does not match <body> opened on line 6`},
	{"unclosed element", errHead + "Romeo sends:\n\t<message>\n\t\t<body>hi</body>\n", `e.scs:5: malformed XML: <message> is never closed`},
	{"unquoted attribute", errHead + "Romeo sends:\n\t<message>\n\t<body type=x/></message>\n", `e.scs:6: malformed XML:`},
	{"unknown entity", errHead + "Romeo sends:\n\n\t<message>&nbsp;</message>\n", `e.scs:6: malformed XML:`},
	{"text outside element", errHead + "Romeo sends:\n\thello <presence/>\n", `e.scs:5: text outside an element: "hello"`},
	{"receives nothing plus block", errHead + "Romeo receives: nothing\n\t<presence/>\n", `e.scs:4: text outside an element: "nothing"`},
	{"undeclared prefix", errHead + "Romeo sends:\n\t<foo:bar/>\n", `e.scs:5: undeclared namespace prefix "foo"`},
	{"unknown directive", errHead + "Romeo receives:\n\t<message scansion:loose='true'/>\n", `e.scs:5: unknown directive scansion:loose`},
	{"bad strict value", errHead + "Romeo receives:\n\t<message scansion:strict='yes'/>\n", `e.scs:5: scansion:strict="yes" on <message>: expected "true" or "false"`},
	{"unknown value directive", errHead + "Romeo receives:\n\t<message id='{scansion:anything}'/>\n", `e.scs:5: id="{scansion:anything}" on <message>: unknown value directive`},
	{"variable of unknown client", errHead + "Romeo sends:\n\t<message\n\t  to=\"${Mercutio's JID}\"/>\n", `e.scs:5: attribute to of <message>: unknown client "Mercutio" in ${Mercutio's JID}`},
	{"variable with unknown property", errHead + "Romeo sends:\n\t<message to=\"${Romeo's resource}\"/>\n", `e.scs:5: attribute to of <message>: unknown property "resource"`},
	{"malformed variable", errHead + "Romeo sends:\n\t<message to=\"${Romeo}\"/>\n", `e.scs:5: attribute to of <message>: malformed variable ${Romeo}`},
	{"unterminated variable", errHead + "Romeo sends:\n\t<message to=\"${Romeo's JID\"/>\n", `e.scs:5: attribute to of <message>: unterminated variable`},
	{"property outside client", "# T\n\tjid: romeo@localhost\n", `e.scs:2: property line "jid: romeo@localhost" outside a [Client] block`},
	{"property after blank line", "[Client] Romeo\n\tjid: romeo@localhost\n\n\tpassword: x\n", `e.scs:4: property line "password: x" outside a [Client] block`},
	{"data after a comment", errHead + "Romeo sends:\n\t<presence/>\n# comment\n\t<presence/>\n", `e.scs:7: indented data outside an action block`},
	{"duplicate client", errHead + "[Client] Romeo\n\tjid: other@localhost\n", `e.scs:4: duplicate client name "Romeo" (first defined on line 1)`},
	{"missing jid", "[Client] Romeo\n\tpassword: x\n", `e.scs:1: [Client] Romeo has no jid property`},
	{"malformed jid", "[Client] Romeo\n\tjid: @localhost\n", `e.scs:2: jid "@localhost" of [Client] Romeo: malformed JID`},
	{"jid without localpart", "[Client] Romeo\n\tjid: localhost\n", `e.scs:2: jid "localhost" of [Client] Romeo has no localpart`},
	{"duplicate property", "[Client] Romeo\n\tjid: romeo@localhost\n\tjid: romeo@localhost\n", `e.scs:3: duplicate property "jid" in [Client] Romeo (first on line 2)`},
	{"bad port", "[Client] Romeo\n\tjid: romeo@localhost\n\tconnect_port: http\n", `e.scs:3: connect_port "http" of [Client] Romeo`},
	{"not a property", "[Client] Romeo\n\tjid: romeo@localhost\n\t<presence/>\n", `e.scs:3: expected a property line "key: value" in [Client] Romeo`},
	{"unknown class", "[Room] Lobby\n\tjid: lobby@localhost\n", `e.scs:1: unknown class [Room]`},
	{"definition without name", "[Client]\n", `e.scs:1: missing name after [Client]`},
	{"unclosed class", "[Client Romeo\n", `e.scs:1: expected a definition "[Client] Name"`},
	{"definition after actions", errHead + "Romeo connects\n[Client] Juliet\n\tjid: juliet@localhost\n", `e.scs:5: definition of "Juliet" after the first action`},
	{"invalid UTF-8", errHead + "Romeo connects \xff\n", `e.scs:4: invalid UTF-8`},
}

func TestParseErrors(t *testing.T) {
	for _, c := range parseErrors {
		t.Run(c.name, func(t *testing.T) {
			s, err := scenarios.Parse("e.scs", []byte(c.src))
			if err == nil {
				t.Fatalf("no error; script %+v", s)
			}
			if s != nil {
				t.Error("script returned together with an error")
			}
			var list scenarios.ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T is not an ErrorList", err)
			}
			if !strings.HasPrefix(list[0].Error(), c.want) {
				t.Errorf("first error = %q\nwant prefix  %q", list[0].Error(), c.want)
			}
		})
	}
}

func TestParseCollectsAllErrors(t *testing.T) {
	src := errHead + "Juliet connects\nRomeo dances\n"
	_, err := scenarios.Parse("e.scs", []byte(src))
	list, ok := err.(scenarios.ErrorList)
	if !ok || len(list) != 2 || list[0].Pos.Line != 4 || list[1].Pos.Line != 5 {
		t.Fatalf("err = %v", err)
	}
	if want := `e.scs:4: unknown client "Juliet" in "Juliet connects" (defined: "Romeo") (and 1 more error)`; err.Error() != want {
		t.Errorf("Error() = %q\nwant       %q", err.Error(), want)
	}
}

// sharedDir locates ../shared/scansion relative to the module root.
func sharedDir() string { return filepath.Join("..", "..", "shared", "scansion") }

func TestParseReferenceScripts(t *testing.T) {
	files := append(scripts(t, "testdata"), scripts(t, sharedDir())...)
	if len(files) == 0 {
		t.Skip("no scripts")
	}
	for _, f := range files {
		s := mustParse(t, f)
		if len(s.Warnings) != 0 {
			t.Errorf("%s: warnings %v", f, s.Warnings)
		}
		if len(s.Actions) == 0 || len(s.Clients) == 0 {
			t.Errorf("%s: %d clients, %d actions", f, len(s.Clients), len(s.Actions))
		}
	}
}

func scripts(t testing.TB, dir string) []string {
	files, err := filepath.Glob(filepath.Join(dir, "*.scs"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func mustParse(t testing.TB, file string) *scenarios.Script {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenarios.Parse(filepath.Base(file), src)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return s
}

// FuzzParse checks that no input makes Parse panic, and that every
// script it accepts survives Format and Parse unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte(richScript))
	for _, c := range parseErrors {
		f.Add([]byte(c.src))
	}
	for _, dir := range []string{"testdata", sharedDir()} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.scs"))
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := scenarios.Parse("f.scs", src)
		if err != nil {
			return
		}
		out := scenarios.Format(s)
		s2, err := scenarios.Parse("f.scs", out)
		if err != nil {
			t.Fatalf("Format output does not parse: %v\n%s", err, out)
		}
		if a, b := scenarios.Summary(s), scenarios.Summary(s2); a != b {
			t.Fatalf("round trip differs:\n%s\n---\n%s\n--- formatted:\n%s", a, b, out)
		}
	})
}

// TestParseActionTextCRLF checks that an action's text reads the same
// whether it is cut from the source (LF line ends) or joined from its
// lines (CRLF line ends, which the parser trims, take that path): every
// action's data, every stanza's raw text and position, and the summary
// agree, for every script of both corpora.
func TestParseActionTextCRLF(t *testing.T) {
	files := append(scripts(t, "testdata"), scripts(t, sharedDir())...)
	if len(files) == 0 {
		t.Skip("no scripts")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lf := mustParseBytes(t, f, src)
		crlf := mustParseBytes(t, f, []byte(strings.ReplaceAll(string(src), "\n", "\r\n")))
		if a, b := scenarios.Summary(lf), scenarios.Summary(crlf); a != b {
			t.Errorf("%s: summaries differ:\n%s\n---\n%s", f, a, b)
			continue
		}
		for i, a := range lf.Actions {
			b := crlf.Actions[i]
			if a.Data != b.Data {
				t.Errorf("%s: action %d: data %q, with CRLF %q", f, i+1, a.Data, b.Data)
			}
			for j, st := range a.Stanzas {
				if st.Raw != b.Stanzas[j].Raw || st.Pos != b.Stanzas[j].Pos {
					t.Errorf("%s: action %d stanza %d: %q at %v, with CRLF %q at %v", f, i+1, j+1, st.Raw, st.Pos, b.Stanzas[j].Raw, b.Stanzas[j].Pos)
				}
			}
		}
	}
}

// TestParseBlankLineWithSpaces: a blank line inside a block reads as
// empty whatever spaces it holds, so the leaf's text is the same.
func TestParseBlankLineWithSpaces(t *testing.T) {
	const script = "[Client] Romeo\n\tjid: romeo@localhost\n\nRomeo sends:\n\t<message>\n\t\t<body>a\n%s\n\t\tb</body>\n\t</message>\n"
	plain := mustParseBytes(t, "a.scs", []byte(fmt.Sprintf(script, "")))
	spaced := mustParseBytes(t, "b.scs", []byte(fmt.Sprintf(script, "  \t ")))
	if a, b := plain.Actions[0].Data, spaced.Actions[0].Data; a != b {
		t.Errorf("data %q, with spaces on the blank line %q", a, b)
	}
	if !strings.Contains(plain.Actions[0].Data, "a\n\n\t\tb") {
		t.Errorf("data %q: want the blank line kept empty", plain.Actions[0].Data)
	}
}

func mustParseBytes(t testing.TB, file string, src []byte) *scenarios.Script {
	t.Helper()
	s, err := scenarios.Parse(filepath.Base(file), src)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return s
}
