package model

import "slices"

// mod_vcard_legacy: available presence from a user gets the vcard-temp
// photo hint (§0.6) before mod_presence sees it (priority 1), and the
// module advertises vcard-temp on the host and vCard4 conversion on
// accounts (§8.1). When the vcard4 module is loaded too (the prosody-13
// profile), it answers vcard-temp (XEP-0054) by converting to and from
// the account's vCard4 PEP node, as Prosody's does (vcard_convert.go);
// without it (the other profiles) vCard queries stay unanswered, as they
// were modelled before.
var _ = register(&builtin{
	name: "vcard_legacy",
	load: func(s *Server, m *ModuleAPI) {
		m.AddFeature("vcard-temp")
		if s.mods.vcard.hint != nil {
			for k := kindBare; k <= kindHost; k++ {
				m.Hook(preNames[tagPresence][k], 1, s.mods.vcard.hint)
			}
		}
		if slices.Contains(s.prof.Modules, "vcard4") {
			// With the vCard4 node (mod_vcard4.go): the conversion
			// itself (vcard_convert.go), and mod_vcard4 lists its own
			// namespace, after this module's feature (13.0.1's order).
			m.Hook(EventAccountDiscoInfo, 0, func(e *HookEvent) bool {
				e.AddFeature("urn:xmpp:pep-vcard-conversion:0")
				return false
			})
			m.hookIQ(iqEvent("get", "bare", nsVCardTmp, "vCard"), 0, vcardTempGet)
			m.hookIQ(iqEvent("set", "self", nsVCardTmp, "vCard"), 0, vcardTempSet)
			return
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
