package model_test

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/model"
)

// TestMUCRestartKeepsPersistentRooms: a restart is a crash with
// persistent storage. Prosody's mod_muc saves a persistent room's
// configuration and affiliations whenever they change (room_save) and
// keeps a non-persistent room in memory only, so afterwards the
// persistent room is still there — joining it is not a creation (no 201)
// and the member is still a member — while the temporary room is created
// anew (201).
func TestMUCRestartKeepsPersistentRooms(t *testing.T) {
	p := model.Prosody13()
	h := newHarness(t, &p)
	h.srv = model.New(model.Options{Profile: &p, Storage: &model.MemStorage{}})
	h.bind("romeo", "romeo", "a")
	h.send("romeo", `<presence to='keep@conference.localhost/Romeo'><x xmlns='http://jabber.org/protocol/muc'/></presence>`)
	h.send("romeo", `<iq type='set' id='c' to='keep@conference.localhost'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field><field var='muc#roomconfig_persistentroom'><value>1</value></field></x></query></iq>`)
	h.send("romeo", `<iq type='set' id='m' to='keep@conference.localhost'><query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='member' jid='juliet@localhost'/></query></iq>`)
	h.send("romeo", `<presence to='temp@conference.localhost/Romeo'><x xmlns='http://jabber.org/protocol/muc'/></presence>`)
	h.send("romeo", `<iq type='set' id='t' to='temp@conference.localhost'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>`)
	h.take("romeo")
	h.srv.Restart()

	h.bind("juliet", "juliet", "b")
	h.send("juliet", `<presence to='keep@conference.localhost/Juliet'><x xmlns='http://jabber.org/protocol/muc'/></presence>`)
	got := strings.Join(h.take("juliet"), "\n")
	if strings.Contains(got, "code='201'") || !strings.Contains(got, "affiliation='member'") || strings.Contains(got, "type='error'") {
		t.Errorf("persistent room after restart, Juliet's join:\n%s", got)
	}
	if strings.Contains(got, "keep@conference.localhost/Romeo") {
		t.Errorf("Romeo's occupancy survived the crash:\n%s", got)
	}
	h.bind("romeo2", "romeo", "c")
	h.send("romeo2", `<presence to='temp@conference.localhost/Romeo'><x xmlns='http://jabber.org/protocol/muc'/></presence>`)
	if got := strings.Join(h.take("romeo2"), "\n"); !strings.Contains(got, "code='201'") {
		t.Errorf("the temporary room should be created anew:\n%s", got)
	}
}
