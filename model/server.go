package model

import (
	"encoding/base64"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
)

// Server is the in-memory XMPP server for one virtual host. It is not safe
// for concurrent use: a simulation drives it from one goroutine.
type Server struct {
	host  string
	prof  Profile
	clock Clock
	// stampAt, stampText: the last delay stamp formatted (stamp), for
	// the instant it was formatted at. The clock is virtual: every stanza
	// handled at one instant is stamped with the same text, and a
	// presence broadcast stamps the sender's stored presence each time.
	stampAt   time.Time
	stampText string
	lang      string
	rng       *rand.Rand
	start     time.Time

	nextID   SessionID
	sessions map[SessionID]*session // bound sessions by id
	full     map[string]*session    // bound sessions by full JID
	users    map[string]*user       // every account touched so far, by node
	// lastNode, lastUser: the account users last answered for
	// (userByNode); an entry of users never changes once made, so the
	// pair stays right until users is replaced (Restart).
	lastNode string
	lastUser *user
	admins   map[string]bool
	store    Storage

	out []Event // events of the current call
	// outSlab is the unused room out is cut from (nextOut), outChunk
	// the size of its last allocation.
	outSlab  []Event
	outChunk int
	// outHigh is the most events one call has emitted, so that the
	// next call's list is cut with room for as many (nextOut).
	outHigh int
	// roots is the unused room delivered roots are cut from (share).
	roots rootSlabs
	// values: events carry their stanza as a value (Options.Values),
	// built in arena; memo holds the children of this call's delivered
	// stanzas, which a broadcast shares (see emit).
	values bool
	// reuse: Options.ReuseEvents (flush hands out out itself).
	reuse bool
	arena stanza.Arena
	memo  stanza.Memo
	// thaw: the elements ProcessValue makes of the values it is given.
	thaw stanza.Thawer
	// inspected caches the inspection API's parsed JIDs (inspect.go).
	inspected map[string]inspectedJID
	dirty     []*user // accounts to write to storage at the end of the call

	// The modules: their registrations, the chains resolved from them,
	// the built-in modules' state, and the host's disco features.
	hooks hookTable
	// pipe is read-only once resolved, and shared by every server built
	// with the same configuration (loadModules): a pointer, so that
	// building a server copies none of its ~600 bytes of chain headers.
	pipe         *pipeline
	mods         modules
	hostFeatures []string
	// hostIdentities: category, type, name of each host disco identity.
	hostIdentities [][3]string
	// hostExtensions: the data forms of the host's disco#info (module:
	// add_extension), in load order.
	hostExtensions []*etree.Element
	// components: the hosts beside the virtual host, by domain
	// (component.go); read-only once loaded.
	components map[string]*component
	evFree     []*HookEvent // router events for reuse (hooks.go)
	// peers: the process's other virtual hosts (hosts.go); nil for a
	// server with one host.
	peers *Hosts
	// deferQ: work queued for sessions' later turns, oldest first;
	// deferNew: the sessions of the items queued since TakeDeferred
	// (deferred.go).
	deferQ   []deferredWork
	deferNew []SessionID
	// acting: the session whose client stanza Process is handling (nil
	// outside Process): under ListAppliedAtDelivery what is delivered to
	// it waits for its next turn (deliver_later.go).
	acting *session
	// direct: the delivery under way is written by the session itself,
	// not routed to it (deliverDirect).
	direct bool
}

// user holds an account: its identity, its bound sessions, and the
// modules' per-account state (modstate.go).
type user struct {
	node     string
	bare     JID
	bareStr  string
	sessions []*session // bound sessions in bind order
	dirty    bool       // persistent state changed since the last persist
	// unregistered: the account was deleted and, accounts being
	// registered (Profile.RegisteredAccounts), does not exist until its
	// name logs in again (registers again): mod_register.go.
	unregistered bool
	accountState
}

// session is one bound client stream and the modules' per-session state.
type session struct {
	id      SessionID
	user    *user
	jid     JID
	fullStr string
	bound   bool
	sessionState
}

// New creates a server with empty storage.
func New(opts Options) *Server {
	s := &Server{
		host:     opts.Host,
		clock:    opts.Clock,
		lang:     opts.Lang,
		rng:      rand.New(rand.NewPCG(opts.Seed, 0x5ca75e1)),
		sessions: make(map[SessionID]*session),
		full:     make(map[string]*session),
		users:    make(map[string]*user),
		store:    opts.Storage,
		values:   opts.Values,
		reuse:    opts.ReuseEvents,
	}
	if s.host == "" {
		s.host = "localhost"
	}
	if opts.Profile != nil {
		s.prof = *opts.Profile
	} else {
		s.prof = Default()
	}
	if s.clock == nil {
		s.clock = FixedClock(Epoch)
	}
	if s.lang == "" {
		s.lang = "en"
	}
	s.start = s.clock.Now()
	s.admins = map[string]bool{}
	if opts.Admins == nil {
		s.admins["admin@"+s.host] = true
	}
	for _, a := range opts.Admins {
		if j, err := ParseJID(a); err == nil {
			s.admins[j.Bare().String()] = true
		}
	}
	s.loadModules(opts.Modules, opts.Mutants)
	return s
}

// Host returns the virtual host's domain.
func (s *Server) Host() string { return s.host }

// Profile returns the profile the server runs with.
func (s *Server) Profile() Profile { return s.prof }

// now is the current time from the caller's clock.
func (s *Server) now() time.Time { return s.clock.Now() }

// stamp is the current time as a delay stamp (XEP-0082, whole seconds).
func (s *Server) stamp() string {
	if t := s.now(); s.stampText == "" || !t.Equal(s.stampAt) {
		s.stampAt, s.stampText = t, t.UTC().Format(stampFormat)
	}
	return s.stampText
}

// randomID returns a 12-character base64url string, the shape of Prosody's
// util.id.short (push ids, generated resources), drawn from the seed.
func (s *Server) randomID() string {
	var b [9]byte
	for i := range b {
		b[i] = byte(s.rng.Uint32())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// userByNode is s.users[node] remembering the last answer: a stanza's
// recipient is looked up by several stages of its routing (the blocklist's
// inbound check, presence/bare's online test), and in a broadcast each of
// them asks for the same contact in turn.
func (s *Server) userByNode(node string) (*user, bool) {
	if s.lastUser != nil && node == s.lastNode {
		return s.lastUser, true
	}
	u, ok := s.users[node]
	if ok {
		s.lastNode, s.lastUser = node, u
	}
	return u, ok
}

// account returns the state of user node, creating it: every account
// exists (§0.2).
func (s *Server) account(node string) *user {
	if u, ok := s.userByNode(node); ok {
		return u
	}
	u := &user{node: node, bare: JID{Node: node, Domain: s.host}, accountState: newAccountState()}
	u.bareStr = u.bare.String()
	s.users[node] = u
	s.load(u)
	return u
}

// localUser returns the account for a JID on this host with a node.
func (s *Server) localUser(j JID) *user {
	if j.Node == "" || j.Domain != s.host {
		return nil
	}
	return s.account(j.Node)
}

// online reports whether the account has bound sessions (Prosody's
// bare_sessions entry exists).
func (u *user) online() bool { return len(u.sessions) > 0 }

func (s *Server) flush() []Event {
	s.persist()
	// A later call may change what this one delivered only through a
	// new root (Event): the remembered children are this call's.
	s.memo.Reset()
	out := s.out
	n := len(out)
	if s.reuse {
		// The next call writes over these events.
		s.out = out[:0]
		if n == 0 {
			return nil
		}
		return out[:n:n]
	}
	if n > 0 && len(s.outSlab) > 0 && &out[0] == &s.outSlab[0] {
		s.outSlab = s.outSlab[n:]
	}
	s.outHigh = max(s.outHigh, n)
	s.out = s.nextOut()
	if n == 0 {
		return nil
	}
	// The caller owns out: capping it makes its appends copy rather
	// than write into the slab the next call's events come from.
	return out[:n:n]
}

// nextOut returns an empty event list for the next call, cut from a
// slab shared by successive calls: a call emits a handful of events, and
// growing a fresh list from nothing cost about a tenth of a replay's
// allocations. Slabs double from 16 events up to 256, so a short-lived
// server (one per replay) does not zero room it never uses. A list must
// have room for as many events as the largest call so far emitted: a
// fan-out to K sessions emits K+1 events, and growing its list by
// doubling copied every event about once more.
func (s *Server) nextOut() []Event {
	if need := max(8, s.outHigh); len(s.outSlab) < need {
		s.outChunk = min(max(2*s.outChunk, 16), 256)
		// A whole number of the largest calls: a fan-out that emits
		// exactly need events each call then uses the slab up instead
		// of leaving a tail too short for the next call (a fan-out to
		// 100 wasted a fifth of every slab of 256).
		n := max(s.outChunk, 2*need)
		s.outSlab = make([]Event, n-n%need)
	}
	return s.outSlab[:0:len(s.outSlab)]
}

// Bind authenticates user (every account exists, any password) and binds a
// session with the requested resource after prep, or a generated one when
// resource is empty (§2.1). A session already bound to the same full JID
// is replaced (§2.2): its stream error, close and unbind presence come
// first in the returned events.
func (s *Server) Bind(node, resource string) (SessionID, JID, []Event, error) {
	raw := node + "@" + s.host
	j, err := ParseJID(raw)
	if err != nil || j.Node == "" || j.Resource != "" {
		return 0, JID{}, nil, fmt.Errorf("bind: invalid username %q", node)
	}
	if resource == "" {
		resource = s.randomID()
	}
	// The strings already built are reused where preparation left them
	// as they are (the usual case), instead of rendering them again.
	if !j.Is(raw) {
		raw = j.String()
	}
	raw += "/" + resource
	full, err := ParseJID(raw)
	if err != nil || full.Resource == "" {
		return 0, JID{}, nil, fmt.Errorf("bind: invalid resource %q", resource)
	}
	key := raw
	if !full.Is(raw) {
		key = full.String()
	}
	if old, ok := s.full[key]; ok {
		// kick_old (§2.2).
		se := etree.NewElement("stream:error")
		newNS(se, "conflict", nsStreams)
		t := newNS(se, "text", nsStreams)
		t.SetText("Replaced by new connection")
		reason := "Replaced by new connection"
		if s.prof.ErrorStyle == ErrorStyleEjabberd {
			// ejabberd: the text has xml:lang; the old session's
			// unavailable has no <status>.
			t.CreateAttr("xml:lang", s.lang)
			reason = ""
		}
		s.emit(Event{Kind: StreamError, Session: old.id, To: old.jid}, se)
		s.destroy(old, reason)
	}
	id := s.newSessionID()
	u := s.account(full.Node)
	sess := &session{id: id, user: u, jid: full, fullStr: key, bound: true}
	s.sessions[sess.id] = sess
	s.full[key] = sess
	u.sessions = append(u.sessions, sess)
	s.fireLifecycle(nil, s.pipe.bind, func(e *HookEvent) { e.sess = sess })
	return sess.id, full, s.flush(), nil
}

// SessionJID returns the full JID bound by session id, if it is bound.
func (s *Server) SessionJID(id SessionID) (JID, bool) {
	if sess, ok := s.sessions[id]; ok {
		return sess.jid, true
	}
	return JID{}, false
}

// Close destroys session id: clean (the client closed its stream: no
// error text) or abrupt (the transport dropped: the profile's error text).
func (s *Server) Close(id SessionID, abrupt bool) []Event {
	sess, ok := s.sessions[id]
	if !ok {
		return nil
	}
	reason := ""
	if abrupt {
		reason = s.prof.AbruptCloseReason
	}
	s.destroy(sess, reason)
	return s.flush()
}

// destroy removes the session from the tables, then fires resource-unbind
// (§2.7, §3.8). reason is the close error text ("" for none).
func (s *Server) destroy(sess *session, reason string) {
	sess.bound = false
	delete(s.sessions, sess.id)
	delete(s.full, sess.fullStr)
	u := sess.user
	for i, o := range u.sessions {
		if o == sess {
			u.sessions = append(u.sessions[:i:i], u.sessions[i+1:]...)
			break
		}
	}
	s.out = append(s.out, Event{Kind: Closed, Session: sess.id, To: sess.jid, Reason: reason})
	s.fireLifecycle(nil, s.pipe.unbind, func(e *HookEvent) { e.sess, e.reason = sess, reason })
}

// Process handles one stanza that the client of session id wrote to its
// stream. The server takes ownership of st.
func (s *Server) Process(id SessionID, st *etree.Element) []Event {
	sess, ok := s.sessions[id]
	if !ok {
		s.emit(Event{Kind: Drop, Reason: "no-session"}, st)
		return s.flush()
	}
	// The stream parser stamps the stream's xml:lang on every stanza that
	// has none (§0.3).
	if st.SelectAttr("xml:lang") == nil {
		st.CreateAttr("xml:lang", s.lang)
	}
	s.acting = sess
	s.processStanza(sess, st)
	s.acting = nil
	return s.flush()
}

// ProcessValue is Process of the element v holds, built by the server
// (from its own slabs: see stanza.Thawer) for a client that holds its
// stanzas as values (the simulation's script runner and property
// engine): the caller keeps v, which no call changes. The zero Stanza is
// no stanza: nothing happens (no events).
func (s *Server) ProcessValue(id SessionID, v stanza.Stanza) []Event {
	if v.IsZero() {
		return nil
	}
	return s.Process(id, s.thaw.Element(v))
}

// deliver writes a copy of st to sess's stream.
func (s *Server) deliver(sess *session, st *etree.Element, reason string) {
	if sess == nil || !sess.bound {
		s.emitShared(Event{Kind: Drop, Reason: "session-closed"}, st)
		return
	}
	if sess == s.acting && !s.direct && reason != reasonAsIs && s.prof.ListAppliedAtDelivery {
		s.deliverLater(sess, st, reason)
		return
	}
	if reason != reasonAsIs {
		st = s.shapeForSession(sess, st)
	}
	s.emitShared(Event{Kind: Deliver, Session: sess.id, To: sess.jid, Reason: reason}, st)
}

// drop records a discarded stanza.
func (s *Server) drop(st *etree.Element, reason string) {
	s.emitShared(Event{Kind: Drop, Reason: reason}, st)
}

// emit appends ev with its stanza st, which the caller hands over: as
// the element itself, or in values mode (Options.Values) as a value.
func (s *Server) emit(ev Event, st *etree.Element) {
	if st != nil {
		if s.values {
			ev.Value = s.arena.FromShared(st, &s.memo)
		} else {
			ev.Stanza = st
		}
	}
	s.out = append(s.out, ev)
}

// emitShared appends ev with a stanza the server keeps (and may change
// at the root later in the call: 'to' of a broadcast): a root of its own
// whose descendants are shared (share), or in values mode a value whose
// root is built now and whose children are built once per call (memo).
func (s *Server) emitShared(ev Event, st *etree.Element) {
	if s.values {
		ev.Value = s.arena.FromShared(st, &s.memo)
	} else {
		ev.Stanza = s.share(st)
	}
	s.out = append(s.out, ev)
}

// sortedKeys is slices.Sorted(maps.Keys(m)) with the slice sized up
// front: it runs on routing paths, where the growing append of
// slices.Sorted cost ~4% more allocations per replay.
func sortedKeys[V any](m map[string]V) []string {
	keys := slices.AppendSeq(make([]string, 0, len(m)), maps.Keys(m))
	slices.Sort(keys)
	return keys
}
