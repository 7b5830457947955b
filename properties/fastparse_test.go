package properties

import (
	"fmt"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"pgregory.net/rapid"
)

// sameTree reports how a and b differ as etree trees ("" if not): tags,
// spaces, attributes in order, child tokens (elements, text with its
// whitespace flag).
func sameTree(a, b *etree.Element) string {
	if a.Space != b.Space || a.Tag != b.Tag {
		return fmt.Sprintf("element %s:%s vs %s:%s", a.Space, a.Tag, b.Space, b.Tag)
	}
	if len(a.Attr) != len(b.Attr) {
		return fmt.Sprintf("%s: %d vs %d attributes", a.Tag, len(a.Attr), len(b.Attr))
	}
	for i := range a.Attr {
		if a.Attr[i].Space != b.Attr[i].Space || a.Attr[i].Key != b.Attr[i].Key || a.Attr[i].Value != b.Attr[i].Value {
			return fmt.Sprintf("%s: attribute %d %+v vs %+v", a.Tag, i, a.Attr[i], b.Attr[i])
		}
	}
	if len(a.Child) != len(b.Child) {
		return fmt.Sprintf("%s: %d vs %d children", a.Tag, len(a.Child), len(b.Child))
	}
	for i := range a.Child {
		switch x := a.Child[i].(type) {
		case *etree.Element:
			y, ok := b.Child[i].(*etree.Element)
			if !ok {
				return fmt.Sprintf("%s: child %d kinds differ", a.Tag, i)
			}
			if d := sameTree(x, y); d != "" {
				return d
			}
		case *etree.CharData:
			y, ok := b.Child[i].(*etree.CharData)
			if !ok || x.Data != y.Data || x.IsWhitespace() != y.IsWhitespace() || x.IsCData() != y.IsCData() {
				return fmt.Sprintf("%s: text child %d differs", a.Tag, i)
			}
		default:
			return fmt.Sprintf("%s: child %d of type %T", a.Tag, i, x)
		}
	}
	return ""
}

func checkFastParse(t interface{ Fatalf(string, ...any) }, s string) {
	want, werr := parseStanzaEtree(s)
	got, ok := fastParse(s)
	if !ok {
		return // falls back to etree
	}
	if werr != nil {
		t.Fatalf("fastParse accepts %q, etree rejects it: %v", s, werr)
	}
	if d := sameTree(want, got); d != "" {
		t.Fatalf("fastParse(%q) differs from etree: %s", s, d)
	}
	if model.Canonical(want) != model.Canonical(got) {
		t.Fatalf("fastParse(%q): canonical forms differ", s)
	}
}

// TestFastParseMatchesEtree: on every stanza random runs send and record,
// and on edge cases, fastParse either declines or builds the tree
// etree's reader builds.
func TestFastParseMatchesEtree(t *testing.T) {
	for _, s := range []string{
		"<a/>", "<a x='1' y=\"2\"/>", "<a x='1' x='2'/>", "<a>t &amp; &lt;&gt;&apos;&quot;</a>", "<a> <b/> </a>",
		"<a xml:lang='en' xmlns='u'><b:c xmlns:b='v'/></a>", "<a>&#65;</a>", "<a><!-- c --></a>", "<a><![CDATA[x]]></a>",
		"<a>x\r\ny</a>", "<a b='&foo;'/>", "<a></b>", "<a>", "<a/><b/>", " <a/>", "<a/> ", "<a b='1'c='2'/>", "<1a/>",
		"<a:b:c/>", "<:a/>", "<a x='\t'/>", "<a>é</a>", "<a>]]></a>", "<a\n x = '1' />", "<a></a >",
	} {
		checkFastParse(t, s)
	}
	// the fast path is taken for the usual stanzas
	for _, s := range []string{"<presence/>", "<message id='m1' to='u2@localhost' type='chat'><body>hi 1</body></message>",
		"<iq id='b1' type='set'><block xmlns='urn:xmpp:blocking'><item jid='u2@localhost'/></block></iq>",
		"<presence from='u1@localhost/a' xml:lang='en'><x xmlns='vcard-temp:x:update'><photo/></x></presence>"} {
		if _, ok := fastParse(s); !ok {
			t.Errorf("fastParse declines %q", s)
		}
	}
	p := model.ProsodyTrunk()
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(rapid.IntRange(2, 4).Draw(rt, "users"), p, p, nil, 1)
		h.noRef = true
		h.only = map[string]bool{}
		m := &machine{h: h}
		rt.Repeat(m.actions())
		for _, op := range h.ops {
			if op.Kind == OpSend {
				checkFastParse(rt, h.resolve(op.Stanza))
			}
		}
		for _, e := range h.sim.Trace() {
			if strings.HasPrefix(e.Stanza, "<") && !strings.HasPrefix(e.Stanza, "<stream:") {
				checkFastParse(rt, e.Stanza)
			}
		}
	})
}
