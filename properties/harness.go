package properties

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/jid"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
)

// harness drives one simulation: it applies Ops, keeps the reference in
// step, and checks every step (state, predictions, invariants).
type harness struct {
	users int
	spec  model.Profile // the profile the checks demand (the model's goes to sim.Config)
	// prof and mutants: the model's profile and mutants (a concurrent
	// action's other serialisations run on a fresh model of them)
	prof    model.Profile
	mutants []string

	sim   *sim.Sim
	srv   *model.Server
	ref   *ref
	slots map[string]*slot
	ops   []Op
	steps []stepRec
	inv   *invState

	// noRef switches the reference comparison off (invariants only).
	noRef bool
	// strict drops the relaxations for Prosody behaviour that no profile
	// field selects (findings F1–F4, F7 in docs/findings.md).
	strict bool
	// accepted: findings whose Strict relaxation stays (strictOn)
	accepted map[string]bool
	// cov counts spec coverage (nil: off); shared by a run's checks
	cov *covRecorder
	// only, when non-nil, restricts the invariants checked.
	only map[string]bool
	// onlyGen counts setOnly calls: the invariant states keep the list
	// of step checks made for one selection (invState.stepChecks).
	onlyGen int
	// noFaults: the machine draws no abrupt drops and no restarts.
	noFaults bool
	// races: the machine draws the group actions and what sets them up
	// only (RaceActions); noGroups: none of them (ScansionActions).
	races, noGroups bool
	// names and slotNames: u1..uN and their slots (computed once; shared,
	// read-only).
	names, slotNames []string
	bares            []string // userBare of names
	// lastSnap is the state after the last step: the next step's before
	// (only apply changes the model).
	lastSnap *snap
	// store is the model's storage, watched: the accounts written in a
	// step are the only ones whose introspected state can have changed
	// (the model persists every change at the end of each call, §0.8).
	store *watchStorage
	// persistErr: the last full snapshot found state the model changed
	// without writing it to storage (inv44).
	persistErr string
	// extActions and custom: Config.Actions and Config.CustomInvariants.
	extActions map[string]Action
	custom     []Invariant
	// real: the real server driven beside the model (Config.Server), nil
	// for the model alone.
	real *wire
	// confirm: a step the model's own checks fail is applied to real
	// too and its verdict kept in the step's srv (confirm.go); without
	// it such a step never reaches the server.
	confirm bool
	// transport: the real server's transport failure
	// (driver.IsTransport); once set the sequence stops and nothing is
	// judged: it is not the server's behaviour.
	transport error
	// modules: the model's profile loads Prosody 13's modules, so the
	// module actions are drawn (actions_modules.go); refGone: an account
	// was removed, and the reference, which cannot follow, is left out
	// for the rest of the sequence.
	modules, refGone bool
	// muc: the profile runs mod_muc on conference.localhost, so the
	// room actions are drawn (actions_muc.go); mucStored counts, by
	// bare JID, the messages from the rooms (invitations) in the
	// account's offline store, which the reference does not model.
	muc       bool
	mucStored map[string]int
	// mamClients: sessions that queried their archive; mod_offline
	// flushes nothing to them (mod_mam.go), which the reference does not
	// model, so it is left out from the first send of such a session
	// while its account has offline messages.
	mamClients map[string]bool
	// seed: the simulation's seed (a rerun, follow.go, starts the same)
	seed uint64
	// groupSnaps: the states around the stanzas of the last group
	// applied: before it, then after each of its stanzas (group.go)
	groupSnaps []snap
	// obs: the stanzas the clients received in the step being compared
	// (observeStep; reused)
	obs []observedList
}

type slot struct {
	cur  *sim.Client
	last string // full JID most recently bound here
	n    int    // sessions bound so far
}

// stepRec is what one applied op did.
type stepRec struct {
	op   Op
	from int // trace index range [from, to)
	to   int
	// pred is the reference's prediction for every client (signatures).
	pred map[string][]string
	// mismatch: the step failed because the deliveries differ from pred.
	mismatch bool
	// fail is the step's violation ("" if none).
	fail string
	// onServer: fail is the real server's (wire.go); srvFrom and srvTo
	// index the step's events in wire.trace.
	onServer       bool
	srvFrom, srvTo int
	// srv: with harness.confirm, the server's verdict on a step the
	// model failed (confirm.go); nil otherwise.
	srv *serverVerdict
	// evs, for an op of a group (group.go), are its own events: its
	// send and what the server did because of it, picked out of the
	// group's range [from, to) by their Cause; nil for other steps,
	// whose events are the range.
	evs []sim.TraceEvent
}

func newHarness(users int, prof, spec model.Profile, mutants []string, seed uint64) *harness {
	h := &harness{users: users, spec: spec, prof: prof, mutants: mutants, slots: map[string]*slot{}, seed: seed}
	if b, _ := harnessBufs.Get().(*stepBufs); b != nil {
		h.ops, h.steps = b.ops, b.steps
	} else {
		h.ops, h.steps = make([]Op, 0, 64), make([]stepRec, 0, 64) // rapid's sequences average 30 actions
	}
	p := prof
	h.store = &watchStorage{put: map[string]bool{}}
	h.sim = sim.New(sim.Config{Seed: seed, Profile: &p, Mutants: mutants, Storage: h.store, ValuesOnly: true})
	h.srv, _ = h.sim.Backend().(*model.Server)
	h.ref = newRef(spec)
	h.modules = modulesLoaded(prof)
	h.muc = mucLoaded(prof)
	h.inv = newInvState(h)
	// The reference (ref.go) predicts Prosody's behaviour as the behaviour
	// document describes it; a profile of another server (ejabberd: the
	// wire shape of WireOptions and the roster and blocking options that
	// come with it) has no reference, and is judged by the invariants and,
	// against its server, by the comparison.
	h.refGone = prof.WireOptions != (model.WireOptions{})
	for i := 1; i <= users; i++ {
		u := userName(i - 1)
		h.names = append(h.names, u)
		h.bares = append(h.bares, userBare(u))
		for _, n := range slotNamesOf(u) {
			h.slots[n] = &slot{}
			h.slotNames = append(h.slotNames, n)
		}
	}
	h.names = h.names[:len(h.names):len(h.names)]
	h.slotNames = h.slotNames[:len(h.slotNames):len(h.slotNames)]
	return h
}

// slotNamesOf returns user u's slots u+"a", u+"b", u+"c" (constants
// for u1..u9).
func slotNamesOf(u string) [3]string {
	if i := userIndex(u, len(slotNamesConst)); i >= 0 {
		return slotNamesConst[i]
	}
	return [3]string{u + "a", u + "b", u + "c"}
}

var slotNamesConst = func() (s [9][3]string) {
	for i := range s {
		for j, l := range []string{"a", "b", "c"} {
			s[i][j] = userNamesConst[i] + l
		}
	}
	return s
}()

// stepBufs are a finished harness's ops and steps, emptied, for the
// next check's harness (release): a check's two largest allocations.
type stepBufs struct {
	ops   []Op
	steps []stepRec
}

var harnessBufs sync.Pool

// release hands h's ops and steps to the next harness. h must not be
// used afterwards (its callers keep copies of what they report:
// recorder.lastOps).
func (h *harness) release() {
	if cap(h.ops) > 256 || cap(h.steps) > 256 {
		return // an unusually long sequence: let it go
	}
	ops, steps := h.ops[:cap(h.ops)], h.steps[:cap(h.steps)]
	clear(ops) // no references into this check's stanzas and traces
	clear(steps)
	h.ops, h.steps = nil, nil
	harnessBufs.Put(&stepBufs{ops: ops[:0], steps: steps[:0]})
}

// userBare returns "u1@localhost" for "u1". The checks ask for it per
// contact and per step; for the machine's users (u1..u9) the answer is
// a constant rather than a new string.
func userBare(u string) string {
	if len(u) == 2 && u[0] == 'u' && u[1] >= '1' && u[1] <= '9' {
		return userBares[u[1]-'1']
	}
	return u + "@localhost"
}

var userBares = [...]string{"u1@localhost", "u2@localhost", "u3@localhost", "u4@localhost", "u5@localhost",
	"u6@localhost", "u7@localhost", "u8@localhost", "u9@localhost"}

// bareString is j.Bare().String(), without building a new string for
// the machine's users (u1..u9@localhost), whose events are most of a
// step's.
func bareString(j jid.JID) string {
	if n := j.Node; j.Domain == "localhost" && len(n) == 2 && n[0] == 'u' && n[1] >= '1' && n[1] <= '9' {
		return userBares[n[1]-'1']
	}
	return j.Bare().String()
}

// userNames returns u1..uN (shared: do not modify).
func (h *harness) userNames() []string { return h.names }

// connected reports whether slot has a session that may send.
func (h *harness) connected(slot string) bool {
	s := h.slots[slot]
	return s != nil && s.cur != nil && s.cur.Connected() && !s.cur.Ended()
}

// fullOf resolves {full:SLOT}.
func (h *harness) fullOf(slot string) string {
	s := h.slots[slot]
	if s == nil {
		return slot
	}
	if s.last != "" {
		return s.last
	}
	return userBare(slotUser(slot)) + "/" + slotLetter(slot)
}

func (h *harness) resolve(x string) string { return resolveFull(x, h.fullOf) }

// resolveFull replaces every {full:SLOT} placeholder in x by fullOf(SLOT).
func resolveFull(x string, fullOf func(slot string) string) string {
	for strings.Contains(x, "{full:") {
		i := strings.Index(x, "{full:")
		j := strings.IndexByte(x[i:], '}')
		if j < 0 {
			break
		}
		x = x[:i] + fullOf(x[i+6:i+j]) + x[i+j+1:]
	}
	return x
}

// apply runs op, then checks the step. It returns "" or the first
// violation found.
func (h *harness) apply(op Op) string {
	h.ops = append(h.ops, op)
	tr := h.sim.Trace()
	rec := stepRec{op: op, from: len(tr)}
	var before snap
	if h.lastSnap != nil {
		before = *h.lastSnap
	} else {
		before = h.snapshot()
	}
	h.inv.begin()
	if h.real != nil {
		h.real.inv.begin()
	}
	h.ref.out = nil
	sl := h.slots[op.Slot]
	if sl == nil {
		sl = &slot{}
	}
	var err error
	var name string // the op's client
	if sl.cur != nil {
		name = sl.cur.Name()
	}
	switch op.Kind {
	case OpConnect:
		sl.n++
		name = op.Slot
		if sl.n > 1 {
			name = fmt.Sprintf("%s-%d", op.Slot, sl.n)
		}
		var c *sim.Client
		c, err = h.sim.Connect(name, slotUser(op.Slot), op.Res)
		if err == nil {
			sl.cur = c
			sl.last = c.JID().String()
			h.ref.bind(name, sl.last)
		}
	case OpDisconnect:
		err = sl.cur.Disconnect()
	case OpDrop:
		err = sl.cur.Drop()
	case OpRestart:
		// The process dies: sessions vanish without unavailable presence;
		// rosters, pending requests, blocklists and offline messages are
		// persistent (§0.8 storage); the reference drops its sessions.
		for _, rs := range h.ref.sess {
			rs.bound = false
		}
		h.ref.sess = nil
		for _, u := range h.ref.users {
			u.wentOffline() // storage has them bare
			u.cached = false
		}
		err = h.sim.RestartServer()
	case OpSend:
		v := h.sendValue(op, sl)
		h.refSend(op, sl.cur.Name(), v)
		err = sl.cur.SendValue(v)
	}
	if err != nil {
		panic(fmt.Sprintf("op %v: %v", op, err))
	}
	h.sim.RunUntilQuiet()
	for _, c := range h.sim.Clients() {
		c.TakeAll()
	}
	// Sessions the server ended (disconnects, conflicts).
	tr = h.sim.Trace()
	rec.to = len(tr)
	h.endSessions(op, tr[rec.from:rec.to])
	h.forgetEnded()
	if op.Name == "i5Remove" {
		h.refGone = true
	}
	// ref.out is a fresh map every step (nil until a prediction: a nil
	// map reads as an empty one, and pred is only read)
	rec.pred = h.ref.out
	h.steps = append(h.steps, rec)
	var after snap
	if h.lastSnap == nil || op.Kind == OpRestart || len(h.steps)%fullSnapEvery == 0 {
		after = h.snapshot()
		if h.lastSnap != nil && op.Kind != OpRestart {
			// cross-check the incremental snapshot: state that changed
			// without being written to storage would be lost on restart
			// and hidden from the incremental snapshots
			inc := h.snapshotFrom(h.lastSnap, h.store.put)
			if d := diffSnaps(inc, after); d != "" {
				h.persistErr = d
			}
		}
	} else {
		after = h.snapshotFrom(h.lastSnap, h.store.put)
	}
	clear(h.store.put)
	h.lastSnap = &after
	st := &h.steps[len(h.steps)-1]
	if msg := h.checkCounted(st, before, after); msg != "" {
		st.fail = msg
		if h.confirm && h.real != nil && !h.real.otherOrder && h.transport == nil {
			// confirming a departure the model found (confirm.go): the
			// failing step goes to the server too, and the server's
			// own trace of it is judged
			h.confirmStep(st, op, name, sl.last, before, after)
		}
		return msg
	}
	if h.real != nil && !h.real.otherOrder {
		st.srvFrom = len(h.real.trace)
		if h.transport != nil {
			return "transport failure: " + h.transport.Error()
		}
		step := h.sim.Trace()[st.from:st.to]
		evs, err := h.real.apply(op, name, sl.last, step)
		if driver.IsTransport(err) {
			// st.fail stays "": no verdict on this step or the sequence
			h.transport = err
			st.srvTo = len(h.real.trace)
			return "transport failure: " + err.Error()
		}
		msg := ""
		if err != nil {
			msg = fmt.Sprintf("server: %v could not be applied: %v", op, err)
		} else {
			msg = h.real.check(st, evs, h.sim.Trace(), before, after)
		}
		st.srvTo = len(h.real.trace)
		if msg != "" {
			// an earlier concurrent action's other orders may explain
			// it (follow.go); settling reruns the model's steps
			if msg = h.settle(msg); msg == "" {
				return ""
			}
			st = &h.steps[len(h.steps)-1]
			st.fail, st.onServer = msg, true
			return msg
		}
	}
	return ""
}

// sendValue is op's stanza as the session in sl sends it now: its
// placeholders resolved (the push id from what the client received).
// A session that queried its archive while its account has offline
// messages leaves the reference out from now on (mamClients).
func (h *harness) sendValue(op Op, sl *slot) stanza.Stanza {
	client := sl.cur.Name()
	if h.mamClients[client] {
		if u := h.ref.users[userBare(slotUser(op.Slot))]; u != nil && len(u.offline) > 0 {
			h.refGone = true
		}
	}
	if op.Name == "i3MAM" {
		if h.mamClients == nil {
			h.mamClients = map[string]bool{}
		}
		h.mamClients[client] = true
	}
	v, perr := opValue(&op, func(x string) string {
		x = h.resolve(x)
		if strings.Contains(x, pushPlaceholder) {
			x = strings.ReplaceAll(x, pushPlaceholder, lastPushID(h.sim.Trace(), client))
		}
		return x
	})
	if perr != nil {
		panic(perr)
	}
	return v
}

// refSend hands the stanza v that client sent to the reference. The
// reference models the core: a room action's stanza (to the MUC
// service, or a direct invitation) is not its business.
func (h *harness) refSend(op Op, client string, v stanza.Stanza) {
	if rs := h.ref.sessByName(client); rs != nil && !mucActionNames[op.Name] {
		h.ref.clientSend(rs, v)
	}
}

// endSessions destroys in the reference the sessions that evs (op's
// events) ended.
func (h *harness) endSessions(op Op, evs []sim.TraceEvent) {
	for _, ev := range evs {
		if ev.Kind == sim.TraceDisconnect {
			if rs := h.ref.sessByName(ev.Client); rs != nil && rs.full == ev.JID.String() {
				reason := ""
				switch ev.Reason {
				case sim.ReasonAbrupt:
					reason = h.spec.AbruptCloseReason
				case sim.ReasonClean:
				default:
					if moduleActionNames[op.Name] || mucActionNames[op.Name] {
						// a session an account removal ended
						// (XEP-0077 §3.2)
						break
					}
					// a server-side close: the reference already
					// destroyed it when the replacing session bound.
					continue
				}
				h.ref.destroy(rs, reason)
			}
		}
	}
}

// forgetEnded empties the slots whose session has ended.
func (h *harness) forgetEnded() {
	for _, n := range h.slotNames {
		if s := h.slots[n]; s.cur != nil && s.cur.Ended() {
			s.cur = nil
		}
	}
}

// snap is the model's introspectable state at one point.
type snap struct {
	contacts contactTable
	bl       map[string][]string
	offline  map[string]int
	ver      map[string]int
}

// fullSnapEvery: every so many steps the snapshot is taken in full and
// compared with the incremental one.
const fullSnapEvery = 16

// watchStorage is a model.MemStorage that records which accounts were
// written.
type watchStorage struct {
	model.MemStorage
	put map[string]bool
}

func (w *watchStorage) Put(node string, data []byte) {
	w.put[node] = true
	w.MemStorage.Put(node, data)
}

// snapshotFrom is snapshot for a step that wrote only the accounts in
// dirty: the others keep prev's values (a Contact is its owner's state).
func (h *harness) snapshotFrom(prev *snap, dirty map[string]bool) snap {
	if len(dirty) == 0 {
		return *prev
	}
	s := snap{contacts: newContactTable(h.users), bl: make(map[string][]string, h.users),
		offline: make(map[string]int, h.users), ver: make(map[string]int, h.users)}
	us := h.userNames()
	n := h.users
	for i, a := range us {
		if !dirty[a] {
			if prev.contacts.n == n {
				copy(s.contacts.c[i*n:(i+1)*n], prev.contacts.c[i*n:(i+1)*n]) // a's row
			}
			s.bl[a], s.offline[a], s.ver[a] = prev.bl[a], prev.offline[a], prev.ver[a]
			continue
		}
		h.readAccount(&s, i)
	}
	return s
}

// readAccount reads user i's state from the model into s.
func (h *harness) readAccount(s *snap, i int) {
	a, ba := h.names[i], h.bares[i]
	for j := range h.names {
		if i != j {
			s.contacts.c[i*h.users+j] = h.srv.ContactOf(ba, h.bares[j])
		}
	}
	s.bl[a] = h.srv.Blocklist(ba)
	s.offline[a] = h.srv.OfflineCount(ba)
	s.ver[a] = h.srv.RosterVersion(ba)
}

// diffSnaps describes how b differs from a ("" if not).
func diffSnaps(a, b snap) string {
	var d []string
	for k, x := range b.contacts.all() {
		if a.contacts.get(k) != x {
			d = append(d, fmt.Sprintf("%s's entry for %s is %s, storage was last written with %s", k[0], k[1], x.State(), a.contacts.get(k).State()))
		}
	}
	for u, x := range b.bl {
		if !slices.Equal(a.bl[u], x) {
			d = append(d, fmt.Sprintf("%s's blocklist is %v, storage was last written with %v", u, x, a.bl[u]))
		}
		if a.offline[u] != b.offline[u] {
			d = append(d, fmt.Sprintf("%s has %d offline messages, storage was last written with %d", u, b.offline[u], a.offline[u]))
		}
		if a.ver[u] != b.ver[u] {
			d = append(d, fmt.Sprintf("%s's roster version is %d, storage was last written with %d", u, b.ver[u], a.ver[u]))
		}
	}
	sort.Strings(d)
	return strings.Join(d, "; ")
}

func (h *harness) snapshot() snap {
	s := snap{contacts: newContactTable(h.users), bl: map[string][]string{}, offline: map[string]int{}, ver: map[string]int{}}
	for i := range h.names {
		h.readAccount(&s, i)
	}
	return s
}

// refContact is the reference's view of user u's state towards bare JID
// b in model.Contact form.
func refContact(u *rUser, b string) model.Contact {
	c := model.Contact{Subscription: "none"}
	if u == nil {
		return c
	}
	if it := u.roster[b]; it != nil {
		c.InRoster, c.Subscription, c.Ask, c.Approved = true, it.sub, it.ask, it.approved
	}
	_, c.PendingIn = u.pending[b]
	return c
}

// check compares the step with the reference and runs the invariants.
func (h *harness) check(rec *stepRec, before, after snap) string {
	tr := h.stepEvents(rec)
	if h.muc {
		h.countMUCStored(tr)
	}
	if !h.noRef && !h.refGone {
		if msg := h.compareState(after); msg != "" {
			return msg
		}
		// a module action's stanzas are judged by the invariants only
		if !moduleActionNames[rec.op.Name] && !mucActionNames[rec.op.Name] {
			if msg := h.comparePredictions(rec, tr); msg != "" {
				return msg
			}
		}
	}
	if msg := h.inv.check(rec, tr, before, after); msg != "" {
		return msg
	}
	return h.checkCustom()
}

// checkCounted is check, which stops the coverage count at the first
// failing step (rapid's shrinking replays are not the run's coverage).
func (h *harness) checkCounted(rec *stepRec, before, after snap) string {
	msg := h.check(rec, before, after)
	if msg != "" && h.cov != nil {
		h.cov.frozen = true
	}
	return msg
}

func (h *harness) compareState(after snap) string {
	var b *strings.Builder // only on a mismatch (Fprintf would make a builder escape per call)
	w := func() *strings.Builder {
		if b == nil {
			b = &strings.Builder{}
		}
		return b
	}
	us := h.userNames()
	for i, a := range us {
		u := h.ref.users[h.bares[i]]
		for j, c := range us {
			if i == j {
				continue
			}
			want := refContact(u, h.bares[j])
			got := after.contacts.c[i*h.users+j]
			if want == got {
				continue
			}
			fmt.Fprintf(w(), "roster state %s -> %s (reference %s, model %s):\n%s", a, c, want.State(), got.State(), contactDiff(want, got))
		}
		var rbl map[string]bool
		wantOff, wantVer := 0, 1
		if u != nil {
			rbl = u.bl
			wantOff = len(u.offline)
			wantVer = u.reportedVer()
		}
		if sameSet(rbl, after.bl[a]) {
			// fast path: no diff to build
		} else if d := sortedDiff(sortedSet(rbl), slices.Sorted(slices.Values(after.bl[a]))); d != "" {
			fmt.Fprintf(w(), "blocklist of %s, -reference +model:\n%s", a, d)
		}
		wantOff += h.mucStored[userBare(a)]
		if wantOff != after.offline[a] {
			fmt.Fprintf(w(), "offline store of %s: reference %d messages, model %d\n", a, wantOff, after.offline[a])
		}
		if wantVer != after.ver[a] {
			fmt.Fprintf(w(), "roster version of %s: reference %d, model %d\n", a, wantVer, after.ver[a])
		}
	}
	if b != nil && b.Len() > 0 {
		return "reference state mismatch: " + b.String()
	}
	return ""
}

// observed groups the stanzas delivered in a step by client, as
// signatures.
func observed(tr []sim.TraceEvent) map[string][]string { return observedFor(tr, false) }

// observedFor is observed; with modules, the PEP notifications
// (moduleStanza) are left out, and the stanza-ids mod_mam adds to the
// messages it archives (withoutStanzaID).
func observedFor(tr []sim.TraceEvent, modules bool) map[string][]string {
	got := map[string][]string{}
	for i := range tr {
		if sig, ok := observedSig(&tr[i], modules); ok {
			got[tr[i].Client] = append(got[tr[i].Client], sig)
		}
	}
	return got
}

// observedSig is the signature of what ev delivered to its client, and
// whether observed counts it at all: deliveries, errors and flushes;
// with modules, not the PEP and room stanzas, and without mod_mam's
// stanza-ids.
func observedSig(ev *sim.TraceEvent, modules bool) (string, bool) {
	if modules && (moduleStanza(ev) || mucStanza(ev)) {
		return "", false
	}
	switch ev.Kind {
	case sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
	default:
		return "", false
	}
	v := eventValue(ev)
	if modules {
		v = withoutStanzaID(v)
	}
	return sigValue(v), true
}

func (h *harness) comparePredictions(rec *stepRec, tr []sim.TraceEvent) string {
	got := h.observeStep(tr)
	want := h.ref.out
	// Only the clients whose multisets differ are sorted and rendered,
	// in name order (clientNames' order).
	var bad []string
	for i := range got {
		if !sameMultiset(want[got[i].client], got[i].sigs) {
			bad = append(bad, got[i].client)
		}
	}
	for n, w := range want {
		if len(w) > 0 && !slices.ContainsFunc(got, func(o observedList) bool { return o.client == n }) {
			bad = append(bad, n)
		}
	}
	if len(bad) == 0 {
		return ""
	}
	sort.Strings(bad)
	gotBy := map[string][]string{}
	for _, o := range got {
		gotBy[o.client] = o.sigs
	}
	var b strings.Builder
	for _, n := range bad {
		w, g := slices.Sorted(slices.Values(want[n])), slices.Sorted(slices.Values(gotBy[n]))
		if d := sortedDiff(w, g); d != "" {
			fmt.Fprintf(&b, "client %s, -reference +model:\n%s", n, d)
		}
	}
	if b.Len() > 0 {
		rec.mismatch = true
		return "delivered stanzas differ from the reference prediction:\n" + b.String()
	}
	return ""
}

// observedList is one client's signatures in a step (observeStep).
type observedList struct {
	client string
	sigs   []string
}

// observeStep is observedFor(tr, h.modules) as a list of the clients
// that received something, in order of first delivery; its storage is
// reused from step to step (a step delivers to a few clients, so a
// list beats a map).
func (h *harness) observeStep(tr []sim.TraceEvent) []observedList {
	for i := range h.obs {
		clear(h.obs[i].sigs)
	}
	n := 0
	for i := range tr {
		ev := &tr[i]
		sig, ok := observedSig(ev, h.modules)
		if !ok {
			continue
		}
		k := 0
		for k < n && h.obs[k].client != ev.Client {
			k++
		}
		if k == n {
			if n == len(h.obs) {
				h.obs = append(h.obs, observedList{})
			}
			h.obs[n].client, h.obs[n].sigs = ev.Client, h.obs[n].sigs[:0]
			n++
		}
		h.obs[k].sigs = append(h.obs[k].sigs, sig)
	}
	return h.obs[:n]
}

// clientNames returns the clients of a and b, sorted.
func clientNames(a, b map[string][]string) []string {
	names := make(map[string]bool, len(a)+len(b))
	for n := range a {
		names[n] = true
	}
	for n := range b {
		names[n] = true
	}
	return sortedSet(names)
}

// sameMultiset: a and b hold the same strings, in any order. A step
// delivers a handful of stanzas per client, so the lists are matched
// pairwise without sorting copies of them (which was most of the
// comparison's cost); long lists are sorted.
func sameMultiset(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) > 64 {
		return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
	}
	var used uint64 // bit j: b[j] matched
outer:
	for _, x := range a {
		for j, y := range b {
			if used&(1<<j) == 0 && x == y {
				used |= 1 << j
				continue outer
			}
		}
		return false
	}
	return true
}

// sameSet: the true keys of set are exactly the items of list, each
// once (the reference's blocklist against the model's).
func sameSet(set map[string]bool, list []string) bool {
	n := 0
	for _, v := range set {
		if v {
			n++
		}
	}
	if n != len(list) {
		return false
	}
	for i, x := range list {
		if !set[x] || slices.Contains(list[:i], x) {
			return false
		}
	}
	return true
}

// allSlots returns every slot (shared: do not modify).
func (h *harness) allSlots() []string { return h.slotNames }

// strictOn reports whether Config.Strict drops the relaxation for the
// finding id (docs/findings.md F1–F4, F7, D6, D7): Strict is set and the
// finding is not accepted (Config.Accept).
func (h *harness) strictOn(id string) bool { return h.strict && !h.accepted[id] }

// receivers are the clients the model's step delivered to or ended:
// where the step's effects can arrive on the server (the wire's partial
// barrier).
func receivers(step []sim.TraceEvent) map[string]bool {
	out := map[string]bool{}
	for _, ev := range step {
		switch ev.Kind {
		case sim.TraceDeliver, sim.TraceError, sim.TraceFlush, sim.TraceStreamError, sim.TraceDisconnect:
			out[ev.Client] = true
		}
	}
	return out
}

// finishReal ends a sequence on the real server with a full barrier
// (wire.finish): anything the server sent that the partial barriers of
// the last steps had not collected arrives now, and since the model
// predicted nothing more, any such stanza fails the last step. A
// transport failure sets h.transport instead.
func (h *harness) finishReal() string {
	if h.real == nil || h.transport != nil || len(h.steps) == 0 || h.real.otherOrder {
		return ""
	}
	st := &h.steps[len(h.steps)-1]
	if st.fail != "" {
		return ""
	}
	evs, err := h.real.finish()
	if driver.IsTransport(err) {
		h.transport = err
		return ""
	}
	msg := ""
	if err != nil {
		msg = fmt.Sprintf("server: the final synchronisation failed: %v", err)
	} else {
		var lines []string
		for _, e := range evs {
			switch e.Kind {
			case sim.TraceDeliver, sim.TraceError, sim.TraceFlush, sim.TraceStreamError:
				lines = append(lines, "    "+e.Client+": "+h.real.toModelTerms(e.Canonical()))
			}
		}
		if len(lines) == 0 {
			return ""
		}
		msg = "server: after the last action the server sent what the model predicted nobody would receive:\n" + strings.Join(lines, "\n")
	}
	st.fail, st.onServer = msg, true
	return msg
}

// arrivals counts the stanzas the model's step delivered to each client.
func arrivals(step []sim.TraceEvent) map[string]int {
	out := map[string]int{}
	for _, ev := range step {
		switch ev.Kind {
		case sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
			out[ev.Client]++
		}
	}
	return out
}

// setOnly selects the invariants checked (nil: all). Always through here,
// so that the step-check lists made for the previous selection are made
// again.
func (h *harness) setOnly(only map[string]bool) {
	h.only = only
	h.onlyGen++
}
