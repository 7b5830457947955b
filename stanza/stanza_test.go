package stanza_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
)

func parse(t testing.TB, s string) *etree.Element {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromString(s); err != nil {
		t.Fatal(err)
	}
	return d.Root()
}

// The canonical form's documented rules, one case each.
func TestCanonicalRules(t *testing.T) {
	cases := []struct{ rule, in, want string }{
		{"attributes sorted by (prefix, name); xml:lang sorts under xml",
			`<presence xml:lang='en' to='b' from='a'/>`, `<presence from='a' to='b' xml:lang='en'/>`},
		{"whitespace-only text between elements dropped, text kept and escaped",
			"<message>\n  <body>a &lt; b &amp; 'c' &gt; d</body>\n</message>", `<message><body>a &lt; b &amp; 'c' &gt; d</body></message>`},
		{"quotes escaped in attributes only",
			`<x a="it's &quot;q&quot; &lt;&gt;"/>`, `<x a='it&apos;s &quot;q&quot; &lt;&gt;'/>`},
		{"namespace declarations are attributes and sort with them",
			`<iq><query xmlns='jabber:iq:roster' ver='1'/></iq>`, `<iq><query ver='1' xmlns='jabber:iq:roster'/></iq>`},
		{"prefixed names keep their prefix",
			`<s:x xmlns:s='urn:s' s:b='1' a='2'/>`, `<s:x a='2' s:b='1' xmlns:s='urn:s'/>`},
		{"whitespace-only text in a leaf is content",
			`<body> </body>`, `<body> </body>`},
		{"an element without content is self-closing",
			`<a><b></b></a>`, `<a><b/></a>`},
		{"mixed content keeps non-blank text in order",
			`<a>x<b/> y </a>`, `<a>x<b/> y </a>`},
		{"CDATA is character data like any other",
			`<a><![CDATA[<&>]]></a>`, `<a>&lt;&amp;&gt;</a>`},
		{"comments are not part of a stanza",
			`<a><!-- c --><b/></a>`, `<a><b/></a>`},
		{"many attributes (beyond the stack buffer) still sort",
			`<x j='1' i='1' h='1' g='1' f='1' e='1' d='1' c='1' b='1' a='1'/>`, `<x a='1' b='1' c='1' d='1' e='1' f='1' g='1' h='1' i='1' j='1'/>`},
	}
	for _, c := range cases {
		s := stanza.FromElement(parse(t, c.in))
		if got := s.Canonical(); got != c.want {
			t.Errorf("%s: Canonical(%s)\n got %s\nwant %s", c.rule, c.in, got, c.want)
		}
		// Cached: the second call returns the same string.
		if again := s.Canonical(); again != c.want {
			t.Errorf("%s: second Canonical = %s", c.rule, again)
		}
	}
}

func TestZero(t *testing.T) {
	var z stanza.Stanza
	if !z.IsZero() || z.Canonical() != "" || z.Element() != nil || z.NumChild() != 0 || z.Tag() != "" {
		t.Errorf("zero Stanza is not empty")
	}
	if !stanza.FromElement(nil).IsZero() {
		t.Errorf("FromElement(nil) is not zero")
	}
	if z.WithAttr("", "to", "x").IsZero() != true || z.WithChild(z).IsZero() != true {
		t.Errorf("derived values of the zero Stanza are not zero")
	}
}

// FromElement copies: changing the element afterwards does not change
// the stanza, whose canonical form was not computed yet.
func TestFromElementCopies(t *testing.T) {
	el := parse(t, `<message to='a'><body>hi</body></message>`)
	s := stanza.FromElement(el)
	el.CreateAttr("to", "b")
	el.SelectElement("body").SetText("changed")
	el.CreateElement("extra")
	if got, want := s.Canonical(), `<message to='a'><body>hi</body></message>`; got != want {
		t.Errorf("stanza changed with its source: %s, want %s", got, want)
	}
}

// Element returns a tree the caller owns, equal to the stanza.
func TestElementRoundTrip(t *testing.T) {
	in := `<iq xmlns:p='urn:p' type='set' id='1'><query xmlns='jabber:iq:roster'><item jid='a@b' p:x='&lt;'>text</item></query></iq>`
	s := stanza.FromElement(parse(t, in))
	el := s.Element()
	if got := stanza.FromElement(el).Canonical(); got != s.Canonical() {
		t.Errorf("round trip: %s, want %s", got, s.Canonical())
	}
	if ns := el.SelectElement("query").NamespaceURI(); ns != "jabber:iq:roster" {
		t.Errorf("NamespaceURI of the returned tree = %q", ns)
	}
	if a := el.SelectElement("query").SelectElement("item").SelectAttr("p:x"); a == nil || a.NamespaceURI() != "urn:p" {
		t.Errorf("prefixed attribute does not resolve in the returned tree: %v", a)
	}
	el.CreateAttr("type", "get")
	el.SelectElement("query").CreateElement("more")
	if stanza.FromElement(parse(t, in)).Canonical() != s.Canonical() {
		t.Errorf("changing Element's tree changed the stanza")
	}
}

// Element's trees are cut from shared slabs (one allocation for a small
// stanza): each element must still be a proper etree node (parent and
// index set, as etree's own building sets them), and one tree's growth
// must not write into another's room or into the stanza.
func TestElementSlabs(t *testing.T) {
	checkElementSlabs(t, stanza.Stanza.Element)
}

// A Thawer cuts every tree from slabs shared by all of them, which must
// hold the same: one tree's growth, another tree of the same Thawer, the
// stanza and the first trees cut after a renewal are all apart.
func TestThawer(t *testing.T) {
	var th stanza.Thawer
	for range 20 { // past several renewals
		checkElementSlabs(t, th.Element)
	}
	if th.Element(stanza.Stanza{}) != nil {
		t.Errorf("Element of the zero Stanza is not nil")
	}
}

func checkElementSlabs(t *testing.T, element func(stanza.Stanza) *etree.Element) {
	t.Helper()
	for _, in := range []string{
		`<presence/>`,
		`<presence type='unavailable' to='a@b' id='x'/>`,
		`<message to='a@b'>hi</message>`,
		`<message to='a@b' type='chat'><body>hi</body><thread>t</thread></message>`,
		`<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='a@b'/><item jid='c@d'/><item jid='e@f'/></block></iq>`,
	} {
		s := stanza.FromElement(parse(t, in))
		a, b := element(s), element(s)
		var check func(el *etree.Element)
		check = func(el *etree.Element) {
			for i, c := range el.Child {
				if c.Parent() != el || c.Index() != i {
					t.Errorf("%s: child %d of <%s> has parent %p index %d", in, i, el.Tag, c.Parent(), c.Index())
				}
				if ce, ok := c.(*etree.Element); ok {
					check(ce)
				}
			}
		}
		check(a)
		if a.Parent() != nil || a.Index() != -1 {
			t.Errorf("%s: root has parent %p index %d", in, a.Parent(), a.Index())
		}
		for _, el := range append([]*etree.Element{a}, a.ChildElements()...) {
			for i := range 6 {
				el.CreateAttr(fmt.Sprintf("k%d", i), "v")
			}
			el.CreateElement("more").SetText("x")
			el.CreateText("y")
		}
		if got := stanza.FromElement(b).Canonical(); got != s.Canonical() {
			t.Errorf("%s: growing one Element tree changed another: %s", in, got)
		}
		if got := stanza.FromElement(parse(t, in)).Canonical(); got != s.Canonical() {
			t.Errorf("%s: growing an Element tree changed the stanza: %s", in, s.Canonical())
		}
	}
}

// Derived values change only what they say and share the rest.
func TestDerived(t *testing.T) {
	base := stanza.FromElement(parse(t, `<message from='a@h/r' type='chat'><body>hi</body></message>`))
	baseCanon := base.Canonical()

	to := base.WithAttr("", "to", "b@h/s")
	if got, want := to.Canonical(), `<message from='a@h/r' to='b@h/s' type='chat'><body>hi</body></message>`; got != want {
		t.Errorf("WithAttr (new) = %s, want %s", got, want)
	}
	from := base.WithAttr("", "from", "c@h")
	if got, want := from.Canonical(), `<message from='c@h' type='chat'><body>hi</body></message>`; got != want {
		t.Errorf("WithAttr (replace) = %s, want %s", got, want)
	}
	delay := stanza.New("", "delay", []stanza.Attr{{Key: "xmlns", Value: "urn:xmpp:delay"}, {Key: "stamp", Value: "2008-08-22T21:09:04Z"}})
	d := to.WithChild(delay)
	if got, want := d.Canonical(), `<message from='a@h/r' to='b@h/s' type='chat'><body>hi</body><delay stamp='2008-08-22T21:09:04Z' xmlns='urn:xmpp:delay'/></message>`; got != want {
		t.Errorf("WithChild = %s, want %s", got, want)
	}
	attrs := []stanza.Attr{{Key: "type", Value: "normal"}, {Space: "xml", Key: "lang", Value: "en"}}
	swapped := base.WithAttrs(attrs)
	attrs[0].Value = "changed" // the caller's list is copied
	if got, want := swapped.Canonical(), `<message type='normal' xml:lang='en'><body>hi</body></message>`; got != want {
		t.Errorf("WithAttrs = %s, want %s", got, want)
	}
	if c, _ := swapped.ChildAt(0); c != func() stanza.Stanza { b, _ := base.ChildAt(0); return b }() {
		t.Errorf("WithAttrs does not share the children")
	}
	noType := base.WithoutAttr("", "type")
	if got, want := noType.Canonical(), `<message from='a@h/r'><body>hi</body></message>`; got != want {
		t.Errorf("WithoutAttr = %s, want %s", got, want)
	}
	if base.Canonical() != baseCanon || base.NumChild() != 1 || len(base.Attrs()) != 2 {
		t.Errorf("deriving changed the original: %s", base.Canonical())
	}
	// The child is the same element, not a copy.
	b1, _ := base.ChildAt(0)
	b2, _ := d.ChildAt(0)
	if b1 != b2 {
		t.Errorf("derived stanza does not share its children")
	}
}

func TestAccessors(t *testing.T) {
	s := stanza.FromElement(parse(t, `<iq type='get' id='x'>lead<query xmlns='jabber:iq:version'/><b/></iq>`))
	if s.Tag() != "iq" || s.Space() != "" {
		t.Errorf("Tag/Space = %q/%q", s.Tag(), s.Space())
	}
	if v, ok := s.Attr("", "id"); !ok || v != "x" {
		t.Errorf("Attr(id) = %q %v", v, ok)
	}
	if _, ok := s.Attr("", "to"); ok {
		t.Errorf("Attr(to) found on a stanza without one")
	}
	if n := len(s.Elements()); n != 2 {
		t.Errorf("Elements: %d, want 2", n)
	}
	if el, text := s.ChildAt(0); !el.IsZero() || text != "lead" {
		t.Errorf("ChildAt(0) = %v %q", el, text)
	}
	ca := s.CanonicalAttrs()
	if len(ca) != 2 || ca[0].Key != "id" || ca[1].Key != "type" || s.Attrs()[0].Key != "type" {
		t.Errorf("CanonicalAttrs = %v (Attrs %v)", ca, s.Attrs())
	}
}

func TestNew(t *testing.T) {
	body := stanza.New("", "body", nil, stanza.Text("a<b"))
	attrs := []stanza.Attr{{Key: "to", Value: "x"}}
	m := stanza.New("", "message", attrs, stanza.Elem(body), stanza.Text(""), stanza.Elem(stanza.Stanza{}))
	attrs[0].Value = "changed"
	if got, want := m.Canonical(), `<message to='x'><body>a&lt;b</body></message>`; got != want {
		t.Errorf("New = %s, want %s", got, want)
	}
	if m.NumChild() != 1 {
		t.Errorf("New kept empty children: %d", m.NumChild())
	}
}

// Canonical of shared values may run from several goroutines.
func TestCanonicalConcurrent(t *testing.T) {
	s := stanza.FromElement(parse(t, `<message><body>`+strings.Repeat("x", 100)+`</body></message>`))
	done := make(chan string)
	for range 4 {
		go func() { done <- s.Canonical() }()
	}
	for range 4 {
		if got := <-done; !strings.HasSuffix(got, "</body></message>") {
			t.Errorf("concurrent Canonical = %s", got)
		}
	}
}

func TestMapAttrs(t *testing.T) {
	s := stanza.FromElement(parse(t, `<iq to='$A' type='set'><query xmlns='jabber:iq:roster'><item jid='$B'/></query><other x='1'/></iq>`))
	vars := map[string]string{"$A": "a@h", "$B": "b@h"}
	var seen []string
	got, err := s.MapAttrs(func(v string) (string, error) {
		seen = append(seen, v)
		if r, ok := vars[v]; ok {
			return r, nil
		}
		return v, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := `<iq to='a@h' type='set'><query xmlns='jabber:iq:roster'><item jid='b@h'/></query><other x='1'/></iq>`; got.Canonical() != want {
		t.Errorf("MapAttrs = %s, want %s", got.Canonical(), want)
	}
	if want := "$A set jabber:iq:roster $B 1"; strings.Join(seen, " ") != want {
		t.Errorf("f saw %q, want document order %q", strings.Join(seen, " "), want)
	}
	if !strings.Contains(s.Canonical(), "$A") {
		t.Errorf("MapAttrs changed the original: %s", s.Canonical())
	}
	o1, _ := s.ChildAt(1)
	o2, _ := got.ChildAt(1)
	if o1 != o2 {
		t.Errorf("an unchanged subtree was copied")
	}
	same, _ := s.MapAttrs(func(v string) (string, error) { return v, nil })
	if same != s {
		t.Errorf("MapAttrs without a change did not return the stanza itself")
	}
	if _, err := s.MapAttrs(func(v string) (string, error) { return "", errors.New("boom") }); err == nil {
		t.Errorf("MapAttrs dropped f's error")
	}
}

func TestFromElements(t *testing.T) {
	a := parse(t, `<message to='a'><body>hi</body></message>`)
	b := parse(t, `<iq type='get'><query xmlns='jabber:iq:roster'/></iq>`)
	got := stanza.FromElements([]*etree.Element{a, nil, b})
	if len(got) != 3 || !got[1].IsZero() {
		t.Fatalf("FromElements = %d values, middle zero %v", len(got), got[1].IsZero())
	}
	for i, el := range []*etree.Element{a, nil, b} {
		if want := stanza.FromElement(el).Canonical(); got[i].Canonical() != want {
			t.Errorf("value %d: %s, want %s", i, got[i].Canonical(), want)
		}
	}
	// Built apart, though cut from shared slabs: deriving one leaves the
	// other alone.
	_ = got[0].WithChild(got[2])
	if got[2].Canonical() != `<iq type='get'><query xmlns='jabber:iq:roster'/></iq>` {
		t.Errorf("second value changed: %s", got[2].Canonical())
	}
	if n := testing.AllocsPerRun(10, func() { _ = stanza.FromElements([]*etree.Element{a, b, a, b}) }); n > 4 {
		t.Errorf("FromElements of four trees: %v allocations, want at most 4", n)
	}
}

// An arena's stanzas are the ones FromElement builds, independent of
// each other, and cost no allocation but their canonical string once a
// chunk is there.
func TestArena(t *testing.T) {
	var a stanza.Arena
	els := []*etree.Element{
		parse(t, `<message to='a' type='chat'><body>hi</body><x xmlns='u'><y/></x></message>`),
		parse(t, `<presence/>`),
		parse(t, `<iq type='result' id='1'><query xmlns='jabber:iq:roster'><item jid='a@b'/><item jid='c@d'/></query></iq>`),
	}
	var got []stanza.Stanza
	for i := range 200 {
		got = append(got, a.FromElement(els[i%len(els)]))
	}
	for i, s := range got {
		if want := stanza.FromElement(els[i%len(els)]).Canonical(); s.Canonical() != want {
			t.Fatalf("stanza %d: %s, want %s", i, s.Canonical(), want)
		}
	}
	// Deriving from one changes no neighbour in its chunk.
	_ = got[0].WithAttr("", "to", "z").WithChild(got[1])
	if got[0].Canonical() != stanza.FromElement(els[0]).Canonical() || got[1].Canonical() != "<presence/>" {
		t.Errorf("deriving changed arena stanzas")
	}
	if !a.FromElement(nil).IsZero() {
		t.Errorf("FromElement(nil) is not zero")
	}
	big := etree.NewElement("big")
	for range 1000 {
		big.CreateElement("k").CreateAttr("a", "1")
	}
	if s := a.FromElement(big); s.NumChild() != 1000 {
		t.Errorf("a tree larger than a chunk: %d children", s.NumChild())
	}
	// Nothing is rendered until asked for, and the slabs' chunks are
	// shared by many stanzas: no allocation per stanza.
	if n := testing.AllocsPerRun(100, func() { _ = a.FromElement(els[2]) }); n >= 1 {
		t.Errorf("FromElement of a small stanza allocates %v times on average, want 0", n)
	}
}
