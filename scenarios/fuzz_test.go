package scenarios_test

import (
	"testing"

	"github.com/scansim/scansim/scenarios"
)

// FuzzMatch: the matcher never panics, and every stanza matches itself
// (reflexivity), in both the default and the strict-override forms.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		`<presence/>`,
		`<iq type='result' id='a'><query xmlns='jabber:iq:roster' ver='1'><item jid='x@localhost' subscription='none'/></query></iq>`,
		`<message type='chat'><body>hi</body><delay xmlns='urn:xmpp:delay' stamp='now'/></message>`,
		`<iq><query xmlns='http://jabber.org/protocol/disco#info' scansion:strict='false'><feature var='a'/><feature var='a'/></query></iq>`,
		`<x xmlns='a'><y xmlns='b'><z/></y>text</x>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, xml string) {
		els, err := scenarios.ParseBlock(xml)
		if err != nil || len(els) != 1 {
			return
		}
		m := scenarios.NewMatcher()
		if mm := m.Match(els[0], els[0].Copy()); mm != nil {
			t.Fatalf("stanza does not match itself: %+v\n%s", mm, xml)
		}
	})
}
