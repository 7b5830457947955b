package model

// mod_vcard_legacy: available presence from a user gets the vcard-temp
// photo hint (§0.6) before mod_presence sees it (priority 1), and the
// module advertises vcard-temp on the host and vCard4 conversion on
// accounts (§8.1).
var _ = register(&builtin{
	name: "vcard_legacy",
	load: func(s *Server, m *ModuleAPI) {
		m.AddFeature("vcard-temp")
		if s.mods.vcard.hint != nil {
			for k := kindBare; k <= kindHost; k++ {
				m.Hook(preNames[tagPresence][k], 1, s.mods.vcard.hint)
			}
		}
		m.Hook(EventAccountDiscoInfo, 0, func(e *HookEvent) bool {
			e.AddFeature("urn:ietf:params:xml:ns:vcard-4.0")
			e.AddFeature("urn:xmpp:pep-vcard-conversion:0")
			return false
		})
	},
	mutants: []mutantDef{
		{name: "no-vcard-hint", summary: "available presence goes out without the vcard-temp:x:update photo hint",
			apply: func(m *modules) { m.vcard.hint = nil }},
	},
})

// vcardMod holds the hint handler (nil: removed).
type vcardMod struct{ hint Handler }

func (m *vcardMod) init() { m.hint = injectVCardHint }

// injectVCardHint adds <x xmlns='vcard-temp:x:update'><photo/></x> to
// available presence from a user (§0.6).
func injectVCardHint(e *HookEvent) bool {
	st := e.stanza
	if e.origin.sess == nil || selectAttr(st, "type") != nil {
		return false
	}
	x := child(st, "x", nsVCardHint)
	if x == nil {
		x = newNS(st, "x", nsVCardHint)
	}
	if child(x, "photo", nsVCardHint) == nil {
		x.CreateElement("photo")
	}
	return false
}
