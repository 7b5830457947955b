package model

import "github.com/beevik/etree"

// mod_mam is Message Archive Management (XEP-0313) as Prosody 13.0.1's
// mod_mam does it over memory storage (the upstream test configuration).
//
// Always: the stanza-id hygiene (§0.9) and what it advertises on accounts
// (§8.1): a client may not forge a stanza-id claimed by its own archive,
// and an inbound message loses any stanza-id claimed by the recipient's
// archive.
//
// Under MAMOptions.Archive, also (mam_archive.go, mam_prefs.go,
// mam_query.go):
//   - Archiving. A message a client sends (pre-message/bare and /full, 0)
//     goes to the sender's archive, a message to a local account
//     (message/bare and /full, 0) to the recipient's, offline or not, if
//     Prosody's should_store accepts it (not headline or groupchat; an
//     error only when addressed to a full JID — a bounce; a no-store or
//     no-permanent-store hint refuses, a store hint accepts; then a body,
//     subject, EME, receipt, chat marker, invitation or jingle message)
//     and the owner's preferences allow it for the peer's bare JID. The
//     stored copy loses its chat states; with nothing left it is not
//     stored. The message then carries <stanza-id by=owner id=.../> to
//     the handlers after (carbons copy it); the sender's is stripped
//     before the message leaves (pre-message, -1). Ids are 24 characters
//     of base64url (util.id.medium) drawn from the server's seed, stamps
//     come from its clock.
//   - Preferences (iq/self prefs, get and set): default always, never or
//     roster (a roster item of any subscription), always/never lists of
//     JIDs prepped like jid.prep (invalid ones dropped), listed sorted
//     (Prosody lists them in hash order). Under SmartEnable (the
//     configuration's mam_smart_enable) an account stores nothing until
//     it first touches MAM (prefs, the query form, a query), which sets
//     the default to DefaultPolicy.
//   - Queries (iq-set/self query): the data form's with, start, end,
//     before-id, after-id and ids, RSM max (default 20, at most 50),
//     before and after, flip-page; results as <message><result> before
//     the <fin> with complete and <set> first, last, count — the memory
//     store's paging exactly, item-not-found for an unknown id. The query
//     form (iq-get) and the archive metadata (first and last item). A
//     session that queried the archive gets no offline messages at its
//     initial presence (message/offline/broadcast).
//   - Storage: the preferences and the archive are the account's
//     persistent state (account-save / account-load), as Prosody's
//     archive and archive_prefs stores are; the "queried" flag is the
//     session's. An append over the memory store's quota (1000 items)
//     first deletes what is older than a week (archive_expires_after),
//     and if that frees nothing keeps the newest 990. Not modelled: the
//     daily expiry job.
//
// # Blocking (XEP-0191 §3.3)
//
// The rule the model holds MAM to: nothing a blocked JID sends the user
// while the block is in place, and nothing the user sends it, enters the
// user's archive — the stanza never reaches mod_mam (mod_blocklist bounces
// or drops it at priority 100, before archiving at 0, in both
// directions), so no query can return it later, even after an unblock.
// The bounce itself goes straight to the blocked sender's session, so it
// is not archived on that side either. What was archived before the block
// stays and queries return it: the archive is the user's own record, not
// a delivery from the blocked JID, and Prosody 13.0.1 (whose queries do
// not consult the blocklist) agrees; testdata/mam/mam_blocked.scs holds
// both halves on the real server. The mutant mam-archives-blocked archives
// inbound messages ahead of the blocklist.
var _ = register(&builtin{
	name: "mam",
	load: func(s *Server, m *ModuleAPI) {
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
		if s.prof.Archive {
			loadArchive(s, m)
		}
	},
	mutants: mamMutants,
})

// mamMutants are mod_mam's mutants. The property engine catches them
// under the prosody-13 profile, whose module actions draw MAM queries
// (properties: i3MAM, sc52).
var mamMutants = []mutantDef{
	{name: "mam-archives-blocked", module: "mam", summary: "a message from a blocked JID is archived before mod_blocklist bounces it, so archive queries return it",
		apply: func(m *modules) { m.mam.inboundPrio = 101 }},
}

// MAMOptions are mod_mam's options.
type MAMOptions struct {
	// Archive: messages are archived and the archive answers queries
	// (XEP-0313). false: mod_mam only strips forged stanza-ids, as the
	// model did before it modelled archiving.
	Archive bool
	// SmartEnable is mam_smart_enable: nothing is archived for an account
	// until it first uses MAM, which stores DefaultPolicy as its default.
	SmartEnable bool
	// DefaultPolicy is default_archive_policy: "always" (also when
	// empty), "never" or "roster".
	DefaultPolicy string
	// WholeSecondStamps: archive times are whole seconds (0.12.3 uses
	// os.time; 13.0.1 keeps microseconds, and writes them in stamps
	// unless they are zero).
	WholeSecondStamps bool
}

// mamMod holds mod_mam's replaceable strategy: the priority of its
// inbound archiving on message/bare and /full (0: after mod_blocklist).
type mamMod struct {
	inboundPrio float64
}

func (m *mamMod) init() { m.inboundPrio = 0 }

// loadArchive hooks archiving, preferences and queries.
func loadArchive(s *Server, m *ModuleAPI) {
	for k := kindBare; k <= kindFull; k++ {
		m.Hook(preNames[tagMessage][k], 0, archiveOutbound)
		m.Hook(preNames[tagMessage][k], -1, stripOwnStanzaID)
		m.Hook(inNames[tagMessage][k], s.mods.mam.inboundPrio, archiveInbound)
	}
	prefs := func(e *HookEvent) bool { return mamPrefsIQ(e) }
	m.hookIQ(iqEvent("get", "self", nsMAM, "prefs"), 0, prefs)
	m.hookIQ(iqEvent("set", "self", nsMAM, "prefs"), 0, prefs)
	m.hookIQ(iqEvent("get", "self", nsMAM, "query"), 0, mamQueryForm)
	m.hookIQ(iqEvent("set", "self", nsMAM, "query"), 0, mamQuery)
	m.hookIQ(iqEvent("get", "self", nsMAM, "metadata"), 0, mamMetadata)
	// message/offline/broadcast: a session that queried the archive
	// gets no offline messages (mod_offline flushes at 0).
	m.Hook(EventInitialPresence, 1, func(e *HookEvent) bool {
		return e.sess != nil && e.sess.mamRequested
	})
	// message/offline/handle, after mod_offline (0): without mod_offline
	// an archived message counts as stored, so no error goes back.
	m.Hook(eventOfflineHandle, -2, func(e *HookEvent) bool {
		for _, c := range childElements(e.stanza) {
			if c.Tag == "stanza-id" && ns(c) == nsStanzaID && attrOr(c, "by") == e.user.bareStr {
				return true
			}
		}
		return false
	})
	m.Hook(eventAccountSave, 0, saveMAM)
	m.Hook(eventAccountLoad, 0, loadMAM)
}

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
	isID := func(c *etree.Element) bool {
		return c.Tag == "stanza-id" && ns(c) == nsStanzaID && attrOr(c, "by") == by
	}
	// Every message passes here and almost none carries a stanza-id:
	// the list of children is copied (RemoveChild changes it) only when
	// there is one to remove.
	found := false
	for _, t := range st.Child {
		if c, ok := t.(*etree.Element); ok && isID(c) {
			found = true
			break
		}
	}
	if !found {
		return
	}
	for _, c := range childElements(st) {
		if isID(c) {
			st.RemoveChild(c)
		}
	}
}
