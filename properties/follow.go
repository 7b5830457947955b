package properties

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
	h.noRef, h.strict, h.accepted, h.only, h.noFaults = keep.noRef, keep.strict, keep.accepted, keep.only, keep.noFaults
	h.extActions, h.custom, h.muc, h.races, h.noGroups = keep.extActions, keep.custom, keep.muc, keep.races, keep.noGroups
	msg := ""
	for i := 0; i < len(ops) && msg == ""; {
		i, _, msg, _ = h.applyAt(ops, i)
	}
	h.real, h.cov, h.transport = keep.real, keep.cov, keep.transport
	return msg
}
