package properties

import (
	"fmt"
	"strings"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	"pgregory.net/rapid"
)

// Extending the property without forking it (issue 7): Config.Actions adds
// rapid actions next to the built-in ones, Config.CustomInvariants adds
// checks run after every step, after the catalogue. Both see the run
// through a Ctx. Custom actions act only through Ctx.Apply / Ctx.Send, so
// the ops they make are recorded, shrunk, replayed and written as scripts
// like the built-in ones; custom invariants are checked on every replay
// too (shrinking keeps a custom failure as long as the same invariant
// fails).

// Action is a custom rapid action: it draws what it needs from t and
// applies ops through c (Ctx.Send, Ctx.Apply). It may call t.Skip when its
// precondition does not hold.
type Action func(c *Ctx, t *rapid.T)

// Ctx is the public view of one property run (one rapid test case) that
// custom actions and invariants get: the accounts and their session slots,
// the trace (all of it, or the events of the last step), and the model's
// introspection API. The built-in invariants (catalogue.go) get the same
// Ctx; while invariants judge a step it also shows the state before and
// after the step (Before, After).
//
// Slots are named user + letter: "u1a", "u1b", "u1c", "u2a", ...; each
// holds at most one session at a time. Stanzas given to Send and Apply
// may use the placeholder {full:SLOT} for the full JID most recently bound
// in SLOT.
type Ctx struct {
	h      *harness
	m      *machine // nil while invariants are checked on replays
	action string

	// The step being judged (judging): set by invState.check and reused
	// from step to step (one Ctx per invState).
	judging bool
	tr      []sim.TraceEvent // the step's events (a real server's on the wire)
	inv     *invState        // the state of the trace being judged
	prof    model.Profile
	rec     *stepRec
	evs     []*ev
	send    *ev // the client's stanza of this step (nil for connects, closes)
	sender  string
	before  snap
	after   snap
	// sessions before and after the step, by client name (the
	// reference's view)
	preSess, postSess map[string]sessInfo
	ledgerErr         string // inv42's findings (invState.account)

	// memoised per step (many invariants ask): blockingCmd, sendTo,
	// senderBare, answer
	memo             uint8
	cmd              string
	cmdItems         []string
	to, sBare, sFull string
	ans              *ev
	nAns             int
	// sessionsOf by user, memoised (shared: do not modify)
	preBy, postBy map[string][]sessInfo
}

// Users returns the accounts' bare JIDs (u1@localhost, ...).
func (c *Ctx) Users() []string {
	us := make([]string, 0, c.h.users)
	for _, u := range c.h.userNames() {
		us = append(us, userBare(u))
	}
	return us
}

// Slots returns every session slot, connected or not.
func (c *Ctx) Slots() []string { return append([]string(nil), c.h.allSlots()...) }

// Connected reports whether slot holds a session that may send.
func (c *Ctx) Connected(slot string) bool { return c.h.connected(slot) }

// FullJID returns the full JID most recently bound in slot.
func (c *Ctx) FullJID(slot string) string { return c.h.fullOf(slot) }

// Client returns the session in slot (nil if none), e.g. for its JID.
// Use Send and Apply, not the client's own methods, to act on it.
func (c *Ctx) Client(slot string) *sim.Client {
	if s := c.h.slots[slot]; s != nil {
		return s.cur
	}
	return nil
}

// PickConnected draws a connected slot; when none is connected it
// connects the drawn one first (as the built-in actions do).
func (c *Ctx) PickConnected(t *rapid.T) string {
	if c.m == nil {
		panic("properties: Ctx.PickConnected outside an action")
	}
	return c.m.pick(t, true, c.action+"Slot")
}

// Send makes slot's session send stanza (one step). The step is checked
// at once; a violation fails the test case after the action returns.
func (c *Ctx) Send(t *rapid.T, slot, stanza string) {
	c.Apply(t, Op{Kind: OpSend, Slot: slot, Stanza: stanza})
}

// Apply applies op as one step (OpConnect, OpDisconnect, OpDrop, OpSend,
// OpRestart). When op's precondition does not hold (a send or close on a
// slot without a session, a connect on an occupied slot) it skips the
// action with t.Skip. Op.Name defaults to the action's name.
func (c *Ctx) Apply(t *rapid.T, op Op) {
	if c.m == nil {
		panic("properties: Ctx.Apply outside an action")
	}
	if op.Name == "" {
		op.Name = c.action
	}
	if op.Kind != OpRestart && c.h.slots[op.Slot] == nil {
		t.Fatalf("properties: unknown slot %q", op.Slot)
	}
	if !applicable(c.h, op) {
		t.Skip("precondition does not hold: " + op.String())
	}
	if op.Kind == OpSend {
		if _, err := parseValue(c.h.resolve(op.Stanza)); err != nil {
			t.Fatalf("properties: %s: stanza does not parse: %v", op.Name, err)
		}
	}
	c.m.do(t, op)
}

// Ops returns the ops applied so far in this run.
func (c *Ctx) Ops() []Op { return append([]Op(nil), c.h.ops...) }

// LastOp returns the op of the last step ("" Op before the first).
func (c *Ctx) LastOp() Op {
	if len(c.h.steps) == 0 {
		return Op{}
	}
	return c.h.steps[len(c.h.steps)-1].op
}

// Step returns the trace events of the last step (for an invariant: the
// step being checked). The slice is shared: do not modify it.
func (c *Ctx) Step() []sim.TraceEvent {
	if c.judging {
		return c.tr
	}
	if len(c.h.steps) == 0 {
		return nil
	}
	return c.h.stepEvents(&c.h.steps[len(c.h.steps)-1])
}

// Trace returns the whole trace so far (shared: do not modify it).
func (c *Ctx) Trace() []sim.TraceEvent { return c.h.sim.Trace() }

// Grouped reports whether the step being judged is an op of a group of
// stanzas written without waiting (a burst or a concurrent action,
// docs/races.md): its events are its own, picked out of the group's.
func (c *Ctx) Grouped() bool { return c.rec != nil && c.rec.evs != nil }

// Server returns the model, for its introspection API (ContactOf,
// Blocklist, OfflineCount, RosterVersion, ...). Read it only. It shows
// the state now: for an op of a group of stanzas written without
// waiting (docs/races.md), judged once the whole group has run, that is
// the group's end, where After is the state the op's own stanza left.
func (c *Ctx) Server() *model.Server { return c.h.srv }

// Profile returns the profile the checks demand (Config.Spec).
func (c *Ctx) Profile() model.Profile { return c.h.spec }

// Before returns the state before the step being judged (accounts'
// blocklists, roster relations, offline counts), After the state after
// it. Outside an invariant both are empty.
func (c *Ctx) Before() State { return State{c.stateOf(&c.before)} }

// After: see Before.
func (c *Ctx) After() State { return State{c.stateOf(&c.after)} }

func (c *Ctx) stateOf(s *snap) *snap {
	if !c.judging {
		return nil
	}
	return s
}

// Strict reports whether Config.Strict dropped the relaxations for
// Prosody behaviour that no profile field selects.
func (c *Ctx) Strict() bool { return c.h.strict }

// OnServer reports whether the step being judged is a real server's
// (Config.Server): then Step holds what the server's clients sent and
// received, put back into the model's terms, and Before, After and
// Server are still the model's.
func (c *Ctx) OnServer() bool { return c.inv != nil && c.inv.wire }

// State is the model's persistent state at one point of a run, as the
// invariants see it (the model's introspection API, read once per step).
type State struct{ s *snap }

// Blocklist returns the prepped items of bare's blocklist, sorted
// (shared: do not modify).
func (s State) Blocklist(bare string) []string {
	if s.s == nil {
		return nil
	}
	return s.s.bl[userOf(bare)]
}

// Contact returns a's relation to b (both bare JIDs of accounts).
func (s State) Contact(a, b string) model.Contact {
	var c model.Contact
	if s.s != nil {
		c = contactOf(*s.s, a, b)
	}
	if c.Subscription == "" {
		c.Subscription = "none" // no relation recorded
	}
	return c
}

// OfflineCount returns how many offline messages bare's store holds.
func (s State) OfflineCount(bare string) int {
	if s.s == nil {
		return 0
	}
	return s.s.offline[userOf(bare)]
}

// checkCustom runs the custom invariants on the current step, with the
// Ctx the built-in ones got.
func (h *harness) checkCustom() string {
	if len(h.custom) == 0 {
		return ""
	}
	c := &h.inv.ctx
	if !c.judging {
		c = &Ctx{h: h}
	}
	for _, inv := range h.custom {
		if h.only != nil && !h.only[inv.Name] {
			continue
		}
		if err := inv.Check(c); err != nil {
			return customPrefix + inv.Name + ": " + err.Error()
		}
	}
	return ""
}

const customPrefix = "custom invariant "

// customActions wraps Config.Actions as rapid actions of m.
func (m *machine) customActions(acts map[string]func(*rapid.T), custom map[string]Action) {
	for name, a := range custom {
		if _, dup := acts[name]; dup || name == "" {
			panic(fmt.Sprintf("properties: custom action name %q is empty or taken by a built-in action", name))
		}
		name, a := name, a
		acts[name] = func(t *rapid.T) { a(&Ctx{h: m.h, m: m, action: name}, t) }
	}
}

// customKey is failureKey for custom invariants.
func customKey(msg string) string {
	i := strings.Index(msg, customPrefix)
	if i < 0 {
		return ""
	}
	rest := msg[i:]
	if j := strings.Index(rest[len(customPrefix):], ":"); j >= 0 {
		return rest[:len(customPrefix)+j]
	}
	return rest
}
