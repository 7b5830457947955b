package properties

import (
	"fmt"

	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
)

// Groups: stanzas written without waiting.
//
// Every other op is applied and then the simulation runs until quiet: the
// client reads the answer before it writes again. A group is several
// sends written one right behind the other, before the server has
// answered any of them:
//
//   - a burst: one session pipelines two or three stanzas (block then
//     message, unblock then presence, roster remove then subscribe). The
//     server must handle them in order, each seeing the state the ones
//     before it left (RFC 6120 §10.1: stanzas of one stream are
//     processed in order); a server that applies part of an edit later
//     (ejabberd before PR 2651) is caught here and nowhere else;
//   - a concurrent action: two sessions each write a burst at the same
//     time. In the simulation the order the server reads them in is the
//     interleaving the ops list (drawn from the run's seed, each
//     connection's own order kept); a real server may read the two
//     connections in any interleaving, so its observation is held
//     against every one of them (wire_group.go).
//
// An op with Pipe set joins the group of the op before it (both sends).
// The group is written at once; the harness then steps the simulation
// one server call at a time to take the model's state after each stanza,
// and judges each op as its own step: its events are its send and what
// the server did because of it (their Cause), its reference prediction
// is the reference's after the ops before it, its before and after
// states bracket its own stanza. A group is one unit for the shrinker's
// deletions only as far as its ops are: deleting the first op makes the
// next one lead the group.

// groupEnd returns the end of the group that starts at ops[i]: i+1 for an
// op on its own.
func groupEnd(ops []Op, i int) int {
	j := i + 1
	if ops[i].Kind != OpSend {
		return j
	}
	for j < len(ops) && ops[j].Pipe && ops[j].Kind == OpSend {
		j++
	}
	return j
}

// applyAt applies ops[i], or the group that starts at it, skipping ops
// whose precondition fails; it returns where the next op starts, the
// index of the op that failed (-1: none) with its message, and the last
// op it applied (-1: none).
func (h *harness) applyAt(ops []Op, i int) (next, failed int, msg string, last int) {
	next, failed, last = groupEnd(ops, i), -1, -1
	var idx []int
	for k := i; k < next; k++ {
		if applicable(h, ops[k]) {
			idx = append(idx, k)
		}
	}
	switch len(idx) {
	case 0:
		return next, -1, "", -1
	case 1:
		if msg = h.apply(ops[idx[0]]); msg != "" {
			failed = idx[0]
		}
		return next, failed, msg, idx[0]
	}
	g := make([]Op, len(idx))
	for n, k := range idx {
		g[n] = ops[k]
	}
	msg, pos := h.applyGroup(g)
	if msg != "" {
		return next, idx[pos], msg, idx[pos]
	}
	return next, -1, "", idx[len(idx)-1]
}

// stepEvents returns the events of step rec: its own (a group's op) or
// its range of the trace.
func (h *harness) stepEvents(rec *stepRec) []sim.TraceEvent {
	if rec.evs != nil {
		return rec.evs
	}
	return h.sim.Trace()[rec.from:rec.to]
}

// applyGroup writes ops (sends of connected sessions) without waiting,
// runs the simulation until quiet and judges each op (see above). It
// returns "" or the first violation with the position of its op in ops;
// the ops after a failing one are not judged. When the model follows the
// server's order (follow.go) and its own run of that order fails, the
// position is that of the failing op in the server's order: the run
// stopped there, and the group's last recorded step is the failing one.
func (h *harness) applyGroup(ops []Op) (string, int) {
	n := len(ops)
	start := len(h.steps)
	from := len(h.sim.Trace())
	before := h.snapshotNow()
	vals := make([]stanza.Stanza, n)
	names := make([]string, n)
	sends := make([]uint64, n)
	for i, op := range ops {
		h.ops = append(h.ops, op)
		sl := h.slots[op.Slot]
		names[i] = sl.cur.Name()
		vals[i] = h.sendValue(op, sl)
		if err := sl.cur.SendValue(vals[i]); err != nil {
			panic(fmt.Sprintf("op %v: %v", op, err))
		}
		sends[i] = uint64(len(h.sim.Trace())) // the send's Seq
	}
	// The properties' simulation has no latency: the stanzas reach the
	// server at this instant, in the order written, before anything
	// their handling schedules. The state after stanza i is the state
	// once the server has taken it off the link.
	after := make([]snap, n)
	prev := before
	for i := 0; i < n-1; i++ {
		for h.inFlight(ops) > n-1-i && h.sim.Step() {
		}
		after[i] = h.snapshotFrom(&prev, h.store.put)
		clear(h.store.put)
		prev = after[i]
	}
	h.sim.RunUntilQuiet()
	for _, c := range h.sim.Clients() {
		c.TakeAll()
	}
	after[n-1] = h.snapshotFrom(&prev, h.store.put)
	clear(h.store.put)
	to := len(h.sim.Trace())
	h.lastSnap = &after[n-1]
	h.groupSnaps = append(append(h.groupSnaps[:0], before), after...)

	prev = before
	h.inv.groupEnd = &after[n-1]
	defer func() { h.inv.groupEnd = nil }()
	for i, op := range ops {
		tr := h.sim.Trace()[from:to]
		var own []sim.TraceEvent
		for _, e := range tr {
			if e.Seq == sends[i] || e.Cause == sends[i] {
				own = append(own, e)
			}
		}
		h.inv.begin()
		if h.real != nil {
			h.real.inv.begin()
		}
		h.ref.out = nil
		h.refSend(op, names[i], vals[i])
		h.endSessions(op, own)
		rec := stepRec{op: op, from: from, to: to, pred: h.ref.out, evs: own} // pred: nil reads as empty
		if op.Name == "i5Remove" {
			h.refGone = true
		}
		h.steps = append(h.steps, rec)
		st := &h.steps[len(h.steps)-1]
		if msg := h.checkCounted(st, prev, after[i]); msg != "" {
			st.fail = msg
			h.forgetEnded()
			return msg, i
		}
		prev = after[i]
	}
	h.forgetEnded()
	if h.real != nil && !h.real.otherOrder {
		if msg := h.realGroup(ops, names, from, to, before, after); msg != "" {
			// the failing step is the last recorded: the group's last
			// op, or the op at which the rerun of the server's order
			// stopped (its prefix has as many steps: it is the same run)
			return msg, min(max(len(h.steps)-1-start, 0), n-1)
		}
	}
	return "", 0
}

// snapshotNow is the state before the next step: the last step's after.
func (h *harness) snapshotNow() snap {
	if h.lastSnap != nil {
		return *h.lastSnap
	}
	s := h.snapshot()
	clear(h.store.put)
	return s
}

// inFlight counts the stanzas of ops' sessions still on their way to
// the server.
func (h *harness) inFlight(ops []Op) int {
	n, seen := 0, map[string]bool{}
	for _, op := range ops {
		if seen[op.Slot] {
			continue
		}
		seen[op.Slot] = true
		if c := h.slots[op.Slot].cur; c != nil {
			n += c.InFlight()
		}
	}
	return n
}
