package model

import "github.com/beevik/etree"

const nsRegister = "jabber:iq:register"

// mod_register, as 13.0.1 serves a logged-in client (its
// mod_user_account_management; in-band registration itself needs an
// unauthenticated stream, which no script has): jabber:iq:register on
// the host's disco#info, and the account's own queries (XEP-0077 §3.2,
// §3.3), to the account (iq/self) or, with registration_compat (the
// default), to the host.
//
//   - A get answers <registered/>, the username and an empty <password/>.
//   - A set with <remove/> deletes the account (deleteAccount): the
//     result goes to the session just before its stream is closed.
//   - A set with username and password changes the password when the
//     username is the account's own; under the upstream configuration
//     (authentication "insecure", which keeps no account record) the
//     change fails: internal-server-error, type wait. Another username,
//     or a missing field, is bad-request.
//
// Only the prosody-13 profile loads it (13.0.1 lists it, where
// allow_registration is false); the other profiles leave iq:register
// unhandled (service-unavailable).
var _ = register(&builtin{
	name: "register",
	load: func(s *Server, m *ModuleAPI) {
		m.AddFeature(nsRegister)
		for _, typ := range []string{"get", "set"} {
			m.hookIQ(iqEvent(typ, "self", nsRegister, "query"), 0, registerQuery)
			m.hookIQ(iqEvent(typ, "host", nsRegister, "query"), 0, registerQuery)
		}
		// Prosody's user-deleted handlers, in their priorities: mod_roster
		// (300) unsubscribes the contacts, mod_c2s (200) closes the
		// sessions; mod_tombstones, mod_blocklist's cache and the others
		// follow (0), then the storage is purged.
		// With registered accounts (Profile.RegisteredAccounts) the
		// account stops existing when it is deleted (usermanager's
		// delete_user removes it before user-deleted fires; user_exists
		// still says yes while it has sessions), until its name
		// registers again, which the model stands at the next login.
		m.Hook(EventAccountDeleted, 1000, func(e *HookEvent) bool {
			e.user.unregistered = e.s.prof.RegisteredAccounts
			return false
		})
		m.Hook(EventResourceBind, 0, func(e *HookEvent) bool {
			e.sess.user.unregistered = false
			return false
		})
		m.Hook(EventAccountDeleted, 300, unsubscribeDeletedContacts)
		m.Hook(EventAccountDeleted, 200, closeDeletedSessions)
		s.hooks.refTo(&s.mods.register.deleted, EventAccountDeleted)
	},
	mutants: registerMutants,
})

// missing reports whether the account does not exist for usermanager's
// user_exists: deleted, not registered again (unregistered), and without
// a session (user_exists says yes while the host has sessions for it).
func (u *user) missing() bool { return u.unregistered && len(u.sessions) == 0 }

// registerMod holds mod_register's replaceable strategy and the chain
// of the event it fires.
type registerMod struct {
	// purge erases a deleted account's persistent state (Prosody's
	// storagemanager.purge, after user-deleted).
	purge   func(s *Server, u *user)
	deleted chainRef // account-deleted
}

func (m *registerMod) init() { m.purge = purgeAccount }

// purgeAccount is storagemanager.purge for u. Under
// RosterCacheSurvivesDeletion (D11), a roster that Prosody's
// rostermanager holds in its per-host roster_cache (one loaded while the
// account had no session: rosterCached) is not storage and survives:
// the cache entry keeps the roster object, items and stored requests
// included, and the account created again under the name loads it from
// there (core/rostermanager.lua load_roster: a cache hit before storage)
// — so a request stored before the removal is re-sent at the new
// account's initial presence. Asked over the wire: 13.0.1 and 0.12.3
// both (check --server, testdata/prosody-13/stale_roster_cache.scs). A
// stale cache like the blocklist's that Prosody fixed in 3c9b6a4a8.
func purgeAccount(s *Server, u *user) {
	cached := u.rosterAccount
	u.accountState = newAccountState()
	if cached.rosterCached && s.prof.RosterCacheSurvivesDeletion {
		u.rosterAccount = cached
	}
	s.touch(u)
}

// registerMutants are mod_register's mutants. The property engine
// catches them under the prosody-13 profile, whose module actions draw
// account removal (properties: i5Remove, sc54).
var registerMutants = []mutantDef{
	// Prosody bug 3c9b6a4a8: mod_blocklist's cache outlived a deleted
	// account, so the account created again under the same name
	// inherited the old blocklist.
	{name: "stale-blocklist-after-delete", ref: "Prosody 3c9b6a4a8", module: "register",
		summary: "an account deleted and created again keeps the old account's blocklist",
		apply: func(m *modules) {
			m.register.purge = func(s *Server, u *user) {
				old := u.blocklist
				purgeAccount(s, u)
				u.blocklist = old
				s.touch(u)
			}
		}},
}

func registerQuery(e *HookEvent) bool {
	s, st, q := e.s, e.stanza, e.query
	sess := e.origin.sess
	if sess == nil {
		return false // not from a client: unhandled
	}
	u := sess.user
	if attrOr(st, "type") == "get" {
		r := reply(st)
		rq := newNS(r, "query", nsRegister)
		rq.CreateElement("registered")
		rq.CreateElement("username").SetText(u.node)
		rq.CreateElement("password")
		e.send(r, "result")
		return true
	}
	if first := childElements(q); len(first) > 0 && first[0].Tag == "remove" {
		s.deleteAccount(e, u, reply(st))
		return true
	}
	name, okName := childText(q, "username", nsRegister)
	_, okPass := childText(q, "password", nsRegister)
	if !okName || !okPass {
		e.send(errorReply(st, "modify", "bad-request", "", nil), "error")
		return true
	}
	if j, err := ParseJID(name + "@" + s.host); err != nil || j.Node != u.node {
		e.send(errorReply(st, "modify", "bad-request", "", nil), "error")
		return true
	}
	// usermanager.set_password: the insecure provider has no account
	// record to change.
	e.send(errorReply(st, "wait", "internal-server-error", "", nil), "error")
	return true
}

// deleteAccount is usermanager.delete_user for u, asked by the session
// of e, whose reply res is sent just before that session is closed:
// account-deleted fires (the contacts are unsubscribed, every session is
// closed, modules drop their state), then the account's persistent state
// is purged. The account exists again at once, empty (every account
// exists: §0.2).
func (s *Server) deleteAccount(e *HookEvent, u *user, res *etree.Element) {
	s.fireLifecycle(e, s.mods.register.deleted.handlers(), func(d *HookEvent) {
		d.user, d.sess, d.stanza = u, e.origin.sess, res
	})
	s.mods.register.purge(s, u)
}

// unsubscribeDeletedContacts is mod_roster's user-deleted handler: a
// roster-item-removed for every contact and pending request, handled as
// mod_presence does (§4.7), with the host as origin and the bare JID as
// sender. The account's own roster is left to the purge, so the
// sessions' unavailable presence still reaches the contacts.
func unsubscribeDeletedContacts(e *HookEvent) bool {
	s, u := e.s, e.user
	for _, jid := range sortedKeys(u.roster) {
		it := u.roster[jid]
		if it.subscribedFrom() || u.hasPending(jid) {
			s.post(e, false, hostOrigin, newStanza("presence", "type", "unsubscribed", "from", u.bareStr, "to", jid), false)
		}
		if it.subscribedTo() || it.ask {
			s.sendPresenceOfAvailable(e, u, jid, newStanza("presence", "type", "unavailable"))
			s.post(e, false, hostOrigin, newStanza("presence", "type", "unsubscribe", "from", u.bareStr, "to", jid), false)
		}
	}
	for _, jid := range sortedKeys(u.pending) {
		if u.roster[jid] == nil {
			s.post(e, false, hostOrigin, newStanza("presence", "type", "unsubscribed", "from", u.bareStr, "to", jid), false)
		}
	}
	return false
}

// closeDeletedSessions is mod_c2s's user-deleted handler: every session
// of the account, in bind order, gets the stream error not-authorized
// "Account deleted" and is closed (its unavailable presence carries the
// text). The asking session gets the iq result first (mod_register wraps
// its close to send it).
func closeDeletedSessions(e *HookEvent) bool {
	s := e.s
	for _, sess := range append([]*session(nil), e.user.sessions...) {
		if sess == e.sess && e.stanza != nil {
			s.deliver(sess, e.stanza, "result")
		}
		se := etree.NewElement("stream:error")
		newNS(se, "not-authorized", nsStreams)
		newNS(se, "text", nsStreams).SetText("Account deleted")
		s.emit(Event{Kind: StreamError, Session: sess.id, To: sess.jid}, se)
		s.destroy(sess, "Account deleted")
	}
	return false
}
