package model

import (
	"sort"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// mod_roster is the roster protocol (§4.2): roster get and set, and roster
// pushes to the sessions that fetched the roster. The roster store and the
// subscription transitions are in roster.go.
var _ = register(&builtin{
	name: "roster",
	load: func(s *Server, m *ModuleAPI) {
		m.AddFeature(nsRoster)
		m.hookIQ(iqEvent("get", "self", nsRoster, "query"), 0, rosterIQ)
		m.hookIQ(iqEvent("set", "self", nsRoster, "query"), 0, rosterIQ)
		// Before mod_presence's unbind (0): the account's stored
		// requests turn bare when its last session ends.
		m.Hook(EventResourceUnbind, 10, func(e *HookEvent) bool {
			if u := e.sess.user; len(u.sessions) == 0 && !u.rosterCached {
				u.revertPending()
			}
			return false
		})
		m.Hook(eventAccountSave, 3, saveRoster)
		m.Hook(eventAccountLoad, 3, loadRoster)
		s.hooks.refTo(&s.mods.roster.removed, EventRosterItemRemoved)
		s.hooks.refTo(&s.mods.roster.changed, EventRosterItemChanged)
	},
	mutants: []mutantDef{
		{name: "roster-push-to-all", summary: "roster pushes and subscription notices go to sessions that never fetched the roster",
			apply: func(m *modules) { m.roster.interested = func(*session) bool { return true } }},
		{name: "subscribed-to-pi-gives-from", summary: "approving a pending request from To+PI yields From instead of Both",
			apply: func(m *modules) {
				m.roster.approvePending = func(it *rosterItem) {
					if it.sub == "none" || it.sub == "to" {
						it.sub = "from"
					} else {
						it.sub = "both"
					}
				}
			}},
		{name: "stored-subscribe-loses-extensions", ref: "Openfire OF-2244", summary: "a stored subscription request keeps only its sender, not its extensions",
			apply: func(m *modules) { m.roster.storeRequest = func(*etree.Element) *etree.Element { return nil } }},
	},
})

// rosterSession is mod_roster's per-session state.
type rosterSession struct {
	// interested: the session fetched its roster and gets pushes
	// (sessionmanager's send_to_interested_resources).
	interested bool
}

// rosterMod holds the roster's replaceable strategies.
type rosterMod struct {
	// interested selects the sessions that get roster pushes and
	// subscription notices.
	interested func(sess *session) bool
	// approvePending is the outbound subscribed transition for a
	// contact with a pending request (§4.4 case a).
	approvePending func(it *rosterItem)
	// storeRequest is what the store keeps of an inbound subscribe: the
	// whole stanza (§4.1), so its extensions come back at login.
	storeRequest func(st *etree.Element) *etree.Element

	removed, changed chainRef // the roster events mod_roster fires
}

func (m *rosterMod) init() {
	m.interested = func(sess *session) bool { return sess.interested }
	m.approvePending = func(it *rosterItem) {
		if it.sub == "none" {
			it.sub = "from"
		} else {
			it.sub = "both"
		}
	}
	m.storeRequest = func(st *etree.Element) *etree.Element { return st.Copy() }
}

// rosterPush sends the item as it is now to u's interested sessions (§4.2).
// Only an online user gets pushes; a missing item reads subscription='remove'.
//
// It first fires roster-item-changed.
func (s *Server) rosterPush(e *HookEvent, u *user, jid string) {
	s.fireLifecycle(e, s.mods.roster.changed.handlers(), func(c *HookEvent) { c.user, c.contact = u, jid })
	if !u.online() {
		return
	}
	var targets []*session
	for _, sess := range u.sessions {
		if s.mods.roster.interested(sess) || s.prof.RosterPushToAll {
			targets = append(targets, sess)
		}
	}
	if len(targets) == 0 {
		return
	}
	push := newStanza("iq", "type", "set", "id", s.randomID())
	q := newNS(push, "query", nsRoster)
	q.CreateAttr("ver", s.rosterVersionString(u))
	q.AddChild(itemElement(jid, u.roster[jid]))
	for _, sess := range targets {
		s.deliver(sess, push, "push")
	}
}

func itemElement(jid string, it *rosterItem) *etree.Element {
	el := etree.NewElement("item")
	el.CreateAttr("jid", jid)
	if it == nil {
		el.CreateAttr("subscription", "remove")
		return el
	}
	el.CreateAttr("subscription", it.sub)
	if it.ask {
		el.CreateAttr("ask", "subscribe")
	}
	if it.name != "" {
		el.CreateAttr("name", it.name)
	}
	groups := make([]string, 0, len(it.groups))
	for g := range it.groups {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		el.CreateElement("group").SetText(g)
	}
	return el
}

// rosterIQ is mod_roster's iq/self/jabber:iq:roster:query handler (§4.2).
func rosterIQ(e *HookEvent) bool {
	s := e.s
	sess, st, q := e.origin.sess, e.stanza, e.query
	u := sess.user
	if attrOr(st, "type") == "get" {
		r := reply(st)
		if s.prof.RosterVerOnlyIfAsked {
			// ejabberd: the roster, with ver only when asked with one; an
			// empty result when the asked ver is the current one.
			cv, asked := attr(q, "ver")
			if cur := s.rosterVersionString(u); !asked || cv != cur {
				rq := newNS(r, "query", nsRoster)
				for _, jid := range u.rosterJIDs() {
					if it := u.roster[jid]; s.prof.RosterPushOnPendingIn && it.sub == "none" && !it.ask && u.hasPending(jid) {
						// ejabberd never shows an item that is only
						// "none + pending in", even one the user set
						// (mod_roster's get skips it; finding E13)
						continue
					}
					rq.AddChild(itemElement(jid, u.roster[jid]))
				}
				if asked {
					rq.CreateAttr("ver", cur)
				}
			}
			s.deliver(sess, r, "result")
			sess.interested = true
			return true
		}
		if cv, ok := attr(q, "ver"); !ok || !numericEqual(cv, u.reportedVersion()) {
			rq := newNS(r, "query", nsRoster)
			for _, jid := range u.rosterJIDs() {
				rq.AddChild(itemElement(jid, u.roster[jid]))
			}
			rq.CreateAttr("ver", strconv.Itoa(u.reportedVersion()))
		}
		s.deliver(sess, r, "result")
		sess.interested = true
		return true
	}
	items := childElements(q)
	if len(items) != 1 || items[0].Tag != "item" || ns(items[0]) != nsRoster || selectAttr(items[0], "jid") == nil {
		s.deliver(sess, errorReply(st, "modify", "bad-request", "", nil), "error")
		return true
	}
	item := items[0]
	j, err := ParseJID(attrOr(item, "jid"))
	if err != nil || j.Resource != "" {
		s.deliver(sess, errorReply(st, "modify", "bad-request", "", nil), "error")
		return true
	}
	jid := j.String()
	if jid == u.bareStr && !s.prof.RosterSelfItemAllowed {
		s.deliver(sess, errorReply(st, "cancel", "not-allowed", "", nil), "error")
		return true
	}
	if attrOr(item, "subscription") == "remove" {
		old := u.roster[jid]
		if s.prof.RemovalPresenceByItem && u.hasPending(jid) {
			// ejabberd keeps a stored request on the item, and the
			// removal deletes it with the item, silently
			delete(u.pending, jid)
			s.save(u)
		}
		if old == nil && s.prof.RosterRemoveMissingPushes {
			// ejabberd: removing an item that is not there succeeds,
			// and the removal is pushed.
			s.rosterSetDone(e, u, jid)
			return true
		}
		if old == nil {
			s.deliver(sess, errorReply(st, "modify", "item-not-found", "", nil), "error")
			return true
		}
		s.fireLifecycle(e, s.mods.roster.removed.handlers(), func(r *HookEvent) { r.sess, r.contact, r.item = sess, jid, old })
		delete(u.roster, jid)
		u.rosterKeys = nil
		s.save(u)
		s.rosterSetDone(e, u, jid)
		return true
	}
	nit := &rosterItem{sub: "none", name: attrOr(item, "name"), groups: map[string]bool{}}
	if old := u.roster[jid]; old != nil {
		nit.sub, nit.ask = old.sub, old.ask
	}
	for _, g := range childElements(item) {
		if g.Tag == "group" && ns(g) == nsRoster {
			// An empty <group/> is kept as the group "": mod_roster's
			// get_text() returns "", which Lua treats as true. Verified
			// on Prosody 0.12.3 (the behaviour doc's §4.2 says otherwise).
			nit.groups[g.Text()] = true
		}
	}
	u.roster[jid] = nit
	u.rosterKeys = nil
	s.save(u)
	s.rosterSetDone(e, u, jid)
	return true
}

// rosterSetDone answers a successful roster set and pushes the item: the
// result first (Prosody), or the push first (RosterPushBeforeResult).
func (s *Server) rosterSetDone(e *HookEvent, u *user, jid string) {
	sess, st := e.origin.sess, e.stanza
	if s.prof.RosterPushBeforeResult {
		s.rosterPush(e, u, jid)
		s.deliver(sess, reply(st), "result")
		return
	}
	s.deliver(sess, reply(st), "result")
	s.rosterPush(e, u, jid)
}

// numericEqual mirrors tonumber(client_ver) == server_ver.
func numericEqual(s string, n int) bool {
	v, err := strconv.Atoi(strings.TrimPrefix(s, "+"))
	return err == nil && v == n
}

// RosterVersion returns the version clients are told (§4.1).
func (s *Server) RosterVersion(userJID string) int {
	if u := s.accountByJID(userJID); u != nil {
		return u.reportedVersion()
	}
	return 1
}
