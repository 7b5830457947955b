package model

import "github.com/beevik/etree"

// mod_mam is, so far, its stanza-id hygiene (§0.9) and what it advertises
// on accounts (§8.1): a client may not forge a stanza-id claimed by its
// own archive, and an inbound message loses any stanza-id claimed by the
// recipient's archive. Archiving itself is not modelled.
var _ = register(&builtin{name: "mam", load: func(s *Server, m *ModuleAPI) {
	for k := kindBare; k <= kindHost; k++ {
		// After mod_blocklist (100), before mod_carbons (-0.5).
		m.Hook(preNames[tagMessage][k], 1, stripOwnStanzaID)
	}
	for k := kindBare; k <= kindFull; k++ {
		m.Hook(inNames[tagMessage][k], 1, stripRecipientStanzaID)
	}
	m.Hook(EventAccountDiscoInfo, 0, func(e *HookEvent) bool {
		e.AddFeature("urn:xmpp:mam:2")
		e.AddFeature("urn:xmpp:mam:2#extended")
		e.AddFeature(nsStanzaID)
		return false
	})
}})

// stripOwnStanzaID is the outbound strip.
func stripOwnStanzaID(e *HookEvent) bool {
	if e.origin.sess != nil {
		removeStanzaIDs(e.stanza, e.origin.sess.user.bareStr)
	}
	return false
}

// stripRecipientStanzaID is the inbound strip.
func stripRecipientStanzaID(e *HookEvent) bool {
	if to, ok := attr(e.stanza, "to"); ok {
		removeStanzaIDs(e.stanza, bareOf(to))
	}
	return false
}

func removeStanzaIDs(st *etree.Element, by string) {
	for _, c := range childElements(st) {
		if c.Tag == "stanza-id" && ns(c) == nsStanzaID && attrOr(c, "by") == by {
			st.RemoveChild(c)
		}
	}
}
