package model

// mod_ping answers XEP-0199 pings to the host and, on a user's behalf, to
// an account (§6.2, §8).
var _ = register(&builtin{name: "ping", load: func(s *Server, m *ModuleAPI) {
	m.AddFeature(nsPing)
	m.hookIQ(iqEvent("get", "host", nsPing, "ping"), 0, func(e *HookEvent) bool {
		e.send(reply(e.stanza), "result")
		return true
	})
	m.hookIQ(iqEvent("get", "bare", nsPing, "ping"), 0, func(e *HookEvent) bool {
		if e.s.bareTarget(e) == nil {
			return false
		}
		e.send(reply(e.stanza), "result")
		return true
	})
}})
