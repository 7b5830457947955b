package model

import (
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// pepHarness drives a prosody-13 server where romeo and juliet are
// mutual contacts (subscription both), so each may read the other's
// presence-access PEP nodes (XEP-0163 §4: presence access model).
type pepHarness struct {
	t    *testing.T
	srv  *Server
	r, j SessionID
}

func newPEPHarness(t *testing.T, mutants []string) *pepHarness {
	p := Prosody13()
	srv := New(Options{Profile: &p, Mutants: mutants})
	for _, pair := range [][2]string{{"romeo", "juliet"}, {"juliet", "romeo"}} {
		u := srv.account(pair[0])
		u.roster[pair[1]+"@localhost"] = &rosterItem{sub: "both"}
		u.rosterKeys = nil
	}
	h := &pepHarness{t: t, srv: srv}
	var err error
	if h.r, _, _, err = srv.Bind("romeo", "r"); err != nil {
		t.Fatal(err)
	}
	if h.j, _, _, err = srv.Bind("juliet", "j"); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *pepHarness) send(id SessionID, x string) []Event {
	h.t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(x); err != nil {
		h.t.Fatal(err)
	}
	return h.srv.Process(id, doc.Root())
}

const pepCaps = `<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://example.org/c' ver='V1'/>`

// announce makes romeo available with caps and answers every caps query
// the server sends him with tune+notify (XEP-0163 §4.2 filtered
// notifications); it reports how many queries he answered.
func (h *pepHarness) announce() int {
	h.send(h.j, `<presence/>`)
	evs := h.send(h.r, `<presence>`+pepCaps+`</presence>`)
	n := 0
	for _, ev := range evs {
		st := ev.Stanza
		if ev.Kind != Deliver || ev.Session != h.r || st.Tag != "iq" || attrOr(st, "id") != "disco" {
			continue
		}
		q := st.FindElement("query")
		h.send(h.r, `<iq type='result' id='disco' to='`+attrOr(st, "from")+`'><query xmlns='http://jabber.org/protocol/disco#info' node='`+
			attrOr(q, "node")+`'><identity category='client' type='pc'/><feature var='http://jabber.org/protocol/tune+notify'/></query></iq>`)
		n++
	}
	return n
}

// publish has juliet publish a tune titled title; it returns the
// notifications romeo received.
func (h *pepHarness) publish(title string) []string {
	var got []string
	for _, ev := range h.send(h.j, `<iq type='set' id='p'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='http://jabber.org/protocol/tune'><item id='current'><tune xmlns='http://jabber.org/protocol/tune'><title>`+title+`</title></tune></item></publish></pubsub></iq>`) {
		if ev.Kind == Deliver && ev.Session == h.r && ev.Stanza.Tag == "message" {
			if t := ev.Stanza.FindElement("event/items/item/tune/title"); t != nil {
				got = append(got, t.Text())
			}
		}
	}
	return got
}

// TestPEPNotifiesContacts: a contact whose caps carry +notify for a node
// gets the owner's items as they are published (XEP-0163 §4.3), from the
// owner's bare JID; the server asked for his caps from his own account
// and from juliet's (mod_pep queries on presence, XEP-0115 §4).
func TestPEPNotifiesContacts(t *testing.T) {
	h := newPEPHarness(t, nil)
	if n := h.announce(); n != 2 {
		t.Fatalf("romeo answered %d caps queries, want 2 (his own account's and juliet's)", n)
	}
	// He is registered twice, his full JID (from juliet's query) and his
	// bare JID (from his own account's: mod_pep registers it at every
	// contact with a both subscription), so mod_pep notifies both.
	if got := h.publish("one"); len(got) == 0 || strings.Count(strings.Join(got, ","), "one") != len(got) {
		t.Fatalf("romeo got %v, want notifications of [one]", got)
	}
}

// TestPEPBlockedRecipient: XEP-0191 §3.3 — once romeo blocks juliet, no
// stanza from her reaches him, PEP notifications included; the mutant
// pep-notifies-blocked, which hands notifications straight to the
// sessions, is caught here (and by the property engine under prosody-13).
func TestPEPBlockedRecipient(t *testing.T) {
	run := func(mutants []string) []string {
		h := newPEPHarness(t, mutants)
		h.announce()
		h.send(h.r, `<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='juliet@localhost'/></block></iq>`)
		return h.publish("blocked")
	}
	if got := run(nil); len(got) != 0 {
		t.Errorf("romeo blocked juliet but got her notifications %v", got)
	}
	if got := run([]string{"pep-notifies-blocked"}); len(got) == 0 {
		t.Error("mutant pep-notifies-blocked: the blocked notification did not arrive")
	}
}

// TestPEPCapsHash: the XEP-0115 §5.2 simple example (a client with one
// identity and four features) hashes to its published verification
// string.
func TestPEPCapsHash(t *testing.T) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<query xmlns='http://jabber.org/protocol/disco#info'>
		<identity category='client' name='Exodus 0.9.1' type='pc'/>
		<feature var='http://jabber.org/protocol/caps'/>
		<feature var='http://jabber.org/protocol/disco#info'/>
		<feature var='http://jabber.org/protocol/disco#items'/>
		<feature var='http://jabber.org/protocol/muc'/></query>`); err != nil {
		t.Fatal(err)
	}
	if got := capsHash(doc.Root()); got != "QgayPKawpkPSDYmwT/WM94uAlu0=" {
		t.Errorf("caps hash %q, want QgayPKawpkPSDYmwT/WM94uAlu0=", got)
	}
}

// TestPubSubDefaultsForm: the service's node defaults (XEP-0060 §8.3,
// retrieve-default) list max_items 20, access open, send_last never,
// persist_items on, as util/pubsub's defaults are.
func TestPubSubDefaultsForm(t *testing.T) {
	p := Prosody13()
	srv := New(Options{Profile: &p})
	id, _, _, err := srv.Bind("admin", "a")
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	_ = doc.ReadFromString(`<iq type='get' id='d' to='pubsub.localhost'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><default/></pubsub></iq>`)
	var form *etree.Element
	for _, ev := range srv.Process(id, doc.Root()) {
		if ev.Kind == Deliver {
			form = ev.Stanza.FindElement("pubsub/default/x")
		}
	}
	if form == nil {
		t.Fatal("no default form")
	}
	want := map[string]string{"pubsub#max_items": "20", "pubsub#access_model": "open",
		"pubsub#send_last_published_item": "never", "pubsub#persist_items": "1"}
	for _, f := range form.SelectElements("field") {
		if w, ok := want[f.SelectAttrValue("var", "")]; ok {
			v := f.SelectElement("value")
			if v == nil || strings.TrimSpace(v.Text()) != w {
				t.Errorf("%s: %v, want %s", f.SelectAttrValue("var", ""), v, w)
			}
			delete(want, f.SelectAttrValue("var", ""))
		}
	}
	if len(want) != 0 {
		t.Errorf("fields missing: %v", want)
	}
}

// TestPEPServiceDeletedWithAccount: mod_pep's user-deleted hook removes the
// account's PEP service, so an account re-created under the same name
// starts with no nodes (XEP-0077 §3.2: removing an account removes its
// data; Prosody's mod_pep deletes every node of the service).
func TestPEPServiceDeletedWithAccount(t *testing.T) {
	h := newPEPHarness(t, nil)
	h.send(h.j, `<iq type='set' id='p1'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='urn:xmpp:tmp:n'><item id='i1'><x xmlns='urn:xmpp:tmp'/></item></publish></pubsub></iq>`)
	if h.srv.mods.pep.services["juliet"] == nil {
		t.Fatal("publishing created no PEP service for juliet")
	}
	h.send(h.j, `<iq type='set' id='rm'><query xmlns='jabber:iq:register'><remove/></query></iq>`)
	if h.srv.mods.pep.services["juliet"] != nil {
		t.Fatal("juliet's PEP service survived the deletion of her account")
	}
	j2, _, _, err := h.srv.Bind("juliet", "again")
	if err != nil {
		t.Fatal(err)
	}
	evs := h.send(j2, `<iq type='get' id='g1'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:tmp:n'/></pubsub></iq>`)
	for _, ev := range evs {
		if ev.Kind == Deliver && ev.Session == j2 && attrOr(ev.Stanza, "id") == "g1" {
			if attrOr(ev.Stanza, "type") != "error" || !strings.Contains(Canonical(ev.Stanza), "item-not-found") {
				t.Fatalf("the re-created account still has the old node: %s", Canonical(ev.Stanza))
			}
			return
		}
	}
	t.Fatal("no answer to the items query")
}

// TestPEPCapsForgottenOnRestart: mod_pep keeps the caps cache and the
// +notify registrations in memory (13.0.1's hash_map and recipients), so
// after a restart a known caps hash is queried again.
func TestPEPCapsForgottenOnRestart(t *testing.T) {
	h := newPEPHarness(t, nil)
	if n := h.announce(); n == 0 {
		t.Fatal("no caps query before the restart")
	}
	h.srv.Restart()
	var err error
	if h.r, _, _, err = h.srv.Bind("romeo", "r"); err != nil {
		t.Fatal(err)
	}
	if h.j, _, _, err = h.srv.Bind("juliet", "j"); err != nil {
		t.Fatal(err)
	}
	if n := h.announce(); n == 0 {
		t.Fatal("the caps hash was not queried again after a restart: the cache survived it")
	}
}
