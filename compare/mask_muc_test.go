package compare

import "testing"

// Prosody lists an occupant's sessions (<item/>s) in hash order, and adds
// an invitation's body and jabber:x:conference element in an order that
// changes between server starts (observed on 13.0.1): masking makes
// either order the same, and keeps the status codes of a presence where
// they are.
func TestMaskMUCOrders(t *testing.T) {
	m := NewMasker(nil, "", nil)
	pairs := [][2]string{
		{`<presence from='r@conference.localhost/j'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' jid='a@localhost/1' role='participant'/><item affiliation='none' jid='a@localhost/2' role='participant'/><status code='110'/></x></presence>`,
			`<presence from='r@conference.localhost/j'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' jid='a@localhost/2' role='participant'/><item affiliation='none' jid='a@localhost/1' role='participant'/><status code='110'/></x></presence>`},
		{`<message from='r@conference.localhost'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='r@conference.localhost/n'><reason/></invite></x><body>b</body><x jid='r@conference.localhost' xmlns='jabber:x:conference'/></message>`,
			`<message from='r@conference.localhost'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='r@conference.localhost/n'><reason/></invite></x><x jid='r@conference.localhost' xmlns='jabber:x:conference'/><body>b</body></message>`},
		{`<message from='r@conference.localhost' type='groupchat'><x xmlns='http://jabber.org/protocol/muc#user'><status code='104'/><status code='172'/></x></message>`,
			`<message from='r@conference.localhost' type='groupchat'><x xmlns='http://jabber.org/protocol/muc#user'><status code='172'/><status code='104'/></x></message>`},
	}
	for _, p := range pairs {
		if a, b := m.Stanza(p[0]), m.Stanza(p[1]); a != b {
			t.Errorf("masked differently:\n%s\n%s", a, b)
		}
	}
	a := m.Stanza(`<presence from='r@conference.localhost/j'><x xmlns='http://jabber.org/protocol/muc#user'><status code='201'/><item affiliation='owner' role='moderator'/><status code='110'/></x></presence>`)
	b := m.Stanza(`<presence from='r@conference.localhost/j'><x xmlns='http://jabber.org/protocol/muc#user'><status code='110'/><item affiliation='owner' role='moderator'/><status code='201'/></x></presence>`)
	if a == b {
		t.Error("a presence's status codes are in Prosody's fixed order; masking must keep it")
	}
}
