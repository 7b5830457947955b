package model

// mucMutants are mod_muc's wrong behaviours, each breaking one XEP-0045
// rule the room invariants check (properties/inv_muc.go).
var mucMutants = []mutantDef{
	{name: "muc-self-presence-first", summary: "a joining occupant gets its own presence before the other occupants' (XEP-0045 §7.2.3)",
		apply: func(m *modules) { m.muc.occupantListFirst = false }},
	{name: "muc-no-status-110", summary: "an occupant's own presence lacks status 110 (XEP-0045 §7.2.3)",
		apply: func(m *modules) { m.muc.statusSelf = false }},
	{name: "muc-outcast-joins", summary: "an outcast may join the room (XEP-0045 §7.2.7, §9.1)",
		apply: func(m *modules) { m.muc.refuseOutcast = false }},
	{name: "muc-leaks-real-jids", summary: "a semi-anonymous room shows real JIDs to every occupant (XEP-0045 §7.2.4)",
		apply: func(m *modules) { m.muc.hideRealJIDs = false }},
	{name: "muc-voice-request-to-all", summary: "a visitor's voice request goes to every occupant, not the moderators only (XEP-0045 §7.13)",
		apply: func(m *modules) { m.muc.voiceToModerators = false }},
}
