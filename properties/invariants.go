package properties

// The invariant catalogue of invariants.md A.7 (cited as "inv N"), each a
// function over one step: the trace events the step added (incremental
// checking), the model's introspected state before and after, and the
// reference's session view. Profile-dependent invariants read the fields
// of the demanded profile (harness.spec); where Prosody departs from the
// specification on purpose, the invariant is relaxed under that field and
// fires when the strict profile is demanded (see spec_test.go).

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// ev is a trace event with its stanza parsed.
type ev struct {
	sim.TraceEvent
	el                     *etree.Element
	tag, typ, from, to, id string
	user                   string // bare JID of the event's session (or owner)
}

// set makes e the event t with its stanza parsed (shared: see parseCache).
func (e *ev) set(t sim.TraceEvent) {
	*e = ev{TraceEvent: t}
	if strings.HasPrefix(e.Stanza, "<") && !strings.HasPrefix(e.Stanza, "<stream:") {
		if el, err := parseShared(e.Stanza); err == nil {
			e.el = el
			e.tag = el.Tag
			e.typ = attrOr(el, "type")
			e.from = attrOr(el, "from")
			e.to = attrOr(el, "to")
			e.id = attrOr(el, "id")
		}
	}
	if !e.JID.IsZero() {
		e.user = e.JID.Bare().String()
	}
}

// sessInfo is the reference's view of one session at a point in time.
type sessInfo struct {
	name, full, user         string
	avail                    bool
	interested, interestedBL bool
}

// invCtx is what every invariant sees.
type invCtx struct {
	h             *harness
	inv           *invState // the state of the trace being judged
	prof          model.Profile
	rec           *stepRec
	evs           []*ev
	send          *ev // the client's stanza of this step (nil for connects, closes)
	sender        string
	before, after snap
	preSess       map[string]sessInfo // sessions before the step, by client name
	postSess      map[string]sessInfo
	ledgerErr     string // inv42's findings (invState.account)

	// memoised per step (many invariants ask): blockingCmd, sendTo,
	// senderBare
	memo      uint8
	cmd       string
	cmdItems  []string
	to, sBare string
	ans       *ev
	nAns      int
	// sessionsOf by user, memoised (shared: do not modify)
	preBy, postBy map[string][]sessInfo
}

const (
	memoCmd uint8 = 1 << iota
	memoTo
	memoBare
	memoAnswer
)

type invariant struct {
	name string
	fn   func(c *invCtx) string
}

// catalogue lists the invariants checked after every step.
var catalogue = []invariant{
	{"inv01BlocklistGetMatchesModel", inv01BlocklistGetMatchesModel},
	{"inv02EmptyBlocklistShape", inv02EmptyBlocklistShape},
	{"inv03EmptyBlockRejected", inv03EmptyBlockRejected},
	{"inv04ErrorMeansNoEffect", inv04ErrorMeansNoEffect},
	{"inv05BlocklistPersists", inv05BlocklistPersists},
	{"inv06UnblockAllEmpties", inv06UnblockAllEmpties},
	{"inv07BlockIdempotent", inv07BlockIdempotent},
	{"inv08DiscoAdvertisesBlocking", inv08DiscoAdvertisesBlocking},
	{"inv09PushFanOut", inv09PushFanOut},
	{"inv10PushOrder", inv10PushOrder},
	{"inv11PushRepliesInert", inv11PushRepliesInert},
	{"inv12NoDeliveryFromBlocked", inv12NoDeliveryFromBlocked},
	{"inv13SilenceTowardsBlockedPresence", inv13SilenceTowardsBlockedPresence},
	{"inv14InboundSubscriptionImmunity", inv14InboundSubscriptionImmunity},
	{"inv15InboundMessageHandling", inv15InboundMessageHandling},
	{"inv16InboundIQHandling", inv16InboundIQHandling},
	{"inv17NoRoutingToBlocked", inv17NoRoutingToBlocked},
	{"inv18BlockedErrorToSender", inv18BlockedErrorToSender},
	{"inv19GeneratedTrafficSuppressed", inv19GeneratedTrafficSuppressed},
	{"inv20SelfNeverBlocked", inv20SelfNeverBlocked},
	{"inv21UnavailableOnBlock", inv21UnavailableOnBlock},
	{"inv22PresenceOnUnblock", inv22PresenceOnUnblock},
	{"inv23PresenceCoherence", inv23PresenceCoherence},
	{"inv24NoDoubleSignal", inv24NoDoubleSignal},
	{"inv25PoliteBlocking", inv25PoliteBlocking},
	{"inv26OutboundSubscriptionToBlocked", inv26OutboundSubscriptionToBlocked},
	{"inv27PendingRequestsFrozen", inv27PendingRequestsFrozen},
	{"inv28NoAutoApprovalThroughBlock", inv28NoAutoApprovalThroughBlock},
	{"inv29ValidSubscriptionStates", inv29ValidSubscriptionStates},
	{"inv30CrossRosterConsistency", inv30CrossRosterConsistency},
	{"inv31RosterPushOnChange", inv31RosterPushOnChange},
	{"inv32PresenceAuthorisation", inv32PresenceAuthorisation},
	{"inv33ProbeSemantics", inv33ProbeSemantics},
	{"inv34ApprovalAndCancelPresence", inv34ApprovalAndCancelPresence},
	{"inv35StoredRequestDelivery", inv35StoredRequestDelivery},
	{"inv36IQAnsweredOnce", inv36IQAnsweredOnce},
	{"inv37NoErrorForError", inv37NoErrorForError},
	{"inv38BlockedNeverStoredOffline", inv38BlockedNeverStoredOffline},
	{"inv39MatchingOracle", inv39MatchingOracle},
	{"inv41MessageAccounted", inv41MessageAccounted},
	{"inv42OfflineLedger", inv42OfflineLedger},
	{"inv43BlocksSurviveFaults", inv43BlocksSurviveFaults},
	{"inv44StatePersisted", inv44StatePersisted},
	{"inv45AddressedToRecipient", inv45AddressedToRecipient},
}

// Invariants lists the names of the invariants checked after every step
// (inv40, determinism, is checked by replaying whole runs).
func Invariants() []string {
	out := make([]string, 0, len(catalogue)+1)
	for _, i := range catalogue {
		out = append(out, i.name)
	}
	return append(out, "inv40Determinism")
}

// invState is the state the invariants carry across steps.
type invState struct {
	h *harness
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
	last      map[[2]string]string
	stale     map[[2]string]bool
	restarted bool
	// ledger[bare JID]: offline messages stored and not yet flushed,
	// by offlineKey (inv42); faulted: a drop or restart happened (inv43).
	ledger  map[string][]string
	faulted bool
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
	// the wire, so the invariants in offWire are not checked.
	wire bool
}

// offWire lists the invariants a real server's trace cannot support:
// they judge decisions the server takes inside (offline stores, drops
// and their reasons, Cause links, persistence), which a client never
// sees. On a server their verdict would be vacuous (inv39) or wrong
// (inv41–inv43 would miss every stored message); the comparison with the
// model, whose trace has those events, stands in for them.
var offWire = map[string]bool{
	"inv39MatchingOracle":      true,
	"inv41MessageAccounted":    true,
	"inv42OfflineLedger":       true,
	"inv43BlocksSurviveFaults": true,
	"inv44StatePersisted":      true,
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
		out[r.name] = sessInfo{name: r.name, full: r.full, user: r.u.bare, avail: r.pres != nil, interested: r.interested, interestedBL: r.interestedBL}
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
	c := &invCtx{h: s.h, inv: s, prof: s.h.spec, rec: rec, before: before, after: after, preSess: s.pre, postSess: s.sessions()}
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
		e.set(tr[i])
		if e.Kind == sim.TraceSend && c.send == nil {
			c.send = e
			c.sender = e.Client
		}
		c.evs = append(c.evs, e)
	}
	for _, u := range after.bl {
		if len(u) > 0 {
			s.everBlocked = true
		}
	}
	s.track(c)
	if !s.wire {
		c.ledgerErr = s.account(c)
	}
	var fails []string
	for _, inv := range catalogue {
		if s.h.only != nil && !s.h.only[inv.name] || s.wire && offWire[inv.name] {
			continue
		}
		if msg := inv.fn(c); msg != "" {
			fails = append(fails, inv.name+": "+msg)
		}
	}
	// state carried forward
	if c.send != nil && c.send.tag == "iq" && c.send.el.SelectAttr("to") == nil {
		if q := firstChild(c.send.el); q != nil && attrOr(q, "xmlns") == nsRoster {
			for _, it := range q.SelectElements("item") {
				if attrOr(it, "subscription") == "remove" {
					s.removed[[2]string{userOf(c.senderBare()), userOf(attrOr(it, "jid"))}] = true
				}
			}
		}
	}
	for k, f := range after.contacts {
		if f.Approved {
			s.approved[k] = true
		}
	}
	for _, e := range c.evs {
		if e.Kind == sim.TraceSend && e.tag == "presence" && e.typ == "" && e.el != nil && e.el.SelectAttr("to") != nil {
			// the model stamps from on the server side; the send event
			// records the stanza as the client wrote it.
			full := e.JID.String()
			if s.directed[full] == nil {
				s.directed[full] = map[string]bool{}
			}
			s.directed[full][bareOf(attrOr(e.el, "to"))] = true
		}
	}
	if len(fails) > 0 {
		return "invariant violated: " + strings.Join(fails, "\n")
	}
	return ""
}

// ---------------------------------------------------------------- helpers

func (c *invCtx) blFor(s snap, bare string) map[string]bool {
	m := map[string]bool{}
	for _, j := range s.bl[userOf(bare)] {
		m[j] = true
	}
	return m
}

// blockedThroughout: bare user u's list matched j before and after the step.
func (c *invCtx) blockedThroughout(u, j string) bool {
	return matches(c.prof, c.blFor(c.before, u), j) && matches(c.prof, c.blFor(c.after, u), j)
}

func (c *invCtx) blockedEver(u, j string) bool {
	return matches(c.prof, c.blFor(c.before, u), j) || matches(c.prof, c.blFor(c.after, u), j)
}

func delivered(e *ev) bool {
	return e.Kind == sim.TraceDeliver || e.Kind == sim.TraceError || e.Kind == sim.TraceFlush
}

// sendTo returns the prepped `to` of the step's send ("" if none).
func (c *invCtx) sendTo() string {
	if c.memo&memoTo == 0 {
		c.to, c.memo = c.sendToUncached(), c.memo|memoTo
	}
	return c.to
}

func (c *invCtx) sendToUncached() string {
	if c.send == nil || c.send.el == nil {
		return ""
	}
	t, ok := attr(c.send.el, "to")
	if !ok {
		return ""
	}
	p, ok := prep(t)
	if !ok {
		return ""
	}
	return p
}

func (c *invCtx) senderFull() string {
	if c.send == nil {
		return ""
	}
	return c.send.JID.String()
}

func (c *invCtx) senderBare() string {
	if c.send == nil {
		return ""
	}
	if c.memo&memoBare == 0 {
		c.sBare, c.memo = c.send.JID.Bare().String(), c.memo|memoBare
	}
	return c.sBare
}

// blockingCmd reports the step's blocking command: "block", "unblock",
// "unblock-all", "get" or "".
// The items are shared between callers: do not modify them.
func (c *invCtx) blockingCmd() (string, []string) {
	if c.memo&memoCmd == 0 {
		c.cmd, c.cmdItems = c.blockingCmdUncached()
		c.memo |= memoCmd
	}
	return c.cmd, c.cmdItems
}

func (c *invCtx) blockingCmdUncached() (string, []string) {
	if c.send == nil || c.send.el == nil || c.send.tag != "iq" || c.send.el.SelectAttr("to") != nil {
		return "", nil
	}
	q := firstChild(c.send.el)
	if q == nil || attrOr(q, "xmlns") != nsBlocking {
		return "", nil
	}
	var items []string
	for _, it := range q.SelectElements("item") {
		items = append(items, attrOr(it, "jid"))
	}
	switch {
	case q.Tag == "blocklist" && c.send.typ == "get":
		return "get", items
	case q.Tag == "block" && c.send.typ == "set":
		return "block", items
	case q.Tag == "unblock" && c.send.typ == "set" && len(items) == 0:
		return "unblock-all", nil
	case q.Tag == "unblock" && c.send.typ == "set":
		return "unblock", items
	}
	return "", nil
}

// answer returns the first result/error the sender got for its iq and
// how many it got (memoised: several invariants ask).
func (c *invCtx) answer() (*ev, int) {
	if c.memo&memoAnswer == 0 {
		c.ans, c.nAns = c.answerUncached()
		c.memo |= memoAnswer
	}
	return c.ans, c.nAns
}

func (c *invCtx) answerUncached() (*ev, int) {
	if c.send == nil {
		return nil, 0
	}
	var a *ev
	n := 0
	for _, e := range c.evs {
		if delivered(e) && e.Client == c.sender && e.tag == "iq" && (e.typ == "result" || e.typ == "error") && e.id == c.send.id {
			if a == nil {
				a = e
			}
			n++
		}
	}
	return a, n
}

// answeredWith: the sender's iq got an answer of type typ (the first).
func (c *invCtx) answeredWith(typ string) bool {
	a, _ := c.answer()
	return a != nil && a.typ == typ
}

func isBlocklistPush(e *ev) bool {
	if !delivered(e) || e.tag != "iq" || e.typ != "set" || e.el == nil {
		return false
	}
	q := firstChild(e.el)
	return q != nil && attrOr(q, "xmlns") == nsBlocking
}

func isRosterPush(e *ev) bool {
	if !delivered(e) || e.tag != "iq" || e.typ != "set" || e.el == nil {
		return false
	}
	q := firstChild(e.el)
	return q != nil && attrOr(q, "xmlns") == nsRoster
}

func errorCond(e *ev) (typ, cond string, blocked bool) {
	if e.el == nil {
		return
	}
	er := e.el.SelectElement("error")
	if er == nil {
		return
	}
	typ = attrOr(er, "type")
	for _, ch := range er.ChildElements() {
		switch attrOr(ch, "xmlns") {
		case nsStanzas:
			if ch.Tag != "text" {
				cond = ch.Tag
			}
		case nsBlockErr:
			blocked = ch.Tag == "blocked"
		}
	}
	return
}

func presenceCount(c *invCtx, f func(e *ev) bool) int {
	n := 0
	for _, e := range c.evs {
		if delivered(e) && e.tag == "presence" && f(e) {
			n++
		}
	}
	return n
}

// sessionsOfMemo is sessionsOf memoised in *memo (the result is shared:
// do not modify it).
func (c *invCtx) sessionsOfMemo(memo *map[string][]sessInfo, m map[string]sessInfo, user string) []sessInfo {
	if *memo == nil {
		*memo = map[string][]sessInfo{}
	}
	if out, ok := (*memo)[user]; ok {
		return out
	}
	out := c.sessionsOf(m, user)
	(*memo)[user] = out
	return out
}

func (c *invCtx) sessionsOf(m map[string]sessInfo, user string) []sessInfo {
	var out []sessInfo
	for _, s := range m {
		if s.user == user {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// userOf returns "u1" for "u1@localhost" (the inverse of userBare), the
// key of snap's maps.
func userOf(bare string) string { return strings.TrimSuffix(bare, "@localhost") }

// listsUsed: user bare's blocklist was non-empty before or after the step.
func (c *invCtx) listsUsed(bare string) bool {
	return len(c.before.bl[userOf(bare)])+len(c.after.bl[userOf(bare)]) > 0
}

// availableFulls returns the full JIDs of user's available sessions
// before the step.
func (c *invCtx) availableFulls(user string) []string {
	var avail []string
	for _, s := range c.sessionsOfMemo(&c.preBy, c.preSess, user) {
		if s.avail {
			avail = append(avail, s.full)
		}
	}
	return avail
}

func contactOf(s snap, a, b string) model.Contact {
	return s.contacts[[2]string{userOf(a), userOf(b)}]
}

func isLocalUser(j string) bool {
	n, d, _ := splitJID(j)
	return n != "" && d == "localhost"
}

func (c *invCtx) pushCount(kind string) int {
	n := 0
	for _, e := range c.evs {
		if isBlocklistPush(e) && (kind == "" || firstChild(e.el).Tag == kind) {
			n++
		}
	}
	return n
}

// ---------------------------------------------------------------- 1–8

// inv01BlocklistGetMatchesModel: a successful <blocklist/> get returns
// exactly BL(A), without duplicates (XEP-0191 §3.2; X2; inv 1).
func inv01BlocklistGetMatchesModel(c *invCtx) string {
	if cmd, _ := c.blockingCmd(); cmd != "get" {
		return ""
	}
	a, _ := c.answer()
	if a == nil || a.typ != "result" {
		return "no result to a blocklist get"
	}
	bl := a.el.SelectElement("blocklist")
	if bl == nil {
		return "blocklist result without <blocklist/>"
	}
	var got []string
	seen := map[string]bool{}
	for _, it := range bl.SelectElements("item") {
		j := attrOr(it, "jid")
		if seen[j] {
			return "duplicate item " + j
		}
		seen[j] = true
		got = append(got, j)
	}
	sort.Strings(got)
	want := c.after.bl[userOf(c.senderBare())]
	if !slices.Equal(got, want) {
		return fmt.Sprintf("blocklist get returned %v, BL(A) is %v", got, want)
	}
	return ""
}

// inv02EmptyBlocklistShape: with BL(A)=∅ the result still carries an empty
// <blocklist xmlns='urn:xmpp:blocking'/> (XEP-0191 §3.2; X3; inv 2).
func inv02EmptyBlocklistShape(c *invCtx) string {
	if cmd, _ := c.blockingCmd(); cmd != "get" {
		return ""
	}
	a, _ := c.answer()
	if a == nil || a.typ != "result" {
		return ""
	}
	bl := a.el.SelectElement("blocklist")
	if bl == nil || attrOr(bl, "xmlns") != nsBlocking {
		return "result lacks <blocklist xmlns='urn:xmpp:blocking'/>"
	}
	return ""
}

// inv03EmptyBlockRejected: <block/> without items → modify/bad-request,
// BL unchanged, no push, no presence (XEP-0191 §3.3; X7; inv 3).
func inv03EmptyBlockRejected(c *invCtx) string {
	cmd, items := c.blockingCmd()
	if cmd != "block" || len(items) != 0 {
		return ""
	}
	a, _ := c.answer()
	if a == nil || a.typ != "error" {
		return "empty <block/> not answered with an error"
	}
	if t, cond, _ := errorCond(a); t != "modify" || cond != "bad-request" {
		return fmt.Sprintf("empty <block/> answered %s/%s, want modify/bad-request", t, cond)
	}
	return noEffect(c)
}

func noEffect(c *invCtx) string {
	u := userOf(c.senderBare())
	if !slices.Equal(c.before.bl[u], c.after.bl[u]) {
		return fmt.Sprintf("rejected command changed BL from %v to %v", c.before.bl[u], c.after.bl[u])
	}
	if n := c.pushCount(""); n > 0 {
		return fmt.Sprintf("rejected command produced %d pushes", n)
	}
	if n := presenceCount(c, func(*ev) bool { return true }); n > 0 {
		return fmt.Sprintf("rejected command produced %d presences", n)
	}
	return ""
}

// inv04ErrorMeansNoEffect: a block/unblock answered with an error leaves
// BL unchanged, with no push and no presence (Prosody applies commands
// atomically, §7.3 step 1; inv 4).
func inv04ErrorMeansNoEffect(c *invCtx) string {
	cmd, _ := c.blockingCmd()
	if cmd != "block" && cmd != "unblock" && cmd != "unblock-all" {
		return ""
	}
	if c.answeredWith("error") {
		return noEffect(c)
	}
	return ""
}

// inv05BlocklistPersists: BL(A) changes only through A's own successful
// block/unblock commands; it survives disconnects and reconnects
// (XEP-0191 §3.3, X10; inv 5).
func inv05BlocklistPersists(c *invCtx) string {
	cmd, _ := c.blockingCmd()
	changer := ""
	if cmd == "block" || cmd == "unblock" || cmd == "unblock-all" {
		if c.answeredWith("result") {
			changer = userOf(c.senderBare())
		}
	}
	for u, b := range c.before.bl {
		if u != changer && !slices.Equal(b, c.after.bl[u]) {
			return fmt.Sprintf("BL(%s) changed from %v to %v without a command of its own", u, b, c.after.bl[u])
		}
	}
	return ""
}

// inv06UnblockAllEmpties: an empty <unblock/> gets a result and leaves
// BL(A)=∅ (XEP-0191 §3.5; X20; inv 6).
func inv06UnblockAllEmpties(c *invCtx) string {
	if cmd, _ := c.blockingCmd(); cmd != "unblock-all" {
		return ""
	}
	a, _ := c.answer()
	if a == nil || a.typ != "result" {
		return "unblock-all not answered with a result"
	}
	if bl := c.after.bl[userOf(c.senderBare())]; len(bl) > 0 {
		return fmt.Sprintf("BL not empty after unblock-all: %v", bl)
	}
	return ""
}

// inv07BlockIdempotent: re-blocking a blocked JID succeeds without a
// duplicate; unblocking an unblocked JID succeeds (inv 7).
func inv07BlockIdempotent(c *invCtx) string {
	cmd, items := c.blockingCmd()
	if (cmd != "block" && cmd != "unblock") || len(items) == 0 {
		return ""
	}
	u := userOf(c.senderBare())
	for _, raw := range items {
		if _, ok := prep(raw); !ok {
			return "" // malformed: not an idempotence case
		}
	}
	a, _ := c.answer()
	if a == nil || a.typ != "result" {
		return fmt.Sprintf("%s of well-formed items not answered with a result", cmd)
	}
	seen := map[string]bool{}
	for _, j := range c.after.bl[u] {
		if seen[j] {
			return "duplicate blocklist entry " + j
		}
		seen[j] = true
	}
	return ""
}

// inv08DiscoAdvertisesBlocking: disco#info to the server lists
// urn:xmpp:blocking (XEP-0191 §3.1; X1; inv 8).
func inv08DiscoAdvertisesBlocking(c *invCtx) string {
	if c.send == nil || c.send.tag != "iq" || c.send.typ != "get" || c.sendTo() != "localhost" {
		return ""
	}
	q := firstChild(c.send.el)
	if q == nil || attrOr(q, "xmlns") != nsDiscoInfo {
		return ""
	}
	a, _ := c.answer()
	if a == nil || a.typ != "result" {
		return ""
	}
	for _, f := range a.el.FindElements(".//feature") {
		if attrOr(f, "var") == nsBlocking {
			return ""
		}
	}
	return "host disco#info does not list urn:xmpp:blocking"
}

// ---------------------------------------------------------------- pushes

// inv09PushFanOut: after a successful block/unblock/unblock-all each
// connected interested resource of A receives exactly one push of the same
// kind with the affected (prepped) items, an empty <unblock/> for
// unblock-all; under PushOnlyInterested no other resource gets one
// (XEP-0191 §3.3–3.5; X6, X17, X21; inv 9).
func inv09PushFanOut(c *invCtx) string {
	cmd, items := c.blockingCmd()
	if cmd != "block" && cmd != "unblock" && cmd != "unblock-all" {
		return ""
	}
	if !c.answeredWith("result") {
		return ""
	}
	kind := "block"
	if cmd != "block" {
		kind = "unblock"
	}
	var want []string
	for _, raw := range items {
		p, _ := prep(raw)
		want = append(want, p)
	}
	sort.Strings(want)
	for _, s := range c.sessionsOfMemo(&c.postBy, c.postSess, c.senderBare()) {
		interested := s.interestedBL
		n := 0
		for _, e := range c.evs {
			if e.Client != s.name || !isBlocklistPush(e) {
				continue
			}
			n++
			q := firstChild(e.el)
			if q.Tag != kind {
				return fmt.Sprintf("%s received a <%s/> push for a %s", s.name, q.Tag, cmd)
			}
			var got []string
			for _, it := range q.SelectElements("item") {
				got = append(got, attrOr(it, "jid"))
			}
			sort.Strings(got)
			if !slices.Equal(got, want) {
				return fmt.Sprintf("%s push items %v, command items %v", s.name, got, want)
			}
		}
		switch {
		case interested && n != 1:
			return fmt.Sprintf("interested %s received %d pushes, want 1", s.name, n)
		case !interested && c.prof.PushOnlyInterested && n != 0:
			return fmt.Sprintf("%s never fetched the blocklist but received %d pushes", s.name, n)
		case !interested && !c.prof.PushOnlyInterested && n != 1:
			return fmt.Sprintf("%s received %d pushes, want 1 (pushes to all resources)", s.name, n)
		}
	}
	return ""
}

// inv10PushOrder: at each resource pushes follow the order of the
// commands: at most one per command, and the requester sees its result
// before its push (inv 10).
func inv10PushOrder(c *invCtx) string {
	count := map[string]int{}
	resultSeen := false
	for _, e := range c.evs {
		if delivered(e) && e.Client == c.sender && e.tag == "iq" && c.send != nil && e.id == c.send.id {
			resultSeen = true
		}
		if isBlocklistPush(e) {
			count[e.Client]++
			if count[e.Client] > 1 {
				return fmt.Sprintf("%s received two blocklist pushes for one command", e.Client)
			}
			if e.Client == c.sender && !resultSeen {
				return fmt.Sprintf("%s received the push before the result of its command", e.Client)
			}
		}
	}
	return ""
}

// inv11PushRepliesInert: a client's result/error reply to a push changes
// nothing and produces nothing (inv 11; §4.2, §7.3 step 6).
func inv11PushRepliesInert(c *invCtx) string {
	if c.send == nil || c.send.tag != "iq" || (c.send.typ != "result" && c.send.typ != "error") || c.send.el.SelectAttr("to") != nil {
		return ""
	}
	for _, e := range c.evs {
		if delivered(e) || e.Kind == sim.TraceDisconnect || e.Kind == sim.TraceStreamError {
			return "a reply to a push produced " + e.Kind.String() + " " + e.Stanza
		}
	}
	if diffSnaps(c.before, c.after) != "" {
		return "a reply to a push changed state"
	}
	return ""
}

// ---------------------------------------------------------------- inbound

// inv12NoDeliveryFromBlocked: no stanza from a JID matched by BL(A) (for
// the whole step) is delivered to A's resources; A's own resources are
// left to inv 20. Offline messages and stored requests flushed without a
// re-check are allowed only when Profile.RecheckBlocklistOnOfflineFlush is
// false (Prosody, §5.5, §7.7) (XEP-0191 §3.3; X10; inv 12).
func inv12NoDeliveryFromBlocked(c *invCtx) string {
	for _, e := range c.evs {
		if !delivered(e) || e.from == "" || e.user == "" || bareOf(e.from) == e.user {
			continue
		}
		if !c.blockedThroughout(e.user, e.from) {
			continue
		}
		if c.aboutOwnOutbound(e) {
			continue // inv 18, 19
		}
		if !c.prof.RecheckBlocklistOnOfflineFlush && (e.Kind == sim.TraceFlush || (e.tag == "presence" && e.typ == "subscribe" && c.initialPresence())) {
			continue
		}
		return fmt.Sprintf("%s (%s) received from blocked %s: %s", e.Client, e.user, e.from, e.Stanza)
	}
	return ""
}

// aboutOwnOutbound: e is an error about its recipient's own outbound
// traffic: one to the step's sender, or a blocked not-acceptable.
func (c *invCtx) aboutOwnOutbound(e *ev) bool {
	if e.Kind != sim.TraceError {
		return false
	}
	_, cond, blk := errorCond(e)
	return e.Client == c.sender || cond == "not-acceptable" && blk
}

// initialPresence reports whether the step is an initial presence.
func (c *invCtx) initialPresence() bool {
	if c.send == nil || c.send.tag != "presence" || c.send.typ != "" || c.sendTo() != "" && c.sendTo() != c.senderBare() {
		return false
	}
	return !c.preSess[c.sender].avail
}

// blockedSend: the step is a stanza from j's client to a local user A who
// blocks j (throughout) while j does not block A.
func (c *invCtx) blockedSend(tag string) (a string, ok bool) {
	if c.send == nil || c.send.tag != tag {
		return "", false
	}
	to := c.sendTo()
	if !isLocalUser(to) || bareOf(to) == c.senderBare() {
		return "", false
	}
	a = bareOf(to)
	from := c.senderFull()
	if tag == "presence" {
		switch c.send.typ {
		case "subscribe", "subscribed", "unsubscribe", "unsubscribed":
			from = c.senderBare() // routed from the bare JID (§4.4)
		}
	}
	if !c.blockedThroughout(a, from) || c.blockedEver(c.senderBare(), to) {
		return "", false
	}
	return a, true
}

// inv13SilenceTowardsBlockedPresence: inbound presence of any type from a
// blocked j causes no stanza from A to j: no error, probe answer,
// automatic subscribed or acknowledging unavailable (XEP-0191 §3.3; X11;
// inv 13).
func inv13SilenceTowardsBlockedPresence(c *invCtx) string {
	a, ok := c.blockedSend("presence")
	if !ok {
		return ""
	}
	for _, e := range c.evs {
		if delivered(e) && e.user == c.senderBare() && bareOf(e.from) == a {
			return fmt.Sprintf("blocked %s got %s from %s", e.Client, e.Stanza, a)
		}
	}
	return ""
}

// inv14InboundSubscriptionImmunity: a subscription stanza from a blocked j
// changes nothing in A's roster and pushes nothing to A (XEP-0016 §2.2 via
// XEP-0191 §5; inv 14).
func inv14InboundSubscriptionImmunity(c *invCtx) string {
	a, ok := c.blockedSend("presence")
	if !ok || c.send.typ == "" || c.send.typ == "unavailable" || c.send.typ == "error" {
		return ""
	}
	if b, f := contactOf(c.before, a, c.senderBare()), contactOf(c.after, a, c.senderBare()); b != f {
		return fmt.Sprintf("%s's state towards blocked %s changed %s -> %s", a, c.senderBare(), b.State(), f.State())
	}
	for _, e := range c.evs {
		if e.user == a && isRosterPush(e) {
			return fmt.Sprintf("%s got a roster push: %s", e.Client, e.Stanza)
		}
	}
	return ""
}

// inv15InboundMessageHandling: a chat/normal message from a blocked j is
// not delivered and, under BounceBlockedMessages, answered with exactly
// one cancel/service-unavailable (Prosody drops it when addressed to a
// bound full JID, issue #690, §7.7); headline, groupchat and error are
// dropped silently and nothing is stored (XEP-0191 §3.3; X12; inv 15).
func inv15InboundMessageHandling(c *invCtx) string {
	a, ok := c.blockedSend("message")
	if !ok {
		return ""
	}
	errs := 0
	for _, e := range c.evs {
		if delivered(e) && e.user == a {
			return fmt.Sprintf("blocked message delivered to %s: %s", e.Client, e.Stanza)
		}
		if e.Kind == sim.TraceStore {
			return "blocked message stored offline: " + e.Stanza
		}
		if delivered(e) && e.Client == c.sender && e.typ == "error" && e.tag == "message" {
			if t, cond, _ := errorCond(e); t != "cancel" || cond != "service-unavailable" {
				return fmt.Sprintf("bounce is %s/%s, want cancel/service-unavailable", t, cond)
			}
			errs++
		}
	}
	to := c.sendTo()
	_, _, res := splitJID(to)
	boundFull := res != "" && c.sessByFull(c.preSess, to)
	switch c.send.typ {
	case "chat", "normal", "":
		switch {
		case boundFull && errs <= 1:
		case c.prof.BounceBlockedMessages && errs != 1:
			return fmt.Sprintf("%d errors for a blocked %q message, want 1", errs, c.send.typ)
		case !c.prof.BounceBlockedMessages && errs != 0:
			return fmt.Sprintf("%d errors for a blocked message, want a silent drop", errs)
		}
	default:
		if errs != 0 {
			return fmt.Sprintf("%d errors for a blocked %s message, want a silent drop", errs, c.send.typ)
		}
	}
	return ""
}

func (c *invCtx) sessByFull(m map[string]sessInfo, full string) bool {
	for _, s := range m {
		if s.full == full {
			return true
		}
	}
	return false
}

// inv16InboundIQHandling: an iq get/set from a blocked j gets exactly one
// error (service-unavailable) and is not delivered; result/error are
// dropped silently (XEP-0191 §3.3; X13; inv 16).
func inv16InboundIQHandling(c *invCtx) string {
	a, ok := c.blockedSend("iq")
	if !ok {
		return ""
	}
	for _, e := range c.evs {
		if delivered(e) && e.user == a {
			return fmt.Sprintf("iq from blocked %s delivered to %s", c.senderBare(), e.Client)
		}
	}
	ans, n := c.answer()
	if c.send.typ == "get" || c.send.typ == "set" {
		if n != 1 || ans.typ != "error" {
			return fmt.Sprintf("%d answers to a blocked iq, want one error", n)
		}
		if _, cond, _ := errorCond(ans); cond != "service-unavailable" {
			return "blocked iq answered with " + cond
		}
	} else if n != 0 {
		return "a blocked iq result/error was answered"
	}
	return ""
}

// ---------------------------------------------------------------- outbound

// outboundBlocked: the step is A's client addressing j with m(BL(A), j).
// exempt reports Prosody's subscription presences to a bare JID, which
// mod_presence routes before the blocklist sees them (§4.4, §7.6) — the
// profile's LocalRosterChangeOnBlockedOutboundSub.
func (c *invCtx) outboundBlocked() (j string, ok, exempt bool) {
	if c.send == nil {
		return "", false, false
	}
	j = c.sendTo()
	// to the own bare JID = to self: never blocked outbound (§1.2, §7.5)
	if j == "" || j == c.senderBare() || !c.blockedThroughout(c.senderBare(), j) {
		return "", false, false
	}
	_, _, res := splitJID(j)
	if c.send.tag == "presence" && res == "" {
		switch c.send.typ {
		case "subscribe", "subscribed", "unsubscribe", "unsubscribed":
			exempt = c.prof.LocalRosterChangeOnBlockedOutboundSub
		}
	}
	return j, true, exempt
}

// inv17NoRoutingToBlocked: nothing A's client addresses to a blocked j
// reaches j (XEP-0191 §3.3; X15; inv 17).
func inv17NoRoutingToBlocked(c *invCtx) string {
	j, ok, exempt := c.outboundBlocked()
	if !ok || exempt || !isLocalUser(j) || bareOf(j) == c.senderBare() {
		return ""
	}
	for _, e := range c.evs {
		if delivered(e) && e.user == bareOf(j) && bareOf(e.from) == c.senderBare() {
			return fmt.Sprintf("%s received %s although its sender blocked it", e.Client, e.Stanza)
		}
	}
	return ""
}

// inv18BlockedErrorToSender: each such stanza (not an error, not an iq
// result) gets exactly one cancel/not-acceptable with <blocked/> back to
// the sending resource, and nothing else (XEP-0191 §3.3; X15; inv 18).
func inv18BlockedErrorToSender(c *invCtx) string {
	_, ok, exempt := c.outboundBlocked()
	if !ok || exempt {
		return ""
	}
	n := 0
	for _, e := range c.evs {
		if delivered(e) && e.Client == c.sender && e.typ == "error" && e.tag == c.send.tag {
			t, cond, blocked := errorCond(e)
			if t != "cancel" || cond != "not-acceptable" || !blocked {
				return fmt.Sprintf("error to a blocked-outbound stanza is %s/%s blocked=%v: %s", t, cond, blocked, e.Stanza)
			}
			if e.id != c.send.id {
				return "error id " + e.id + " differs from the stanza's " + c.send.id
			}
			n++
		}
	}
	silent := c.send.typ == "error" || (c.send.tag == "iq" && c.send.typ == "result")
	switch {
	case silent && n != 0:
		return "an error/result to a blocked JID was answered with an error"
	case !silent && n != 1:
		return fmt.Sprintf("%d blocked errors for one stanza, want 1", n)
	}
	return ""
}

// inv19GeneratedTrafficSuppressed: no stanza from A reaches a j that A
// blocks for the whole step (broadcasts, probe answers, probes, re-sent
// requests, unbind unavailable); the block-time unavailable happens in the
// step that blocks j and is not covered. The suppression sends no error
// to A's resources unless Profile.ErrorOnBlockedBroadcast (Prosody,
// §7.6): then only not-acceptable errors are tolerated (inv 19).
func inv19GeneratedTrafficSuppressed(c *invCtx) string {
	if _, ok, exempt := c.outboundBlocked(); ok && exempt {
		return ""
	}
	for _, e := range c.evs {
		if !delivered(e) || e.from == "" || e.user == "" {
			continue
		}
		a := bareOf(e.from)
		if a == e.user || !isLocalUser(a) {
			continue
		}
		if c.aboutOwnOutbound(e) {
			continue // judged in the second half
		}
		if c.prof.LocalRosterChangeOnBlockedOutboundSub && e.tag == "presence" && !strings.Contains(e.to, "/") {
			switch e.typ {
			case "subscribe", "subscribed", "unsubscribe", "unsubscribed":
				continue // routed before the blocklist sees it (§4.4)
			}
		}
		if !c.h.strict && (e.Kind == sim.TraceFlush || e.tag == "presence" && e.typ == "subscribe" && c.initialPresence() && e.Client == c.sender) {
			// a request or message stored for j before A's block and
			// delivered at j's login (RFC 6121 §3.1.3, §5.5): j's
			// stored state, not traffic generated on A's behalf
			// (see findings.md)
			continue
		}
		if cmd, items := c.blockingCmd(); !c.h.strict && cmd == "block" && e.tag == "presence" && e.typ == "unavailable" && listed(items, e.user) {
			// Finding F2: Prosody decides the block-time unavailable
			// on the literal item (§7.3 step 5), so a JID already
			// blocked by a domain item gets it when listed itself.
			continue
		}
		// the address the stanza was routed to (§7.5: outbound checks
		// test the sender's list against `to`)
		addr := e.to
		if addr == "" {
			addr = e.JID.String()
		}
		if c.blockedThroughout(a, addr) {
			return fmt.Sprintf("%s received %s from %s, which blocks it", e.Client, e.Stanza, a)
		}
	}
	if c.prof.ErrorOnBlockedBroadcast {
		return ""
	}
	direct, _, _ := c.outboundBlocked()
	for _, e := range c.evs {
		if !delivered(e) || e.typ != "error" {
			continue
		}
		if _, cond, blocked := errorCond(e); cond == "not-acceptable" && blocked {
			if e.Client == c.sender && direct != "" && e.tag == c.send.tag {
				continue
			}
			return fmt.Sprintf("%s received a blocked error for server-generated traffic: %s", e.Client, e.Stanza)
		}
	}
	return ""
}

// inv20SelfNeverBlocked: the server's traffic from A's bare JID to A's
// resources is never blocked: a broadcast presence is always reflected to
// its sender, once (XEP-0191 §5 note, X27; RFC 6121 §4.2.2; inv 20). The
// rest of inv 20 (own resources, own domain) Prosody deliberately breaks
// (§7.4) and no profile field selects it, so it is not checked.
func inv20SelfNeverBlocked(c *invCtx) string {
	if c.send == nil || c.send.tag != "presence" || (c.send.typ != "" && c.send.typ != "unavailable") {
		return ""
	}
	if to := c.sendTo(); to != "" && to != c.senderBare() {
		return ""
	}
	n := 0
	for _, e := range c.evs {
		if delivered(e) && e.Client == c.sender && e.tag == "presence" && e.from == c.senderFull() && e.to == "" && e.typ == c.send.typ {
			n++
		}
	}
	if n != 1 {
		return fmt.Sprintf("broadcast presence reflected %d times, want 1", n)
	}
	return ""
}

// ---------------------------------------------------------------- block/unblock presence

// inv21UnavailableOnBlock: when j becomes blocked, is allowed A's presence
// (A has from/both) and A has an available resource, each available
// resource of j receives unavailable from A — one per available full JID
// of A under UnavailableSenderIsFullJID, else one from A's bare JID;
// otherwise j receives no presence from A (XEP-0191 §3.3; X9; inv 21).
func inv21UnavailableOnBlock(c *invCtx) string {
	cmd, items := c.blockingCmd()
	if cmd != "block" {
		return ""
	}
	if !c.answeredWith("result") {
		return ""
	}
	A := c.senderBare()
	avail := c.availableFulls(A)
	for _, raw := range items {
		j, _ := prep(raw)
		if !isLocalUser(j) || strings.Contains(j, "/") || j == A {
			continue
		}
		if matches(c.prof, c.blFor(c.before, A), j) {
			continue // inv 24
		}
		allowed := isFrom(contactOf(c.before, A, j).Subscription)
		for _, s := range c.sessionsOfMemo(&c.preBy, c.preSess, j) {
			if !s.avail {
				continue
			}
			got := map[string]int{}
			for _, e := range c.evs {
				if delivered(e) && e.Client == s.name && e.tag == "presence" && bareOf(e.from) == A {
					if e.typ != "unavailable" {
						return fmt.Sprintf("%s got %s at block time", s.name, e.Stanza)
					}
					got[e.from]++
				}
			}
			want := map[string]int{}
			if allowed && len(avail) > 0 {
				if c.prof.UnavailableSenderIsFullJID {
					for _, f := range avail {
						if !c.blockedEver(j, f) {
							want[f] = 1
						}
					}
				} else if !c.blockedEver(j, A) {
					want[A] = 1
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Sprintf("%s (allowed=%v) got unavailables %v at block time, want %v", s.name, allowed, got, want)
			}
		}
	}
	return ""
}

// inv22PresenceOnUnblock: when j stops being blocked and is allowed A's
// presence, each available resource of j receives A's current presence
// (one per available resource of A, or one unavailable from A's bare JID);
// a j that is not allowed receives nothing. Unblock-all is covered only
// under PresenceOnUnblockAll (Prosody sends nothing, §7.3) (XEP-0191 §3.4,
// §3.5; X18, X22; inv 22).
func inv22PresenceOnUnblock(c *invCtx) string {
	cmd, items := c.blockingCmd()
	if cmd != "unblock" && cmd != "unblock-all" {
		return ""
	}
	if !c.answeredWith("result") {
		return ""
	}
	if cmd == "unblock-all" {
		if !c.prof.PresenceOnUnblockAll {
			return ""
		}
		items = c.before.bl[userOf(c.senderBare())]
	}
	A := c.senderBare()
	avail := c.availableFulls(A)
	for _, raw := range items {
		j, _ := prep(raw)
		if !isLocalUser(j) || strings.Contains(j, "/") || j == A {
			continue
		}
		if !matches(c.prof, c.blFor(c.before, A), j) || matches(c.prof, c.blFor(c.after, A), j) {
			continue // not unblocked by this command
		}
		allowed := isFrom(contactOf(c.before, A, j).Subscription)
		for _, s := range c.sessionsOfMemo(&c.preBy, c.preSess, j) {
			if !s.avail || c.listsUsed(j) {
				continue // j's own list would filter some of A's presences
			}
			avails, unavs := 0, 0
			for _, e := range c.evs {
				if delivered(e) && e.Client == s.name && e.tag == "presence" && bareOf(e.from) == A {
					if e.typ == "" {
						avails++
					} else if e.typ == "unavailable" && e.from == A {
						unavs++
					}
				}
			}
			switch {
			case !allowed && avails+unavs > 0:
				return fmt.Sprintf("%s is not subscribed to %s but got its presence on unblock", s.name, A)
			case allowed && len(avail) > 0 && avails != len(avail):
				return fmt.Sprintf("%s got %d presences from %s on unblock, want %d", s.name, avails, A, len(avail))
			case allowed && len(avail) == 0 && unavs != 1:
				return fmt.Sprintf("%s got %d unavailables from offline %s on unblock, want 1", s.name, unavs, A)
			}
		}
	}
	return ""
}

// inv24NoDoubleSignal: re-blocking only already blocked JIDs sends no
// presence at all (§7.3 step 7; inv 24).
func inv24NoDoubleSignal(c *invCtx) string {
	cmd, items := c.blockingCmd()
	if cmd != "block" || len(items) == 0 {
		return ""
	}
	bl := c.blFor(c.before, c.senderBare())
	for _, raw := range items {
		j, ok := prep(raw)
		if !ok || !bl[j] {
			return ""
		}
	}
	if n := presenceCount(c, func(*ev) bool { return true }); n > 0 {
		return fmt.Sprintf("re-block sent %d presences", n)
	}
	return ""
}

// inv25PoliteBlocking: block and unblock change no roster item of anyone;
// the one permitted change is dropping the blocker's pending-in requests
// under DropPendingInOnBlock (Prosody #574) (XEP-0191 §4; X23; inv 25).
func inv25PoliteBlocking(c *invCtx) string {
	cmd, _ := c.blockingCmd()
	if cmd == "" || cmd == "get" {
		return ""
	}
	A := userOf(c.senderBare())
	for k, b := range c.before.contacts {
		f := c.after.contacts[k]
		if b == f {
			continue
		}
		if k[0] == A && cmd == "block" && c.prof.DropPendingInOnBlock {
			b.PendingIn, f.PendingIn = false, false
			if b == f {
				continue
			}
		}
		return fmt.Sprintf("%s changed %s's state towards %s: %s -> %s", cmd, k[0], k[1], b.State(), c.after.contacts[k].State())
	}
	return ""
}

// ---------------------------------------------------------------- subscriptions

// inv26OutboundSubscriptionToBlocked: a subscription stanza A sends to a
// blocked j never changes j's roster. Prosody routes bare-addressed ones
// (LocalRosterChangeOnBlockedOutboundSub, §4.4), so then only full-JID
// targets are checked (XEP-0191 §3.3; inv 26).
func inv26OutboundSubscriptionToBlocked(c *invCtx) string {
	j, ok, exempt := c.outboundBlocked()
	if !ok || exempt || c.send.tag != "presence" || !isLocalUser(j) {
		return ""
	}
	switch c.send.typ {
	case "subscribe", "subscribed", "unsubscribe", "unsubscribed":
	default:
		return ""
	}
	if b, f := contactOf(c.before, bareOf(j), c.senderBare()), contactOf(c.after, bareOf(j), c.senderBare()); b != f {
		return fmt.Sprintf("blocked %s's state towards %s changed %s -> %s", bareOf(j), c.senderBare(), b.State(), f.State())
	}
	return ""
}

// inv27PendingRequestsFrozen: a pending subscribe from j never reaches A
// while j is blocked; the re-delivery at initial presence is tolerated
// when RecheckBlocklistOnOfflineFlush is false (Prosody does not re-check
// stored requests, §7.7) (RFC 6121 §3.1.3; inv 27).
func inv27PendingRequestsFrozen(c *invCtx) string {
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "presence" || e.typ != "subscribe" || e.user == "" {
			continue
		}
		if !c.blockedThroughout(e.user, e.from) {
			continue
		}
		if !c.prof.RecheckBlocklistOnOfflineFlush && c.initialPresence() && e.Client == c.sender {
			continue
		}
		return fmt.Sprintf("%s received a subscription request from blocked %s", e.Client, e.from)
	}
	return ""
}

// inv28NoAutoApprovalThroughBlock: a subscribe from a blocked j never
// produces an automatic subscribed and never changes A's state (RFC 6121
// §3.4 with XEP-0191 §3.3; inv 28).
func inv28NoAutoApprovalThroughBlock(c *invCtx) string {
	a, ok := c.blockedSend("presence")
	if !ok || c.send.typ != "subscribe" {
		return ""
	}
	for _, e := range c.evs {
		if delivered(e) && e.tag == "presence" && e.typ == "subscribed" && bareOf(e.from) == a {
			return "automatic subscribed through a block: " + e.Stanza
		}
	}
	if b, f := contactOf(c.before, a, c.senderBare()), contactOf(c.after, a, c.senderBare()); b != f {
		return fmt.Sprintf("%s's state towards blocked %s changed %s -> %s", a, c.senderBare(), b.State(), f.State())
	}
	return ""
}

// inv29ValidSubscriptionStates: every roster state is one of RFC 6121's
// nine (no ask with to/both, no pending-in with from/both), and approved
// is only newly set on items without from (RFC 6121 App. A, §3.4; inv 29;
// the transition tables themselves are checked by the reference).
func inv29ValidSubscriptionStates(c *invCtx) string {
	for k, f := range c.after.contacts {
		switch f.Subscription {
		case "none", "to", "from", "both":
		default:
			return fmt.Sprintf("%s->%s subscription %q", k[0], k[1], f.Subscription)
		}
		if f.Ask && isTo(f.Subscription) {
			return fmt.Sprintf("%s->%s is %s (pending out with a subscription to)", k[0], k[1], f.State())
		}
		if f.PendingIn && isFrom(f.Subscription) {
			return fmt.Sprintf("%s->%s is %s (pending in with a subscription from)", k[0], k[1], f.State())
		}
		if (f.Approved || f.Ask) && !f.InRoster {
			return fmt.Sprintf("%s->%s has approved/ask without an item", k[0], k[1])
		}
		if b := c.before.contacts[k]; f.Approved && !b.Approved && isFrom(b.Subscription) {
			return fmt.Sprintf("%s->%s pre-approved although it already has %s", k[0], k[1], b.Subscription)
		}
	}
	return ""
}

// inv30CrossRosterConsistency: while no blocklist was ever used, A has
// to/both towards B iff B has from/both towards A, and A pending out
// implies B pending in or from (RFC 6121 §3; inv 30).
func inv30CrossRosterConsistency(c *invCtx) string {
	if c.inv.everBlocked {
		return ""
	}
	for k, ab := range c.after.contacts {
		ba := c.after.contacts[[2]string{k[1], k[0]}]
		if !c.h.strict && (c.inv.approved[k] || c.inv.approved[[2]string{k[1], k[0]}] || c.inv.removed[k] || c.inv.removed[[2]string{k[1], k[0]}]) {
			// Findings F1 and F3 (findings.md): a pre-approval consumed
			// while the approver is offline is not routed back (§4.3
			// shortcut), and a pending request that survives a roster
			// removal (§4.7) can be approved after the requester's ask
			// was cleared. Config.Strict checks these pairs too.
			continue
		}
		if isTo(ab.Subscription) != isFrom(ba.Subscription) {
			return fmt.Sprintf("%s is %s towards %s but %s is %s towards %s", k[0], ab.State(), k[1], k[1], ba.State(), k[0])
		}
		if ab.Ask && !(ba.PendingIn || isFrom(ba.Subscription)) {
			return fmt.Sprintf("%s has a pending request to %s (%s) that %s does not hold (%s)", k[0], k[1], ab.State(), k[1], ba.State())
		}
	}
	return ""
}

// inv31RosterPushOnChange: roster pushes go only to interested resources;
// a changed item is pushed to every interested resource with its new
// state; an inbound stanza that changes nothing pushes nothing (RFC 6121
// §2.1.6, §3; §4.2; inv 31). Prosody pushes on some outbound no-ops
// (§4.4), so no-op pushes are allowed to the acting user.
func inv31RosterPushOnChange(c *invCtx) string {
	last := map[string]map[string]*etree.Element{} // client -> jid -> item
	for _, e := range c.evs {
		if !isRosterPush(e) {
			continue
		}
		s, ok := c.postSess[e.Client]
		if !ok {
			s = c.preSess[e.Client]
		}
		if !s.interested {
			return fmt.Sprintf("roster push to %s, which never fetched the roster", e.Client)
		}
		for _, it := range firstChild(e.el).SelectElements("item") {
			if last[e.Client] == nil {
				last[e.Client] = map[string]*etree.Element{}
			}
			last[e.Client][attrOr(it, "jid")] = it
		}
	}
	actor := c.senderBare()
	for k, f := range c.after.contacts {
		b := c.before.contacts[k]
		changed := b.InRoster != f.InRoster || b.Subscription != f.Subscription || b.Ask != f.Ask
		if !changed && len(last) == 0 {
			continue // no push to judge, none owed
		}
		u, jid := userBare(k[0]), userBare(k[1])
		for _, s := range c.sessionsOfMemo(&c.postBy, c.postSess, u) {
			if !s.interested || !c.preSess[s.name].interested {
				continue
			}
			it := last[s.name][jid]
			if changed {
				if it == nil {
					return fmt.Sprintf("%s's item %s changed %s -> %s without a push to %s", u, jid, b.State(), f.State(), s.name)
				}
				wantSub := f.Subscription
				if !f.InRoster {
					wantSub = "remove"
				}
				if attrOr(it, "subscription") != wantSub || (attrOr(it, "ask") == "subscribe") != f.Ask {
					return fmt.Sprintf("push to %s shows %s, state is %s", s.name, model.Canonical(it), f.State())
				}
			} else if it != nil && u != actor && b == f {
				return fmt.Sprintf("%s got a push for %s although nothing changed (%s)", s.name, jid, f.State())
			}
		}
	}
	return ""
}

// inv32PresenceAuthorisation: an available presence of A reaches j only if
// j has from/both on A or holds directed presence from A, and neither
// blocks the other (RFC 6121 §4.4, §4.6; XEP-0191 §3.3; inv 32).
func inv32PresenceAuthorisation(c *invCtx) string {
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "presence" || e.typ != "" || e.from == "" || e.user == "" {
			continue
		}
		a, j := bareOf(e.from), e.user
		if a == j || !isLocalUser(a) {
			continue
		}
		sub := isFrom(contactOf(c.before, a, j).Subscription) || isFrom(contactOf(c.after, a, j).Subscription) ||
			isTo(contactOf(c.before, j, a).Subscription) || isTo(contactOf(c.after, j, a).Subscription)
		dir := c.inv.directed[e.from][j] || (c.send != nil && c.senderFull() == e.from && bareOf(c.sendTo()) == j)
		if !sub && !dir {
			return fmt.Sprintf("%s received available presence from %s without a subscription or directed presence", e.Client, e.from)
		}
		addr := e.to // §7.5: the sender's list is tested against `to`
		if addr == "" {
			addr = e.JID.String()
		}
		if c.blockedThroughout(a, addr) || c.blockedThroughout(j, e.from) {
			return fmt.Sprintf("%s received available presence from %s across a block", e.Client, e.from)
		}
	}
	return ""
}

// inv33ProbeSemantics: a probe from j to A (no blocks either way) is
// answered with A's presence iff j has from/both on A — one per available
// resource of A, or one unavailable from A's bare JID; otherwise j gets no
// presence from A but possibly an unsubscribed (RFC 6121 §4.3.2; §3.5;
// inv 33).
func inv33ProbeSemantics(c *invCtx) string {
	if c.send == nil || c.send.tag != "presence" || c.send.typ != "probe" {
		return ""
	}
	a := c.sendTo()
	if !isLocalUser(a) || strings.Contains(a, "/") || a == c.senderBare() {
		return ""
	}
	j := c.senderBare()
	if c.blockedEver(a, c.senderFull()) || c.listsUsed(j) {
		return "" // j's own list may filter some of A's answers
	}
	// §4.3: A's roster if A is online, else j's inverted (j is online).
	var sub bool
	if len(c.sessionsOfMemo(&c.preBy, c.preSess, a)) > 0 {
		sub = isFrom(contactOf(c.before, a, j).Subscription)
	} else {
		sub = isTo(contactOf(c.before, j, a).Subscription)
	}
	n := 0
	for _, s := range c.sessionsOfMemo(&c.preBy, c.preSess, a) {
		if s.avail {
			n++
		}
	}
	avails, unavs, other := 0, 0, 0
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "presence" || bareOf(e.from) != a || e.user != j {
			continue
		}
		switch {
		case e.Client == c.sender && e.typ == "":
			avails++
		case e.Client == c.sender && e.typ == "unavailable" && e.from == a:
			unavs++
		case e.typ == "unsubscribed":
		default:
			other++
		}
	}
	switch {
	case other > 0:
		return "unexpected presence in answer to a probe"
	case sub && n > 0 && (avails != n || unavs != 0):
		return fmt.Sprintf("probe answered with %d presences and %d unavailables, want %d presences", avails, unavs, n)
	case sub && n == 0 && (avails != 0 || unavs != 1):
		return fmt.Sprintf("probe to offline contact answered with %d presences and %d unavailables, want one unavailable", avails, unavs)
	case !sub && avails+unavs > 0:
		return fmt.Sprintf("probe from an unsubscribed JID revealed presence (%d available, %d unavailable)", avails, unavs)
	}
	return ""
}

// inv34ApprovalAndCancelPresence: an outbound subscribed that gives j
// from/both sends A's current presence from each available resource to j;
// an outbound unsubscribed that removes it sends unavailable from each
// (RFC 6121 §3.1.5, §3.2.2; inv 34).
func inv34ApprovalAndCancelPresence(c *invCtx) string {
	if c.send == nil || c.send.tag != "presence" || (c.send.typ != "subscribed" && c.send.typ != "unsubscribed") {
		return ""
	}
	j := bareOf(c.sendTo())
	A := c.senderBare()
	if !isLocalUser(j) || j == A || c.blockedEver(A, j) || c.blockedEver(j, A) {
		return ""
	}
	b, f := contactOf(c.before, A, j), contactOf(c.after, A, j)
	var wantType string
	switch {
	case c.send.typ == "subscribed" && !isFrom(b.Subscription) && isFrom(f.Subscription):
		wantType = ""
	case c.send.typ == "unsubscribed" && isFrom(b.Subscription) && !isFrom(f.Subscription):
		wantType = "unavailable"
	default:
		return ""
	}
	avail := c.availableFulls(A)
	for _, s := range c.sessionsOfMemo(&c.preBy, c.preSess, j) {
		if !s.avail {
			continue
		}
		got := map[string]int{}
		for _, e := range c.evs {
			if delivered(e) && e.Client == s.name && e.tag == "presence" && bareOf(e.from) == A && e.typ == wantType && e.from != A {
				got[e.from]++
			}
		}
		for _, f := range avail {
			if got[f] < 1 && !c.blockedEver(j, f) {
				return fmt.Sprintf("%s did not receive %q presence from %s after %s", s.name, wantType, f, c.send.typ)
			}
		}
	}
	return ""
}

// inv35StoredRequestDelivery: at an initial presence the resource receives
// each stored subscription request once (unless the requester is blocked
// and the profile re-checks), and no other request (RFC 6121 §3.1.3; §3.1
// step 5d; inv 35).
func inv35StoredRequestDelivery(c *invCtx) string {
	if !c.initialPresence() {
		return ""
	}
	A := c.senderBare()
	want := map[string]int{}
	for k, b := range c.before.contacts {
		if userBare(k[0]) == A && b.PendingIn {
			if c.prof.RecheckBlocklistOnOfflineFlush && c.blockedEver(A, userBare(k[1])) {
				continue
			}
			want[userBare(k[1])] = 1
		}
	}
	got := map[string]int{}
	for _, e := range c.evs {
		if delivered(e) && e.Client == c.sender && e.tag == "presence" && e.typ == "subscribe" {
			got[bareOf(e.from)]++
		}
	}
	for j := range want {
		if got[j] != 1 {
			return fmt.Sprintf("stored request from %s delivered %d times at initial presence, want 1", j, got[j])
		}
	}
	for j := range got {
		// a re-sent request may have been stored during the step
		if want[j] == 0 && !contactOf(c.after, A, j).PendingIn {
			return fmt.Sprintf("request from %s delivered at initial presence but none was stored", j)
		}
	}
	return ""
}

// inv36IQAnsweredOnce: every client iq get/set gets exactly one result or
// error with its id, unless it was routed to another client (which then
// owns the answer) (RFC 6120 §8.2.3; inv 36).
func inv36IQAnsweredOnce(c *invCtx) string {
	if c.send == nil || c.send.tag != "iq" || (c.send.typ != "get" && c.send.typ != "set") {
		return ""
	}
	_, n := c.answer()
	routed := 0
	for _, e := range c.evs {
		if delivered(e) && e.tag == "iq" && e.id == c.send.id && e.typ == c.send.typ {
			routed++
		}
	}
	if n == 1 && routed == 0 || n == 0 && routed == 1 {
		return ""
	}
	return fmt.Sprintf("iq %s answered %d times and routed %d times", c.send.id, n, routed)
}

// inv37NoErrorForError: a stanza of type error never causes an error in
// reply (RFC 6120 §8.3.1; inv 37).
func inv37NoErrorForError(c *invCtx) string {
	if c.send == nil || c.send.typ != "error" {
		return ""
	}
	for _, e := range c.evs {
		if e.Kind == sim.TraceError {
			return "error in reply to an error: " + e.Stanza
		}
	}
	return ""
}

// inv38BlockedNeverStoredOffline: a message from a JID the offline
// recipient blocks is never stored; a stored message from a blocked JID is
// not flushed after the block unless RecheckBlocklistOnOfflineFlush is
// false (Prosody, §5.5) (XEP-0191 §3.3; inv 38).
func inv38BlockedNeverStoredOffline(c *invCtx) string {
	for _, e := range c.evs {
		switch {
		case e.Kind == sim.TraceStore:
			owner := e.JID.Bare().String()
			if bareOf(e.from) != owner && c.blockedEver(owner, e.from) {
				return fmt.Sprintf("message from blocked %s stored for %s", e.from, owner)
			}
		case e.Kind == sim.TraceFlush && c.prof.RecheckBlocklistOnOfflineFlush:
			if bareOf(e.from) != e.user && c.blockedEver(e.user, e.from) {
				return fmt.Sprintf("offline message from blocked %s flushed to %s", e.from, e.Client)
			}
		}
	}
	return ""
}

// inv39MatchingOracle: every blocklist decision the server records agrees
// with m(BL, j) of XEP-0191 §6 (A.4, with DomainResourceMatchesAnyUser):
// an inbound drop needs the recipient's list to match the sender, an
// outbound one the sender's list to match the target (inv 39; deliveries
// that should have been filtered are inv 12).
func inv39MatchingOracle(c *invCtx) string {
	for _, e := range c.evs {
		if e.Kind != sim.TraceDrop || e.el == nil {
			continue
		}
		switch e.Reason {
		case "blocked-inbound":
			if !c.blockedEver(bareOf(e.to), e.from) {
				return fmt.Sprintf("inbound drop of %s, but BL(%s)=%v does not match %s", e.Stanza, bareOf(e.to), c.before.bl[userOf(bareOf(e.to))], e.from)
			}
		case "blocked-outbound":
			if !c.blockedEver(bareOf(e.from), e.to) {
				return fmt.Sprintf("outbound drop of %s, but BL(%s) does not match %s", e.Stanza, bareOf(e.from), e.to)
			}
		}
	}
	return ""
}

func listed(items []string, j string) bool {
	for _, raw := range items {
		if p, ok := prep(raw); ok && p == j {
			return true
		}
	}
	return false
}

// track updates inv23's view of who saw which presence, and the pairs it
// stops judging, before the step's invariants run.
func (s *invState) track(c *invCtx) {
	if c.rec.op.Kind == OpRestart {
		s.restarted = true
	}
	if c.initialPresence() {
		for k := range s.last {
			if k[0] == c.sender {
				delete(s.last, k)
			}
		}
	}
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "presence" || (e.typ != "" && e.typ != "unavailable") || e.from == "" {
			continue
		}
		if !strings.Contains(e.from, "/") {
			for k := range s.last {
				if k[0] == e.Client && bareOf(k[1]) == e.from {
					s.last[k] = "unavailable"
				}
			}
			continue
		}
		s.last[[2]string{e.Client, e.from}] = e.typ
	}
	us := c.h.userNames()
	// A's from/both towards j lost in this step: Prosody sends A's
	// unavailable only when A cancels (§4.4 unsubscribed), not when j
	// unsubscribes or removes A (§4.5, §4.7), so j's view of A goes
	// stale (finding F7)
	if !c.h.strict {
		for k, b := range c.before.contacts {
			if isFrom(b.Subscription) && !isFrom(c.after.contacts[k].Subscription) {
				s.stale[[2]string{userBare(k[1]), userBare(k[0])}] = true
			}
		}
	}
	// directed presence between two users
	if c.send != nil && c.send.tag == "presence" && (c.send.typ == "" || c.send.typ == "unavailable") {
		if to := c.sendTo(); to != "" && bareOf(to) != c.senderBare() {
			s.stale[[2]string{bareOf(to), c.senderBare()}] = true
		}
	}
	for _, a := range us {
		A := userBare(a)
		b, f := c.before.bl[a], c.after.bl[a]
		if slices.Equal(b, f) {
			continue
		}
		for _, j := range us {
			J := userBare(j)
			// j's own list changed: j's view of A is not refreshed
			s.stale[[2]string{A, J}] = true
			if c.h.strict {
				continue
			}
			// A's list changed through an item other than j's bare JID
			// (domain, full, domain/resource: Prosody signals only
			// literal bare items, F2), or through unblock-all without
			// PresenceOnUnblockAll
			for _, it := range append(append([]string(nil), b...), f...) {
				if it != J && (bareOf(it) == J || matches(c.prof, map[string]bool{it: true}, J+"/x")) {
					s.stale[[2]string{J, A}] = true
				}
			}
			if cmd, _ := c.blockingCmd(); cmd == "unblock-all" && !c.prof.PresenceOnUnblockAll && c.senderBare() == A {
				s.stale[[2]string{J, A}] = true
			}
		}
	}
}

// inv23PresenceCoherence: for every contact j with from/both on A (and A
// with to/both on j's side, so that j probes), as long as neither list
// changed in a way Prosody does not signal: if A blocks j, the last
// presence each available resource of j received from each resource of A
// is unavailable or none; otherwise it is available exactly for A's
// available resources (RFC 6121 §4; XEP-0191 §3.3–3.4; inv 23).
func inv23PresenceCoherence(c *invCtx) string {
	s := c.inv
	if s.restarted {
		return ""
	}
	us := c.h.userNames()
	for ai, a := range us {
		for ji, j := range us {
			if a == j {
				continue
			}
			A, J := c.h.bares[ai], c.h.bares[ji]
			if s.stale[[2]string{J, A}] {
				continue
			}
			if !isFrom(contactOf(c.after, A, J).Subscription) || !isTo(contactOf(c.after, J, A).Subscription) {
				continue
			}
			if len(c.after.bl[j]) > 0 {
				continue
			}
			blocked := c.blFor(c.after, A)[J]
			if c.h.strict {
				blocked = matches(c.prof, c.blFor(c.after, A), J)
			}
			senders := c.sessionsOfMemo(&c.postBy, c.postSess, A)
			for _, rs := range c.sessionsOfMemo(&c.postBy, c.postSess, J) {
				if !rs.avail {
					continue
				}
				bound := map[string]bool{}
				for _, r := range senders {
					bound[r.full] = true
					v, seen := s.last[[2]string{rs.name, r.full}]
					avail := seen && v == ""
					switch {
					case blocked && avail:
						return fmt.Sprintf("%s still sees %s available although %s blocks %s", rs.name, r.full, A, J)
					case !blocked && r.avail && !avail:
						return fmt.Sprintf("%s does not see available %s (last %q, seen %v)", rs.name, r.full, v, seen)
					case !blocked && !r.avail && avail:
						return fmt.Sprintf("%s still sees unavailable %s as available", rs.name, r.full)
					}
				}
				for k, v := range s.last {
					if k[0] == rs.name && bareOf(k[1]) == A && !bound[k[1]] && v == "" {
						return fmt.Sprintf("%s still sees %s available after it ended", rs.name, k[1])
					}
				}
			}
		}
	}
	return ""
}
