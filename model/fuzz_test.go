package model_test

import (
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
)

// FuzzProcess feeds arbitrary XML from a bound client to a server in a
// non-trivial state. Properties: no panic; every well-formed iq get/set
// that the entry checks accept is answered exactly once (RFC 6120 §8.2.3)
// when sent to the server or to the sender itself; no delivered stanza
// carries the spoofed `from` the client wrote.
func FuzzProcess(f *testing.F) {
	for _, seed := range []string{
		`<presence/>`,
		`<presence type='subscribe' to='b@localhost'/>`,
		`<presence type='bogus' to='b@localhost'/>`,
		`<message to='b@localhost' type='chat'><body>hi</body></message>`,
		`<message to='b@@localhost'/>`,
		`<iq type='get' id='1'><query xmlns='jabber:iq:roster'/></iq>`,
		`<iq type='set' id='2'><block xmlns='urn:xmpp:blocking'><item jid='b@localhost'/></block></iq>`,
		`<iq type='set' id='3'><block xmlns='urn:xmpp:blocking'/></iq>`,
		`<iq type='set' id='4'><unblock xmlns='urn:xmpp:blocking'><item jid='@@'/></unblock></iq>`,
		`<iq type='get' id='5' to='localhost'><query xmlns='jabber:iq:version'/></iq>`,
		`<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>`,
		`<iq type='set' id='6'><a/><b/></iq>`,
		`<iq type='foo' id='7'><a/></iq>`,
		`<iq type='set' id='8'><query xmlns='jabber:iq:roster'><item jid='c@localhost' subscription='remove'/></query></iq>`,
		`<message type='error'/>`,
		`<foo xmlns='jabber:client'/>`,
		`<presence from='spoof@localhost/x' to='b@localhost'/>`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, xml string) {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(xml); err != nil || doc.Root() == nil {
			return
		}
		st := doc.Root()
		srv := model.New(model.Options{})
		a, aj, _, _ := srv.Bind("a", "r")
		b, _, _, _ := srv.Bind("b", "r")
		for _, x := range []string{`<presence/>`, `<iq type='get' id='g'><query xmlns='jabber:iq:roster'/></iq>`} {
			for _, id := range []model.SessionID{a, b} {
				d := etree.NewDocument()
				_ = d.ReadFromString(x)
				srv.Process(id, d.Root())
			}
		}
		spoof, spoofed := "", false
		if v := st.SelectAttr("from"); v != nil && v.Value != aj.String() {
			spoof, spoofed = v.Value, true
		}
		id, hasID := st.SelectAttr("id"), false
		if id != nil {
			hasID = true
		}
		typ := st.SelectAttrValue("type", "")
		to := st.SelectAttrValue("to", "")
		evs := srv.Process(a, st)

		answers := 0
		for _, ev := range evs {
			if ev.Kind != model.Deliver {
				continue
			}
			if spoofed && ev.Stanza.SelectAttrValue("from", "") == spoof && spoof != "" {
				t.Fatalf("spoofed from %q delivered: %s", spoof, model.Canonical(ev.Stanza))
			}
			if ev.Session == a && ev.Stanza.Tag == "iq" && hasID && ev.Stanza.SelectAttrValue("id", "") == id.Value {
				if rt := ev.Stanza.SelectAttrValue("type", ""); rt == "result" || rt == "error" {
					answers++
				}
			}
		}
		serverSide := to == "" || to == "localhost" || strings.EqualFold(to, "a@localhost")
		if st.Tag == "iq" && st.Space == "" && (typ == "get" || typ == "set") && hasID && serverSide &&
			st.NamespaceURI() == "" && answers != 1 {
			t.Fatalf("iq %s answered %d times: %s", typ, answers, xml)
		}
	})
}
