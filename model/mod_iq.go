package model

// mod_iq routes iq stanzas (§6): an iq to a full JID goes to that session;
// a get or set to the host, to an account, or to oneself fires the payload
// event "iq-<type>/<host|bare|self>/<namespace>:<name>", whose handlers
// the service modules register.
var _ = register(&builtin{name: "iq", load: func(s *Server, m *ModuleAPI) {
	m.Hook("iq/full", 0, iqToFull)
	m.Hook("iq/host", 0, func(e *HookEvent) bool { return e.s.fireIQ(e, kindHost) })
	m.Hook("iq/bare", 0, func(e *HookEvent) bool { return e.s.fireIQ(e, kindBare) })
	m.Hook("iq/self", 0, func(e *HookEvent) bool {
		return e.origin.sess != nil && e.s.fireIQ(e, kindSelf)
	})
}})

// iqToFull is iq/full (§6.1).
func iqToFull(e *HookEvent) bool {
	s := e.s
	st := e.stanza
	t := attrOr(st, "type")
	if sess := s.sessionOf(attrOr(st, "to")); sess != nil {
		s.deliver(sess, st, "")
	} else if t == "get" || t == "set" {
		e.send(s.errorAt(errSiteNoSession, st, "cancel", "service-unavailable", "", nil), "error")
	} else {
		s.drop(st, "no-session")
	}
	return true
}

// bareTarget is the account an iq/bare service answers for (§6.2): the
// sender itself for a self-addressed iq (nil when the host posted it),
// else the addressed local account.
func (s *Server) bareTarget(e *HookEvent) *user {
	if e.toSelf {
		if e.origin.sess == nil {
			return nil
		}
		return e.origin.sess.user
	}
	return s.localUser(mustJID(attrOr(e.stanza, "to")))
}

// mayQueryAccount: the requester is the account itself or a contact
// subscribed to its presence (§6.2: disco and last activity).
func (s *Server) mayQueryAccount(e *HookEvent, target *user) bool {
	requester := bareOf(attrOr(e.stanza, "from"))
	return e.toSelf || requester == target.bareStr || s.isContactSubscribed(target, requester)
}
