package properties

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
)

// followFailsEarly: u1 (available) blocks u2 and then pings the server
// while u2 asks to subscribe to u1, the model drawing u1's burst first.
// Read that way, u2's request is dropped at u1's inbound check (XEP-0191
// §3.3); read request first (as lastFirstDriver does), u1's session
// receives the request and it is stored, and the block must then remove
// it (XEP-0191 §3.3.4) — which the mutant pending-kept-on-block does
// not. Only the server's order breaks the model's checks, at the block:
// the second of the group's three ops, not its last.
func followFailsEarly() []Op {
	return []Op{
		{Name: "a1Connect", Kind: OpConnect, Slot: "u1a", Res: "a"},
		{Name: "a1Connect", Kind: OpConnect, Slot: "u2a", Res: "a"},
		{Name: "b1Presence", Kind: OpSend, Slot: "u1a", Stanza: "<presence/>"},
		{Name: "j2Concurrent", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='set' id='b4'><block xmlns='urn:xmpp:blocking'><item jid='u2@localhost'/></block></iq>"},
		{Name: "j2Concurrent", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='get' id='p5'><ping xmlns='urn:xmpp:ping'/></iq>", Pipe: true},
		{Name: "j2Concurrent", Kind: OpSend, Slot: "u2a", Stanza: "<presence type='subscribe' to='u1@localhost'/>", Pipe: true},
	}
}

// TestFollowedOrderFailsEarly: when the model's own run of the server's
// order fails before the group's last op, the failure is that op's (the
// block, step 5 in the server's order), the model's ops and steps end
// there, and the failure's script is written.
func TestFollowedOrderFailsEarly(t *testing.T) {
	p := model.ProsodyTrunk()
	mutants := []string{"pending-kept-on-block"}
	srv := lastFirstDriver{&driver.SimDriver{Options: driver.Options{Profile: &p}, Prefix: "f-"}}
	cfg := Config{Options: driver.Options{Profile: &p, Mutants: mutants}, Server: srv, OutDir: t.TempDir()}
	prof, spec := cfg.profiles()

	// the model's own order passes: only the server's breaks the checks
	if h, failed := replay(followFailsEarly(), 2, prof, spec, mutants, options{}); failed >= 0 {
		t.Fatalf("the model's own order fails at step %d: %s", failed+1, h.steps[failed].fail)
	}

	h, failed := replay(followFailsEarly(), 2, prof, spec, mutants, cfg.options())
	if h.transport != nil {
		t.Fatal(h.transport)
	}
	if failed != 4 {
		t.Fatalf("failed step %d, want 5 (the block, read after u2's request)", failed+1)
	}
	if len(h.ops) != len(h.steps) || len(h.steps) != 5 {
		t.Fatalf("%d ops and %d steps after the failure, want 5 of each", len(h.ops), len(h.steps))
	}
	st := h.steps[failed]
	if st.fail == "" || st.onServer || !strings.Contains(st.op.Stanza, "<block") {
		t.Fatalf("step 5 is %v (on the server %v), failing with %q; want the block, failing on the model", st.op, st.onServer, st.fail)
	}
	if h.ops[3].Slot != "u2a" || h.ops[4].Slot != "u1a" || !strings.Contains(h.ops[4].Stanza, "<block") {
		t.Fatalf("the model's ops are not the server's order up to the block: %v", h.ops[3:])
	}

	f := &Failure{Message: st.fail, Ops: followFailsEarly(), Seed: 1}
	if err := writeFailure(f, 2, prof, spec, mutants, cfg.options(), cfg.OutDir); err != nil {
		t.Fatal(err)
	}
	if f.ScriptPath == "" || f.WriteErr != nil {
		t.Fatalf("no script written (%v, note %q)", f.WriteErr, f.ReplayNote)
	}
	if n := len(f.Ops); n != 5 || !strings.Contains(f.Ops[n-1].Stanza, "<block") {
		t.Fatalf("the failure's ops end with %v, want the block as the fifth", f.Ops[len(f.Ops)-1])
	}
	// the script replays the server's order: u2's request, then the block
	if i, j := strings.Index(f.Script, "type='subscribe'/>"), strings.Index(f.Script, "<block "); i < 0 || j < 0 || i > j {
		t.Fatalf("the script does not send u2's request before the block:\n%s", f.Script)
	}
	if !f.ReplayFails || !f.ReplayPassesCorrect {
		t.Fatalf("the script fails on the mutant %v, passes on the correct model %v (note %q):\n%s", f.ReplayFails, f.ReplayPassesCorrect, f.ReplayNote, f.Script)
	}
}

// TestSendOrderIdenticalOps: two identical stanzas of one session in a
// concurrent action each map to their own send, in the session's order.
func TestSendOrderIdenticalOps(t *testing.T) {
	p := Op{Kind: OpSend, Slot: "u1a", Stanza: "<presence/>"}
	m := Op{Kind: OpSend, Slot: "u2a", Stanza: "<message to='u1@localhost' type='chat' id='m1'><body>hi</body></message>"}
	written := []Op{p, p, m}
	for _, tc := range []struct {
		order []Op
		want  []int
	}{
		{[]Op{m, p, p}, []int{2, 0, 1}},
		{[]Op{p, m, p}, []int{0, 2, 1}},
		{[]Op{p, p, m}, []int{0, 1, 2}},
	} {
		got := sendOrderOf(tc.order, written)
		for i := range tc.want {
			if got[i] != tc.want[i] {
				t.Fatalf("order %v: sends %v, want %v", describeOrder(tc.order), got, tc.want)
			}
		}
	}
}
