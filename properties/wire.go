package properties

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/scansim/scansim/compare"
	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
)

// wire is the real server a harness drives beside the model when
// Config.Server is set: every op the model gets is applied to the server
// too, over one driver.Network per sequence (fresh accounts: the
// driver's run prefix), and each step is judged twice more:
//
//   - the invariant catalogue runs on the server's trace (what its
//     clients sent and received), with the model's state as the state
//     the invariants read, except the ones in offWire, which judge what
//     only the server's inside shows;
//   - what each client received from the server is compared with what
//     it received from the model (the oracle), as multisets per step
//     (Prosody iterates hashes when it fans out, §0), after
//     compare.Masker's masking (server-generated ids, stamps, generated
//     resources, the run prefix), by compare.Judge: roster push versions
//     by count and final version, and the profile's allowances for D4
//     and D6 (compare.AllowancesFor).
//
// Only what a client sees counts: connects, sends, arrivals, closes and
// stream errors. A network that records more (the simulation behind
// driver.SimDriver) has its stores and drops left out.
//
// The server's stanzas are put into the model's terms before the
// invariants see them: the run prefix is removed and each session's full
// JID becomes the one the same client bound on the model (they differ
// for generated resources). What kind of arrival a delivery was (an
// ordinary one, a bounce, an offline flush) does not show on the wire;
// it is taken from the model's matching delivery in the same step.
//
// Ordering: after every op the network is quiesced (driver.ServerDriver)
// where the step can have effects: a ping round trip on the acting
// connection, which orders the action (Prosody handles each
// connection's input in order, and routes synchronously); then, on a
// network that can count arrivals (driver.ExpectQuiescer), a wait for as
// many stanzas as the model's step delivered to each other client (a
// ping for those it does not see all of within a short grace, and for
// those the step ends), else a ping on each of those connections
// (driver.PartialQuiescer). Every fullBarrierEvery steps and at the end
// of the sequence (finish) every connection is pinged: a stanza the
// server sends where the model predicted none, or more than it
// predicted, arrives by then at the latest, and fails the step it
// arrives in. The server learns of an abrupt drop asynchronously, so
// after one the wire first waits for it (awaitDrop), then quiesces
// fully.
type wire struct {
	net          driver.Network
	prefix, host string
	keep         []string
	grace        time.Duration

	// slot -> the slot's open endpoint, and the full JID it last bound
	// on the server (prefix removed)
	ep   map[string]driver.Endpoint
	full map[string]string
	// toModel maps each server full JID (prefix removed) to the model's
	// full JID of the same client; jids holds its keys, longest first.
	toModel map[string]string
	jids    []string
	// from: where the current step's events start in net.Trace().
	from int
	// byName: the open endpoint of each client name; steps: the steps
	// applied (for the full barriers).
	byName map[string]driver.Endpoint
	steps  int
	// trace: the server's events of every step, in the model's terms.
	trace []sim.TraceEvent
	// keepIDs: the ids the ops chose (kept by the masking; the others
	// are the servers' own).
	keepIDs map[string]bool
	// mm and sm mask the model's and the server's stanzas (check).
	mm, sm *compare.Masker
	inv    *invState
	// compared counts the server's deliveries compared with the model's.
	compared int
	// allow: the known server behaviours accepted (D4, D6; not D6 under
	// Config.Strict); tolerated counts the batches that needed D6.
	allow     compare.Allowances
	tolerated int
	// answerEachOther: the profile's sessions answer what they receive
	// from their own processes (model.WireOptions.SessionsAnswerEachOther):
	// a step's barrier also pings the addressee's sessions (apply).
	answerEachOther bool
	// otherOrder: the server's stanzas of a second concurrent action
	// matched several orders that leave different states while an
	// earlier one was still undecided (wire_group.go); the model does
	// not follow two such choices, and the rest of the sequence runs on
	// the model alone.
	otherOrder bool
	// undecided: a concurrent action whose stanzas matched several
	// orders that leave different states, the model having gone on from
	// the first (follow.go); nil when none.
	undecided *undecided
	// followed counts the concurrent actions the server read in another
	// order than the model drew, which the model then took (follow.go).
	followed int
}

// fullBarrierEvery: every so many steps the wire synchronises with every
// connection, not only the ones the model says the step reaches (see
// wire). Anything the server sends where the model predicted nothing
// then shows within this many steps, as a difference in the step it
// arrived in; the last steps of a sequence get a full barrier at its end
// (finish).
const fullBarrierEvery = 4

// dropGrace is how far the simulation's clock moves after an abrupt
// drop (awaitDrop): the wait a real server once got, kept so that the
// simulation's traces stay as they were.
const dropGrace = 30 * time.Millisecond

func newWire(h *harness, d driver.Driver) (*wire, error) {
	n, err := d.Open("localhost")
	if err != nil {
		return nil, err
	}
	prefix, keep := n.NodePrefix()
	if p, ok := n.(driver.Provisioner); ok {
		// The model's accounts all exist from the start (Prosody with
		// insecure authentication: every account exists); on a server
		// with real accounts they must be created first.
		for i := 1; i <= h.users; i++ {
			if err := p.Provision(prefix + fmt.Sprintf("u%d", i)); err != nil {
				n.Close()
				return nil, err
			}
		}
	}
	w := &wire{net: n, prefix: prefix, host: "localhost", keep: keep, grace: dropGrace,
		ep: map[string]driver.Endpoint{}, full: map[string]string{}, toModel: map[string]string{},
		byName:  map[string]driver.Endpoint{},
		keepIDs: map[string]bool{}}
	w.answerEachOther = h.prof.SessionsAnswerEachOther
	w.inv = newInvState(h)
	w.inv.wire = true
	w.allow = compare.AllowancesFor(h.spec, h.strict)
	return w, nil
}

// attach opens d for h (h.real); a nil d leaves h on the model alone.
func (h *harness) attach(d driver.Driver) error {
	if d == nil {
		return nil
	}
	w, err := newWire(h, d)
	if err != nil {
		return err
	}
	h.real = w
	return nil
}

func (w *wire) close() {
	if w != nil && w.net != nil {
		_ = w.net.Close()
	}
}

// fullOf resolves {full:SLOT} on the server: the full JID SLOT last bound
// there, or the same default as the model (harness.fullOf).
func (w *wire) fullOf(slot string) string {
	if f := w.full[slot]; f != "" {
		return f
	}
	return userBare(slotUser(slot)) + "/" + slotLetter(slot)
}

// resolve resolves an op's stanza for the server: the {full:SLOT}
// placeholders, and the model's full JIDs that an op took literally from
// the model's state (an unblock of a listed full JID) become the server's
// JIDs of the same sessions.
func (w *wire) resolve(x string) string {
	x = resolveFull(x, w.fullOf)
	for _, j := range w.jids {
		if m := w.toModel[j]; m != j && strings.Contains(x, "'"+m+"'") {
			x = strings.ReplaceAll(x, "'"+m+"'", "'"+j+"'")
		}
	}
	return x
}

// apply runs op on the server and returns the step's events as the
// server's network recorded them (nil and an error when the server could
// not be driven). name is the client the op's session has on the model,
// modelFull the full JID it bound there (connects), step the model's
// events of the step.
func (w *wire) apply(op Op, name, modelFull string, step []sim.TraceEvent) ([]sim.TraceEvent, error) {
	reach, got := receivers(step), arrivals(step)
	var err error
	var last driver.Endpoint
	switch op.Kind {
	case OpConnect:
		var ep driver.Endpoint
		ep, err = w.net.Connect(name, w.prefix+slotUser(op.Slot), op.Res, driver.Login{})
		if err == nil {
			last = ep
			w.ep[op.Slot] = ep
			w.byName[name] = ep
			f := compare.UnprefixNodes(ep.JID().String(), w.prefix)
			w.full[op.Slot] = f
			if _, ok := w.toModel[f]; !ok {
				w.jids = append(w.jids, f)
				sort.SliceStable(w.jids, func(i, k int) bool { return len(w.jids[i]) > len(w.jids[k]) })
			}
			w.toModel[f] = modelFull
		}
	case OpDisconnect, OpDrop:
		ep := w.ep[op.Slot]
		if ep == nil {
			return nil, fmt.Errorf("%s has no session on the server", op.Slot)
		}
		delete(w.ep, op.Slot)
		if op.Kind == OpDrop {
			err = ep.Drop()
			if err == nil {
				err = w.awaitDrop(name, got)
			}
		} else {
			err = ep.Disconnect()
		}
	case OpSend:
		last, err = w.send(op, name)
		if last == nil {
			return nil, err
		}
	case OpRestart:
		return nil, errors.New("a server restart cannot be driven over the wire")
	}
	if f := w.net.Failure(); f != nil {
		return nil, f // a broken transport explains any error above
	}
	if err != nil {
		return nil, err
	}
	w.steps++
	if op.Kind == OpSend && w.answerEachOther {
		// The sessions of the stanza's addressee handle it in their own
		// processes and may answer (a bounce from each one whose list
		// refuses it): with them in the barrier, their ping is
		// answered after they handled it, and the acting connection's
		// second round after their answer reached it.
		for c := range w.addressees(op) {
			reach[c] = true
		}
	}
	if w.answerEachOther {
		// A stanza from another session's full JID (a probe's answer,
		// the presence of the user's other resources) is written by
		// that session's process: it is pinged too.
		for c := range w.senders(step) {
			reach[c] = true
		}
	}
	full := op.Kind == OpDrop || w.steps%fullBarrierEvery == 0
	eq, expects := w.net.(driver.ExpectQuiescer)
	pq, partial := w.net.(driver.PartialQuiescer)
	switch {
	case full || !(partial || expects):
		err = w.net.Quiesce(last)
	case expects:
		// The clients the model's step only delivered stanzas to are
		// waited for by count; those it also ends (a stream error, a
		// close) are pinged.
		ends := map[string]bool{}
		for _, e := range step {
			if e.Kind == sim.TraceStreamError || e.Kind == sim.TraceDisconnect {
				ends[e.Client] = true
			}
		}
		var also []driver.Endpoint
		expect := map[driver.Endpoint]int{}
		for _, c := range sortedSet(reach) {
			ep := w.byName[c]
			switch {
			case ep == nil:
			case ends[c] || got[c] == 0:
				also = append(also, ep)
			default:
				expect[ep] = got[c]
			}
		}
		first := last
		if op.Kind == OpConnect {
			// The bind's answer has ordered the connect already: the
			// new session is waited for like the others, by what the
			// model predicts for it (usually nothing), not pinged.
			first = nil
		}
		err = eq.QuiesceExpect(first, also, w.from, expect)
	default:
		var also []driver.Endpoint
		for _, c := range sortedSet(reach) {
			if ep := w.byName[c]; ep != nil {
				also = append(also, ep)
			}
		}
		err = pq.QuiesceSome(last, also)
	}
	if err != nil {
		return nil, err
	}
	return w.collect(), nil
}

// addressees returns the clients whose sessions belong to the account
// op's stanza is addressed to (none without a 'to').
func (w *wire) addressees(op Op) map[string]bool {
	v, err := parseValue(w.resolve(op.Stanza))
	if err != nil {
		return nil
	}
	to := vAttrOr(v, "to")
	out := map[string]bool{}
	if to == "" && v.Tag() == "presence" {
		// a broadcast: every session may take it in, each in its own
		// process and by its own list (the user's other resources,
		// the contacts')
		for name, ep := range w.byName {
			if ep.Connected() {
				out[name] = true
			}
		}
		return out
	}
	if to == "" {
		return nil
	}
	bare, _, _ := strings.Cut(to, "/")
	for name, ep := range w.byName {
		if j := compare.UnprefixNodes(ep.JID().String(), w.prefix); strings.HasPrefix(j, bare+"/") && ep.Connected() {
			out[name] = true
		}
	}
	return out
}

// senders returns the clients whose sessions' full JIDs are the 'from' of
// a stanza the model's step delivered.
func (w *wire) senders(step []sim.TraceEvent) map[string]bool {
	from := map[string]bool{}
	for i := range step {
		if e := &step[i]; e.Kind == sim.TraceDeliver && !e.Value.IsZero() {
			if f := vAttrOr(e.Value, "from"); strings.Contains(f, "/") {
				from[f] = true
			}
		}
	}
	if len(from) == 0 {
		return nil
	}
	out := map[string]bool{}
	for name, ep := range w.byName {
		if j := compare.UnprefixNodes(ep.JID().String(), w.prefix); from[w.toModel[j]] && ep.Connected() {
			out[name] = true
		}
	}
	return out
}

// send writes op's stanza on its slot's endpoint (nil, and an error,
// when the slot has no session or the stanza does not parse).
func (w *wire) send(op Op, name string) (driver.Endpoint, error) {
	ep := w.ep[op.Slot]
	if ep == nil {
		return nil, fmt.Errorf("%s has no session on the server", op.Slot)
	}
	x := w.resolve(op.Stanza)
	if strings.Contains(x, pushPlaceholder) {
		x = strings.ReplaceAll(x, pushPlaceholder, compare.UnprefixNodes(lastPushID(w.net.Trace(), name), w.prefix))
	} else if v, perr := parseValue(op.Stanza); perr == nil {
		if id := vAttrOr(v, "id"); id != "" && !strings.Contains(id, "{") {
			w.keepIDs[id] = true
		}
	}
	el, perr := parseStanza(x)
	if perr != nil {
		return nil, perr
	}
	driver.PrefixElement(el, w.host, w.prefix, w.keep...)
	// Rooms get the run prefix too: a room outlives the sequence
	// that made it only as a tombstone or a persistent room, but
	// sequences run side by side against one server (--workers,
	// several seeds) would meet in one room. The server's answers
	// lose the prefix with the accounts' (compare.UnprefixNodes).
	driver.PrefixElement(el, mucService, w.prefix)
	return ep, ep.Send(el)
}

// collect empties the endpoints' inboxes (the trace has their stanzas),
// forgets the ended ones and returns the events since the last step.
func (w *wire) collect() []sim.TraceEvent {
	for slot, ep := range w.ep {
		ep.TakeAll() // the trace has them; inboxes must not grow
		if ep.Ended() {
			delete(w.ep, slot)
		}
	}
	tr := w.net.Trace()
	evs := tr[w.from:]
	w.from = len(tr)
	return evs
}

// dropPollMax bounds awaitDrop's polling: past it the full barrier runs
// anyway, and a stanza that never came shows as a difference.
const dropPollMax = time.Second

// awaitDrop waits until the server has handled an abrupt drop.
//
// On a real server (driver.PartialQuiescer) it polls; it never sleeps
// a fixed time. When the model's step delivered stanzas to other
// clients because of the drop (unavailable presence to subscribers),
// the server has handled the drop once as many have arrived there: the
// wire polls the trace for them, up to dropPollMax. When the model
// predicts no such stanza, the wire makes one ping round trip on every
// open connection (apply's full barrier then makes another). The
// server's end of the dropped socket reads the end of the stream
// before any byte sent after the drop, and Prosody destroys a session
// whose connection ended in the event loop turn that reads it
// (mod_c2s's ondisconnect, 0.12.3 and 13.0.1 alike), so once a ping
// sent after the drop is answered the drop is handled; the second
// round covers a server that handles the events of one loop turn in
// another order. With no connection open nothing is waited for: the
// next action can only be a connect, whose handshake takes several
// round trips before the bind that could meet the old session.
//
// It replaces a fixed wait of dropGrace after every drop, which was a
// quarter of the wall time of a check against Prosody. The simulation
// (no PartialQuiescer) still only advances its virtual clock by
// dropGrace, as it always did: its traces show that time.
func (w *wire) awaitDrop(dropped string, got map[string]int) error {
	want := map[string]int{}
	for c, k := range got {
		if c != dropped {
			want[c] = k
		}
	}
	if _, real := w.net.(driver.PartialQuiescer); !real {
		w.net.Wait(nil, w.grace)
		return nil
	}
	if len(want) == 0 {
		if w.answerEachOther {
			// Nothing to wait for, but the dropped session's own
			// process still ends it (and broadcasts its unavailable
			// to the user's resources) in its own time: give it the
			// grace, so that a reconnect right after does not meet it
			// (a loaded machine can still delay it longer;
			// docs/ejabberd.md)
			time.Sleep(w.grace)
		}
		return w.net.Quiesce(nil)
	}
	for waited := time.Duration(0); waited < dropPollMax; waited += time.Millisecond {
		have := map[string]int{}
		for _, e := range w.net.Trace()[w.from:] {
			if e.Kind == sim.TraceDeliver || e.Kind == sim.TraceError || e.Kind == sim.TraceFlush {
				have[e.Client]++
			}
		}
		done := true
		for c, k := range want {
			if have[c] < k {
				done = false
			}
		}
		if done {
			return nil
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// finish synchronises with every connection at the end of a sequence and
// returns the events that arrived since the last step (none, when the
// server sent nothing the partial barriers left uncollected).
func (w *wire) finish() ([]sim.TraceEvent, error) {
	if err := w.net.Quiesce(nil); err != nil {
		return nil, err
	}
	tr := w.net.Trace()
	evs := tr[w.from:]
	w.from = len(tr)
	return evs, nil
}

// toModelTerms returns s (a canonical stanza or a JID) with the run
// prefix removed and the server's full JIDs replaced by the model's.
func (w *wire) toModelTerms(s string) string {
	s = compare.UnprefixNodes(s, w.prefix)
	for _, j := range w.jids {
		if m := w.toModel[j]; m != j && strings.Contains(s, j) {
			s = strings.ReplaceAll(s, j, m)
		}
	}
	return s
}

// check judges one step the server took: srv are its events, modelAll
// the model's whole trace and rec the model's step.
func (w *wire) check(rec *stepRec, srv, modelAll []sim.TraceEvent, before, after snap) string {
	inv, diff := w.judge(rec, srv, modelAll, before, after)
	var msgs []string
	if inv != "" {
		msgs = append(msgs, "on the server's trace: "+inv)
	}
	if diff != "" {
		msgs = append(msgs, "the server's stanzas differ from the model's (masked):\n"+diff)
	}
	if len(msgs) == 0 {
		return ""
	}
	return "server: " + strings.Join(msgs, "\n")
}

// judge is check's two verdicts apart: the invariants' on the server's
// trace (inv) and the comparison's with the model (diff, per client,
// -model +server), "" when each holds.
func (w *wire) judge(rec *stepRec, srv, modelAll []sim.TraceEvent, before, after snap) (inv, diff string) {
	modelStep := modelAll[rec.from:rec.to]
	// The maskers learn the clients' JIDs from connect events: rebuilt
	// only after a connect (they share keepIDs, which grows by itself).
	if w.mm == nil || rec.op.Kind == OpConnect {
		w.mm = compare.NewMasker(modelAll, "", w.keepIDs)
		w.sm = compare.NewMasker(w.net.Trace(), w.prefix, w.keepIDs)
	}
	mm, sm := w.mm, w.sm
	// Number the step's generated values client by client on both sides:
	// the server's cross-client order is its connections' timing.
	mm.Learn(modelStep)
	sm.Learn(srv)

	// The server's events in the model's terms, each delivery with the
	// kind of the model's matching one.
	evs := w.inModelTerms(srv, w.pool(modelStep))
	r := *rec
	inv = w.inv.check(&r, evs, before, after)
	// Compare what every client received, per step, as multisets, with
	// the profile's allowances (package compare).
	names := map[string]bool{}
	for _, e := range modelStep {
		names[e.Client] = true
	}
	for _, e := range srv {
		names[e.Client] = true
	}
	var b strings.Builder
	for _, c := range sortedSet(names) {
		if c == "" {
			continue
		}
		want, got := mm.Stream(modelStep, c), sm.Stream(srv, c)
		w.compared += len(got)
		switch compare.Judge(want, got, mm.Bare(c), mm.Bare, w.allow) {
		case compare.Same:
		case compare.KnownBug:
			w.tolerated++
		default:
			fmt.Fprintf(&b, "client %s, -model +server:\n%s", c, compare.MultisetDiff(want, got))
		}
	}
	return inv, b.String()
}

// arrival is a model's delivery, masked, that a server's delivery of
// the same step takes its kind from (an ordinary one, a bounce, an
// offline flush: the wire does not show it).
type arrival struct {
	client, masked string
	kind           sim.TraceKind
}

// pool lists the model's deliveries of a step, masked (inModelTerms).
func (w *wire) pool(modelStep []sim.TraceEvent) []arrival {
	var pool []arrival
	for i := range modelStep {
		e := &modelStep[i]
		switch e.Kind {
		case sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
			pool = append(pool, arrival{e.Client, w.mm.Event(e), e.Kind})
		}
	}
	return pool
}

// inModelTerms returns the server's events srv put into the model's
// terms (prefix removed, the model's full JIDs, each delivery with the
// kind of the model's matching one in pool) and appends them to w.trace.
func (w *wire) inModelTerms(srv []sim.TraceEvent, pool []arrival) []sim.TraceEvent {
	sm := w.sm
	evs := make([]sim.TraceEvent, 0, len(srv))
	for _, e := range srv {
		// Only what a client sees: a network that knows more (the
		// simulation behind driver.SimDriver records stores, drops
		// and the kind of each arrival) is judged like a real server.
		switch e.Kind {
		case sim.TraceStore, sim.TraceDrop:
			continue
		case sim.TraceError, sim.TraceFlush:
			e.Kind = sim.TraceDeliver
		}
		if e.Kind == sim.TraceDeliver {
			masked := sm.Event(&e)
			for i, a := range pool {
				if a.client == e.Client && a.masked == masked {
					e.Kind = a.kind
					pool = append(pool[:i], pool[i+1:]...)
					break
				}
			}
		}
		if s := w.toModelTerms(e.Canonical()); s != e.Canonical() || e.Value.IsZero() {
			// a real server's events carry no value, and one the
			// rewrite changed no longer matches its string
			e.Text, e.Value = s, stanza.Stanza{}
			e.Value = eventValue(&e)
		}
		if !e.JID.IsZero() {
			if j, err := model.ParseJID(w.toModelTerms(e.JID.String())); err == nil {
				e.JID = j
			}
		}
		e.Seq = uint64(len(w.trace) + len(evs) + 1)
		e.Cause = 0
		evs = append(evs, e)
	}
	w.trace = append(w.trace, evs...)
	return evs
}
