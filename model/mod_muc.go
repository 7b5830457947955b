package model

// mod_muc, so far, is its service's disco on a component: the conference
// identity and the features 13.0.1 lists for conference.localhost under
// the upstream test configuration (asked over the wire), which enables
// muc_mam there — hence urn:xmpp:mam:2. There are no rooms yet (the MUC
// issue): a stanza to a room is unhandled (service-unavailable), where
// Prosody would answer as the room or with item-not-found.
// MUCOptions are mod_muc's options.
type MUCOptions struct {
	// MUCNoVCard: the service lists no vcard-temp feature (0.12.3, asked
	// over the wire; 13.0.1 lists it).
	MUCNoVCard bool
}

var _ = register(&builtin{name: "muc", load: func(s *Server, m *ModuleAPI) {
	if !m.IsComponent() {
		return // Prosody loads it as a component's module only
	}
	m.AddIdentity("conference", "text", "Prosody Chatrooms")
	if !s.prof.MUCNoVCard {
		m.AddFeature("vcard-temp")
	}
	for _, f := range []string{
		"http://jabber.org/protocol/commands", "urn:xmpp:mam:2",
		"http://jabber.org/protocol/muc#unique", "urn:xmpp:occupant-id:0",
		"http://jabber.org/protocol/muc",
	} {
		m.AddFeature(f)
	}
}})
