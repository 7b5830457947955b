package model

import (
	"strings"
	"testing"
)

// An items request to a node that does not exist, on the PEP service of
// an account the requester has no subscription to: 13.0.1 answers
// item-not-found, 0.12.3 forbidden (its get_items checks access, with the
// default access model "presence", first). Both asked over the wire
// (check --server against 0.12.3, seed 89; SAME on both releases).
func TestItemsOfMissingNodeByRelease(t *testing.T) {
	for _, c := range []struct {
		p    Profile
		want string
	}{{Prosody13(), "item-not-found"}, {Prosody012(), "forbidden"}} {
		srv := New(Options{Profile: &c.p})
		id, _, _, _ := srv.Bind("romeo", "r")
		out := process(t, srv, id, `<iq type='get' id='i' to='juliet@localhost'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='http://jabber.org/protocol/tune'/></pubsub></iq>`)
		if len(out) != 1 || !strings.Contains(Canonical(out[0]), "<"+c.want+" ") {
			t.Errorf("%s: %v", c.p.Name, out)
		}
	}
}
