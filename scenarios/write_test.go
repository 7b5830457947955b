package scenarios_test

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/scenarios"
)

// The layout of §8 (mod_scansion_record): TAB-indented properties, a
// "-----" separator followed by a blank line, every action followed by a
// blank line, one TAB before a stanza and one more per nesting level.
func TestFormatLayout(t *testing.T) {
	src := `# Title
## status: stable
[Client] Romeo
  jid: romeo@localhost
  password: password
[Client] Juliet's phone
  jid: juliet@localhost
  resource: mobile
---
Romeo connects:
Romeo sends: <message to="${Juliet's phone's full JID}" type='chat'><body>a&amp;b</body><x xmlns='urn:x'><y k='1'/></x></message>
# a comment
Romeo receives:
  <message>
        <body>mixed <b>content</b></body>
  </message>
Romeo receives: nothing
Romeo disconnects
`
	s, err := scenarios.Parse("f.scs", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := "# Title\n" +
		"## status: stable\n" +
		"\n" +
		"[Client] Romeo\n" +
		"\tjid: romeo@localhost\n" +
		"\tpassword: password\n" +
		"\n" +
		"[Client] Juliet's phone\n" +
		"\tjid: juliet@localhost\n" +
		"\tresource: mobile\n" +
		"\n" +
		"-----\n" +
		"\n" +
		"Romeo connects\n" +
		"\n" +
		"Romeo sends:\n" +
		"\t<message to=\"${Juliet's phone's full JID}\" type='chat'>\n" +
		"\t\t<body>a&amp;b</body>\n" +
		"\t\t<x xmlns='urn:x'>\n" +
		"\t\t\t<y k='1'/>\n" +
		"\t\t</x>\n" +
		"\t</message>\n" +
		"\n" +
		"# a comment\n" +
		"Romeo receives:\n" +
		"\t<message>\n" +
		"\t\t<body>mixed <b>content</b></body>\n" +
		"\t</message>\n" +
		"\n" +
		"Romeo receives: nothing\n" +
		"\n" +
		"Romeo disconnects\n" +
		"\n"
	if got := string(scenarios.Format(s)); got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatEscapesLineBreaks(t *testing.T) {
	// A line break in a text or attribute value must not put a data line
	// at column 0, where it would end the block.
	src := "[Client] A\n\tjid: a@localhost\nA sends: <message id='a&#10;b'><body>one&#10;two</body><x>&#10;</x></message>\n"
	s, err := scenarios.Parse("f.scs", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out := scenarios.Format(s)
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "two") || strings.HasPrefix(l, "b'") {
			t.Fatalf("line break written literally:\n%s", out)
		}
	}
	s2, err := scenarios.Parse("f.scs", out)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := scenarios.Summary(s), scenarios.Summary(s2); a != b {
		t.Errorf("round trip:\n%s\n%s", a, b)
	}
}

func TestFormatRoundTrip(t *testing.T) {
	files := append(scripts(t, "testdata"), scripts(t, sharedDir())...)
	cases := map[string]*scenarios.Script{}
	for _, f := range files {
		cases[f] = mustParse(t, f)
	}
	rich, err := scenarios.Parse("rich.scs", []byte(richScript))
	if err != nil {
		t.Fatal(err)
	}
	cases["rich"] = rich
	for name, s := range cases {
		out := scenarios.Format(s)
		s2, err := scenarios.Parse(s.File, out)
		if err != nil {
			t.Errorf("%s: Format output does not parse: %v\n%s", name, err, out)
			continue
		}
		if a, b := scenarios.Summary(s), scenarios.Summary(s2); a != b {
			t.Errorf("%s: round trip differs:\n%s\n---\n%s", name, a, b)
		}
		if again := scenarios.Format(s2); string(again) != string(out) {
			t.Errorf("%s: Format is not stable:\n%s\n---\n%s", name, out, again)
		}
	}
}
