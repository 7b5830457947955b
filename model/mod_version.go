package model

// VersionOptions are mod_version's options.
type VersionOptions struct {
	// Version is the string mod_version reports.
	Version string
	// ServerName is the <name> it reports; "" is "Prosody".
	ServerName string
}

// mod_version answers jabber:iq:version to the host (§8).
var _ = register(&builtin{name: "version", load: func(s *Server, m *ModuleAPI) {
	m.AddFeature(nsVersion)
	m.hookIQ(iqEvent("get", "host", nsVersion, "query"), 0, func(e *HookEvent) bool {
		r := reply(e.stanza)
		rq := newNS(r, "query", nsVersion)
		name := e.s.prof.ServerName
		if name == "" {
			name = "Prosody"
		}
		rq.CreateElement("name").SetText(name)
		rq.CreateElement("version").SetText(e.s.prof.Version)
		e.send(r, "result")
		return true
	})
}})
