package properties

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/compare"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/stanza"
	"pgregory.net/rapid"
)

// sameValue reports how stanza values a and b differ ("" if not): tags,
// prefixes, attributes in order, children (elements, text).
func sameValue(a, b stanza.Stanza) string {
	if a.Space() != b.Space() || a.Tag() != b.Tag() {
		return fmt.Sprintf("element %s:%s vs %s:%s", a.Space(), a.Tag(), b.Space(), b.Tag())
	}
	if fmt.Sprint(a.Attrs()) != fmt.Sprint(b.Attrs()) {
		return fmt.Sprintf("%s: attributes %v vs %v", a.Tag(), a.Attrs(), b.Attrs())
	}
	// empty text is no child (stanza.New leaves it out)
	kids := func(s stanza.Stanza) (out []any) {
		for i := 0; i < s.NumChild(); i++ {
			if el, text := s.ChildAt(i); !el.IsZero() {
				out = append(out, el)
			} else if text != "" {
				out = append(out, text)
			}
		}
		return out
	}
	ka, kb := kids(a), kids(b)
	if len(ka) != len(kb) {
		return fmt.Sprintf("%s: %d vs %d children", a.Tag(), len(ka), len(kb))
	}
	for i := range ka {
		switch x := ka[i].(type) {
		case stanza.Stanza:
			y, ok := kb[i].(stanza.Stanza)
			if !ok {
				return fmt.Sprintf("%s: child %d kinds differ", a.Tag(), i)
			}
			if d := sameValue(x, y); d != "" {
				return d
			}
		case string:
			if y, ok := kb[i].(string); !ok || x != y {
				return fmt.Sprintf("%s: text child %d differs: %q vs %v", a.Tag(), i, x, kb[i])
			}
		}
	}
	return ""
}

// checkParseValue: parseValue(s) accepts what etree's reader accepts and
// builds the value stanza.FromElement makes of etree's tree.
func checkParseValue(t interface{ Fatalf(string, ...any) }, s string) {
	el, werr := parseStanza(s)
	got, err := parseValue(s)
	if (werr == nil) != (err == nil) {
		t.Fatalf("parseValue(%q): error %v, etree's %v", s, err, werr)
	}
	if werr != nil {
		return
	}
	want := stanza.FromElement(el)
	if d := sameValue(want, got); d != "" {
		t.Fatalf("parseValue(%q) differs from etree: %s", s, d)
	}
	if want.Canonical() != got.Canonical() || model.Canonical(el) != got.Canonical() {
		t.Fatalf("parseValue(%q): canonical forms differ", s)
	}
}

// TestParseValueMatchesEtree: on edge cases and on every stanza random
// runs send and record, parseValue builds the stanza etree's reader does
// (the harness parsed ops with etree before).
func TestParseValueMatchesEtree(t *testing.T) {
	for _, s := range []string{
		"<a/>", "<a x='1' y=\"2\"/>", "<a x='1' x='2'/>", "<a x='1' y='0' x='2'/>", "<a>t &amp; &lt;&gt;&apos;&quot;</a>", "<a> <b/> </a>",
		"<a xml:lang='en' xmlns='u'><b:c xmlns:b='v'/></a>", "<a>&#65;</a>", "<a><!-- c --></a>", "<a><![CDATA[x]]></a>",
		"<a>x\r\ny</a>", "<a b='&foo;'/>", "<a></b>", "<a>", "<a/><b/>", " <a/>", "<a/> ", "<a b='1'c='2'/>", "<1a/>",
		"<a:b:c/>", "<:a/>", "<a x='\t'/>", "<a>é</a>", "<a>]]></a>", "<a\n x = '1' />", "<a></a >", "", "text", "<?xml version='1.0'?><a/>",
		"<a><b></a></b>", "</a>", "<a/></a>", "<x:a></y:a>",
	} {
		checkParseValue(t, s)
	}
	p := model.ProsodyTrunk()
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(rapid.IntRange(2, 4).Draw(rt, "users"), p, p, nil, 1)
		h.noRef = true
		h.setOnly(map[string]bool{})
		m := &machine{h: h}
		rt.Repeat(m.actions())
		for _, op := range h.ops {
			if op.Kind == OpSend {
				checkParseValue(rt, h.resolve(op.Stanza))
			}
		}
		for _, e := range h.sim.Trace() {
			if e.Canonical() != "" {
				checkParseValue(rt, e.Canonical())
			}
		}
	})
}

// TestTraceValuesReadAsParsed: what the checks read from a trace event's
// value — its own fields, eventValue for an event without one (a real
// server's), and the reference comparison's signature — is what they
// read from its canonical string parsed, as they did before the events
// carried values.
func TestTraceValuesReadAsParsed(t *testing.T) {
	p := model.ProsodyTrunk()
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(rapid.IntRange(2, 4).Draw(rt, "users"), p, p, nil, 1)
		m := &machine{h: h}
		rt.Repeat(m.actions())
		for _, e := range h.sim.Trace() {
			if e.Text != "" {
				rt.Fatalf("event %d: the simulator filled Text %q; it renders only when read", e.Seq, e.Text)
			}
			if !e.Value.IsZero() && e.Canonical() != stanza.CanonicalElement(e.Value.Element()) {
				rt.Fatalf("event %d: Canonical %q, its element renders %q", e.Seq, e.Canonical(), stanza.CanonicalElement(e.Value.Element()))
			}
			if e.Canonical() == "" {
				continue
			}
			el, err := parseStanza(e.Canonical())
			if err != nil {
				rt.Fatalf("trace stanza %q does not parse: %v", e.Canonical(), err)
			}
			if got, want := sigValue(e.Value), sig(el); got != want {
				rt.Fatalf("sigValue(%s) = %s, sig of the parsed string %s", e.Canonical(), got, want)
			}
			bare := e // as a value-less event carries it: as text
			bare.Text, bare.Value = e.Canonical(), stanza.Stanza{}
			if d := sameValue(eventValue(&bare), stanza.FromElement(el)); d != "" {
				rt.Fatalf("eventValue of %q without its value: %s", e.Canonical(), d)
			}
			var x ev
			x.set(&e)
			if strings.HasPrefix(e.Canonical(), "<stream:") {
				if !x.el.IsZero() {
					rt.Fatalf("stream error %q read as a stanza", e.Canonical())
				}
				continue
			}
			if x.tag != el.Tag || x.typ != attrOr(el, "type") || x.from != attrOr(el, "from") || x.to != attrOr(el, "to") || x.id != attrOr(el, "id") {
				rt.Fatalf("event %q read as tag %q type %q from %q to %q id %q", e.Canonical(), x.tag, x.typ, x.from, x.to, x.id)
			}
			if got, want := vPriority(x.el), priorityOf(el); got != want {
				rt.Fatalf("priority of %q: %d, want %d", e.Canonical(), got, want)
			}
			if got, want := requestOf(x.el), (request{id: attrOr(el, "id"), children: childrenCanon(el.ChildElements())}); got != want {
				rt.Fatalf("request of %q: %+v, want %+v", e.Canonical(), got, want)
			}
		}
	})
}

func childrenCanon(els []*etree.Element) string {
	var b strings.Builder
	for _, c := range els {
		b.WriteString(model.Canonical(c))
	}
	return b.String()
}

// TestSigValueNormalises: the signature a delivered iq is compared by
// ignores what the reference cannot predict: roster push ids, service
// answers' payload, the order of roster and blocklist items.
func TestSigValueNormalises(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"<message to='a'/>", "<message to='a'/>"},
		{"<iq id='p1' type='set'><query xmlns='jabber:iq:roster'><item jid='b'/><item jid='a'/></query></iq>",
			"<iq id='*' type='set'><query xmlns='jabber:iq:roster'><item jid='b'/><item jid='a'/></query></iq>"},
		{"<iq id='r' type='result'><query xmlns='jabber:iq:roster'><item jid='b'/><item jid='a'/></query></iq>",
			"<iq id='r' type='result'><query xmlns='jabber:iq:roster'><item jid='a'/><item jid='b'/></query></iq>"},
		{"<iq id='v' type='result'><query xmlns='jabber:iq:version'><name>x</name></query></iq>",
			"<iq id='v' type='result'><query xmlns='jabber:iq:version'/></iq>"},
		{"<iq id='b' type='result'><blocklist xmlns='urn:xmpp:blocking'><item jid='z'/><item jid='c'/></blocklist></iq>",
			"<iq id='b' type='result'><blocklist xmlns='urn:xmpp:blocking'><item jid='c'/><item jid='z'/></blocklist></iq>"},
	} {
		v, err := parseValue(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := sigValue(v); got != c.want {
			t.Errorf("sigValue(%s) = %s, want %s", c.in, got, c.want)
		}
		if got := v.Canonical(); got != mustCanon(t, c.in) {
			t.Errorf("sigValue changed its argument: %s", got)
		}
	}
}

func mustCanon(t *testing.T, s string) string {
	el, err := parseStanza(s)
	if err != nil {
		t.Fatal(err)
	}
	return model.Canonical(el)
}

// TestMachineValuesMatchText: every stanza the machine builds as a value
// is its op's text parsed, also once the placeholders are resolved (they
// are attribute values only).
func TestMachineValuesMatchText(t *testing.T) {
	p := model.ProsodyTrunk()
	resolve := func(x string) string {
		x = resolveFull(x, func(slot string) string { return "r-" + slot + "@localhost/x" })
		return strings.ReplaceAll(x, pushPlaceholder, "push-7")
	}
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(rapid.IntRange(2, 4).Draw(rt, "users"), p, p, nil, 1)
		h.noRef = true
		h.setOnly(map[string]bool{})
		m := &machine{h: h}
		rt.Repeat(m.actions())
		for _, op := range h.ops {
			if op.Kind != OpSend {
				continue
			}
			if op.val.IsZero() || op.valText != op.Stanza {
				rt.Fatalf("op %v has no value", op)
			}
			want, err := parseValue(op.Stanza)
			if err != nil {
				rt.Fatalf("op %v does not parse: %v", op, err)
			}
			if d := sameValue(want, op.val); d != "" {
				rt.Fatalf("op %v: value differs from its text: %s", op, d)
			}
			got, err := opValue(&op, resolve)
			if err != nil {
				rt.Fatal(err)
			}
			want, err = parseValue(resolve(op.Stanza))
			if err != nil {
				rt.Fatal(err)
			}
			if d := sameValue(want, got); d != "" {
				rt.Fatalf("op %v resolved: value differs from its text: %s", op, d)
			}
		}
	})
}

// TestOpValueOfRewrittenText: an op whose text changed after the machine
// built its value (the shrinker renames slots) is parsed from its text.
func TestOpValueOfRewrittenText(t *testing.T) {
	op := Op{Kind: OpSend, Stanza: "<presence to='{full:u2a}'/>", val: sx("presence", kv("to", "{full:u2a}")), valText: "<presence to='{full:u2a}'/>"}
	op.Stanza = strings.ReplaceAll(op.Stanza, "{full:u2a}", "{full:u3a}")
	v, err := opValue(&op, func(x string) string { return resolveFull(x, func(s string) string { return s }) })
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Canonical(); got != "<presence to='u3a'/>" {
		t.Fatalf("rewritten op sends %s", got)
	}
}

// TestMaskedValuesMatchStrings: the wire's comparison masks the model's
// stanza values as it masked their canonical forms parsed.
func TestMaskedValuesMatchStrings(t *testing.T) {
	p := model.ProsodyTrunk()
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(rapid.IntRange(2, 4).Draw(rt, "users"), p, p, nil, 1)
		m := &machine{h: h}
		rt.Repeat(m.actions())
		tr := h.sim.Trace()
		mm := compare.NewMasker(tr, "", map[string]bool{"r3": true, "m5": true})
		for i := range tr {
			if got, want := mm.Event(&tr[i]), mm.Stanza(tr[i].Canonical()); got != want {
				rt.Fatalf("masked %s: %s, want %s", tr[i].Canonical(), got, want)
			}
		}
	})
}

// sig is the etree form of sigValue, as the reference rendered its
// predictions when it built etree elements: model.Canonical, with the parts a
// prediction cannot or need not fix normalised: roster push ids, the
// payload of service answers (disco#info, version, last), and the order
// of roster and blocklist items (Prosody iterates hashes, §4.2, §7.2).
func sig(e *etree.Element) string {
	if e.Tag == "iq" && sigRewrites(e) {
		e = e.Copy()
		typ := attrOr(e, "type")
		for _, c := range e.ChildElements() {
			ns := attrOr(c, "xmlns")
			switch {
			case typ == "set" && ns == nsRoster:
				e.CreateAttr("id", "*")
			case typ == "result" && (ns == nsDiscoInfo || ns == nsVersion || ns == nsLast):
				e.RemoveChild(c)
				e.CreateElement(c.Tag).CreateAttr("xmlns", ns)
			case ns == nsRoster || ns == nsBlocking:
				items := c.ChildElements()
				sort.SliceStable(items, func(i, j int) bool {
					return model.Canonical(items[i]) < model.Canonical(items[j])
				})
				for _, it := range items {
					c.RemoveChild(it)
				}
				for _, it := range items {
					c.AddChild(it)
				}
			}
		}
	}
	return model.Canonical(e)
}

// sigRewrites reports whether sig changes iq e before rendering it
// (otherwise e is rendered as it is, without the copy).
func sigRewrites(e *etree.Element) bool {
	typ := attrOr(e, "type")
	for _, t := range e.Child {
		c, ok := t.(*etree.Element)
		if !ok {
			continue
		}
		switch ns := attrOr(c, "xmlns"); {
		case typ == "set" && ns == nsRoster,
			typ == "result" && (ns == nsDiscoInfo || ns == nsVersion || ns == nsLast),
			ns == nsRoster || ns == nsBlocking:
			return true
		}
	}
	return false
}

// priorityOf is the etree form of vPriority.
func priorityOf(p *etree.Element) int {
	c := p.SelectElement("priority")
	if c == nil {
		return 0
	}
	return parsePriority(c.Text())
}
