package scenarios_test

import (
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
)

// expect parses an expected stanza as a receives block is parsed.
func expect(t *testing.T, src string) *etree.Element {
	t.Helper()
	els, err := scenarios.ParseBlock(src)
	if err != nil {
		t.Fatalf("ParseBlock(%q): %v", src, err)
	}
	if len(els) != 1 {
		t.Fatalf("ParseBlock(%q): %d elements", src, len(els))
	}
	return els[0]
}

// recv parses a stanza as the model delivers it: no xmlns on the stanza
// (the stream's default namespace is jabber:client), explicit xmlns on
// payloads.
func recv(t *testing.T, src string) *etree.Element {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(src); err != nil {
		t.Fatalf("received %q: %v", src, err)
	}
	return doc.Root()
}

// Each case states a rule of §4.5 (or its evidence in §4.3) and the
// outcome the document gives; Path is the first difference when they
// do not match.
var matchCases = []struct {
	rule     string
	expected string
	received string
	match    bool
	path     string
}{
	// Rule 1: resolved namespace and local name.
	{"1: different local names", `<message/>`, `<presence/>`, false, "/message"},
	{"1: stanza defaults to jabber:client", `<message/>`, `<message xmlns='jabber:client'/>`, true, ""},
	{"1: payload namespace differs", `<iq><query xmlns='jabber:iq:roster'/></iq>`,
		`<iq><query xmlns='jabber:iq:private'/></iq>`, false, "/iq/query{jabber:iq:roster}"},
	{"1: prefixes are resolved", `<iq><query xmlns='jabber:iq:roster'/></iq>`,
		`<iq><r:query xmlns:r='jabber:iq:roster'/></iq>`, true, ""},
	{"1: repeated xmlns in the expectation is not an attribute", `<iq><query xmlns='http://jabber.org/protocol/disco#info'><identity xmlns='http://jabber.org/protocol/disco#info' category='account' type='registered'/></query></iq>`,
		`<iq><query xmlns='http://jabber.org/protocol/disco#info'><identity category='account' type='registered'/></query></iq>`, true, ""},
	{"1: xmlns on the received stanza is not an attribute", `<message scansion:strict='true' type='chat'/>`,
		`<message xmlns='jabber:client' type='chat'/>`, true, ""},

	// Rule 2 and 3: modes and attributes.
	{"2: stanza is non-strict: extra attributes and children ignored", `<message type='chat'/>`,
		`<message type='chat' id='m1' to='a@localhost/r'><body>hi</body></message>`, true, ""},
	{"2: jabber:client child is non-strict (muc_presence_probe)", `<presence type='error'><error type='cancel'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>`,
		`<presence type='error'><error type='cancel' by='room@muc'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>no</text></error></presence>`, true, ""},
	{"2: namespaced child is strict on attributes (delay)", `<message><delay xmlns='urn:xmpp:delay' from='localhost'/></message>`,
		`<message><delay xmlns='urn:xmpp:delay' from='localhost' stamp='2008-08-22T21:09:04Z'/></message>`, false, "/message/delay{urn:xmpp:delay}@stamp"},
	{"2: namespaced child is strict on child order", `<iq><query xmlns='urn:x'><a/><b/></query></iq>`,
		`<iq><query xmlns='urn:x'><b/><a/></query></iq>`, false, "/iq/query{urn:x}/a"},
	{"2: namespaced child is strict on child count", `<iq><query xmlns='jabber:iq:roster' ver='{scansion:any}'/></iq>`,
		`<iq><query xmlns='jabber:iq:roster' ver='1'><item jid='n@localhost'/></query></iq>`, false, "/iq/query{jabber:iq:roster}/item"},
	{"2: strictness covers descendants without their own xmlns", `<iq><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><affiliations node='n'/></pubsub></iq>`,
		`<iq><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><affiliations node='n'><affiliation jid='a@localhost' affiliation='owner'/></affiliations></pubsub></iq>`,
		false, "/iq/pubsub{http://jabber.org/protocol/pubsub#owner}/affiliations/affiliation"},
	{"2: a jabber:client element under a namespaced one is strict", `<message><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' type='chat'/></forwarded></message>`,
		`<message><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' type='chat' id='x'/></forwarded></message>`,
		false, "/message/forwarded{urn:xmpp:forward:0}/message{jabber:client}@id"},
	{"2: explicit strict=false ignores extra and unordered children (disco_self)", `<iq><query xmlns='http://jabber.org/protocol/disco#info' scansion:strict='false'><feature var='b'/><feature var='a'/></query></iq>`,
		`<iq><query xmlns='http://jabber.org/protocol/disco#info'><identity category='account' type='registered'/><feature var='a'/><feature var='c'/><feature var='b'/></query></iq>`, true, ""},
	{"2: explicit strict=false is inherited by descendants", `<presence><x xmlns='http://jabber.org/protocol/muc#user' scansion:strict='false'><item affiliation='member'/></x></presence>`,
		`<presence><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant' jid='a@localhost/r'/></x></presence>`, true, ""},
	{"2: inherited strict=false reaches descendants in another namespace", `<message><x xmlns='urn:a' scansion:strict='false'><y xmlns='urn:b'/></x></message>`,
		`<message><x xmlns='urn:a'><y xmlns='urn:b' extra='1'/></x></message>`, true, ""},
	{"2: explicit strict=true on a jabber:client element", `<message scansion:strict='true' type='chat'/>`,
		`<message type='chat' id='m1'/>`, false, "/message@id"},
	{"2: explicit strict=true forbids extra children (version.scs <os/>)", `<iq><query xmlns='jabber:iq:version' scansion:strict='true'><name>Prosody</name><version scansion:strict='false'/></query></iq>`,
		`<iq><query xmlns='jabber:iq:version'><name>Prosody</name><version>0.12.3</version><os>Linux</os></query></iq>`, false, "/iq/query{jabber:iq:version}/os"},
	{"2: version.scs without <os/> matches; empty <version/> text is not checked", `<iq><query xmlns='jabber:iq:version' scansion:strict='true'><name>Prosody</name><version scansion:strict='false'/></query></iq>`,
		`<iq><query xmlns='jabber:iq:version'><name>Prosody</name><version>0.12.3</version></query></iq>`, true, ""},
	{"2: an override of an override", `<message><x xmlns='urn:a' scansion:strict='false'><y scansion:strict='true' k='1'/></x></message>`,
		`<message><x xmlns='urn:a'><y k='1' j='2'/></x></message>`, false, "/message/x{urn:a}/y@j"},
	{"3: missing attribute", `<message type='chat' id='m1'/>`, `<message type='chat'/>`, false, "/message@id"},
	{"3: different attribute value", `<message type='chat'/>`, `<message type='normal'/>`, false, "/message@type"},
	{"3: xml:lang is compared by namespace and local name", `<message xml:lang='en'/>`, `<message xml:lang='en'/>`, true, ""},
	{"3: xml:lang value differs", `<message xml:lang='en'/>`, `<message xml:lang='de'/>`, false, "/message@xml:lang"},
	{"3: an unprefixed attribute is not xml:lang", `<message lang='en'/>`, `<message xml:lang='en'/>`, false, "/message@lang"},
	{"3: a strict element must list xml:lang (mam forwarded)", `<message><result xmlns='urn:xmpp:mam:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' type='chat'/></forwarded></result></message>`,
		`<message><result xmlns='urn:xmpp:mam:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' type='chat' xml:lang='en'/></forwarded></result></message>`,
		false, "/message/result{urn:xmpp:mam:2}/forwarded{urn:xmpp:forward:0}/message{jabber:client}@xml:lang"},
	{"3: scansion directives are not attributes", `<iq><query xmlns='urn:x' scansion:strict='true' a='1'/></iq>`,
		`<iq><query xmlns='urn:x' a='1'/></iq>`, true, ""},
	{"3: {scansion:any} accepts any value", `<iq type='set' id='{scansion:any}'/>`, `<iq type='set' id='lx123'/>`, true, ""},
	{"3: {scansion:any} requires the attribute", `<iq><query xmlns='jabber:iq:roster' ver='{scansion:any}'/></iq>`,
		`<iq><query xmlns='jabber:iq:roster'/></iq>`, false, "/iq/query{jabber:iq:roster}@ver"},
	{"3: {scansion:any} is not a text wildcard", `<message><body>{scansion:any}</body></message>`,
		`<message><body>hi</body></message>`, false, "/message/body/text()"},
	{"3: a directive is recognised only as the whole value", `<message id='x{scansion:any}'/>`,
		`<message id='x1'/>`, false, "/message@id"},

	// Rule 4: children.
	{"4: whitespace between expected elements is ignored", "<message>\n\t\t<body>hi</body>\n\t</message>",
		`<message><body>hi</body></message>`, true, ""},
	{"4: non-strict children in any order", `<message><body>hi</body><thread>t</thread></message>`,
		`<message><thread>t</thread><subject>s</subject><body>hi</body></message>`, true, ""},
	{"4: non-strict assignment backtracks", `<message><item/><item a='1'/></message>`,
		`<message><item a='1'/><item a='2'/></message>`, true, ""},
	{"4: each received child serves one expected child", `<message><item/><item/></message>`,
		`<message><item/></message>`, false, "/message"},
	{"4: missing non-strict child", `<message><body>hi</body></message>`, `<message/>`, false, "/message/body"},
	{"4: strict children pairwise", `<iq><query xmlns='jabber:iq:roster'><item jid='a@localhost'/><item jid='b@localhost'/></query></iq>`,
		`<iq><query xmlns='jabber:iq:roster'><item jid='a@localhost'/><item jid='c@localhost'/></query></iq>`,
		false, "/iq/query{jabber:iq:roster}/item[2]@jid"},
	{"4: strict child missing", `<iq><query xmlns='urn:x'><a/><b/></query></iq>`,
		`<iq><query xmlns='urn:x'><a/></query></iq>`, false, "/iq/query{urn:x}/b"},

	// Rule 5: text.
	{"5: text is trimmed on both sides", `<message><body>  hi  </body></message>`,
		"<message><body>\n hi\t</body></message>", true, ""},
	{"5: different text", `<message><body>hi</body></message>`, `<message><body>ho</body></message>`, false, "/message/body/text()"},
	{"5: text is compared in non-strict mode too", `<message><body>hi</body></message>`,
		`<message><body>hi there</body></message>`, false, "/message/body/text()"},
	{"5: empty text in strict context does not constrain (http_upload)", `<iq><slot xmlns='urn:xmpp:http:upload:0'><put url='{scansion:any}'><header name='Authorization'></header></put></slot></iq>`,
		`<iq><slot xmlns='urn:xmpp:http:upload:0'><put url='https://x'><header name='Authorization'>Bearer abc</header></put></slot></iq>`, true, ""},
	{"5: whitespace-only expected text does not constrain (mam fin)", "<iq><fin xmlns='urn:xmpp:mam:2'>\n\t\t</fin></iq>",
		`<iq><fin xmlns='urn:xmpp:mam:2'>x</fin></iq>`, true, ""},
}

func TestMatchRules(t *testing.T) {
	for _, c := range matchCases {
		t.Run(c.rule, func(t *testing.T) {
			m := scenarios.NewMatcher()
			mm := m.Match(expect(t, c.expected), recv(t, c.received))
			switch {
			case c.match && mm != nil:
				t.Fatalf("want match, got mismatch %v\n%s", mm, mm.Diff)
			case !c.match && mm == nil:
				t.Fatalf("want mismatch at %s, got match", c.path)
			case !c.match && mm.Path != c.path:
				t.Fatalf("mismatch path = %q, want %q (reason: %s)", mm.Path, c.path, mm.Reason)
			}
		})
	}
}

func TestMatchCaptures(t *testing.T) {
	m := scenarios.NewMatcher()
	// First use binds and behaves like {scansion:any}; the later use in
	// the same stanza compares.
	exp := expect(t, `<iq><fin xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'><first>{scansion:any}</first></set></fin><x first='{scansion:capture:first}' again='{scansion:capture:first}'/></iq>`)
	if mm := m.Match(exp, recv(t, `<iq><fin xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'><first>{scansion:any}</first></set></fin><x first='1' again='2'/></iq>`)); mm == nil {
		t.Fatal("capture compared equal to a different value")
	} else if mm.Path != "/iq/x@again" {
		t.Fatalf("path = %q, want /iq/x@again", mm.Path)
	}
	if got := m.Captures(); len(got) != 0 {
		t.Fatalf("a failed match left captures %v", got)
	}
	if mm := m.Match(expect(t, `<message id='{scansion:capture:id}'/>`), recv(t, `<message id='abc'/>`)); mm != nil {
		t.Fatalf("first use: %v", mm)
	}
	// Later matches of the same script compare with the bound value.
	if mm := m.Match(expect(t, `<iq><x ref='{scansion:capture:id}'/></iq>`), recv(t, `<iq><x ref='xyz'/></iq>`)); mm == nil {
		t.Fatal("later use accepted a different value")
	} else if !strings.Contains(mm.Reason, `"abc"`) {
		t.Fatalf("reason %q does not show the captured value", mm.Reason)
	}
	if mm := m.Match(expect(t, `<iq><x ref='{scansion:capture:id}'/></iq>`), recv(t, `<iq><x ref='abc'/></iq>`)); mm != nil {
		t.Fatalf("later use: %v", mm)
	}
	if got := m.Captures(); got["id"] != "abc" || len(got) != 1 {
		t.Fatalf("captures = %v, want id=abc", got)
	}
}

// Rule 6: a binding made in a failed branch of the assignment search is
// undone. Here the search first pairs the plain <item/> with v=1, binding
// c=1, which leaves no partner for the k=2 item; only after undoing that
// binding can it find c=2.
func TestMatchCaptureBacktracking(t *testing.T) {
	m := scenarios.NewMatcher()
	exp := expect(t, `<message><item v='{scansion:capture:c}'/><item k='2' v='{scansion:capture:c}'/></message>`)
	got := recv(t, `<message><item v='1'/><item v='2' k='2'/><item v='2'/></message>`)
	if mm := m.Match(exp, got); mm != nil {
		t.Fatalf("want match, got %v", mm)
	}
	if c := m.Captures()["c"]; c != "2" {
		t.Fatalf("c = %q, want 2", c)
	}
}

func TestMismatchReport(t *testing.T) {
	exp := expect(t, "<iq type='result'>\n\t<query xmlns='jabber:iq:roster'>\n\t\t<item jid='a@localhost'/>\n\t\t<item jid='b@localhost'/>\n\t</query>\n</iq>")
	got := recv(t, `<iq type='result' id='r1'><query xmlns='jabber:iq:roster'><item jid='a@localhost'/><item jid='c@localhost'/></query></iq>`)
	mm := scenarios.NewMatcher().Match(exp, got)
	if mm == nil {
		t.Fatal("want mismatch")
	}
	if mm.Expected != model.Canonical(exp) || mm.Received != model.Canonical(got) {
		t.Errorf("Expected/Received are not the canonical stanzas:\n%s\n%s", mm.Expected, mm.Received)
	}
	want := "" +
		// id='r1' is not shown: the script does not name it, and
		// non-strict matching allows it.
		"  <iq type='result'>\n" +
		"    <query xmlns='jabber:iq:roster'>\n" +
		"      <item jid='a@localhost'/>\n" +
		"-     <item jid='b@localhost'/>\n" +
		"+     <item jid='c@localhost'/>\n" +
		"    </query>\n" +
		"  </iq>\n"
	if mm.Diff != want {
		t.Errorf("diff:\n%s\nwant:\n%s", mm.Diff, want)
	}
	if want := `/iq/query{jabber:iq:roster}/item[2]@jid: attribute jid: expected "b@localhost", received "c@localhost"`; mm.Error() != want {
		t.Errorf("Error() = %q, want %q", mm.Error(), want)
	}
}

// TestMissingAmongNamesakes: non-strict, an expected child that matches
// none of several received namesakes is reported as missing, with what
// was there, not as a difference from one of them.
func TestMissingAmongNamesakes(t *testing.T) {
	exp := expect(t, "<iq type='result'><query xmlns='http://jabber.org/protocol/disco#info' scansion:strict='false'><feature var='urn:xmpp:ping'/></query></iq>")
	got := recv(t, "<iq type='result' id='x'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='server' type='im'/><feature var='a'/><feature var='b'/></query></iq>")
	mm := scenarios.NewMatcher().Match(exp, got)
	want := "/iq/query{http://jabber.org/protocol/disco#info}/feature: no <feature var='urn:xmpp:ping'/> among the 2 received <feature> children; received: <feature var='a'/>, <feature var='b'/>"
	if mm == nil || mm.Error() != want {
		t.Fatalf("got  %v\nwant %s", mm, want)
	}
	// The diff shows the missing child, not the namesakes the
	// non-strict match allows, nor the id the script does not name.
	wantDiff := "  <iq type='result'>\n" +
		"    <query xmlns='http://jabber.org/protocol/disco#info'>\n" +
		"-     <feature var='urn:xmpp:ping'/>\n" +
		"+     <!-- and 3 more received children the script does not name -->\n" +
		"    </query>\n" +
		"  </iq>\n"
	if mm.Diff != wantDiff {
		t.Errorf("diff:\n%s\nwant:\n%s", mm.Diff, wantDiff)
	}
}
