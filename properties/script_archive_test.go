package properties

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
)

// archiveThenBlock: u1 (available) turns its archive on, gets a message
// from u2 (delivered with its stanza-id), queries its archive (the
// message, its result id, the fin's first and last), blocks u2, and u2
// messages u1's full JID: blocked (XEP-0191 §3.3). A server with the
// mutant blocked-message-to-full-delivered delivers it.
func archiveThenBlock() []Op {
	return []Op{
		{Name: "a1Connect", Kind: OpConnect, Slot: "u1a", Res: "a"},
		{Name: "a1Connect", Kind: OpConnect, Slot: "u2a", Res: "a"},
		{Name: "b1Presence", Kind: OpSend, Slot: "u1a", Stanza: "<presence/>"},
		{Name: "i3MAM", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='set' id='a4'><query xmlns='urn:xmpp:mam:2' queryid='fa4'/></iq>"},
		{Name: "d1Message", Kind: OpSend, Slot: "u2a", Stanza: "<message to='u1@localhost' type='chat' id='m5'><body>hi</body></message>"},
		{Name: "i3MAM", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='set' id='a6'><query xmlns='urn:xmpp:mam:2' queryid='fa6'/></iq>"},
		{Name: "c1Block", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='set' id='b7'><block xmlns='urn:xmpp:blocking'><item jid='u2@localhost'/></block></iq>"},
		{Name: "d1Message", Kind: OpSend, Slot: "u2a", Stanza: "<message to='{full:u1a}' type='chat' id='m8'><body>hi</body></message>"},
	}
}

// TestFailureScriptArchiveIDs: a server failure's script expects the
// model's run, whose archive ids are the model's own random draws; a
// server draws others (here: the model under another seed). The script
// must fail on the failing server for what it got wrong, not for an
// archive id, and pass on a correct server with other ids — so each
// archive id is a capture: the message's stanza-id, its result id in
// the query, and the fin's first and last must agree, whatever their
// value.
func TestFailureScriptArchiveIDs(t *testing.T) {
	p := model.Prosody13()
	server := func(mutants ...string) driver.Driver {
		return &driver.SimDriver{Options: driver.Options{Profile: &p, Seed: 2, Mutants: mutants}, Prefix: "f-"}
	}
	cfg := Config{Options: driver.Options{Profile: &p}, Server: server("blocked-message-to-full-delivered")}
	prof, spec := cfg.profiles()
	ops := archiveThenBlock()
	h, failed := replay(ops, 2, prof, spec, nil, cfg.options())
	if failed != len(ops)-1 || !h.steps[failed].onServer {
		t.Fatalf("want the server's last step to fail, got step %d: %s", failed+1, h.steps[max(failed, 0)].fail)
	}
	f := &Failure{Ops: ops, Seed: 1}
	if err := writeFailure(f, 2, prof, spec, nil, cfg.options(), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if !f.ReplayPassesCorrect || !f.ReplayServerFails || !strings.Contains(f.ReplayNote, "u1a received a stanza, expected nothing") {
		t.Fatalf("the script must pass on the model and fail on the server for the delivery of the blocked message m8: passes %v, fails %v: %s\n%s", f.ReplayPassesCorrect, f.ReplayServerFails, f.ReplayNote, f.Script)
	}
	for _, want := range []string{"<stanza-id by=\"${u1a's JID}\" id='{scansion:capture:archive-id1}'", "<result id='{scansion:capture:archive-id1}'", "<first/>"} {
		if !strings.Contains(f.Script, want) {
			t.Fatalf("the script lacks %s:\n%s", want, f.Script)
		}
	}
	parsed, err := scenarios.Parse(f.ScriptPath, []byte(f.Script))
	if err != nil {
		t.Fatal(err)
	}
	for _, strict := range []bool{false, true} {
		if res := scenarios.Run(parsed, scenarios.RunOptions{Driver: server(), Strict: strict}); !res.Passed {
			t.Fatalf("a correct server with other archive ids fails the script (strict %v): %s\n%s", strict, describeResult(res), f.Script)
		}
	}
}
