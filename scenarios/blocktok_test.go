package scenarios

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// allTokens drains src. Each token's attributes are copied (the reader
// reuses their room), and an empty list is nil.
func allTokens(src *tokReader) ([]rawTok, error) {
	var out []rawTok
	for {
		var t rawTok
		err := src.next(&t)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		t.attr = append([]tokAttr(nil), t.attr...)
		out = append(out, t)
	}
}

// fastTokens is the fast scanner's reading of text, or false when it
// does not read it (text is not fastSafe, or it gives up).
func fastTokens(text string) ([]rawTok, bool) {
	if !fastSafe(text) {
		return nil, false
	}
	r := tokReader{}
	r.fast.reset(text)
	toks, err := allTokens(&r)
	return toks, err == nil
}

// checkFastTokens fails when fastTokens accepts text but disagrees with
// encoding/xml.
func checkFastTokens(t *testing.T, text string) {
	t.Helper()
	fast, ok := fastTokens(text)
	if !ok {
		return
	}
	ref, err := allTokens(&tokReader{x: newXMLTokens(text)})
	if err != nil {
		t.Fatalf("fastTokens accepted %q, encoding/xml rejects it: %v", text, err)
	}
	if len(fast) == 0 && len(ref) == 0 {
		return
	}
	if !reflect.DeepEqual(fast, ref) {
		t.Fatalf("tokens of %q differ:\nfast: %+v\nxml:  %+v", text, fast, ref)
	}
}

var fastTokenCases = []string{
	``,
	`<presence/>`,
	"\t<presence/>\n",
	`<presence from="${Romeo's full JID}"/>`,
	"<presence\n  to='a@b'\n  type=\"x\" />",
	"<message type='chat'>\n  <body>ohai</body>\n</message>\n",
	`<iq xmlns:a='urn:a' a:x='1'y='2'><a:q/></iq>`,
	`<a x = '1' ></a >`,
	`<a>x > y</a>`,
	`<a x='"'/>`,
	"<a>\n\n<b/>\n</a>trailing",
	`<a:b/>`,
	`<a/><b/>`,
	// Given up on: encoding/xml decides.
	`<a x='&amp;'/>`, `<!-- c --><a/>`, `<?pi?><a/>`, "<a>\r\n</a>", `<a>]]></a>`,
	`<a:/>`, `<:a/>`, `<a:b:c/>`, `<a x/>`, `<a x=1/>`, `<a x='<'/>`, `<a`, `<a x='1`, `</`, `<`,
	`<1a/>`, `<a/ >`, `</a x>`, "<a>é</a>",
}

func TestFastTokensAgree(t *testing.T) {
	for _, c := range fastTokenCases {
		checkFastTokens(t, c)
	}
	// Every block of every script in the corpora.
	blocks := 0
	for _, data := range corpusBlocks(t) {
		checkFastTokens(t, data)
		if _, ok := fastTokens(data); ok {
			blocks++
		}
	}
	t.Logf("%d blocks read by the fast path", blocks)
}

// corpusBlocks returns the text of every sends and receives block of the
// scripts in testdata and, when it is beside the checkout, ../shared's
// public corpus (scripts that do not parse are left out).
func corpusBlocks(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"testdata", filepath.Join("..", "..", "shared", "scansion")} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.scs"))
		files = append(files, m...)
	}
	var texts []string
	for _, s := range parsedScripts(t, files) {
		for _, a := range s.Actions {
			if a.Data != "" && !a.Nothing {
				texts = append(texts, a.Data)
			}
		}
	}
	return texts
}

// parsedScripts reads and parses files, leaving out the scripts that do
// not parse (the parser tests' error cases).
func parsedScripts(t *testing.T, files []string) []*Script {
	t.Helper()
	var out []*Script
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if s, err := Parse(f, src); err == nil {
			out = append(out, s)
		}
	}
	return out
}

func FuzzFastTokens(f *testing.F) {
	for _, c := range fastTokenCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if strings.Count(text, "<") > 200 {
			return
		}
		checkFastTokens(t, text)
		checkEstimateSafe(t, text)
	})
}

// checkEstimateSafe fails when the estimate's verdict on text differs
// from fastSafe's (the parser trusts it for every block of a script).
func checkEstimateSafe(t *testing.T, text string) {
	t.Helper()
	var b parseSlabs
	if got, want := b.estimate(text), fastSafe(text); got != want {
		t.Fatalf("estimate says fastSafe(%q) is %v, fastSafe %v", text, got, want)
	}
}

func TestEstimateSafeAgrees(t *testing.T) {
	cases := append([]string{"]]>", "a]]", "]]", "x]>", "\r", "\x7f", "\x1f", "é", "&", "\t\n"}, fastTokenCases...)
	for _, c := range cases {
		checkEstimateSafe(t, c)
	}
	for _, data := range corpusBlocks(t) {
		checkEstimateSafe(t, data)
	}
}

// TestRootPrefixAgrees: the parser's switch over the pre-declared
// prefixes is expectedRoot's map.
func TestRootPrefixAgrees(t *testing.T) {
	for _, prefix := range []string{"", "scansion", "xml", "xmlns", "other", "Scansion"} {
		ns, ok := rootPrefix(prefix)
		want, wok := expectedRoot.root[prefix]
		if ns != want || ok != wok {
			t.Errorf("rootPrefix(%q) = %q, %v; expectedRoot has %q, %v", prefix, ns, ok, want, wok)
		}
	}
}
