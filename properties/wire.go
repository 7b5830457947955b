package properties

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
)

// wire is the real server a harness drives beside the model when
// Config.Server is set: every op the model gets is applied to the server
// too, over one scenarios.Network per sequence (fresh accounts: the
// driver's run prefix), and each step is judged twice more:
//
//   - the invariant catalogue runs on the server's trace (what its
//     clients sent and received), with the model's state as the state
//     the invariants read, except the ones in offWire, which judge what
//     only the server's inside shows;
//   - what each client received from the server is compared with what
//     it received from the model (the oracle), as multisets per step
//     (Prosody iterates hashes when it fans out, §0), after
//     scenarios.Masker's masking (server-generated ids, stamps, generated
//     resources, the run prefix); roster pushes with their versions
//     masked, the step's push count and final version compared instead
//     (sameLastVersion); and, under Profile.ResentRequestsShareStanza,
//     the 'to' of subscription requests in a batch that shows bug D6.
//
// Only what a client sees counts: connects, sends, arrivals, closes and
// stream errors. A network that records more (the simulation behind
// scenarios.SimDriver) has its stores and drops left out.
//
// The server's stanzas are put into the model's terms before the
// invariants see them: the run prefix is removed and each session's full
// JID becomes the one the same client bound on the model (they differ
// for generated resources). What kind of arrival a delivery was (an
// ordinary one, a bounce, an offline flush) does not show on the wire;
// it is taken from the model's matching delivery in the same step.
//
// Ordering: after every op the network is quiesced (a ping round trip on
// every connection, scenarios.ServerDriver). The server learns of an
// abrupt drop asynchronously, so after one the wire first waits
// dropGrace, then quiesces.
type wire struct {
	net          scenarios.Network
	prefix, host string
	keep         []string
	grace        time.Duration

	// slot -> the slot's open endpoint, and the full JID it last bound
	// on the server (prefix removed)
	ep   map[string]scenarios.Endpoint
	full map[string]string
	// toModel maps each server full JID (prefix removed) to the model's
	// full JID of the same client; jids holds its keys, longest first.
	toModel map[string]string
	jids    []string
	// from: where the current step's events start in net.Trace().
	from int
	// trace: the server's events of every step, in the model's terms.
	trace []sim.TraceEvent
	// keepIDs: the ids the ops chose (kept by the masking; the others
	// are the servers' own).
	keepIDs map[string]bool
	// mm and sm mask the model's and the server's stanzas (check).
	mm, sm *scenarios.Masker
	inv    *invState
	// compared counts the server's deliveries compared with the model's.
	compared int
	// sharedResend: tolerate D6 (Profile.ResentRequestsShareStanza, not
	// Config.Strict); tolerated counts the batches that needed it.
	sharedResend bool
	tolerated    int
	// addressedTo: a stored request's 'to' may be the sender's full JID
	// or the contact's bare JID (Profile.PendingKeepsAddressedTo).
	addressedTo bool
}

// dropGrace is how long the wire waits after an abrupt drop before it
// quiesces (see wire): on loopback Prosody reads the end of the
// connection within a millisecond.
const dropGrace = 30 * time.Millisecond

func newWire(h *harness, d scenarios.Driver) (*wire, error) {
	n, err := d.Open("localhost")
	if err != nil {
		return nil, err
	}
	prefix, keep := n.NodePrefix()
	w := &wire{net: n, prefix: prefix, host: "localhost", keep: keep, grace: dropGrace,
		ep: map[string]scenarios.Endpoint{}, full: map[string]string{}, toModel: map[string]string{},
		keepIDs: map[string]bool{}}
	w.inv = newInvState(h)
	w.inv.wire = true
	w.sharedResend = h.spec.ResentRequestsShareStanza && !h.strict
	w.addressedTo = h.spec.PendingKeepsAddressedTo
	return w, nil
}

// attach opens d for h (h.real); a nil d leaves h on the model alone.
func (h *harness) attach(d scenarios.Driver) error {
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
// modelFull the full JID it bound there (connects).
func (w *wire) apply(op Op, name, modelFull string) ([]sim.TraceEvent, error) {
	var err error
	var last scenarios.Endpoint
	switch op.Kind {
	case OpConnect:
		var ep scenarios.Endpoint
		ep, err = w.net.Connect(name, w.prefix+slotUser(op.Slot), op.Res)
		if err == nil {
			last = ep
			w.ep[op.Slot] = ep
			f := scenarios.UnprefixNodes(ep.JID().String(), w.prefix)
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
			// wall time on a real server; the simulation only advances
			// its clock
			w.net.Wait(nil, w.grace)
		} else {
			err = ep.Disconnect()
		}
	case OpSend:
		ep := w.ep[op.Slot]
		if ep == nil {
			return nil, fmt.Errorf("%s has no session on the server", op.Slot)
		}
		last = ep
		x := w.resolve(op.Stanza)
		if strings.Contains(x, pushPlaceholder) {
			x = strings.ReplaceAll(x, pushPlaceholder, scenarios.UnprefixNodes(lastPushID(w.net.Trace(), name), w.prefix))
		} else if el, perr := parseShared(op.Stanza); perr == nil {
			if id := attrOr(el, "id"); id != "" && !strings.Contains(id, "{") {
				w.keepIDs[id] = true
			}
		}
		el, perr := parseStanza(x)
		if perr != nil {
			return nil, perr
		}
		scenarios.PrefixElement(el, w.host, w.prefix, w.keep...)
		err = ep.Send(el)
	case OpRestart:
		return nil, errors.New("a server restart cannot be driven over the wire")
	}
	if err != nil {
		return nil, err
	}
	if err := w.net.Quiesce(last); err != nil {
		return nil, err
	}
	for slot, ep := range w.ep {
		ep.TakeAll() // the trace has them; inboxes must not grow
		if ep.Ended() {
			delete(w.ep, slot)
		}
	}
	tr := w.net.Trace()
	evs := tr[w.from:]
	w.from = len(tr)
	return evs, nil
}

// toModelTerms returns s (a canonical stanza or a JID) with the run
// prefix removed and the server's full JIDs replaced by the model's.
func (w *wire) toModelTerms(s string) string {
	s = scenarios.UnprefixNodes(s, w.prefix)
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
	modelStep := modelAll[rec.from:rec.to]
	// The maskers learn the clients' JIDs from connect events: rebuilt
	// only after a connect (they share keepIDs, which grows by itself).
	if w.mm == nil || rec.op.Kind == OpConnect {
		w.mm = scenarios.NewMasker(modelAll, "", w.keepIDs)
		w.sm = scenarios.NewMasker(w.net.Trace(), w.prefix, w.keepIDs)
	}
	mm, sm := w.mm, w.sm

	// The server's events in the model's terms, each delivery with the
	// kind of the model's matching one.
	type arrival struct {
		client, masked string
		kind           sim.TraceKind
	}
	var pool []arrival
	for _, e := range modelStep {
		switch e.Kind {
		case sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
			pool = append(pool, arrival{e.Client, mm.Stanza(e.Stanza), e.Kind})
		}
	}
	evs := make([]sim.TraceEvent, 0, len(srv))
	for _, e := range srv {
		// Only what a client sees: a network that knows more (the
		// simulation behind scenarios.SimDriver records stores, drops
		// and the kind of each arrival) is judged like a real server.
		switch e.Kind {
		case sim.TraceStore, sim.TraceDrop:
			continue
		case sim.TraceError, sim.TraceFlush:
			e.Kind = sim.TraceDeliver
		}
		if e.Kind == sim.TraceDeliver {
			masked := sm.Stanza(e.Stanza)
			for i, a := range pool {
				if a.client == e.Client && a.masked == masked {
					e.Kind = a.kind
					pool = append(pool[:i], pool[i+1:]...)
					break
				}
			}
		}
		e.Stanza = w.toModelTerms(e.Stanza)
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

	var msgs []string
	r := *rec
	if msg := w.inv.check(&r, evs, before, after); msg != "" {
		msgs = append(msgs, "on the server's trace: "+msg)
	}
	// Compare what every client received, per step, as multisets.
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
		if sameMultiset(want, got) {
			continue
		}
		// Roster versions are handed out in the order the server walks
		// an unordered table (the re-sent requests of an initial
		// presence, §3.1 step 5e), and a contact's answer to one request
		// can be handled, and saved, before the next request is sent: so
		// which push carries which version depends on that order. The
		// batch must carry the same pushes and end at the same version
		// (the same number of saves).
		wv, wvs := pushVersions(want)
		gv, gvs := pushVersions(got)
		if sameMultiset(wv, gv) && sameLastVersion(wvs, gvs) {
			continue
		}
		// A known Prosody 0.12.3 bug (ResentRequestsShareStanza, D6): a
		// stored request may name another contact in 'to'. When the
		// server's batch shows it, the 'to' of the batch's requests is
		// not compared.
		if w.sharedResend && leaksRequest(got, userBare(clientUser(c))) {
			wv, gv = maskRequestTo(wv), maskRequestTo(gv)
			if sameMultiset(wv, gv) && sameLastVersion(wvs, gvs) {
				w.tolerated++
				continue
			}
		}
		// Whether a stored request shows the full 'to' its sender wrote
		// or the contact's bare JID (Profile.PendingKeepsAddressedTo, D4)
		// depends on whether Prosody kept the contact's roster object in
		// memory (its cache of rosters loaded for offline users included),
		// which the model follows only approximately: the two are
		// accepted for each other.
		if w.addressedTo {
			if bv, bg := bareRequestTo(wv), bareRequestTo(gv); sameMultiset(bv, bg) && sameLastVersion(wvs, gvs) {
				continue
			}
		}
		fmt.Fprintf(&b, "client %s, -model +server:\n%s", c, multisetDiff(want, got))
	}
	if b.Len() > 0 {
		msgs = append(msgs, "the server's stanzas differ from the model's (masked):\n"+b.String())
	}
	if len(msgs) == 0 {
		return ""
	}
	return "server: " + strings.Join(msgs, "\n")
}

// multisetDiff lists, one per line, the stanzas only a holds ("- ") and
// only b holds ("+ "), each side sorted: the readable form of a
// difference between two batches whose order does not count.
func multisetDiff(a, b []string) string {
	left := map[string]int{}
	for _, x := range b {
		left[x]++
	}
	var out strings.Builder
	var onlyA []string
	for _, x := range slices.Sorted(slices.Values(a)) {
		if left[x] > 0 {
			left[x]--
			continue
		}
		onlyA = append(onlyA, x)
	}
	for _, x := range onlyA {
		out.WriteString("- " + x + "\n")
	}
	for _, x := range slices.Sorted(slices.Values(b)) {
		if left[x] > 0 {
			left[x]--
			out.WriteString("+ " + x + "\n")
		}
	}
	return out.String()
}

// pushVer finds the version of a roster push in a canonical stanza.
var pushVer = regexp.MustCompile(`^(<iq [^>]*type='set'><query ver=')([^']*)(' xmlns='jabber:iq:roster'>)`)

// sameLastVersion: a and b hold as many versions and the same highest.
func sameLastVersion(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	top := func(vs []string) int {
		n := -1
		for _, v := range vs {
			if x, err := strconv.Atoi(v); err == nil && x > n {
				n = x
			}
		}
		return n
	}
	return top(a) == top(b)
}

// pushVersions returns stanzas with the version of every roster push
// replaced by "#", and the versions taken out.
func pushVersions(stanzas []string) (masked, vers []string) {
	masked = make([]string, len(stanzas))
	for i, x := range stanzas {
		if m := pushVer.FindStringSubmatchIndex(x); m != nil {
			vers = append(vers, x[m[4]:m[5]])
			x = x[:m[4]] + "#" + x[m[5]:]
		}
		masked[i] = x
	}
	return masked, vers
}

// subscribeTo finds the 'to' of a subscription request in a canonical
// stanza (attributes are in name order: from, id, to, type).
// A masked client JID keeps the quotes of the text it replaced, so its
// apostrophe may sit inside single quotes ('${u1a's full JID}').
var subscribeTo = regexp.MustCompile(`^(<presence [^>]*to=)('\$\{[^}]*\}'|"[^"]*"|'[^']*')([^>]* type='subscribe')`)

// leaksRequest reports whether one of stanzas is a subscription request
// addressed to an account other than bare.
func leaksRequest(stanzas []string, bare string) bool {
	for _, x := range stanzas {
		// a masked client JID ("${u1b's full JID}") is a full 'to' the
		// sender wrote (D4); the 5e re-send names bare contacts
		if m := subscribeTo.FindStringSubmatch(x); m != nil {
			if to := m[2][1 : len(m[2])-1]; !strings.HasPrefix(to, "${") && bareOf(to) != bare {
				return true
			}
		}
	}
	return false
}

// maskRequestTo returns stanzas with the 'to' of every subscription
// request replaced by "*".
func maskRequestTo(stanzas []string) []string {
	out := make([]string, len(stanzas))
	for i, x := range stanzas {
		out[i] = subscribeTo.ReplaceAllString(x, "${1}'*'${3}")
	}
	return out
}

// bareRequestTo returns stanzas with the 'to' of every subscription
// request cut to its bare JID (a masked "${u1b's full JID}" becomes
// u1@localhost).
func bareRequestTo(stanzas []string) []string {
	out := make([]string, len(stanzas))
	for i, x := range stanzas {
		m := subscribeTo.FindStringSubmatchIndex(x)
		if m == nil {
			out[i] = x
			continue
		}
		to := x[m[4]+1 : m[5]-1]
		if name, ok := strings.CutSuffix(strings.TrimPrefix(to, "${"), "'s full JID}"); ok && strings.HasPrefix(to, "${") {
			to = userBare(clientUser(name))
		} else {
			to = bareOf(to)
		}
		out[i] = x[:m[4]] + "'" + to + "'" + x[m[5]:]
	}
	return out
}

// clientUser returns the user of a client name ("u1" for "u1b" and
// "u1b-2").
func clientUser(name string) string {
	if i := strings.IndexByte(name, '-'); i >= 0 {
		name = name[:i]
	}
	return slotUser(name)
}
