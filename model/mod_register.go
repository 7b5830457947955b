package model

// mod_register, so far, is what it advertises: jabber:iq:register on the
// host's disco#info (13.0.1 lists it under the upstream configuration,
// where allow_registration is false). Password change and account
// removal (XEP-0077 §3.2, §3.3) and tombstones are not modelled yet: an
// iq:register query is unhandled (service-unavailable).
var _ = register(&builtin{name: "register", load: func(s *Server, m *ModuleAPI) {
	m.AddFeature("jabber:iq:register")
}})
