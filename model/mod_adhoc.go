package model

// mod_adhoc is only its host feature: ad-hoc commands are advertised (as
// Prosody does) but not answered (docs/findings.md).
var _ = register(&builtin{name: "adhoc", load: func(s *Server, m *ModuleAPI) {
	m.AddFeature("http://jabber.org/protocol/commands")
}})
