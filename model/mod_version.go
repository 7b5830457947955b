package model

// VersionOptions are mod_version's options.
type VersionOptions struct {
	// Version is the string mod_version reports.
	Version string
}

// mod_version answers jabber:iq:version to the host (§8).
var _ = register(&builtin{name: "version", load: func(s *Server, m *ModuleAPI) {
	m.AddFeature(nsVersion)
	m.hookIQ(iqEvent("get", "host", nsVersion, "query"), 0, func(e *HookEvent) bool {
		r := reply(e.stanza)
		rq := newNS(r, "query", nsVersion)
		rq.CreateElement("name").SetText("Prosody")
		rq.CreateElement("version").SetText(e.s.prof.Version)
		e.send(r, "result")
		return true
	})
}})
