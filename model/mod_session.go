package model

// mod_session answers the legacy RFC 3921 session establishment with an
// empty result, to the host or to oneself (§6).
var _ = register(&builtin{name: "session", load: func(s *Server, m *ModuleAPI) {
	ok := func(e *HookEvent) bool {
		e.send(reply(e.stanza), "result")
		return true
	}
	m.hookIQ(iqEvent("set", "host", nsSession, "session"), 0, ok)
	m.hookIQ(iqEvent("set", "self", nsSession, "session"), 0, ok)
}})
