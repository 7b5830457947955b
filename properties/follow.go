package properties

import (
	"fmt"
	"strings"

	"github.com/scansim/scansim/compare"
)

// Following the server's order of a concurrent action.
//
// A real server reads two connections' concurrent stanzas in an order no
// client sees (wire_group.go). When what its clients received matches
// the model's run of another interleaving than the one the ops drew,
// and that interleaving leaves another state, the model must take the
// server's order to judge the rest of the sequence: the steps after it
// start from the state the server is in. The model is deterministic and
// cheap, so the harness does not patch its state: it runs the whole
// sequence again from a fresh model, the group's ops in the server's
// order (rerun), and goes on from there. The ops then record the
// server's order, so that a failure later in the sequence replays — on
// the model alone, and in its script — from the state the server had.

// follow makes the model take the order the server read the last group
// in: order is a permutation of the last len(order) ops. It returns ""
// or the violation of the model's own run of that order (its step
// carries it; the model judged in that order is held to the same checks
// as in any other).
func (h *harness) follow(order []Op) string {
	n := len(order)
	ops := make([]Op, 0, len(h.ops))
	ops = append(append(ops, h.ops[:len(h.ops)-n]...), order...)
	return h.replaceOps(ops)
}

// replaceOps runs ops (h.ops with a group's order changed) afresh in
// place of h's model, the server's side of each step kept (follow).
func (h *harness) replaceOps(ops []Op) string {
	old := h.steps
	msg := h.rerun(ops)
	// The server's side of each step stays: where its events are in
	// the server's trace (only a group's last step has the group's).
	for i := range h.steps {
		if i < len(old) {
			h.steps[i].srvFrom, h.steps[i].srvTo, h.steps[i].onServer = old[i].srvFrom, old[i].srvTo, old[i].onServer
		}
	}
	return msg
}

// rerun replaces h's model by a fresh one that has run ops (the
// configuration, the real server and the run's coverage stay). The
// replay is checked as every run is (reference, invariants), but alone:
// the real server is not driven again and the coverage is not counted
// twice. It returns the first violation ("" if none); the ops after a
// failing one are not applied.
func (h *harness) rerun(ops []Op) string {
	keep := *h
	*h = *newHarness(keep.users, keep.prof, keep.spec, keep.mutants, keep.seed)
	// newHarness's invariant state points at the harness it made
	h.inv = newInvState(h)
	h.noRef, h.strict, h.accepted, h.noFaults = keep.noRef, keep.strict, keep.accepted, keep.noFaults
	h.setOnly(keep.only)
	h.extActions, h.custom, h.muc, h.races, h.noGroups = keep.extActions, keep.custom, keep.muc, keep.races, keep.noGroups
	msg := ""
	for i := 0; i < len(ops) && msg == ""; {
		i, _, msg, _ = h.applyAt(ops, i)
	}
	// A group writes all its ops before judging them (applyGroup):
	// when one fails, the ops after it were never applied as steps.
	// h.ops holds only the applied ones, one per step, so that the
	// failure's ops end at the failing op.
	if len(h.ops) > len(h.steps) {
		h.ops = h.ops[:len(h.steps)]
	}
	h.real, h.cov, h.transport = keep.real, keep.cov, keep.transport
	return msg
}

// undecided is a concurrent action whose server stanzas matched several
// orders that leave different states (wire_group.go): the model went on
// from the first; orders are the others. The group's ops end at h.ops
// index end; it has n ops.
type undecided struct {
	end, n int
	orders [][]Op
}

// settle is called with msg, the server's divergence at the current
// step, while an earlier concurrent action is undecided: the server may
// have taken another of its orders. Each is tried in turn: the model
// runs the sequence again with it (replaceOps), and the server's
// stanzas of every step from that action on are compared with this run
// (matchesSince). The first that explains them all is kept, and the
// step passes; when none does, the model goes back to its order and the
// divergence stands. A violation of an invariant on the server's trace
// is retried too: it was judged with the model's state beside the
// server's stanzas, and an order whose run gives the server's stanzas
// step by step passed every invariant on its own trace (the rerun
// checks them). A server step that could not be applied stands.
func (h *harness) settle(msg string) string {
	w := h.real
	u := w.undecided
	if u == nil || !strings.HasPrefix(msg, "server: the server's stanzas") && !strings.HasPrefix(msg, "server: on the server's trace: ") {
		return msg
	}
	w.undecided = nil
	cur := append([]Op(nil), h.ops...)
	start := u.end - u.n
	for _, o := range u.orders {
		ops := append(append(append(make([]Op, 0, len(cur)), cur[:start]...), o...), cur[u.end:]...)
		if h.replaceOps(ops) == "" && h.matchesSince(start) {
			w.followed++
			w.mm = nil // the maskers restart from the new run (wire.check)
			w.inv.post = nil
			return ""
		}
	}
	h.replaceOps(cur)
	return msg + fmt.Sprintf("\n(an earlier concurrent action's stanzas matched %d orders that leave different states; none of them explains this step either)", len(u.orders)+1)
}

// matchesSince reports whether what the server's clients received in
// every step from step from on (wire.trace, in the model's terms) matches
// the model's run (h's trace), step by step, as wire.check compares
// them (masked multisets, compare.Judge). A group is compared as one
// step: its last op holds the server's events of the whole group.
func (h *harness) matchesSince(from int) bool {
	w := h.real
	all := h.sim.Trace()
	mm := compare.NewMasker(all, "", w.keepIDs)
	sm := compare.NewMasker(w.trace, "", w.keepIDs)
	for i := from; i < len(h.steps); i++ {
		if i+1 < len(h.steps) && h.steps[i+1].op.Pipe {
			continue
		}
		st := &h.steps[i]
		model, srv := all[st.from:st.to], w.trace[st.srvFrom:st.srvTo]
		mm.Learn(model)
		sm.Learn(srv)
		names := map[string]bool{}
		for _, e := range model {
			names[e.Client] = true
		}
		for _, e := range srv {
			names[e.Client] = true
		}
		for _, c := range sortedSet(names) {
			if c == "" {
				continue
			}
			switch compare.Judge(mm.Stream(model, c), sm.Stream(srv, c), mm.Bare(c), mm.Bare, w.allow) {
			case compare.Same, compare.KnownBug:
			default:
				return false
			}
		}
	}
	return true
}
