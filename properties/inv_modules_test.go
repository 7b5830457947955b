package properties

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
)

// The module invariants (inv_modules.go) on hand-built sequences under
// prosody-13: each holds on the model, judges something (the stanza or
// state it is about is there), and fires on the mutant it is for. The
// reference stays on, so the tolerances of actions_modules.go are
// exercised too.

const (
	capsPresenceTo = "<presence to='u1@localhost'>" + capsElem + "</presence>"
	capsAnswer     = "<iq type='result' id='disco' to='u1@localhost'><query xmlns='http://jabber.org/protocol/disco#info' node='http://scansim.example/caps#V1'><identity category='client' type='pc'/><feature var='http://jabber.org/protocol/tune+notify'/></query></iq>"
	publishTune    = "<iq type='set' id='p1'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='http://jabber.org/protocol/tune'><item id='current'><tune xmlns='http://jabber.org/protocol/tune'><title>t</title></tune></item></publish></pubsub></iq>"
)

// runModuleOps applies ops under prosody-13 with the given mutants, with
// the invariants restricted to only (nil: all), and returns the first
// failure and the harness.
func runModuleOps(t *testing.T, ops []Op, mutants []string, only ...string) (string, *harness) {
	t.Helper()
	p := model.Prosody13()
	h := newHarness(2, p, p, mutants, 1)
	if len(only) > 0 {
		h.setOnly(map[string]bool{})
		for _, o := range only {
			h.only[o] = true
		}
	}
	for _, op := range ops {
		if op.Name == "" {
			op.Name = "i1PEP" // judged as a module action (no reference comparison)
		}
		if msg := h.apply(op); msg != "" {
			return msg, h
		}
	}
	return "", h
}

// received reports whether client got a stanza containing all of subs in
// the run.
func received(h *harness, client string, subs ...string) bool {
	for _, e := range h.sim.Trace() {
		if e.Client != client || e.Canonical() == "" {
			continue
		}
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(e.Canonical(), s)
		}
		if ok {
			return true
		}
	}
	return false
}

// TestPEPRecipientBlockInvariant: u2 subscribes to u1, announces caps
// with tune+notify to u1 (XEP-0163 §4.2), then blocks u1; u1's publish
// must not reach u2 (XEP-0191 §3.3): sc53 holds on the model, and fires
// on pep-notifies-blocked. Without the block the notification arrives
// (so the sequence does reach u2's +notify registration).
func TestPEPRecipientBlockInvariant(t *testing.T) {
	base := []Op{
		{Name: "a1Connect", Kind: OpConnect, Slot: "u1a", Res: "a"},
		{Name: "a1Connect", Kind: OpConnect, Slot: "u2a", Res: "a"},
		{Name: "c0Befriend", Kind: OpSend, Slot: "u2a", Stanza: "<presence type='subscribe' to='u1@localhost'/>"},
		{Name: "c0Befriend", Kind: OpSend, Slot: "u1a", Stanza: "<presence type='subscribed' to='u2@localhost'/>"},
		{Kind: OpSend, Slot: "u2a", Stanza: capsPresenceTo},
		{Kind: OpSend, Slot: "u2a", Stanza: capsAnswer},
	}
	block := Op{Name: "e2Block", Kind: OpSend, Slot: "u2a", Stanza: "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='u1@localhost'/></block></iq>"}
	publish := Op{Kind: OpSend, Slot: "u1a", Stanza: publishTune}
	if msg, h := runModuleOps(t, append(append([]Op{}, base...), publish), nil); msg != "" || !received(h, "u2a", nsPubSubEvent) {
		t.Fatalf("without a block: failure %q, notification received %v; want none and true", msg, received(h, "u2a", nsPubSubEvent))
	}
	blocked := append(append(append([]Op{}, base...), block), publish)
	if msg, _ := runModuleOps(t, blocked, nil); msg != "" {
		t.Fatalf("correct model: %s", msg)
	}
	if msg, _ := runModuleOps(t, blocked, []string{"pep-notifies-blocked"}, "sc53"); !strings.Contains(msg, "sc53NoPEPNotificationAcrossBlock") {
		t.Fatalf("mutant: got %q, want sc53 to fire", msg)
	}
}

// TestPEPPublisherBlockRelaxed: the publisher's own block does not stop
// her notifications in Prosody (mod_pep.go, pep_publisher_blocks.scs):
// the default run tolerates it, Strict demands XEP-0191 §3.3.
func TestPEPPublisherBlockRelaxed(t *testing.T) {
	ops := []Op{
		{Name: "a1Connect", Kind: OpConnect, Slot: "u1a", Res: "a"},
		{Name: "a1Connect", Kind: OpConnect, Slot: "u2a", Res: "a"},
		{Name: "c0Befriend", Kind: OpSend, Slot: "u2a", Stanza: "<presence type='subscribe' to='u1@localhost'/>"},
		{Name: "c0Befriend", Kind: OpSend, Slot: "u1a", Stanza: "<presence type='subscribed' to='u2@localhost'/>"},
		{Kind: OpSend, Slot: "u2a", Stanza: capsPresenceTo},
		{Kind: OpSend, Slot: "u2a", Stanza: capsAnswer},
		{Name: "e2Block", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='u2@localhost'/></block></iq>"},
		{Kind: OpSend, Slot: "u1a", Stanza: publishTune},
	}
	msg, h := runModuleOps(t, ops, nil)
	if msg != "" {
		t.Fatalf("Prosody profile: %s", msg)
	}
	if !received(h, "u2a", nsPubSubEvent) {
		t.Skip("the model does not deliver the blocked publisher's notification: nothing to relax")
	}
	h2 := func() string {
		p := model.Prosody13()
		h := newHarness(2, p, p, nil, 1)
		h.strict = true
		h.setOnly(map[string]bool{"sc53": true})
		for _, op := range ops {
			if op.Name == "" {
				op.Name = "i1PEP"
			}
			if m := h.apply(op); m != "" {
				return m
			}
		}
		return ""
	}()
	if !strings.Contains(h2, "sc53NoPEPNotificationAcrossBlock") {
		t.Fatalf("strict: got %q, want sc53 to fire", h2)
	}
}

// TestMAMRefusedInvariant: u1 enables its archive (mam_smart_enable: a
// first query), blocks u2; u2's message is refused; u1's next query must
// not return it (XEP-0191 §3.3, XEP-0313): sc52 holds on the model, and
// fires on mam-archives-blocked. A message from before the block is
// returned (the query result is judged).
func TestMAMRefusedInvariant(t *testing.T) {
	query := func(id string) Op {
		return Op{Name: "i3MAM", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='set' id='" + id + "'><query xmlns='urn:xmpp:mam:2' queryid='f" + id + "'/></iq>"}
	}
	ops := []Op{
		{Name: "a1Connect", Kind: OpConnect, Slot: "u1a", Res: "a"},
		{Name: "a1Connect", Kind: OpConnect, Slot: "u2a", Res: "a"},
		query("a1"),
		{Name: "f1Message", Kind: OpSend, Slot: "u2a", Stanza: "<message to='u1@localhost/a' type='chat' id='m1'><body>before</body></message>"},
		{Name: "e2Block", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='u2@localhost'/></block></iq>"},
		{Name: "f1Message", Kind: OpSend, Slot: "u2a", Stanza: "<message to='u1@localhost/a' type='chat' id='m2'><body>blocked</body></message>"},
		query("a2"),
	}
	msg, h := runModuleOps(t, ops, nil)
	if msg != "" {
		t.Fatalf("correct model: %s", msg)
	}
	if !received(h, "u1a", nsMAM, "before") {
		t.Fatal("the archive query returned nothing: the invariant judged nothing")
	}
	if msg, _ := runModuleOps(t, ops, []string{"mam-archives-blocked"}, "sc52"); !strings.Contains(msg, "sc52MAMNoRefusedMessage") {
		t.Fatalf("mutant: got %q, want sc52 to fire", msg)
	}
}

// TestRemovedAccountInvariant: an account with a blocklist entry removes
// itself (XEP-0077 §3.2); the account created again has an empty
// blocklist: sc54 holds on the model, and fires on
// stale-blocklist-after-delete.
func TestRemovedAccountInvariant(t *testing.T) {
	ops := []Op{
		{Name: "a1Connect", Kind: OpConnect, Slot: "u1a", Res: "a"},
		{Name: "e2Block", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='u2@localhost'/></block></iq>"},
		{Name: "i5Remove", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='set' id='x1'><query xmlns='jabber:iq:register'><remove/></query></iq>"},
		{Name: "a1Connect", Kind: OpConnect, Slot: "u1b", Res: "b"},
		{Name: "e1BlocklistGet", Kind: OpSend, Slot: "u1b", Stanza: "<iq type='get' id='g1'><blocklist xmlns='urn:xmpp:blocking'/></iq>"},
	}
	msg, h := runModuleOps(t, ops, nil)
	if msg != "" {
		t.Fatalf("correct model: %s", msg)
	}
	if !received(h, "u1b", "<blocklist xmlns='urn:xmpp:blocking'/>") {
		t.Fatal("the re-created account's blocklist get did not return an empty list")
	}
	if msg, _ := runModuleOps(t, ops, []string{"stale-blocklist-after-delete"}, "sc54"); !strings.Contains(msg, "sc54RemovedAccountBlocklistEmpty") {
		t.Fatalf("mutant: got %q, want sc54 to fire", msg)
	}
}

// TestPropertyProsody13: the property with the module actions holds on
// the prosody-13 model (reference and every invariant), and the module
// actions are drawn and reach the modules: PEP notifications to another
// user, archive results and account removals happen.
func TestPropertyProsody13(t *testing.T) {
	p := model.Prosody13()
	var notif, mam, removed int
	seen := Invariant{Name: "seen", Check: func(c *Ctx) error {
		for _, e := range c.Step() {
			switch {
			case strings.Contains(e.Canonical(), nsPubSubEvent) && !strings.Contains(e.Canonical(), "from='"+e.JID.Bare().String()+"'"):
				notif++
			case strings.Contains(e.Canonical(), "<result ") && strings.Contains(e.Canonical(), nsMAM):
				mam++
			}
		}
		if c.LastOp().Name == "i5Remove" {
			removed++
		}
		return nil
	}}
	r := Explore(Config{Options: driver.Options{Seed: 1, Profile: &p}, Checks: 300, CustomInvariants: []Invariant{seen}, OutDir: t.TempDir()})
	if r.Failure != nil {
		t.Fatalf("prosody-13: %s", r.Failure.Message)
	}
	if notif == 0 || mam == 0 || removed == 0 {
		t.Errorf("module actions reached too little: %d notifications to others, %d archive results, %d removal steps", notif, mam, removed)
	}
}
