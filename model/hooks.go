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
	// EventAccountDeleted fires when an account's persistent state is
	// erased (no operation does this yet: reserved for mod_register).
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

// hook is one registered handler.
type hook struct {
	prio   float64
	seq    int // registration order: the tie-break
	module string
	h      Handler
}

// hookTable collects registrations while modules load; chains are then
// resolved once into slices, so routing never looks a name up.
type hookTable struct {
	byName map[string][]hook
	seq    int
	refs   []*chainRef
}

// chainRef is the resolved chain of an event a module fires itself (such
// as presence/initial): the module takes the reference while it loads,
// and the server fills it once every module has registered.
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

// ref returns the chain of name, to be filled at resolve.
func (t *hookTable) ref(name string) *chainRef {
	r := &chainRef{name: name}
	t.refs = append(t.refs, r)
	return r
}

func (t *hookTable) add(name, module string, prio float64, h Handler) {
	if t.byName == nil {
		t.byName = map[string][]hook{}
	}
	t.seq++
	t.byName[name] = append(t.byName[name], hook{prio: prio, seq: t.seq, module: module, h: h})
}

// chain returns the handlers of name in firing order: higher priority
// first, then registration order (deterministic, as util/events is for
// one priority).
func (t *hookTable) chain(name string) []Handler {
	hs := slices.Clone(t.byName[name])
	slices.SortStableFunc(hs, func(a, b hook) int {
		switch {
		case a.prio > b.prio:
			return -1
		case a.prio < b.prio:
			return 1
		}
		return a.seq - b.seq
	})
	out := make([]Handler, len(hs))
	for i, h := range hs {
		out[i] = h.h
	}
	return out
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

var tagNames = [numTags]string{"message", "presence", "iq"}
var kindNames = [...]string{kindBare: "bare", kindFull: "full", kindHost: "host", kindSelf: "self"}

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

func (t *hookTable) resolve() pipeline {
	var p pipeline
	for ti, tag := range tagNames {
		for k := kindBare; k <= kindHost; k++ {
			p.pre[ti][k] = t.chain("pre-" + tag + "/" + kindNames[k])
			p.in[ti][k] = t.chain(tag + "/" + kindNames[k])
		}
	}
	p.iqSelf = t.chain("iq/self")
	p.iq = map[iqKey][]Handler{}
	for name := range t.byName {
		if k, ok := parseIQEvent(name); ok {
			p.iq[k] = t.chain(name)
		}
	}
	p.bind = t.chain(EventResourceBind)
	p.unbind = t.chain(EventResourceUnbind)
	p.restart = t.chain(EventServerRestart)
	p.accountSave = t.chain(eventAccountSave)
	p.accountLoad = t.chain(eventAccountLoad)
	for _, r := range t.refs {
		r.hs = t.chain(r.name)
	}
	return p
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

// iqEvent names the payload event of an iq, for registration.
func iqEvent(typ, target, space, tag string) string {
	return "iq-" + typ + "/" + target + "/" + space + ":" + tag
}

// fireIQ dispatches a get or set iq to the handlers of its payload.
func (s *Server) fireIQ(e *HookEvent, target kind) bool {
	t := attrOr(e.stanza, "type")
	if t != "get" && t != "set" {
		return false
	}
	q := childElements(e.stanza)[0]
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
