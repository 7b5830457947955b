package compare_test

import (
	"testing"

	"github.com/scansim/scansim/compare"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// Both sides of a comparison must mask a stanza to the same string: on
// the server every node carries the run prefix and resources may be
// generated, which must change neither the text nor the order of an
// unordered list (a blocklist sorted before the prefix came off put
// "localhost" after "b-u1@..." on one side and before "u1@..." on the
// other).
func TestMaskerSidesAgree(t *testing.T) {
	jid := func(s string) model.JID {
		j, err := model.ParseJID(s)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	simTrace := []sim.TraceEvent{{Kind: sim.TraceConnect, Client: "u1a", JID: jid("u1@localhost/a")}}
	srvTrace := []sim.TraceEvent{{Kind: sim.TraceConnect, Client: "u1a", JID: jid("b-u1@localhost/x7f3")}}
	ids := map[string]bool{"bl3": true}
	simM := compare.NewMasker(simTrace, "", ids)
	srvM := compare.NewMasker(srvTrace, "b-", ids)
	cases := []struct{ sim, srv string }{
		{
			"<iq id='bl3' to='u1@localhost/a' type='result'><blocklist xmlns='urn:xmpp:blocking'><item jid='localhost'/><item jid='u1@localhost/a'/><item jid='u2@localhost'/></blocklist></iq>",
			"<iq id='bl3' to='b-u1@localhost/x7f3' type='result'><blocklist xmlns='urn:xmpp:blocking'><item jid='b-u2@localhost'/><item jid='b-u1@localhost/x7f3'/><item jid='localhost'/></blocklist></iq>",
		},
		{ // a server-generated id and a stamp
			"<message from='u2@localhost' id='abc' to='u1@localhost/a'><delay stamp='2000-01-01T00:00:00Z' xmlns='urn:xmpp:delay'/></message>",
			"<message from='b-u2@localhost' id='zz9' to='b-u1@localhost/x7f3'><delay stamp='2026-11-25T12:00:00Z' xmlns='urn:xmpp:delay'/></message>",
		},
		{ // MAM metadata: the archive times are the server's clock (0.12.3's answer to mam_extended.scs)
			"<iq id='bl3' type='result'><metadata xmlns='urn:xmpp:mam:2'><start id='a1' timestamp='2008-08-22T21:09:04Z'/><end id='a2' timestamp='2008-08-22T21:09:04Z'/></metadata></iq>",
			"<iq id='bl3' type='result'><metadata xmlns='urn:xmpp:mam:2'><start id='Zx' timestamp='2026-12-07T07:12:29Z'/><end id='Yq' timestamp='2026-12-07T07:12:30Z'/></metadata></iq>",
		},
	}
	for _, c := range cases {
		a, b := simM.Stanza(c.sim), srvM.Stanza(c.srv)
		if a != b {
			t.Errorf("the sides mask differently:\nsim:    %s\nserver: %s", a, b)
		}
	}
	// and what differs stays different
	if simM.Stanza(cases[0].sim) == srvM.Stanza("<iq id='bl3' to='b-u1@localhost/x7f3' type='result'><blocklist xmlns='urn:xmpp:blocking'><item jid='localhost'/></blocklist></iq>") {
		t.Error("different blocklists masked alike")
	}
}

func TestUnprefixNodes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<x from='r1-romeo@localhost' to="r1-juliet@localhost/a">r1-nurse@localhost</x>`, `<x from='romeo@localhost' to="juliet@localhost/a">nurse@localhost</x>`},
		{`<x from='ar1-romeo@localhost'/>`, `<x from='ar1-romeo@localhost'/>`},
		{`no prefix here`, `no prefix here`},
	} {
		if got := compare.UnprefixNodes(tc.in, "r1-"); got != tc.want {
			t.Errorf("UnprefixNodes(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
