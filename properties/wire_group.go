package properties

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scansim/scansim/compare"
	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/sim"
)

// maxSerialisations bounds the interleavings of a concurrent action held
// against a real server: two bursts of up to three stanzas have at most
// C(6,3) = 20.
const maxSerialisations = 20

// realGroup writes a group (group.go) on the real server as the model
// got it — each stanza right behind the one before, no barrier between
// them — then synchronises with every connection and compares what each
// client received during the whole group with the model's, as multisets.
//
// One session's burst has one correct outcome: the model's, which
// handled the stanzas in order. A concurrent action has one per
// interleaving of the sessions' bursts (compare.Interleavings): the
// server read the connections in some order the clients cannot see, so
// its observation must match the model's run of one of them, each run
// on a fresh model from the same ops; when none matches, the closest is
// reported. When the one it matches is not the model's, the model takes
// the server's order for the rest of the sequence (follow.go). The invariant catalogue does not judge a group on the
// server's trace (its steps assume one send each); the model's own run
// of the group was judged op by op.
func (h *harness) realGroup(ops []Op, names []string, from, to int, before snap, after []snap) string {
	// by index: following the server's order rebuilds h.steps
	si := len(h.steps) - 1
	h.steps[si].srvFrom = len(h.real.trace)
	if h.transport != nil {
		return "transport failure: " + h.transport.Error()
	}
	srv, err := h.real.applyGroup(ops, names)
	if driver.IsTransport(err) {
		h.transport = err
		h.steps[si].srvTo = len(h.real.trace)
		return "transport failure: " + err.Error()
	}
	msg := ""
	if err != nil {
		msg = fmt.Sprintf("server: the group ending with %v could not be applied: %v", ops[len(ops)-1], err)
	} else {
		var modelFail bool
		if msg, modelFail = h.checkGroupOnServer(ops, srv, from, to, before, after); modelFail {
			// the model's own run of the server's order failed: its
			// step carries the violation (follow)
			return msg
		}
	}
	h.steps[si].srvTo = len(h.real.trace)
	if msg != "" {
		msg = h.settle(msg) // see harness.apply
	}
	if msg != "" {
		h.steps[si].fail, h.steps[si].onServer = msg, true
	}
	return msg
}

// applyGroup writes every op of the group on its session's endpoint
// without waiting, then quiesces, and returns the events since the last
// step. A ping orders only its own connection: each writing connection
// is synchronised first, one after the other (Quiesce(ep) pings ep, then
// every connection), so that the last round of pings on the others
// leaves after the server has handled every stanza of the group.
func (w *wire) applyGroup(ops []Op, names []string) ([]sim.TraceEvent, error) {
	var writers []driver.Endpoint
	for i, op := range ops {
		ep, err := w.send(op, names[i])
		if err != nil {
			if f := w.net.Failure(); f != nil {
				return nil, f
			}
			return nil, err
		}
		if !slices.Contains(writers, ep) {
			writers = append(writers, ep)
		}
	}
	w.steps++
	for _, ep := range writers {
		if err := w.net.Quiesce(ep); err != nil {
			return nil, err
		}
	}
	return w.collect(), nil
}

// checkGroupOnServer compares the server's events of a group with the
// model's run of each serialisation (see realGroup), and makes the model
// follow the server's order when the server took another (follow.go).
// modelFail: msg is the model's own violation in that order.
func (h *harness) checkGroupOnServer(ops []Op, srv []sim.TraceEvent, from, to int, before snap, after []snap) (msg string, modelFail bool) {
	w := h.real
	modelAll := h.sim.Trace()
	if w.mm == nil {
		w.mm = compare.NewMasker(modelAll, "", w.keepIDs)
		w.sm = compare.NewMasker(w.net.Trace(), w.prefix, w.keepIDs)
	}
	modelStep := modelAll[from:to]

	clients := map[string]bool{}
	got := map[string][]string{}
	for _, e := range srv {
		if e.Client != "" {
			clients[e.Client] = true
		}
	}
	for _, e := range modelStep {
		if e.Client != "" {
			clients[e.Client] = true
		}
	}
	for c := range clients {
		got[c] = w.sm.Stream(srv, c)
		w.compared += len(got[c])
	}
	stream := func(m *compare.Masker, step []sim.TraceEvent) map[string][]string {
		out := map[string][]string{}
		for c := range clients {
			out[c] = m.Stream(step, c)
		}
		return out
	}
	// the model's own order first, then the other interleavings
	orders := [][]Op{ops}
	for _, o := range interleavingsOf(ops) {
		if !sameOrder(o, ops) {
			orders = append(orders, o)
		}
	}
	cands := []map[string][]string{stream(w.mm, modelStep)}
	// states[i]: the accounts' state order i leaves
	// (orderState: the snapshot and the accounts' archives)
	states := []orderState{h.orderState()}
	for _, o := range orders[1:] {
		all, step, state := h.altRun(o)
		cands = append(cands, stream(compare.NewMasker(all, "", w.keepIDs), step))
		states = append(states, state)
	}
	// The invariants do not judge the group (see realGroup), but what
	// they track from step to step (who saw which presence, directed
	// presence, stored requests) must follow the server's trace: each op
	// goes through them with its own send, the last with everything the
	// server sent (a server's trace has no causes), verdicts unused
	// (trackGroup, below, in the order the model settles on).
	match, known, closest, diff := compare.AnyMatch(cands, got, w.mm.Bare, w.allow)
	if match < 0 {
		w.trackGroup(h, len(ops), w.inModelTerms(srv, w.pool(modelStep)), before, after, nil)
		what := "the server's stanzas differ from the model's (masked) for the burst"
		if len(orders) > 1 {
			what = fmt.Sprintf("the server's stanzas match none of the %d orders the server may have read the concurrent stanzas in; the closest (masked), the model reading them as %s", len(orders), describeOrder(orders[closest]))
		}
		return "server: " + what + ":\n" + diff, false
	}
	if known {
		w.tolerated++
	}
	// Every order the clients' stanzas match: the server took one of
	// them. When they all leave one state, the model goes on from the
	// first (its own when it is among them). When they leave different
	// states the clients cannot tell yet which the server is in: the
	// model goes on from the first, and the others are kept (undecided)
	// until a later step of the server's contradicts it (settle). A
	// second such action while one is undecided is not resolved: the
	// rest of the sequence runs on the model alone (otherOrder).
	var others [][]Op
	for i := match + 1; i < len(cands); i++ {
		if m, _, _, _ := compare.AnyMatch(cands[i:i+1], got, w.mm.Bare, w.allow); m == 0 && diffOrderStates(states[match], states[i]) != "" {
			others = append(others, orders[i])
		}
	}
	if len(others) > 0 {
		if w.undecided != nil {
			w.otherOrder = true
			w.trackGroup(h, len(ops), w.inModelTerms(srv, w.pool(modelStep)), before, after, nil)
			return "", false
		}
		w.undecided = &undecided{end: len(h.ops), n: len(ops), orders: others}
	}
	if match == 0 {
		w.trackGroup(h, len(ops), w.inModelTerms(srv, w.pool(modelStep)), before, after, nil)
		return "", false
	}
	// The server read the stanzas in another order than the model: the
	// model takes the server's (follow.go) and the rest of the sequence
	// is judged from there.
	if msg := h.follow(orders[match]); msg != "" {
		return msg, true
	}
	w.followed++
	// The maskers restart from the new run's trace, as after a connect.
	modelAll = h.sim.Trace()
	w.mm = compare.NewMasker(modelAll, "", w.keepIDs)
	w.sm = compare.NewMasker(w.net.Trace(), w.prefix, w.keepIDs)
	// The server's sessions, as the invariants on its trace see them,
	// are the new reference's.
	w.inv.post = nil
	n := len(ops)
	g := h.steps[len(h.steps)-n:]
	newStep := modelAll[g[0].from:g[n-1].to]
	// The clients' sends are in the server's trace in the order they
	// were written (the ops' order); the steps are now in the server's.
	sendOrder := sendOrderOf(orders[match], ops)
	w.trackGroup(h, n, w.inModelTerms(srv, w.pool(newStep)), h.groupSnaps[0], h.groupSnaps[1:], sendOrder)
	return "", false
}

// sendOrderOf returns, for each op of order (a reordering of written),
// the index in written of the send it is: the first one of the same slot
// and stanza not taken yet. Each session's own order is kept in every
// interleaving, so two identical stanzas of one session map to their
// own sends, in order, never both to the first.
func sendOrderOf(order, written []Op) []int {
	out := make([]int, len(order))
	used := make([]bool, len(written))
	for i, op := range order {
		for k, o := range written {
			if !used[k] && o.Slot == op.Slot && o.Stanza == op.Stanza {
				out[i], used[k] = k, true
				break
			}
		}
	}
	return out
}

// trackGroup runs the invariant state of the server's trace over a
// group's events, op by op (see checkGroupOnServer). The group's steps
// are the last n of h; step i's send is the sendOrder[i]th the clients
// wrote (nil: the ith).
func (w *wire) trackGroup(h *harness, n int, evs []sim.TraceEvent, before snap, after []snap, sendOrder []int) {
	var sends, rest []sim.TraceEvent
	for _, e := range evs {
		if e.Kind == sim.TraceSend && len(sends) < n {
			sends = append(sends, e)
		} else {
			rest = append(rest, e)
		}
	}
	if sendOrder != nil && len(sends) == n {
		written := sends
		sends = make([]sim.TraceEvent, n)
		for i, k := range sendOrder {
			sends[i] = written[k]
		}
	}
	first := len(h.steps) - n
	prev := before
	for i := 0; i < n && first+i >= 0; i++ {
		part := []sim.TraceEvent{}
		if i < len(sends) {
			part = append(part, sends[i])
		}
		if i == n-1 {
			part = append(part, rest...)
		}
		rec := h.steps[first+i]
		rec.evs = nil
		w.inv.begin()
		_ = w.inv.check(&rec, part, prev, after[i])
		prev = after[i]
	}
}

// interleavingsOf returns every order of ops that keeps each session's
// own order (compare.Interleavings), at most maxSerialisations.
func interleavingsOf(ops []Op) [][]Op {
	var slots []string
	per := map[string][]Op{}
	for _, op := range ops {
		if per[op.Slot] == nil {
			slots = append(slots, op.Slot)
		}
		per[op.Slot] = append(per[op.Slot], op)
	}
	if len(slots) < 2 {
		return nil
	}
	lens := make([]int, len(slots))
	for k, s := range slots {
		lens[k] = len(per[s])
	}
	var out [][]Op
	for _, order := range compare.Interleavings(lens, maxSerialisations) {
		next := make([]int, len(slots))
		o := make([]Op, 0, len(ops))
		for n, k := range order {
			op := per[slots[k]][next[k]]
			next[k]++
			op.Pipe = n > 0
			o = append(o, op)
		}
		out = append(out, o)
	}
	return out
}

func sameOrder(a, b []Op) bool {
	for i := range a {
		if a[i].Slot != b[i].Slot || a[i].Stanza != b[i].Stanza {
			return false
		}
	}
	return true
}

// describeOrder names the sessions in the order their stanzas are read.
func describeOrder(ops []Op) string {
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = op.Slot
	}
	return strings.Join(parts, ", ")
}

// altRun runs the ops applied so far, except the last group, on a fresh
// model, then the group's ops in the order given, and returns the new
// model's whole trace and the group's part of it. Nothing is judged.
func (h *harness) altRun(group []Op) (all, step []sim.TraceEvent, state orderState) {
	a := newHarness(h.users, h.prof, h.spec, h.mutants, 1)
	a.noRef = true
	a.setOnly(map[string]bool{})
	prefix := h.ops[:len(h.ops)-len(group)]
	for i := 0; i < len(prefix); {
		i, _, _, _ = a.applyAt(prefix, i)
	}
	from := len(a.sim.Trace())
	a.applyGroup(group)
	all = a.sim.Trace()
	return all, all[from:], a.orderState()
}
