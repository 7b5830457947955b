package model

// mod_message delivers messages to accounts (§5): to a full JID's
// session, or by mod_message's rules for a bare JID — top resources, or
// the offline store through message/offline/handle. It runs last on
// message/bare and /full (-1), after mod_blocklist (100), mod_mam's strip
// (1) and mod_carbons (-0.5).
var _ = register(&builtin{
	name: "message",
	load: func(s *Server, m *ModuleAPI) {
		m.Hook("message/bare", -1, inboundMessage)
		m.Hook("message/full", -1, inboundMessage)
		s.hooks.refTo(&s.mods.message.offline, eventOfflineHandle)
	},
	mutants: []mutantDef{
		{name: "priority-tie-one-resource", summary: "a message to a bare JID reaches only one of several top-priority resources",
			apply: func(m *modules) { m.message.chooseTop = func(top []*session) []*session { return top[:1] } }},
		{name: "negative-priority-gets-bare", summary: "a resource with negative priority counts as priority 0 for bare-JID messages",
			apply: func(m *modules) {
				m.message.top = func(s *Server, u *user) []*session { return topResources(u, true) }
			}},
	},
})

// messageMod holds mod_message's replaceable strategies.
type messageMod struct {
	// top selects an account's top resources (§2.6); mod_carbons asks too.
	top func(s *Server, u *user) []*session
	// chooseTop picks the recipients of a bare-JID message among them.
	chooseTop func(top []*session) []*session
	offline   chainRef // message/offline/handle
}

func (m *messageMod) init() {
	m.top = func(s *Server, u *user) []*session { return topResources(u, false) }
	m.chooseTop = func(top []*session) []*session { return top }
}

// inboundMessage is mod_message's message/bare and message/full handler.
func inboundMessage(e *HookEvent) bool {
	s := e.s
	o, st, k := e.origin, e.stanza, e.kind
	to, hasTo := attr(st, "to")
	if s.prof.BlockedBouncePerSession && o.sess != nil && (!hasTo || bareOf(to) == o.sess.user.bareStr) && isChatLike(st) && s.isBlocked(o.sess.user, o.sess.fullStr) {
		// ejabberd applies the user's list to the user's own messages
		// too (SelfBlockable, E4), which the blocklist's hooks leave
		// to routing
		s.bouncePerSession(e, st)
		return true
	}
	if s.prof.BlockedBouncePerSession && o.sess != nil && (!hasTo || to == o.sess.user.bareStr) && attrOr(st, "type") == "headline" &&
		s.isBlocked(o.sess.user, o.sess.fullStr) {
		// likewise a headline to the own bare JID: each session that
		// takes it drops it silently; with no resource to take it,
		// ejabberd_sm refuses it (see bounceMessage)
		r := st
		if !hasTo {
			r = st.Copy()
			r.CreateAttr("to", o.sess.user.bareStr) // recorded as addressed to the user
		}
		s.drop(r, "blocked-inbound")
		if s.noTopResource(e, st) {
			e.send(s.errorAt(errSiteBlockedIn, st, "cancel", "service-unavailable", "", nil), "error")
		}
		return true
	}
	if k == kindFull {
		if target := s.sessionOf(to); target != nil {
			s.deliver(target, st, "")
			return true
		}
	}
	bare := ""
	switch {
	case hasTo:
		bare = bareOf(to)
	case o.sess != nil:
		bare = o.sess.user.bareStr
	default:
		s.drop(st, "no-recipient")
		return true
	}
	s.messageToBare(e, bare)
	return true
}

// messageToBare is mod_message's process_to_bare (§5.3).
func (s *Server) messageToBare(e *HookEvent, bare string) {
	st := e.stanza
	u := s.onlineUser(bare)
	switch t := attrOr(st, "type"); t {
	case "error":
		s.drop(st, "error-to-bare")
	case "groupchat":
		e.send(s.errorAt(errSiteGroupchatToBar, st, "cancel", "service-unavailable", "", nil), "error")
	case "headline":
		to, hasTo := attr(st, "to")
		if !hasTo && s.prof.DeliverToSessionJID && e.origin.sess != nil {
			// ejabberd keeps the 'to' of a message to the user's own
			// bare JID and routes it as any headline to a bare JID
			st.CreateAttr("to", bare)
			to, hasTo = bare, true
		}
		n := 0
		if u != nil && hasTo && to == bare {
			for _, sess := range u.sessions {
				if sess.presence != nil && sess.hasPrio && sess.priority >= 0 {
					s.deliver(sess, st, "")
					n++
				}
			}
		}
		if n == 0 {
			s.drop(st, "headline-no-recipient")
		}
	default: // chat, normal, none
		if u != nil {
			if top := s.mods.message.top(s, u); len(top) > 0 {
				for _, sess := range s.mods.message.chooseTop(top) {
					s.deliver(sess, st, "")
				}
				return
			}
		}
		// message/offline/handle: mod_offline stores it (§5.5) — if the
		// account exists (user_exists): a deleted one that has not
		// registered again (Profile.RegisteredAccounts) gets the error
		// (asked over the wire: 0.12.3 with real accounts, check
		// --server --register, seed 7).
		if e.user = s.localUser(mustJID(bare)); e.user == nil || e.user.missing() || !fire(s.mods.message.offline.handlers(), e) {
			e.send(s.errorAt(errSiteNoSession, st, "cancel", "service-unavailable", "", nil), "error")
		}
	}
}

// topResources implements util/presence's top resources (§2.6): available
// sessions with the highest priority, if that priority is at least 0.
// negativeAsZero is the mutant negative-priority-gets-bare.
func topResources(u *user, negativeAsZero bool) []*session {
	var top []*session
	best := 0
	for _, sess := range u.sessions {
		if sess.presence == nil || !sess.hasPrio {
			continue
		}
		p := sess.priority
		if negativeAsZero && p < 0 {
			p = 0
		}
		switch {
		case p > best:
			best, top = p, []*session{sess}
		case p == best:
			top = append(top, sess)
		}
	}
	return top
}
