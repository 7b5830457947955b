package compare_test

import (
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/compare"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
)

// Masking a trace event's stanza value gives what masking its canonical
// form (parsed again) gives: the comparison of a simulated run with a
// server run reads the simulation's values. (Traces record canonical
// forms, attributes sorted, so that is what Stanza is given.)
func TestMaskerValueMatchesStanza(t *testing.T) {
	j, err := model.ParseJID("b-u1@localhost/x7f3")
	if err != nil {
		t.Fatal(err)
	}
	m := compare.NewMasker([]sim.TraceEvent{{Kind: sim.TraceConnect, Client: "u1a", JID: j}}, "b-", map[string]bool{"keep": true})
	for _, s := range []string{
		"<presence/>",
		"<message id='keep' to='b-u1@localhost/x7f3'><body>hi b-u2@localhost</body></message>",
		"<message id='gen7' from='b-u2@localhost/z'><delay from='localhost' stamp='2026-01-01T00:00:00Z' xmlns='urn:xmpp:delay'/></message>",
		"<iq id='l1' type='result'><query seconds='17' xmlns='jabber:iq:last'/></iq>",
		"<iq id='t1' type='result'><time xmlns='urn:xmpp:time'><tzo>+00:00</tzo><utc>2026-01-01T00:00:00Z</utc></time></iq>",
		"<iq id='t2' type='result'><query xmlns='jabber:iq:time'><utc/><tz>UTC</tz><tzo>x<y/>z</tzo></query></iq>",
		"<iq id='d' type='result'><query xmlns='http://jabber.org/protocol/disco#info'><feature var='z'/><identity category='server' type='im'/><feature var='a'/></query></iq>",
		"<iq id='r' type='set'><query ver='3' xmlns='jabber:iq:roster'><item jid='b-u3@localhost' subscription='both'><group>Z</group><group>A</group></item><item jid='b-u2@localhost' subscription='none'/></query></iq>",
		"<iq id='b' type='result'><blocklist xmlns='urn:xmpp:blocking'><item jid='localhost'/><item jid='b-u1@localhost/x7f3'/><item jid='b-u2@localhost'/></blocklist></iq>",
		"<iq id='n' type='result'><x xmlns='other'><blocklist xmlns='urn:xmpp:blocking'><item jid='z'/><item jid='a'/></blocklist></x></iq>",
		"<presence xml:lang='en' id='p'><status>text &amp; more</status><x xmlns='vcard-temp:x:update'><photo/></x></presence>",
		"<iq x:id='first' id='second' xmlns:x='urn:x'/>",
		"<iq><query xmlns='jabber:iq:roster'> <item jid='b'/> <item jid='a'/> </query></iq>",
		"<iq id='m' type='result'><metadata xmlns='urn:xmpp:mam:2'><start id='a1' timestamp='2026-01-01T00:00:00Z'/><end id='a2' timestamp='2026-01-01T00:00:01Z'/></metadata></iq>",
	} {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(s); err != nil {
			t.Fatal(err)
		}
		v := stanza.FromElement(doc.Root())
		canon := v.Canonical()
		if got, want := m.Value(v), m.Stanza(canon); got != want {
			t.Errorf("masked value of %s:\n got %s\nwant %s", s, got, want)
		}
		ev := sim.TraceEvent{Kind: sim.TraceDeliver, Text: v.Canonical(), Value: v}
		if got, want := m.Event(&ev), m.Stanza(canon); got != want {
			t.Errorf("masked event of %s: %s, want %s", s, got, want)
		}
		ev.Value = stanza.Stanza{} // a real server's event
		if got, want := m.Event(&ev), m.Stanza(canon); got != want {
			t.Errorf("masked event without value of %s: %s, want %s", s, got, want)
		}
	}
}

// An event whose Stanza was rewritten after it was recorded is masked
// from its Stanza, not from the value it no longer matches.
func TestMaskerEventRewritten(t *testing.T) {
	m := compare.NewMasker(nil, "", nil)
	v := stanza.New("", "message", []stanza.Attr{{Key: "to", Value: "a@localhost"}})
	ev := sim.TraceEvent{Kind: sim.TraceDeliver, Text: "<message to='b@localhost'/>", Value: v}
	if got := m.Event(&ev); got != "<message to='b@localhost'/>" {
		t.Fatalf("rewritten event masked as %s", got)
	}
}
