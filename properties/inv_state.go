package properties

// The invariants' state across steps, and the loop that checks the
// catalogue (catalogue.go) after every step: each step's trace events are
// parsed once (ev), the reference's session view before and after the
// step is taken, and every invariant gets the same Ctx.

import (
	"strings"

	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
)

// ev is a trace event with its stanza's main attributes at hand.
type ev struct {
	sim.TraceEvent
	el                     stanza.Stanza // the event's stanza (zero: none, or a stream error)
	tag, typ, from, to, id string
	user                   string // bare JID of the event's session (or owner)
}

// set makes e the event t, reading its stanza value (eventValue).
func (e *ev) set(t *sim.TraceEvent) {
	*e = ev{TraceEvent: *t}
	if el := eventValue(t); !el.IsZero() && el.Space() != "stream" {
		e.el = el
		e.tag = el.Tag()
		// one pass for the four (vAttrOr's: the first of each name)
		var seen uint8
		for _, a := range el.Attrs() {
			var dst *string
			var bit uint8
			switch a.Key {
			case "type":
				dst, bit = &e.typ, 1
			case "from":
				dst, bit = &e.from, 2
			case "to":
				dst, bit = &e.to, 4
			case "id":
				dst, bit = &e.id, 8
			default:
				continue
			}
			if seen&bit == 0 {
				*dst, seen = a.Value, seen|bit
			}
		}
	}
	if !e.JID.IsZero() {
		e.user = bareString(e.JID)
	}
}

// sessInfo is the reference's view of one session at a point in time.
type sessInfo struct {
	name, full, user         string
	avail                    bool
	prio                     int // the priority of its presence (when avail)
	interested, interestedBL bool
}

const (
	memoCmd uint8 = 1 << iota
	memoTo
	memoBare
	memoFull
	memoAnswer
)

// invState is the state the invariants carry across steps.
type invState struct {
	h *harness
	// groupEnd: while a group's ops are judged, the state once the
	// server has handled all of them (nil otherwise): a drop made when
	// a session takes in what was routed to it (the model's reason
	// "blocked-on-arrival", model.Profile.ListAppliedAtDelivery) comes
	// after the stanzas pipelined behind the one that caused it (inv39).
	groupEnd *snap
	// cov: the coverage points that span steps (coverage.go)
	cov covState
	// everBlocked: some blocklist was non-empty at some point (inv30).
	everBlocked bool
	// directed[senderFull][target bare]: the session sent directed
	// available presence to the target (inv32).
	directed map[string]map[string]bool
	pre      map[string]sessInfo
	// approved[{a,b}]: a pre-approved b at some point (inv30, finding F1)
	approved map[[2]string]bool
	// removed[{a,b}]: a removed b from its roster at some point (F3)
	removed map[[2]string]bool
	// inv23: last[{recipient client, sender full JID}] is the type of the
	// last presence ("" or "unavailable") the client received from it;
	// stale[{j, A}] marks pairs inv23 no longer judges; restarted turns
	// inv23 off (a restart drops sessions without unavailable).
	last  map[[2]string]string
	stale map[[2]string]bool
	// staleSess[{client, A}]: that session's view of A is out of date
	// (staleViews)
	staleSess map[[2]string]bool
	restarted bool
	// ledger[bare JID]: offline messages stored and not yet flushed,
	// by offlineKey (inv42); faulted: a drop or restart happened (inv43).
	ledger  map[string][]string
	faulted bool
	// refused[{recipient bare, message id}]: messages refused for the
	// recipient's block (sc52)
	refused map[[2]string]bool
	// muc: what the sessions learnt of the rooms (inv_muc.go)
	muc *mucState
	// removedAccts: accounts removed in the run (XEP-0077 §3.2), whose
	// tombstone (mod_tombstones) answers for them from then on
	removedAccts map[string]bool
	// mamQueried: sessions (client names) that queried their archive,
	// to which mod_offline flushes nothing (mod_mam.go)
	mamQueried map[string]bool
	// post: the reference's sessions after the last step (the next
	// step's pre).
	post map[string]sessInfo
	// spare: a session map no step refers to any more (reused);
	// evBuf, evPtrs: the step's events (reused)
	spare  map[string]sessInfo
	evBuf  []ev
	evPtrs []*ev
	// ignoreOfflineCount: inv42 judges the trace only, not the model's
	// OfflineCount (tests).
	ignoreOfflineCount bool
	// wire: the trace is a real server's (wire.go): only what crossed
	// the wire, so the invariants that are not Invariant.Wire are not
	// checked.
	wire bool
	// requests[{user, requester}]: the request user's pending-in entry
	// for requester was stored from (sc51)
	requests map[[2]string]request
	// ctx is the Ctx every invariant gets, refilled for each step.
	ctx Ctx
	// checks: the invariants each step runs (stepChecks), made for
	// wire == checksWire
	checks     []stepCheck
	checksWire bool
	checksGen  int // the harness's onlyGen it was made for (setOnly)
}

func newInvState(h *harness) *invState {
	return &invState{h: h, directed: map[string]map[string]bool{}, approved: map[[2]string]bool{}, removed: map[[2]string]bool{},
		last: map[[2]string]string{}, stale: map[[2]string]bool{}}
}

func (s *invState) sessions() map[string]sessInfo {
	out := s.spare
	s.spare = nil
	if out == nil {
		out = make(map[string]sessInfo, len(s.h.ref.sess))
	} else {
		clear(out)
	}
	for _, r := range s.h.ref.sess {
		// Under RosterPushToAll (ejabberd) every session gets roster
		// pushes, whether or not it fetched the roster.
		out[r.name] = sessInfo{name: r.name, full: r.full, user: r.u.bare, avail: !r.pres.IsZero(), prio: r.prio,
			interested: r.interested || s.h.spec.RosterPushToAll, interestedBL: r.interestedBL}
	}
	return out
}

// begin is called before a step is applied.
// The sessions after the previous step are the sessions before this one
// (only a step changes the reference).
func (s *invState) begin() {
	if s.post != nil {
		s.pre = s.post
		return
	}
	s.pre = s.sessions()
}

func (s *invState) check(rec *stepRec, tr []sim.TraceEvent, before, after snap) string {
	c := &s.ctx
	preBy, postBy := c.preBy, c.postBy
	clear(preBy)
	clear(postBy)
	*c = Ctx{h: s.h, judging: true, tr: tr, inv: s, prof: s.h.spec, rec: rec, before: before, after: after,
		preSess: s.pre, postSess: s.sessions(), preBy: preBy, postBy: postBy}
	s.spare, s.post = s.pre, c.postSess // the old pre is free
	// the step's events live in buffers reused from step to step (nothing
	// keeps an *ev beyond its step)
	if cap(s.evBuf) < len(tr) {
		s.evBuf = make([]ev, len(tr)+len(tr)/2)
		s.evPtrs = make([]*ev, 0, cap(s.evBuf))
	}
	buf := s.evBuf[:len(tr)]
	c.evs = s.evPtrs[:0]
	for i := range tr {
		e := &buf[i]
		e.set(&tr[i])
		if e.Kind == sim.TraceSend && c.send == nil {
			c.send = e
			c.sender = e.Client
		}
		c.evs = append(c.evs, e)
	}
	if s.h.cov != nil && !s.wire {
		if s.cov.unblocked == nil {
			s.cov = covState{unblocked: map[[2]string]bool{}, unblockedAll: map[[2]string]bool{}}
		}
		s.h.cov.observe(c, &s.cov)
	}
	for _, u := range after.bl {
		if len(u) > 0 {
			s.everBlocked = true
		}
	}
	// After an account removal, only the module invariants judge: the
	// removed account's tombstone (mod_tombstones) answers stanzas to it
	// with gone errors and unsubscribes, which the core invariants do
	// not model. The removal's own step counts: the account's state
	// changes there (the purge; D11's cached roster survives it).
	if u := c.removedAccount(); u != "" {
		if s.removedAccts == nil {
			s.removedAccts = map[string]bool{}
		}
		s.removedAccts[u] = true
	}
	afterRemoval := len(s.removedAccts) > 0
	s.track(c)
	if !s.wire {
		c.ledgerErr = s.account(c)
	}
	var fails []string
	for _, inv := range s.stepChecks() {
		if afterRemoval && !inv.module {
			continue
		}
		if err := inv.check(c); err != nil {
			fails = append(fails, inv.name+": "+err.Error())
		}
	}
	s.remember(c)
	if len(fails) > 0 {
		return "invariant violated: " + strings.Join(fails, "\n")
	}
	return ""
}

// stepCheck is an invariant of the catalogue that invState.check runs.
type stepCheck struct {
	name   string
	check  func(*Ctx) error
	module bool // moduleInvariants: still judged after an account removal
}

// stepChecks returns the invariants check runs after every step, in
// catalogue order: those with a Check, selected by Config.Invariants
// (harness.only) and, on a real server's trace, the Wire ones. Neither
// changes during a sequence, so the list is made once; the catalogue's
// entries are large, and walking them all every step cost more than
// many of the checks. (A confirmation, confirm.go, sets another
// selection halfway through a sequence: the list is made again.)
func (s *invState) stepChecks() []stepCheck {
	only := s.h.only
	if s.checks != nil && s.checksWire == s.wire && s.checksGen == s.h.onlyGen {
		return s.checks
	}
	s.checks = make([]stepCheck, 0, len(catalogue))
	s.checksWire, s.checksGen = s.wire, s.h.onlyGen
	for i := range catalogue {
		inv := &catalogue[i]
		if !inv.stepChecked() || only != nil && !only[inv.Name] && !only[inv.ID] || s.wire && !inv.Wire {
			continue
		}
		s.checks = append(s.checks, stepCheck{name: inv.Name, check: inv.Check, module: moduleInvariants[inv.ID]})
	}
	return s.checks
}

// stepRemoves reports whether the step is user a's roster set removing b.
func (c *Ctx) stepRemoves(a, b string) bool {
	if c.send == nil || c.send.tag != "iq" || vHas(c.send.el, "to") || userOf(c.senderBare()) != a {
		return false
	}
	q := vFirst(c.send.el)
	if q.IsZero() || vAttrOr(q, "xmlns") != nsRoster {
		return false
	}
	for _, it := range vChildren(q, "item") {
		if vAttrOr(it, "subscription") == "remove" && userOf(vAttrOr(it, "jid")) == b {
			return true
		}
	}
	return false
}

// remember carries forward what later steps' invariants need: roster
// removals and pre-approvals (inv30), directed presence (inv32), stored
// requests (sc51).
func (s *invState) remember(c *Ctx) {
	if c.send != nil && c.send.tag == "iq" && !vHas(c.send.el, "to") {
		if q := vFirst(c.send.el); !q.IsZero() && vAttrOr(q, "xmlns") == nsRoster {
			for _, it := range vChildren(q, "item") {
				if vAttrOr(it, "subscription") == "remove" {
					s.removed[[2]string{userOf(c.senderBare()), userOf(vAttrOr(it, "jid"))}] = true
				}
			}
		}
	}
	for k, f := range c.after.contacts.all() {
		if f.Approved {
			s.approved[k] = true
		}
		if f.PendingIn && !c.before.contacts.get(k).PendingIn {
			s.rememberRequest(c, k)
		}
	}
	for _, e := range c.evs {
		if e.Kind == sim.TraceSend && e.tag == "presence" && e.typ == "" && vHas(e.el, "to") {
			// the model stamps from on the server side; the send event
			// records the stanza as the client wrote it.
			full := e.JID.String()
			if s.directed[full] == nil {
				s.directed[full] = map[string]bool{}
			}
			s.directed[full][bareOf(vAttrOr(e.el, "to"))] = true
		}
	}
}
