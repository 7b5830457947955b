package properties

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	"pgregory.net/rapid"
)

var accountingInvariants = []string{"inv41MessageAccounted", "inv42OfflineLedger", "inv43BlocksSurviveFaults"}

// TestAccountingCatchesOfflineMutants: the accounting invariants alone
// (reference off, every other invariant off) catch the storage mutants
// and the failures shrink.
func TestAccountingCatchesOfflineMutants(t *testing.T) {
	for _, mu := range []string{"offline-lost-on-restart", "offline-kept-after-flush"} {
		r := Explore(Config{Options: driver.Options{Profile: trunk(), Seed: 1, Mutants: []string{mu}}, Checks: 1000, OutDir: t.TempDir(), NoReference: true,
			Invariants: accountingInvariants, ShrinkTime: 100 * time.Millisecond})
		if r.Failure == nil {
			t.Errorf("%s not caught by the accounting invariants in %d checks", mu, r.Checks)
			continue
		}
		f := r.Failure
		t.Logf("%s: check %d, shrunk to %d actions: %s", mu, f.FirstCheck, f.ShrunkLen, f.Message)
		if k := failureKey(f.Message); k != "inv42OfflineLedger" {
			t.Errorf("%s caught by %s, want inv42OfflineLedger", mu, k)
		}
		if f.ShrunkLen > 8 {
			t.Errorf("%s shrunk to %d actions, want <= 8", mu, f.ShrunkLen)
		}
	}
}

// TestOfflineLedgerTraceOnly: without the model's OfflineCount (a model
// that lies about its store), the trace alone catches both mutants:
// a restart that lost the store leaves the next eligible initial presence
// without a flush, and a store kept after a flush flushes again.
func TestOfflineLedgerTraceOnly(t *testing.T) {
	p := model.ProsodyTrunk()
	msg := Op{Kind: OpSend, Slot: "u1a", Stanza: "<message to='u2@localhost' type='chat' id='m1'><body>hi</body></message>"}
	cases := map[string][]Op{
		"offline-lost-on-restart": {
			{Kind: OpConnect, Slot: "u1a", Res: "a"}, msg, {Kind: OpRestart},
			{Kind: OpConnect, Slot: "u2a", Res: "a"}, {Kind: OpSend, Slot: "u2a", Stanza: "<presence/>"},
		},
		"offline-kept-after-flush": {
			{Kind: OpConnect, Slot: "u1a", Res: "a"}, msg,
			{Kind: OpConnect, Slot: "u2a", Res: "a"}, {Kind: OpSend, Slot: "u2a", Stanza: "<presence/>"},
			{Kind: OpConnect, Slot: "u2b", Res: "b"}, {Kind: OpSend, Slot: "u2b", Stanza: "<presence/>"},
		},
	}
	for mu, ops := range cases {
		h := newHarness(2, p, p, []string{mu}, 1)
		h.noRef = true
		h.setOnly(map[string]bool{"inv42OfflineLedger": true})
		h.inv.ignoreOfflineCount = true
		var got string
		for _, op := range ops {
			if got = h.apply(op); got != "" {
				break
			}
		}
		if !strings.Contains(got, "inv42OfflineLedger") {
			t.Errorf("%s: trace-only ledger did not fire: %q", mu, got)
			continue
		}
		t.Logf("%s: %s", mu, got)
		// and the correct model passes the same ops
		h = newHarness(2, p, p, nil, 1)
		h.noRef = true
		for _, op := range ops {
			if msg := h.apply(op); msg != "" {
				t.Errorf("%s ops on the correct model: %s", mu, msg)
			}
		}
	}
}

// TestInv41SilentLoss: a message whose step records no outcome, or an
// undocumented drop, or two deliveries of the same stanza to one
// session, violates inv41.
func TestInv41SilentLoss(t *testing.T) {
	p := model.ProsodyTrunk()
	h := newHarness(2, p, p, nil, 1)
	h.noRef = true
	h.apply(Op{Kind: OpConnect, Slot: "u1a", Res: "a"})
	h.apply(Op{Kind: OpConnect, Slot: "u2a", Res: "a"})
	h.apply(Op{Kind: OpSend, Slot: "u2a", Stanza: "<presence/>"})
	if msg := h.apply(Op{Kind: OpSend, Slot: "u1a", Stanza: "<message to='u2@localhost/a' type='chat' id='x'><body>hi</body></message>"}); msg != "" {
		t.Fatal(msg)
	}
	st := h.steps[len(h.steps)-1]
	tr := h.sim.Trace()[st.from:st.to]
	ctx := func(evs []sim.TraceEvent) *Ctx {
		c := &Ctx{h: h, judging: true, tr: evs, prof: p, rec: &st}
		for _, e := range evs {
			x := &ev{}
			x.set(&e)
			if x.Kind == sim.TraceSend && c.send == nil {
				c.send, c.sender = x, x.Client
			}
			c.evs = append(c.evs, x)
		}
		return c
	}
	if err := inv41MessageAccounted(ctx(tr)); err != nil {
		t.Fatalf("real step: %v", err)
	}
	var deliver sim.TraceEvent
	for _, e := range tr {
		if e.Kind == sim.TraceDeliver {
			deliver = e
		}
	}
	lostDrop := deliver
	lostDrop.Kind, lostDrop.Reason = sim.TraceDrop, sim.ReasonUnknownSession
	for name, evs := range map[string][]sim.TraceEvent{
		"silently lost":    {tr[0]},
		"undocumented":     {tr[0], lostDrop},
		"delivered twice":  {tr[0], deliver, deliver},
		"several outcomes": {tr[0], deliver, lostDrop},
	} {
		if name == "several outcomes" {
			evs[2].Reason = "blocked-inbound"
		}
		if err := inv41MessageAccounted(ctx(evs)); err == nil {
			t.Errorf("%s: inv41 did not fire", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

// TestNoFaults: with Config.NoFaults the machine draws neither abrupt
// drops nor restarts.
func TestNoFaults(t *testing.T) {
	p := model.ProsodyTrunk()
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(3, p, p, nil, 1)
		options{noFaults: true}.apply(h)
		m := &machine{h: h}
		rt.Repeat(m.actions())
		for _, op := range h.ops {
			if op.Kind == OpDrop || op.Kind == OpRestart {
				rt.Fatalf("fault drawn with NoFaults: %v", op)
			}
		}
	})
}

// TestInv44IncrementalSnapshot: the incremental snapshot equals the full
// one after every step of random runs (TestProperty checks it every
// fullSnapEvery steps through inv44), and a change the storage did not
// see shows in diffSnaps.
func TestInv44IncrementalSnapshot(t *testing.T) {
	p := model.ProsodyTrunk()
	h := newHarness(2, p, p, nil, 1)
	stale := h.snapshot()
	h.apply(Op{Kind: OpConnect, Slot: "u1a", Res: "a"})
	h.apply(Op{Kind: OpSend, Slot: "u1a", Stanza: "<message to='u2@localhost' type='chat' id='m1'><body>hi</body></message>"})
	h.apply(Op{Kind: OpSend, Slot: "u1a", Stanza: "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='u2@localhost'/></block></iq>"})
	d := diffSnaps(h.snapshotFrom(&stale, map[string]bool{}), h.snapshot())
	if !strings.Contains(d, "u2 has 1 offline messages") || !strings.Contains(d, "u1's blocklist") {
		t.Fatalf("diffSnaps missed unwritten changes: %q", d)
	}
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(3, p, p, nil, 1)
		h.noRef = true
		m := &machine{h: h}
		rt.Repeat(map[string]func(*rapid.T){
			"act": func(rt *rapid.T) {
				acts := m.actions()
				names := slices.Sorted(maps.Keys(acts))
				n := rapid.SampledFrom(names[1:]).Draw(rt, "action") // names[0] is ""
				acts[n](rt)
				if d := diffSnaps(*h.lastSnap, h.snapshot()); d != "" {
					rt.Fatalf("incremental snapshot differs from the full one: %s", d)
				}
			},
			"": m.verdict,
		})
	})
}

// TestAccountingRecheckOnFlush: with RecheckBlocklistOnOfflineFlush in
// the model and the checks, flush-time drops ("blocked-offline") keep the
// offline ledger exact and inv43 judges flushes by the recipient's list.
func TestAccountingRecheckOnFlush(t *testing.T) {
	p := model.ProsodyTrunk()
	p.RecheckBlocklistOnOfflineFlush = true
	r := Explore(Config{Options: driver.Options{Profile: &p, Seed: 11}, Checks: 500, OutDir: t.TempDir(), ShrinkTime: 100 * time.Millisecond})
	if r.Failure != nil {
		t.Fatalf("%s\n%s", r.Failure.Message, r.Failure.Script)
	}
}
