package model

import (
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// Handler handles one fired event. Returning true stops the chain: the
// event is handled and no later handler runs (Prosody's util/events stops
// at the first handler that returns a value).
type Handler func(e *HookEvent) bool

// Lifecycle and service event names. Stanza events are named the way
// Prosody names them: "pre-presence/bare", "message/full", "iq/self", and
// iq payload events "iq-get/host/jabber:iq:version:query" (type, target —
// host, bare or self —, then the payload's namespace and local name).
const (
	// EventResourceBind fires after a session is bound (SessionJID is set).
	EventResourceBind = "resource-bind"
	// EventResourceUnbind fires after a session left the session tables;
	// Reason() is the close error text.
	EventResourceUnbind = "resource-unbind"
	// EventInitialPresence fires when a session sends its first available
	// presence, after mod_presence's probes and re-sent requests.
	EventInitialPresence = "presence/initial"
	// EventRosterItemRemoved fires before a roster item is deleted by the
	// user's roster set (mod_presence unsubscribes in both directions).
	EventRosterItemRemoved = "roster-item-removed"
	// EventRosterItemChanged fires after a roster item changed and was
	// saved (the moment of a roster push).
	EventRosterItemChanged = "roster-item-changed"
	// EventAccountDeleted fires when an account is deleted (Prosody's
	// user-deleted; mod_register fires it for an iq:register <remove/>),
	// before its persistent state is purged: the contacts are
	// unsubscribed (300), every session is closed (200), then modules
	// drop what they keep for the account elsewhere (mod_tombstones
	// writes its tombstone). SessionJID is the asking session; the
	// purge resets every built-in module's account state afterwards.
	EventAccountDeleted = "account-deleted"
	// EventServerRestart fires after Restart dropped every session:
	// modules forget their in-memory state.
	EventServerRestart = "server-restart"
	// EventAccountDiscoInfo fires to fill an account's disco#info answer
	// (Prosody's account-disco-info): handlers add identities and features
	// with AddIdentity and AddFeature, in chain order.
	EventAccountDiscoInfo = "account-disco-info"
	// eventOfflineHandle is mod_message's hand-off of a message for an
	// account without a top resource (Prosody's message/offline/handle).
	eventOfflineHandle = "message/offline/handle"
	// eventAccountSave / eventAccountLoad let modules write and read their
	// part of an account's storage record.
	eventAccountSave = "account-save"
	eventAccountLoad = "account-load"
)

// HookEvent is the value every handler of one fired event receives. It
// carries the stanza and its routing facts, the session concerned, and the
// scratch values one stage of a post hands to the next (instead of state
// on the Server). A handler must not keep it: the router reuses events.
type HookEvent struct {
	s      *Server
	origin origin
	stanza *etree.Element
	kind   kind
	toSelf bool
	// generated: the stanza is presence the server posts on a user's
	// behalf (broadcasts, probes, probe answers, unbind), inherited by
	// every post nested under it (Profile.ErrorOnBlockedBroadcast).
	generated bool
	// depth is the nesting of posts, the router's loop guard.
	depth int
	// pendingAt: scratch of an outbound subscribe — the account that
	// stored it as a pending request (PendingKeepsAddressedTo, D4).
	pendingAt *user

	query    *etree.Element // iq payload; the reply being filled for disco events
	sess     *session       // lifecycle events: the session concerned
	user     *user          // account events
	reason   string         // resource-unbind: the close error text
	contact  string         // roster events: the contact's bare JID
	item     *rosterItem    // roster-item-removed: the item being removed
	priority int            // initial-presence: the presence's priority
	rec      *record        // account-save / account-load
}

// Stanza returns the stanza being routed (nil for lifecycle events). A
// handler may modify it; later handlers and delivery see the change.
func (e *HookEvent) Stanza() *etree.Element { return e.stanza }

// Host returns the server's virtual host.
func (e *HookEvent) Host() string { return e.s.host }

// SessionJID returns the full JID of the session the event concerns: the
// sending session of a stanza, or the bound, unbound or presenting session
// of a lifecycle event. ok is false when the host itself is the origin.
func (e *HookEvent) SessionJID() (j JID, ok bool) {
	if sess := e.session(); sess != nil {
		return sess.jid, true
	}
	return JID{}, false
}

// Reason returns the close error text of resource-unbind ("" for none).
func (e *HookEvent) Reason() string { return e.reason }

// Deliver writes a copy of st to the event's session, tagged Reason
// "module"; without a session st is dropped as "session-closed".
func (e *HookEvent) Deliver(st *etree.Element) { e.s.deliver(e.session(), st, "module") }

// Route posts st from the host into the router (inbound stage only), as
// a module's module:send does.
func (e *HookEvent) Route(st *etree.Element) { e.s.post(e, false, hostOrigin, st, false) }

// AddFeature adds <feature var=v/> to the disco#info answer being built
// (EventAccountDiscoInfo).
func (e *HookEvent) AddFeature(v string) {
	if e.query != nil {
		e.query.CreateElement("feature").CreateAttr("var", v)
	}
}

// AddIdentity adds an <identity/> to the disco#info answer being built
// (EventAccountDiscoInfo); name may be empty.
func (e *HookEvent) AddIdentity(category, typ, name string) {
	if e.query == nil {
		return
	}
	id := e.query.CreateElement("identity")
	id.CreateAttr("category", category)
	id.CreateAttr("type", typ)
	if name != "" {
		id.CreateAttr("name", name)
	}
}

// account is the account the event concerns: its own, or its session's.
func (e *HookEvent) account() *user {
	if e.user != nil {
		return e.user
	}
	if sess := e.session(); sess != nil {
		return sess.user
	}
	return nil
}

func (e *HookEvent) session() *session {
	if e.sess != nil {
		return e.sess
	}
	return e.origin.sess
}

// hook is one registered handler: for a named event, or, when iq is
// set, for an iq payload event (key).
type hook struct {
	name string
	iq   bool
	key  iqKey
	prio float64
	seq  int // registration order: the tie-break
	h    Handler
}

// hookTable collects registrations while modules load, in one flat list;
// resolve then sorts it once and cuts every chain out of one slice, so
// building a server costs a few allocations and routing never looks a
// name up.
type hookTable struct {
	hooks []hook
	refs  []*chainRef
}

// chainRef is the resolved chain of an event a module fires itself (such
// as presence/initial): the module registers its reference while it
// loads, and the server fills it once every module has registered.
type chainRef struct {
	name string
	hs   []Handler
}

// handlers returns the resolved chain; none when the module that fires
// the event is not loaded.
func (r *chainRef) handlers() []Handler {
	if r == nil {
		return nil
	}
	return r.hs
}

// refTo asks for r to be filled with the chain of name at resolve.
func (t *hookTable) refTo(r *chainRef, name string) {
	r.name = name
	t.refs = append(t.refs, r)
}

func (t *hookTable) add(name string, prio float64, h Handler) {
	if k, ok := parseIQEvent(name); ok {
		t.addIQ(k, prio, h)
		return
	}
	if t.hooks == nil {
		t.hooks = make([]hook, 0, 128)
	}
	t.hooks = append(t.hooks, hook{name: name, prio: prio, seq: len(t.hooks), h: h})
}

func (t *hookTable) addIQ(k iqKey, prio float64, h Handler) {
	if t.hooks == nil {
		t.hooks = make([]hook, 0, 128)
	}
	t.hooks = append(t.hooks, hook{iq: true, key: k, prio: prio, seq: len(t.hooks), h: h})
}

// compareHooks orders registrations by event, then firing order: higher
// priority first, then registration order (deterministic, as util/events
// is for one priority).
func compareHooks(a, b *hook) int {
	if c := sameEvent(a, b); c != 0 {
		return c
	}
	switch {
	case a.prio > b.prio:
		return -1
	case a.prio < b.prio:
		return 1
	}
	return a.seq - b.seq
}

// sameEvent compares the events of two registrations (0: the same).
func sameEvent(a, b *hook) int {
	if a.iq != b.iq {
		if a.iq {
			return 1
		}
		return -1
	}
	if !a.iq {
		return strings.Compare(a.name, b.name)
	}
	if a.key.set != b.key.set {
		if a.key.set {
			return 1
		}
		return -1
	}
	if a.key.target != b.key.target {
		return int(a.key.target) - int(b.key.target)
	}
	if c := strings.Compare(a.key.space, b.key.space); c != 0 {
		return c
	}
	return strings.Compare(a.key.tag, b.key.tag)
}

// fire runs a chain until a handler stops it; it reports whether one did.
func fire(chain []Handler, e *HookEvent) bool {
	for _, h := range chain {
		if h(e) {
			return true
		}
	}
	return false
}

// Stanza tags and kinds index the resolved pipeline.
const (
	tagMessage = iota
	tagPresence
	tagIQ
	numTags
)

func tagIndex(tag string) int {
	switch tag {
	case "message":
		return tagMessage
	case "presence":
		return tagPresence
	case "iq":
		return tagIQ
	}
	return -1
}

// iqKey selects the handlers of one iq payload event.
type iqKey struct {
	set    bool
	target kind
	space  string
	tag    string
}

// pipeline is the hook table resolved at load time: the chains the core
// fires (modules keep chainRefs to the events they fire).
type pipeline struct {
	pre, in [numTags][3][]Handler // by tag, then kind (bare, full, host)
	iqSelf  []Handler
	iq      map[iqKey][]Handler

	bind, unbind, restart, accountSave, accountLoad []Handler
}

// Stage event names by tag and kind, spelled out so resolving builds no
// strings.
var (
	preNames = [numTags][3]string{
		{"pre-message/bare", "pre-message/full", "pre-message/host"},
		{"pre-presence/bare", "pre-presence/full", "pre-presence/host"},
		{"pre-iq/bare", "pre-iq/full", "pre-iq/host"},
	}
	inNames = [numTags][3]string{
		{"message/bare", "message/full", "message/host"},
		{"presence/bare", "presence/full", "presence/host"},
		{"iq/bare", "iq/full", "iq/host"},
	}
)

// resolve sorts the registrations and cuts out the chains.
func (t *hookTable) resolve() pipeline {
	slices.SortFunc(t.hooks, func(a, b hook) int { return compareHooks(&a, &b) })
	all := make([]Handler, len(t.hooks))
	for i := range t.hooks {
		all[i] = t.hooks[i].h
	}
	var p pipeline
	nIQ := 0
	for i := range t.hooks {
		if t.hooks[i].iq && (i == 0 || sameEvent(&t.hooks[i-1], &t.hooks[i]) != 0) {
			nIQ++
		}
	}
	p.iq = make(map[iqKey][]Handler, nIQ)
	for i := 0; i < len(t.hooks); {
		j := i + 1
		for j < len(t.hooks) && sameEvent(&t.hooks[i], &t.hooks[j]) == 0 {
			j++
		}
		h, chain := &t.hooks[i], all[i:j:j]
		if h.iq {
			p.iq[h.key] = chain
		} else {
			p.assign(h.name, chain)
		}
		i = j
	}
	for _, r := range t.refs {
		r.hs = t.chain(all, r.name)
	}
	return p
}

// assign puts a chain the core fires in its place.
func (p *pipeline) assign(name string, chain []Handler) {
	switch name {
	case "iq/self":
		p.iqSelf = chain
	case EventResourceBind:
		p.bind = chain
	case EventResourceUnbind:
		p.unbind = chain
	case EventServerRestart:
		p.restart = chain
	case eventAccountSave:
		p.accountSave = chain
	case eventAccountLoad:
		p.accountLoad = chain
	}
	for ti := range preNames {
		for k := range preNames[ti] {
			if preNames[ti][k] == name {
				p.pre[ti][k] = chain
			}
			if inNames[ti][k] == name {
				p.in[ti][k] = chain
			}
		}
	}
}

// chain finds the chain of a named event in the sorted registrations.
func (t *hookTable) chain(all []Handler, name string) []Handler {
	probe := hook{name: name}
	i, _ := slices.BinarySearchFunc(t.hooks, &probe, func(h hook, p *hook) int { return sameEvent(&h, p) })
	j := i
	for j < len(t.hooks) && sameEvent(&t.hooks[j], &probe) == 0 {
		j++
	}
	return all[i:j:j]
}

// parseIQEvent reads "iq-get/host/NS:tag" (the namespace may itself hold
// colons: the local name follows the last one).
func parseIQEvent(name string) (iqKey, bool) {
	var k iqKey
	rest, ok := strings.CutPrefix(name, "iq-get/")
	if !ok {
		if rest, ok = strings.CutPrefix(name, "iq-set/"); !ok {
			return k, false
		}
		k.set = true
	}
	target, payload, ok := strings.Cut(rest, "/")
	if !ok {
		return k, false
	}
	switch target {
	case "host":
		k.target = kindHost
	case "bare":
		k.target = kindBare
	case "self":
		k.target = kindSelf
	default:
		return k, false
	}
	i := strings.LastIndexByte(payload, ':')
	if i <= 0 || i == len(payload)-1 {
		return k, false
	}
	k.space, k.tag = payload[:i], payload[i+1:]
	return k, true
}

// iqEvent is the key of the payload event
// "iq-<typ>/<target>/<space>:<tag>", for built-in registrations.
func iqEvent(typ, target, space, tag string) iqKey {
	k := iqKey{set: typ == "set", space: space, tag: tag}
	switch target {
	case "host":
		k.target = kindHost
	case "self":
		k.target = kindSelf
	}
	return k
}

// fireIQ dispatches a get or set iq to the handlers of its payload.
func (s *Server) fireIQ(e *HookEvent, target kind) bool {
	t := attrOr(e.stanza, "type")
	if t != "get" && t != "set" {
		return false
	}
	q := firstChildElement(e.stanza)
	if q == nil { // only a module can post such an iq: clients' are refused (§1.1)
		return false
	}
	chain := s.pipe.iq[iqKey{set: t == "set", target: target, space: ns(q), tag: q.Tag}]
	if len(chain) == 0 {
		return false
	}
	e.query = q
	return fire(chain, e)
}

// newEvent takes a cleared event from the server's free list: one post
// nests at most maxRouteDepth deep, so the list stays small and routing
// allocates no events.
func (s *Server) newEvent(parent *HookEvent) *HookEvent {
	var e *HookEvent
	if n := len(s.evFree); n > 0 {
		e = s.evFree[n-1]
		s.evFree = s.evFree[:n-1]
	} else {
		e = new(HookEvent)
	}
	*e = HookEvent{s: s}
	if parent != nil {
		e.generated = parent.generated
		e.depth = parent.depth
	}
	return e
}

func (s *Server) releaseEvent(e *HookEvent) {
	*e = HookEvent{}
	s.evFree = append(s.evFree, e)
}

// fireLifecycle fires a lifecycle chain with a fresh event filled by fill.
func (s *Server) fireLifecycle(parent *HookEvent, chain []Handler, fill func(e *HookEvent)) bool {
	if len(chain) == 0 {
		return false
	}
	e := s.newEvent(parent)
	fill(e)
	done := fire(chain, e)
	s.releaseEvent(e)
	return done
}
