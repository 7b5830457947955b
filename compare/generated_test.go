package compare_test

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/compare"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// maskers returns a model-side and a server-side masker for client
// "romeo" (romeo@localhost/a; on the server b-romeo@localhost/x1), the
// server side having seen sent (the stanzas romeo sent).
func maskers(t *testing.T, sent ...string) (simM, srvM *compare.Masker) {
	t.Helper()
	jid := func(s string) model.JID {
		j, err := model.ParseJID(s)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	simTrace := []sim.TraceEvent{{Kind: sim.TraceConnect, Client: "romeo", JID: jid("romeo@localhost/a")}}
	srvTrace := []sim.TraceEvent{{Kind: sim.TraceConnect, Client: "romeo", JID: jid("b-romeo@localhost/x1")}}
	for _, s := range sent {
		simTrace = append(simTrace, sim.TraceEvent{Kind: sim.TraceSend, Client: "romeo", Text: s})
		srvTrace = append(srvTrace, sim.TraceEvent{Kind: sim.TraceSend, Client: "romeo", Text: s})
	}
	return compare.NewMasker(simTrace, "", nil), compare.NewMasker(srvTrace, "b-", nil)
}

// mask masks the stanzas in order on each side and reports whether the
// two sequences mask alike.
func maskSeq(simM, srvM *compare.Masker, sims, srvs []string) (bool, []string, []string) {
	var a, b []string
	same := len(sims) == len(srvs)
	for i := range sims {
		a = append(a, simM.Stanza(sims[i]))
		b = append(b, srvM.Stanza(srvs[i]))
		same = same && a[i] == b[i]
	}
	return same, a, b
}

// Archive ids are the server's (13.0.1 makes up 24 random characters):
// a stanza-id, the result id of the same message and the RSM first/last
// of the page mask to one placeholder, whatever order the server writes
// <set>'s children in (13.0.1: count, first, last — Lua hash order).
func TestMaskerArchiveIDs(t *testing.T) {
	stanzas := func(id, set string) []string {
		return []string{
			"<message from='romeo@localhost/a' id='m1' to='romeo@localhost/a' type='chat'><body>hi</body><stanza-id by='romeo@localhost' id='" + id + "' xmlns='urn:xmpp:sid:0'/></message>",
			"<message to='romeo@localhost/a'><result id='" + id + "' queryid='q' xmlns='urn:xmpp:mam:2'><forwarded xmlns='urn:xmpp:forward:0'><message id='m1' xmlns='jabber:client'><body>hi</body></message></forwarded></result></message>",
			"<iq id='q1' to='romeo@localhost/a' type='result'><fin complete='true' xmlns='urn:xmpp:mam:2'>" + set + "</fin></iq>",
		}
	}
	model := stanzas("m0Mmof5eonTQLOlNLvl1YiW9", "<set xmlns='http://jabber.org/protocol/rsm'><first>m0Mmof5eonTQLOlNLvl1YiW9</first><last>m0Mmof5eonTQLOlNLvl1YiW9</last><count>1</count></set>")
	server := stanzas("GXlmZ9PTA2YwFadRAlfXz-O3", "<set xmlns='http://jabber.org/protocol/rsm'><count>1</count><first>GXlmZ9PTA2YwFadRAlfXz-O3</first><last>GXlmZ9PTA2YwFadRAlfXz-O3</last></set>")
	for i := range server {
		server[i] = prefixRomeo(server[i])
	}
	simM, srvM := maskers(t)
	if same, a, b := maskSeq(simM, srvM, model, server); !same {
		t.Errorf("the sides mask differently:\nsim:    %q\nserver: %q", a, b)
	}
	// A result that names another id than the stanza-id is a difference.
	wrong := stanzas("GXlmZ9PTA2YwFadRAlfXz-O3", "<set xmlns='http://jabber.org/protocol/rsm'><count>1</count><first>GXlmZ9PTA2YwFadRAlfXz-O3</first><last>GXlmZ9PTA2YwFadRAlfXz-O3</last></set>")
	wrong[1] = "<message to='b-romeo@localhost/x1'><result id='OTHERotherOTHERotherOTHE' queryid='q' xmlns='urn:xmpp:mam:2'><forwarded xmlns='urn:xmpp:forward:0'><message id='m1' xmlns='jabber:client'><body>hi</body></message></forwarded></result></message>"
	wrong[0], wrong[2] = prefixRomeo(wrong[0]), prefixRomeo(wrong[2])
	simM, srvM = maskers(t)
	if same, _, _ := maskSeq(simM, srvM, model, wrong); same {
		t.Error("a result id that is not the stanza-id masked like one that is")
	}
}

// prefixRomeo is what the server side shows for s: romeo's nodes carry
// the run prefix and his resource is the server's.
func prefixRomeo(s string) string {
	s = strings.ReplaceAll(s, "romeo@localhost/a", "b-romeo@localhost/x1")
	return strings.ReplaceAll(s, "'romeo@localhost'", "'b-romeo@localhost'")
}

// Archive ids are numbered per archive: one message archived by sender
// and recipient reaches their clients in hash order inside one action
// (mam_carbons on 13.0.1), which must not swap the placeholders.
func TestMaskerArchiveIDsPerArchive(t *testing.T) {
	toRomeo := func(id string) string {
		return "<message from='romeo@localhost' to='romeo@localhost/a' type='chat'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message id='m1' xmlns='jabber:client'><stanza-id by='romeo@localhost' id='" + id + "' xmlns='urn:xmpp:sid:0'/></message></forwarded></sent></message>"
	}
	fromJuliet := func(id string) string {
		return "<message from='juliet@localhost/j' id='m1' to='romeo@localhost/a' type='chat'><stanza-id by='juliet@localhost' id='" + id + "' xmlns='urn:xmpp:sid:0'/></message>"
	}
	simM, srvM := maskers(t)
	a1, a2 := simM.Stanza(toRomeo("AAAA")), simM.Stanza(fromJuliet("BBBB"))
	b2, b1 := srvM.Stanza(prefixRomeo(fromJuliet("DDDD"))), srvM.Stanza(prefixRomeo(toRomeo("CCCC")))
	if a1 != b1 || a2 != b2 {
		t.Errorf("arrival order changed the placeholders:\nsim:    %s\n        %s\nserver: %s\n        %s", a1, a2, b1, b2)
	}
}

// A value a client sent is not generated: when the client names the
// item, a server that answers with an id of its own differs.
func TestMaskerKeepsSentValues(t *testing.T) {
	pub := "<iq id='p' type='set'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='urn:example'><item id='current'/></publish></pubsub></iq>"
	answer := func(item string) string {
		return "<iq id='p' to='romeo@localhost/a' type='result'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='urn:example'><item id='" + item + "'/></publish></pubsub></iq>"
	}
	simM, srvM := maskers(t, pub)
	if a, b := simM.Stanza(answer("current")), srvM.Stanza(prefixRomeo(answer("e175d3dc-d21e-4022-bf44-9719da964fbf"))); a == b {
		t.Errorf("a generated id masked like the one the client chose: %s", a)
	}
	// Without a client-chosen id, 13.0.1 and the model each make one up.
	simM, srvM = maskers(t)
	if a, b := simM.Stanza(answer("83cfa480-9cb5-3e04-6a09-c45a78dae5a9")), srvM.Stanza(prefixRomeo(answer("e175d3dc-d21e-4022-bf44-9719da964fbf"))); a != b {
		t.Errorf("generated item ids masked differently:\nsim:    %s\nserver: %s", a, b)
	}
}

// 13.0.1 writes a redundant xmlns on each pubsub <item>, and a script
// copied from a stream declares xmlns:stream on its stanzas: neither
// changes the XML, so neither is a difference; another namespace is.
func TestMaskerNamespaceDeclarations(t *testing.T) {
	simM, srvM := maskers(t)
	items := func(itemNS string) string {
		return "<iq id='g' to='romeo@localhost/a' type='result'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:n'><item id='one'" + itemNS + "><x xmlns='urn:n'>1</x></item></items></pubsub></iq>"
	}
	if a, b := simM.Stanza(items("")), srvM.Stanza(prefixRomeo(items(" xmlns='http://jabber.org/protocol/pubsub'"))); a != b {
		t.Errorf("a redundant xmlns made a difference:\nsim:    %s\nserver: %s", a, b)
	}
	if a, b := simM.Stanza(items("")), srvM.Stanza(prefixRomeo(items(" xmlns='urn:other'"))); a == b {
		t.Error("an item in another namespace masked alike")
	}
	pres := "<presence from='romeo@localhost/a' id='x' xmlns:stream='http://etherx.jabber.org/streams'/>"
	if a, b := simM.Stanza(pres), srvM.Stanza("<presence from='b-romeo@localhost/x1' id='x'/>"); a != b {
		t.Errorf("a stream prefix declaration made a difference:\nsim:    %s\nserver: %s", a, b)
	}
	// Any unused prefix declaration is as meaningless (Namespaces in XML
	// §3: a declaration only binds a prefix); a used one is kept.
	unused := "<presence from='romeo@localhost/a' id='x' xmlns:foo='urn:foo'/>"
	if a, b := simM.Stanza(unused), srvM.Stanza("<presence from='b-romeo@localhost/x1' id='x'/>"); a != b {
		t.Errorf("an unused prefix declaration made a difference:\nsim:    %s\nserver: %s", a, b)
	}
	used := "<presence from='romeo@localhost/a' id='x' foo:a='1' xmlns:foo='urn:foo'/>"
	if a, b := simM.Stanza(used), srvM.Stanza("<presence from='b-romeo@localhost/x1' id='x' foo:a='1'/>"); a == b {
		t.Error("a used prefix declaration was dropped")
	}
}

// 13.0.1 lists a host's components in Lua hash order (mod_disco's pairs
// over the host's children), seeded afresh in every process: the order
// is not behaviour, but which components are listed is.
func TestMaskerHostDiscoItemsUnordered(t *testing.T) {
	simM, srvM := maskers(t)
	items := func(jids ...string) string {
		s := "<iq from='localhost' id='i1' to='romeo@localhost/a' type='result'><query xmlns='http://jabber.org/protocol/disco#items'>"
		for _, j := range jids {
			s += "<item jid='" + j + "'/>"
		}
		return s + "</query></iq>"
	}
	if a, b := simM.Stanza(items("conference.localhost", "upload.localhost", "pubsub.localhost")), srvM.Stanza(prefixRomeo(items("conference.localhost", "pubsub.localhost", "upload.localhost"))); a != b {
		t.Errorf("component order made a difference:\nsim:    %s\nserver: %s", a, b)
	}
	if a, b := simM.Stanza(items("conference.localhost", "upload.localhost")), srvM.Stanza(prefixRomeo(items("conference.localhost", "pubsub.localhost"))); a == b {
		t.Error("different components masked alike")
	}
}
