package model_test

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/model"
)

// TestPEPDiscoItemsSelfFrom: a disco#items query to one's own account,
// written without 'to', is answered from the account's bare JID, with a
// node or without. Prosody 13.0.1's mod_disco sets it ("COMPAT To
// satisfy Psi when querying own account"); measured on 13.0.1 with
// pubsub_config.scs (Romeo's disco#items answer came
// from='jqpcrbq@localhost').
func TestPEPDiscoItemsSelfFrom(t *testing.T) {
	p := model.Prosody13()
	h := newHarness(t, &p)
	h.bind("romeo", "romeo", "r1")
	h.send("romeo", `<iq type='set' id='pub'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='urn:example:n'><item id='i1'><x xmlns='urn:example'/></item></publish></pubsub></iq>`)
	h.take("romeo")
	for _, q := range []string{
		`<iq type='get' id='d1'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`,
		`<iq type='get' id='d1'><query xmlns='http://jabber.org/protocol/disco#items' node='urn:example:n'/></iq>`,
	} {
		h.send("romeo", q)
		got := h.take("romeo")
		if len(got) != 1 || !strings.Contains(got[0], "type='result'") {
			t.Fatalf("%s: got %q, want one result", q, got)
		}
		if !strings.HasPrefix(got[0], "<iq from='romeo@localhost' ") {
			t.Errorf("%s: answer %s, want it from romeo@localhost", q, got[0])
		}
	}
}
