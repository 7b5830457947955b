package properties

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
)

// failuresOut is where a test writes its failure scripts:
// $SCANSIM_FAILURES when set (to keep them), else a temporary directory.
func failuresOut(t *testing.T) string {
	if d := os.Getenv("SCANSIM_FAILURES"); d != "" {
		return d
	}
	return t.TempDir()
}

// specCase: demanding a profile field flipped to the specification's
// value makes the named invariant fire against the Prosody model, which
// keeps its default. The reference comparison is off, so that the
// invariant, not the prediction, reports it.
type specCase struct {
	name      string
	flip      func(p *model.Profile)
	invariant string
}

var specCases = []specCase{
	{"ErrorOnBlockedBroadcast", func(p *model.Profile) { p.ErrorOnBlockedBroadcast = false }, "inv19GeneratedTrafficSuppressed"},
	{"RecheckBlocklistOnOfflineFlush", func(p *model.Profile) { p.RecheckBlocklistOnOfflineFlush = true }, "inv38BlockedNeverStoredOffline"},
	{"PresenceOnUnblockAll", func(p *model.Profile) { p.PresenceOnUnblockAll = true }, "inv22PresenceOnUnblock"},
	{"LocalRosterChangeOnBlockedOutboundSub", func(p *model.Profile) { p.LocalRosterChangeOnBlockedOutboundSub = false }, "inv17NoRoutingToBlocked"},
}

// TestSpecProfileCatchesProsody shows that each invariant Prosody breaks
// on purpose exists and catches the behaviour when the strict
// specification is demanded.
func TestSpecProfileCatchesProsody(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	out := failuresOut(t)
	for _, c := range specCases {
		t.Run(c.name, func(t *testing.T) {
			prof := model.ProsodyTrunk()
			spec := prof
			spec.Name = "spec:" + c.name
			c.flip(&spec)
			r := Explore(Config{Options: driver.Options{Profile: &prof, Seed: 3}, Checks: 2000, Spec: &spec, NoReference: true,
				Invariants: []string{c.invariant}, OutDir: out, ShrinkTime: 100 * time.Millisecond})
			if r.Failure == nil {
				t.Fatalf("%s never fired in %d checks", c.invariant, r.Checks)
			}
			if !strings.Contains(r.Failure.Message, c.invariant) {
				t.Fatalf("failure is not %s: %s", c.invariant, r.Failure.Message)
			}
			t.Logf("%s fires after %d checks, %d actions: %s\n%s", c.invariant, r.Failure.FirstCheck, r.Failure.ShrunkLen, r.Failure.ScriptPath, r.Failure.Script)
			// and under the Prosody profile the invariant holds
			r2 := Explore(Config{Options: driver.Options{Profile: &prof, Seed: 3}, Checks: 200, NoReference: true, Invariants: []string{c.invariant}, OutDir: t.TempDir()})
			if r2.Failure != nil {
				t.Fatalf("%s fires under the Prosody profile: %s", c.invariant, r2.Failure.Message)
			}
		})
	}
}

// TestStrictFindings: without the relaxations for Prosody behaviour that
// no profile field selects, inv30 and inv19 fire on the Prosody model
// (docs/findings.md F1–F4).
func TestStrictFindings(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	out := failuresOut(t)
	for _, inv := range []string{"inv30CrossRosterConsistency", "inv19GeneratedTrafficSuppressed"} {
		r := Explore(Config{Options: driver.Options{Profile: trunk(), Seed: 5}, Checks: 3000, NoReference: true, Strict: true,
			Invariants: []string{inv}, OutDir: out, ShrinkTime: 100 * time.Millisecond})
		if r.Failure == nil {
			t.Fatalf("strict %s never fired in %d checks", inv, r.Checks)
		}
		t.Logf("strict %s fires (%d actions): %s\n%s", inv, r.Failure.ShrunkLen, r.Failure.ScriptPath, r.Failure.Script)
	}
}

// TestFindingScripts replays the hand-written sequences of findings P1, F2,
// F3 and F7 (docs/findings.md) and checks that the strict invariants (or the
// specification's profile value) fire on them and the defaults do not.
func TestFindingScripts(t *testing.T) {
	out := failuresOut(t)
	send := func(slot, x string) Op { return Op{Name: "finding", Kind: OpSend, Slot: slot, Stanza: x} }
	connect := func(slot string) Op { return Op{Name: "finding", Kind: OpConnect, Slot: slot, Res: slotLetter(slot)} }
	cases := []struct {
		name, inv string
		ops       []Op
		spec      func(p *model.Profile)
	}{
		{"P1", "inv19GeneratedTrafficSuppressed", []Op{
			connect("u1a"), send("u1a", "<presence/>"),
			connect("u2a"), send("u2a", "<presence/>"),
			send("u2a", "<presence type='subscribe' to='u1@localhost'/>"),
			send("u1a", "<presence type='subscribed' to='u2@localhost'/>"),
			send("u1a", "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='u2@localhost'/></block></iq>"),
			send("u1a", "<presence><status>away</status></presence>"),
		}, func(p *model.Profile) { p.ErrorOnBlockedBroadcast = false }},
		{"F2", "inv19GeneratedTrafficSuppressed", []Op{
			connect("u1a"), send("u1a", "<presence/>"),
			connect("u2a"), send("u2a", "<presence/>"),
			send("u2a", "<presence type='subscribe' to='u1@localhost'/>"),
			send("u1a", "<presence type='subscribed' to='u2@localhost'/>"),
			send("u1a", "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='localhost'/></block></iq>"),
			send("u1a", "<iq type='set' id='b2'><block xmlns='urn:xmpp:blocking'><item jid='u2@localhost'/></block></iq>"),
		}, nil},
		{"F7", "inv23PresenceCoherence", []Op{
			connect("u1a"), connect("u1c"), send("u1c", "<presence/>"),
			connect("u2c"), send("u2c", "<presence/>"),
			send("u2c", "<presence type='subscribe' to='u1@localhost'/>"),
			send("u1a", "<presence type='subscribed' to='u2@localhost'/>"),
			send("u2c", "<iq type='set' id='r1'><query xmlns='jabber:iq:roster'><item jid='u1@localhost' subscription='remove'/></query></iq>"),
			{Name: "finding", Kind: OpDisconnect, Slot: "u1c"},
			send("u1a", "<presence type='subscribed' to='u2@localhost'/>"),
			send("u2c", "<presence type='subscribe' to='u1@localhost'/>"),
		}, nil},
		{"F3", "inv30CrossRosterConsistency", []Op{
			connect("u1a"), connect("u2a"),
			send("u1a", "<presence type='subscribe' to='u2@localhost'/>"),
			send("u2a", "<presence type='subscribe' to='u1@localhost'/>"),
			send("u1a", "<iq type='set' id='r1'><query xmlns='jabber:iq:roster'><item jid='u2@localhost' subscription='remove'/></query></iq>"),
			send("u1a", "<presence type='subscribed' to='u2@localhost'/>"),
		}, nil},
	}
	p := model.ProsodyTrunk()
	for _, c := range cases {
		spec := p
		strict := options{strict: true, only: map[string]bool{c.inv: true}}
		if c.spec != nil {
			// a profile field: the demanded profile flips it
			c.spec(&spec)
			spec.Name = "spec"
			strict = options{noRef: true, only: map[string]bool{c.inv: true}}
		}
		h, idx := replay(c.ops, 2, p, spec, nil, strict)
		if idx != len(c.ops)-1 {
			t.Fatalf("%s: %s fired at step %d, want the last (%d)", c.name, c.inv, idx+1, len(c.ops))
		}
		if _, idx := replay(c.ops, 2, p, p, nil, options{}); idx >= 0 {
			t.Fatalf("%s: the default property fails", c.name)
		}
		f := &Failure{Ops: c.ops, Message: h.steps[idx].fail, Seed: 0}
		writeFailure(f, 2, p, spec, nil, strict, filepath.Join(out, c.name))
		t.Logf("%s: %s\n%s", c.name, f.ScriptPath, f.Script)
	}
}

// TestFindingD7: the publisher's block does not stop her PEP
// notifications (docs/findings.md D7, seen on 13.0.1: testdata/
// prosody-13/pep_publisher_blocks.scs). sc53's publisher direction is
// relaxed under the Prosody profiles, which keep the real behaviour, and
// fires on the last step under Strict (XEP-0191 §3.3) unless D7 is
// accepted.
func TestFindingD7(t *testing.T) {
	send := func(slot, x string) Op { return Op{Name: "finding", Kind: OpSend, Slot: slot, Stanza: x} }
	connect := func(slot string) Op { return Op{Name: "finding", Kind: OpConnect, Slot: slot, Res: slotLetter(slot)} }
	ops := []Op{
		connect("u1a"), send("u1a", "<presence/>"),
		connect("u2a"), send("u2a", "<presence/>"),
		send("u2a", "<presence type='subscribe' to='u1@localhost'/>"),
		send("u1a", "<presence type='subscribed' to='u2@localhost'/>"),
		// u2's caps reach u1's bare JID: u1's PEP service asks u2a, whose
		// answer says it wants tune notifications (+notify)
		send("u2a", "<presence to='u1@localhost'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://scansim.example/caps' ver='V1'/></presence>"),
		send("u2a", "<iq type='result' id='disco' to='u1@localhost'><query xmlns='http://jabber.org/protocol/disco#info' node='http://scansim.example/caps#V1'><identity category='client' type='pc'/><feature var='http://jabber.org/protocol/tune+notify'/></query></iq>"),
		send("u1a", "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='u2@localhost'/></block></iq>"),
		send("u1a", "<iq type='set' id='p1'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='http://jabber.org/protocol/tune'><item id='current'><tune xmlns='http://jabber.org/protocol/tune'><title>t</title></tune></item></publish></pubsub></iq>"),
	}
	p := model.Prosody13()
	only := map[string]bool{"sc53NoPEPNotificationAcrossBlock": true}
	h, idx := replay(ops, 2, p, p, nil, options{noRef: true, strict: true, only: only})
	if idx != len(ops)-1 {
		t.Fatalf("strict sc53 fired at step %d, want the last (%d)", idx+1, len(ops))
	}
	if !strings.Contains(h.steps[idx].fail, "who blocks it") {
		t.Fatalf("strict sc53: %s", h.steps[idx].fail)
	}
	if _, idx := replay(ops, 2, p, p, nil, options{noRef: true, only: only}); idx >= 0 {
		t.Fatalf("sc53 fires under the prosody-13 profile at step %d", idx+1)
	}
	if _, idx := replay(ops, 2, p, p, nil, options{noRef: true, strict: true, only: only, accepted: map[string]bool{"D7": true}}); idx >= 0 {
		t.Fatalf("sc53 fires with D7 accepted at step %d", idx+1)
	}
}
