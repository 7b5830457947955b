package model

import (
	"maps"
	"slices"

	"github.com/beevik/etree"
)

// mod_blocklist (XEP-0191, §7): the blocklist protocol on iq/self, the
// inbound checks (drop_stanza: presence, messages and iqs from a blocked
// JID, priority 100) and the outbound ones (drop_outgoing: stanzas to a
// blocked JID, priority 100 on full targets and for messages and iqs, -1
// on presence to bare and host targets, after mod_presence — §0.9).
var _ = register(&builtin{
	name: "blocklist",
	load: func(s *Server, m *ModuleAPI) {
		b := &s.mods.blocklist
		m.AddFeature(nsBlocking)
		outbound := b.outboundPresence
		if !s.prof.LocalRosterChangeOnBlockedOutboundSub {
			// The specification's order (XEP-0191 §3.3, invariant 26): a
			// subscription presence to a blocked JID is bounced before
			// it can change the sender's roster. Prosody handles it first.
			early := func(e *HookEvent) bool {
				return isSubscriptionType(attrOr(e.stanza, "type")) && bounceOutgoing(e)
			}
			m.Hook("pre-presence/bare", 1000, early)
			m.Hook("pre-presence/host", 1000, early)
		}
		m.Hook("pre-presence/full", 100, outbound)
		m.Hook("pre-presence/bare", -1, outbound)
		m.Hook("pre-presence/host", -1, outbound)
		for k := kindBare; k <= kindHost; k++ {
			if b.outboundMessage != nil {
				m.Hook(preNames[tagMessage][k], 100, b.outboundMessage)
			}
			m.Hook(preNames[tagIQ][k], 100, outbound)
		}
		for k := kindBare; k <= kindFull; k++ {
			if b.inboundPresence != nil {
				m.Hook(inNames[tagPresence][k], 100, b.inboundPresence)
			}
			m.Hook(inNames[tagMessage][k], 100, b.inboundMessage)
			m.Hook(inNames[tagIQ][k], 100, b.inboundIQ)
		}
		m.hookIQ(iqEvent("get", "self", nsBlocking, "blocklist"), 0, b.get)
		if b.selfResult != nil {
			m.Hook("iq/self", 100, b.selfResult)
		}
		if b.sessionList != nil {
			// the session's own copy of the list, taken when it binds
			m.Hook(EventResourceBind, 0, func(e *HookEvent) bool {
				e.sess.ownBlocklist = e.sess.user.blocklist
				return false
			})
		}
		m.hookIQ(iqEvent("set", "self", nsBlocking, "block"), 0, editBlocklist)
		m.hookIQ(iqEvent("set", "self", nsBlocking, "unblock"), 0, editBlocklist)
		m.Hook(eventAccountSave, 2, func(e *HookEvent) bool {
			e.rec.Blocklist = sortedKeys(e.user.blocklist)
			e.rec.PrivacyList = e.user.privacyList
			if len(e.user.blockDup) > 0 {
				e.rec.BlockDup = maps.Clone(e.user.blockDup)
			}
			return false
		})
		m.Hook(eventAccountLoad, 2, func(e *HookEvent) bool {
			for _, jid := range e.rec.Blocklist {
				e.user.blocklist[jid] = true
			}
			e.user.privacyList = e.rec.PrivacyList
			e.user.blockDup = maps.Clone(e.rec.BlockDup)
			return false
		})
	},
	mutants: append(append(blocklistMutants, publishedBugMutants...), pipeliningMutants...),
})

// blocklistSession is mod_blocklist's per-session state.
type blocklistSession struct {
	// interestedBlocklist: the session fetched the blocklist and gets
	// pushes (under PushOnlyInterested).
	interestedBlocklist bool
	// ownBlocklist is the session's own copy of the list, kept only
	// under the mutant block-only-in-editing-session (MongooseIM PR
	// 1122: the list lived in each session's process).
	ownBlocklist map[string]bool
}

// blocklistAccount is mod_blocklist's per-account state.
type blocklistAccount struct {
	blocklist map[string]bool
	// privacyList: the account has ejabberd's privacy list "Blocked
	// contacts" (PrivacyListPush), created by its first block and
	// never deleted; only then does an edit push it.
	privacyList bool
	// blockDup: extra copies of a blocked JID (BlockDuplicatesKept).
	blockDup map[string]int
}

// blocklistRecord is mod_blocklist's part of the storage record.
type blocklistRecord struct {
	Blocklist []string `json:"blocklist,omitempty"`
	// PrivacyList: blocklistAccount.privacyList.
	PrivacyList bool `json:"privacy_list,omitempty"`
	// BlockDup: blocklistAccount.blockDup.
	BlockDup map[string]int `json:"block_dup,omitempty"`
}

// blocklistMod holds mod_blocklist's replaceable handlers and the steps
// of a blocklist edit (§7.3) that mutants replace.
type blocklistMod struct {
	match           func(s *Server, u *user, jid string) bool
	outboundMessage Handler // pre-message/* (nil: removed)
	inboundPresence Handler // presence/bare, /full (nil: removed)
	inboundMessage  Handler // message/bare, /full
	inboundIQ       Handler // iq/bare, /full
	// outboundPresence is pre-presence/full (100), /bare and /host (-1).
	outboundPresence Handler
	// get answers a blocklist retrieval.
	get Handler
	// selfResult, when set, sees an iq result or error a client sends to
	// its own account first (iq/self, priority 100; nil: none).
	selfResult Handler
	// sessionList, when set, is the list the outbound check of a
	// session's stanzas reads (nil: the account's list).
	sessionList func(sess *session) map[string]bool
	// sessionCopies updates the sessions' own copies after editing's
	// edit made the list nbl (only with sessionList; by default the
	// editing session's copy, at once).
	sessionCopies func(s *Server, editing *session, nbl map[string]bool)
	// errorApp is the application condition of the outbound bounce.
	errorApp func() *etree.Element
	// presenceTarget: jid gets the unavailable (block) or a probe on its
	// behalf (unblock): a contact subscribed to u's presence.
	presenceTarget func(s *Server, u *user, jid string, blocking bool) bool
	// onBlock sends u's unavailable to a newly blocked contact;
	// wasBlocked: it was already on the list (§7.3 step 7).
	onBlock func(s *Server, e *HookEvent, u *user, jid string, wasBlocked bool)
	// dropPending deletes the pending requests of newly blocked JIDs.
	dropPending func(s *Server, u *user, jids []string)
	// inviterUnchecked: a mediated MUC invitation's inviter is not
	// checked against the recipient's list (the mutant of Prosody
	// f94d5d2f7; false: as BlockMediatedInviter says).
	inviterUnchecked bool
	// onUnblock probes each unblocked contact on u's behalf.
	onUnblock func(s *Server, e *HookEvent, u *user, jids []string)
	// unblockAll is the list after an empty <unblock/>.
	unblockAll func(old map[string]bool) map[string]bool
	// unblockItems is the list after an <unblock/> of items.
	unblockItems func(old map[string]bool, items []string) map[string]bool
	// push sends the blocklist push; all: an empty <unblock/>, which
	// emptied old.
	push func(s *Server, u *user, action *etree.Element, all bool, old map[string]bool)
	// pushTo selects the sessions that get the push.
	pushTo func(s *Server, sess *session) bool
}

func (m *blocklistMod) init() {
	m.match = matchBlocklist
	m.outboundMessage = func(e *HookEvent) bool { return bounceOutgoing(e) }
	m.inboundPresence = func(e *HookEvent) bool { return dropBlockedInbound(e) }
	m.inboundMessage = func(e *HookEvent) bool { return bounceMessage(e) }
	m.inboundIQ = bounceIQ
	m.outboundPresence = func(e *HookEvent) bool { return bounceOutgoing(e) }
	m.get = blocklistGet
	m.sessionCopies = func(_ *Server, editing *session, nbl map[string]bool) { editing.ownBlocklist = nbl }
	m.errorApp = func() *etree.Element {
		app := etree.NewElement("blocked")
		app.CreateAttr("xmlns", nsBlockErr)
		return app
	}
	m.presenceTarget = func(s *Server, u *user, jid string, _ bool) bool { return s.isContactSubscribed(u, jid) }
	m.onBlock = func(s *Server, e *HookEvent, u *user, jid string, wasBlocked bool) {
		if !wasBlocked { // §7.3 step 7: no second unavailable
			s.unavailableTo(e, u, jid)
		}
	}
	m.dropPending = func(s *Server, u *user, jids []string) {
		if len(jids) > 0 && s.prof.DropPendingInOnBlock {
			for _, jid := range jids {
				delete(u.pending, jid)
			}
			s.save(u)
		}
	}
	m.onUnblock = func(s *Server, e *HookEvent, u *user, jids []string) {
		for _, jid := range jids {
			s.post(e, false, hostOrigin, newStanza("presence", "type", "probe", "to", u.bareStr, "from", jid), false)
		}
	}
	m.unblockAll = func(map[string]bool) map[string]bool { return map[string]bool{} }
	m.unblockItems = func(old map[string]bool, items []string) map[string]bool {
		nbl := make(map[string]bool, len(old))
		for k := range old {
			nbl[k] = true
		}
		for _, jid := range items {
			delete(nbl, jid)
		}
		return nbl
	}
	m.push = pushBlocklist
	m.pushTo = func(s *Server, sess *session) bool { return sess.interestedBlocklist || !s.prof.PushOnlyInterested }
}

// blocklistMutants are mod_blocklist's mutants.
var blocklistMutants = []mutantDef{
	{name: "no-unavailable-on-block", ref: "MongooseIM PR 900", summary: "blocking a contact sends it no unavailable presence",
		apply: func(m *modules) { m.blocklist.onBlock = func(*Server, *HookEvent, *user, string, bool) {} }},
	{name: "reblock-sends-unavailable", summary: "blocking an already blocked contact sends a second unavailable",
		apply: func(m *modules) {
			m.blocklist.onBlock = func(s *Server, e *HookEvent, u *user, jid string, _ bool) { s.unavailableTo(e, u, jid) }
		}},
	{name: "unavailable-to-unsubscribed", summary: "blocking sends unavailable even to a JID not subscribed to the user's presence",
		apply: func(m *modules) {
			prev := m.blocklist.presenceTarget
			m.blocklist.presenceTarget = func(s *Server, u *user, jid string, blocking bool) bool {
				return blocking || prev(s, u, jid, blocking)
			}
		}},
	{name: "presence-on-unblock-to-none", summary: "unblocking probes on behalf of a JID not subscribed to the user's presence",
		apply: func(m *modules) {
			prev := m.blocklist.presenceTarget
			m.blocklist.presenceTarget = func(s *Server, u *user, jid string, blocking bool) bool {
				return !blocking || prev(s, u, jid, blocking)
			}
		}},
	{name: "pending-kept-on-block", ref: "Prosody issue 574", summary: "blocking a JID keeps its pending subscription request",
		apply: func(m *modules) { m.blocklist.dropPending = func(*Server, *user, []string) {} }},
	{name: "no-presence-on-unblock", ref: "Prosody issue 1380", summary: "unblocking a contact does not send it the user's presence",
		apply: func(m *modules) { m.blocklist.onUnblock = func(*Server, *HookEvent, *user, []string) {} }},
	{name: "unblock-all-noop", summary: "an empty <unblock/> leaves the blocklist as it was",
		apply: func(m *modules) { m.blocklist.unblockAll = func(old map[string]bool) map[string]bool { return old } }},
	{name: "no-push-on-unblock-all", summary: "an empty <unblock/> is not pushed to the user's sessions",
		apply: func(m *modules) {
			m.blocklist.push = func(s *Server, u *user, action *etree.Element, all bool, _ map[string]bool) {
				if !all {
					pushBlocklist(s, u, action, all, nil)
				}
			}
		}},
	{name: "blocklist-push-to-all", summary: "blocklist pushes go to sessions that never fetched the blocklist",
		apply: func(m *modules) { m.blocklist.pushTo = func(*Server, *session) bool { return true } }},
	{name: "domain-item-ignored", summary: "a domain item on the blocklist blocks nobody",
		apply: func(m *modules) { m.blocklist.match = matchIgnoringDomains }},
	{name: "full-item-blocks-account", summary: "a full-JID item blocks every resource of that account",
		apply: func(m *modules) {
			prev := m.blocklist.match
			m.blocklist.match = func(s *Server, u *user, jid string) bool {
				if len(u.blocklist) > 0 && jid != "" {
					for item := range u.blocklist {
						if bareOf(item) == bareOf(jid) {
							return true
						}
					}
				}
				return prev(s, u, jid)
			}
		}},
	{name: "outbound-error-without-blocked", summary: "the bounce of a stanza to a blocked JID lacks the <blocked/> condition",
		apply: func(m *modules) { m.blocklist.errorApp = func() *etree.Element { return nil } }},
	{name: "outbound-message-to-blocked-routed", ref: "MongooseIM PR 1122", summary: "a message to a blocked JID is routed instead of bounced",
		apply: func(m *modules) { m.blocklist.outboundMessage = nil }},
	{name: "inbound-presence-from-blocked", summary: "presence from a blocked JID is delivered",
		apply: func(m *modules) { m.blocklist.inboundPresence = nil }},
	{name: "probe-answered-to-blocked", ref: "ejabberd issue 275", summary: "a probe from a blocked JID passes the inbound check and is answered",
		apply: func(m *modules) {
			m.blocklist.inboundPresence = func(e *HookEvent) bool {
				return attrOr(e.stanza, "type") != "probe" && dropBlockedInbound(e)
			}
		}},
	{name: "blocked-message-to-full-delivered", summary: "a message from a blocked JID to an online full JID is delivered",
		apply: func(m *modules) {
			m.blocklist.inboundMessage = func(e *HookEvent) bool {
				if isChatLike(e.stanza) && e.s.sessionOf(attrOr(e.stanza, "to")) != nil {
					return false
				}
				return bounceMessage(e)
			}
		}},
	{name: "blocked-message-stored-offline", summary: "a message from a blocked JID to an offline user is stored offline",
		apply: func(m *modules) {
			m.blocklist.inboundMessage = func(e *HookEvent) bool {
				s, st := e.s, e.stanza
				to := attrOr(st, "to")
				if isChatLike(st) && s.blockedByRecipient(st) && s.sessionOf(to) == nil && s.onlineUser(bareOf(to)) == nil {
					return false
				}
				return bounceMessage(e)
			}
		}},
}

// publishedBugMutants are mod_blocklist's mutants that reproduce bugs
// real servers shipped (docs/mutants.md has the references and what
// catches each). Where the bug lived in another server's architecture
// (ejabberd's and MongooseIM's privacy lists), the mutant is the same
// wrong behaviour in this module's terms; the comment says how.
var publishedBugMutants = []mutantDef{
	{name: "muc-invite-from-blocked", ref: "Prosody f94d5d2f7",
		summary: "a blocked JID's mediated MUC invitation reaches the user (the room relays it; the blocklist never looks at the inviter it names)",
		apply:   func(m *modules) { m.blocklist.inviterUnchecked = true }},
	{name: "unblock-empties-list", ref: "Prosody ea8e101a9",
		summary: "an <unblock/> of some items empties the whole blocklist",
		apply: func(m *modules) {
			m.blocklist.unblockItems = func(map[string]bool, []string) map[string]bool { return map[string]bool{} }
		}},
	{name: "unavailable-from-unavailable-sessions", ref: "Prosody d0cb0b35d",
		summary: "on block, an unavailable is sent from every session, also those that never sent presence",
		apply: func(m *modules) {
			m.blocklist.onBlock = func(s *Server, e *HookEvent, u *user, jid string, wasBlocked bool) {
				if wasBlocked {
					return
				}
				for _, o := range u.sessions {
					s.post(e, false, hostOrigin, newStanza("presence", "type", "unavailable", "to", jid, "from", o.fullStr), false)
				}
			}
		}},
	{name: "outbound-presence-to-blocked-silent", ref: "Prosody issue 575",
		summary: "a presence a client sends to a JID it blocks is dropped silently instead of bounced",
		apply: func(m *modules) {
			m.blocklist.outboundPresence = func(e *HookEvent) bool {
				if e.s.blockedBySender(e.origin, e.stanza) {
					e.s.drop(e.stanza, "blocked-outbound")
					return true
				}
				return false
			}
		}},
	// cbd398230 fixed the handlers' return value; the regression it
	// shipped ended the chain for stanzas that were not blocked. Modelled
	// as: every stanza to a user whose blocklist is not empty is dropped
	// by the inbound check, blocked or not.
	{name: "block-check-stops-every-stanza", ref: "Prosody cbd398230 (regression)",
		summary: "the inbound check drops every stanza to a user whose blocklist is not empty, blocked or not",
		apply: func(m *modules) {
			wrap := func(h Handler) Handler {
				return func(e *HookEvent) bool {
					if h(e) {
						return true
					}
					s := e.s
					node, dom, _ := splitJID(attrOr(e.stanza, "to"))
					if u := s.users[node]; node != "" && dom == s.host && u != nil && len(u.blocklist) > 0 {
						// recorded as the blocklist's drop: the check took it
						s.drop(e.stanza, "blocklist-check")
						return true
					}
					return false
				}
			}
			m.blocklist.inboundPresence = wrap(m.blocklist.inboundPresence)
			m.blocklist.inboundMessage = wrap(m.blocklist.inboundMessage)
			m.blocklist.inboundIQ = wrap(m.blocklist.inboundIQ)
		}},
	// ejabberd checked the privacy list in the session process, so a
	// message to an offline user was dropped by mod_offline's check
	// without the error an online user's session sent.
	{name: "blocked-message-offline-silent", ref: "ejabberd PR 1086",
		summary: "a blocked chat message to an offline user is dropped silently while an online user's is bounced, revealing presence",
		apply: func(m *modules) {
			m.blocklist.inboundMessage = func(e *HookEvent) bool {
				s, st := e.s, e.stanza
				if isChatLike(st) && s.blockedByRecipient(st) && s.onlineUser(bareOf(attrOr(st, "to"))) == nil {
					s.drop(st, "blocked-inbound")
					return true
				}
				return bounceMessage(e)
			}
		}},
	// The same leak for queries: the session process answered, the
	// offline path dropped.
	{name: "blocked-iq-offline-silent", ref: "MongooseIM issue 923",
		summary: "a blocked iq get/set to an offline user gets no error while an online user's gets service-unavailable",
		apply: func(m *modules) {
			m.blocklist.inboundIQ = func(e *HookEvent) bool {
				s, st := e.s, e.stanza
				if s.blockedByRecipient(st) && s.onlineUser(bareOf(attrOr(st, "to"))) == nil {
					s.drop(st, "blocked-inbound")
					return true
				}
				return bounceIQ(e)
			}
		}},
	{name: "unblock-all-push-lists-jids", ref: "MongooseIM PR 920",
		summary: "the push of an empty <unblock/> lists the formerly blocked JIDs instead of being empty",
		apply: func(m *modules) {
			m.blocklist.push = func(s *Server, u *user, action *etree.Element, all bool, old map[string]bool) {
				if all {
					action = action.Copy()
					for _, jid := range sortedKeys(old) {
						action.CreateElement("item").CreateAttr("jid", jid)
					}
				}
				pushBlocklist(s, u, action, all, old)
			}
		}},
	// MongooseIM kept the list in each session's process: a block took
	// effect in the session that sent it, the others kept their list
	// until they reconnected.
	{name: "block-only-in-editing-session", ref: "MongooseIM PR 1122",
		summary: "a block is not applied to the user's other sessions: their outbound stanzas are checked against the list they bound with",
		apply: func(m *modules) {
			m.blocklist.sessionList = func(sess *session) map[string]bool { return sess.ownBlocklist }
		}},
	// Blocking every iq cut the server's own results in MongooseIM; in
	// blocking-command terms, a block of the server's domain cuts the
	// answer the server gives to the user's own request.
	{name: "domain-block-cuts-server-results", ref: "MongooseIM PR 2724",
		summary: "a user who blocks the server's domain gets no answer to its own blocklist request",
		apply: func(m *modules) {
			m.blocklist.get = func(e *HookEvent) bool {
				s := e.s
				if u := e.origin.sess.user; u.blocklist[s.host] {
					s.drop(e.stanza, "blocked-inbound")
					return true
				}
				return blocklistGet(e)
			}
		}},
	// RFC 6120 §8.2.3: an iq result is never answered and changes
	// nothing; MongooseIM's c2s crashed on a result carrying a blocking
	// payload (a client echoing the push).
	{name: "iq-result-payload-crashes-session", ref: "MongooseIM issue 1569",
		summary: "an iq result carrying a <block/> or <unblock/> payload ends the sender's session",
		apply: func(m *modules) {
			m.blocklist.selfResult = func(e *HookEvent) bool {
				st := e.stanza
				if e.origin.sess == nil || attrOr(st, "type") != "result" {
					return false
				}
				for _, c := range childElements(st) {
					if ns(c) == nsBlocking && (c.Tag == "block" || c.Tag == "unblock") {
						s := e.s
						s.drop(st, "crash")
						s.destroy(e.origin.sess, s.prof.AbruptCloseReason)
						return true
					}
				}
				return false
			}
		}},
}

// isChatLike: chat, normal, or no type (the messages §7.7 bounces).
func isChatLike(st *etree.Element) bool {
	t := attrOr(st, "type")
	return t == "chat" || t == "" || t == "normal"
}

// isBlocked is mod_blocklist's is_blocked (§7.4), which other modules ask
// too (RecheckBlocklistOnOfflineFlush).
func (s *Server) isBlocked(u *user, jid string) bool { return s.mods.blocklist.match(s, u, jid) }

// matchBlocklist: the list holds jid exactly, its domain, or its bare JID.
// A "domain/resource" item matches any user with that resource only under
// DomainResourceMatchesAnyUser.
func matchBlocklist(s *Server, u *user, jid string) bool { return matchList(s, u.blocklist, jid) }

// matchList is matchBlocklist over a given list.
func matchList(s *Server, bl map[string]bool, jid string) bool {
	if len(bl) == 0 || jid == "" {
		return false
	}
	node, dom, res := splitJID(jid)
	if bl[jid] || bl[dom] {
		return true
	}
	return s.matchUserItems(bl, node, dom, res)
}

// matchIgnoringDomains is matchBlocklist without the domain rule (the
// mutant domain-item-ignored).
func matchIgnoringDomains(s *Server, u *user, jid string) bool {
	bl := u.blocklist
	if len(bl) == 0 || jid == "" {
		return false
	}
	node, dom, res := splitJID(jid)
	return bl[jid] || s.matchUserItems(bl, node, dom, res)
}

func (s *Server) matchUserItems(bl map[string]bool, node, dom, res string) bool {
	if node != "" && bl[node+"@"+dom] {
		return true
	}
	return s.prof.DomainResourceMatchesAnyUser && node != "" && res != "" && bl[dom+"/"+res]
}

// blockedByRecipient is drop_stanza: the recipient (node of `to`) has
// blocked the stanza's `from`. Stanzas without either are never checked.
func (s *Server) blockedByRecipient(st *etree.Element) bool {
	to, ok1 := attr(st, "to")
	from, ok2 := attr(st, "from")
	if !ok1 || !ok2 {
		return false
	}
	node, dom, _ := splitJID(to)
	if node == "" || dom != s.host {
		return false
	}
	u, ok := s.userByNode(node)
	return ok && s.isBlocked(u, from)
}

// blockedInviter is drop_stanza's second check on 13.0.1
// (BlockMediatedInviter): the recipient blocked the inviter a mediated
// MUC invitation names.
func (s *Server) blockedInviter(st *etree.Element) bool {
	if !s.prof.BlockMediatedInviter || s.mods.blocklist.inviterUnchecked {
		return false
	}
	inv := child(child(st, "x", nsMUCUser), "invite", nsMUCUser)
	if inv == nil {
		return false
	}
	j, err := ParseJID(attrOr(inv, "from"))
	if err != nil {
		return false
	}
	c := st.Copy()
	c.CreateAttr("from", j.String())
	return s.blockedByRecipient(c)
}

// dropBlockedInbound is presence/bare and presence/full at priority 100:
// presence from a blocked JID is dropped silently (§7.7).
func dropBlockedInbound(e *HookEvent) bool {
	s := e.s
	st := e.stanza
	if s.blockedByRecipient(st) {
		s.drop(st, "blocked-inbound")
		return true
	}
	return false
}

// bounceMessage is message/bare and message/full at priority 100 (§7.7).
func bounceMessage(e *HookEvent) bool {
	s := e.s
	st := e.stanza
	if !s.blockedByRecipient(st) {
		if s.blockedInviter(st) {
			// Chat-like: an invitation to a bare JID would be
			// bounced to the room, whose errors from a non-occupant
			// go nowhere (host_send drops them); the model drops.
			s.drop(st, "blocked-inviter")
			if isChatLike(st) && s.sessionOf(attrOr(st, "to")) == nil && s.prof.BounceBlockedMessages {
				e.send(errorReply(st, "cancel", "service-unavailable", "", nil), "error")
			}
			return true
		}
		return false
	}
	if s.prof.GroupchatToBareBounced && attrOr(st, "type") == "groupchat" && s.sessionOf(attrOr(st, "to")) == nil {
		// ejabberd: the session manager refuses a groupchat to a bare
		// JID before the recipient's list is consulted
		s.drop(st, "blocked-inbound")
		e.send(s.errorAt(errSiteGroupchatToBar, st, "cancel", "service-unavailable", "", nil), "error")
		return true
	}
	if isChatLike(st) && s.prof.BlockedBouncePerSession {
		s.bouncePerSession(e, st)
		return true
	}
	if s.prof.BlockedBouncePerSession && attrOr(st, "type") == "headline" && e.kind == kindBare && s.noTopResource(e, st) {
		// ejabberd: with no resource to take it, ejabberd_sm's
		// route_message applies the list itself and refuses the
		// headline with service-unavailable (route_error), where
		// each session would have dropped it silently (E10)
		s.drop(st, "blocked-inbound")
		e.send(s.errorAt(errSiteBlockedIn, st, "cancel", "service-unavailable", "", nil), "error")
		return true
	}
	if isChatLike(st) {
		if s.sessionOf(attrOr(st, "to")) != nil {
			s.drop(st, "blocked-inbound") // Prosody issue #690
			return true
		}
		if s.prof.BounceBlockedMessages {
			s.drop(st, "blocked-inbound")
			e.send(s.errorAt(errSiteBlockedIn, st, "cancel", "service-unavailable", "", nil), "error")
			return true
		}
	}
	s.drop(st, "blocked-inbound")
	return true
}

// bouncePerSession is ejabberd's refusal of a chat or normal message the
// recipient's list blocks (BlockedBouncePerSession): the list is applied
// by each session the message is routed to, and each one that refuses it
// bounces it; with no session to take it, the session manager applies
// the list and bounces it once.
func (s *Server) bouncePerSession(e *HookEvent, st *etree.Element) {
	to, hasTo := attr(st, "to")
	if !hasTo && e.origin.sess != nil {
		to = e.origin.sess.user.bareStr // the user's own bare JID
	}
	n := 1
	if e.kind != kindFull || s.sessionOf(to) == nil {
		if u := s.onlineUser(bareOf(to)); u != nil {
			n = max(1, len(s.mods.message.top(s, u)))
		}
	}
	if hasTo {
		s.drop(st, "blocked-inbound")
	} else {
		r := st.Copy()
		r.CreateAttr("to", to) // recorded as addressed to the user
		s.drop(r, "blocked-inbound")
	}
	for range n {
		e.send(s.errorAt(errSiteBlockedIn, st, "cancel", "service-unavailable", "", nil), "error")
	}
}

// noTopResource: the account a message to a bare JID (no 'to': the
// sender's own) is for has no resource that takes it — none available
// with a priority of 0 or more.
func (s *Server) noTopResource(e *HookEvent, st *etree.Element) bool {
	to, hasTo := attr(st, "to")
	if !hasTo && e.origin.sess != nil {
		to = e.origin.sess.user.bareStr
	}
	u := s.onlineUser(bareOf(to))
	return u == nil || len(s.mods.message.top(s, u)) == 0
}

// bounceIQ is iq/bare and iq/full at priority 100 (§7.7).
func bounceIQ(e *HookEvent) bool {
	s := e.s
	st := e.stanza
	if e.kind == kindBare && s.prof.BareIQIgnoresBlocklist {
		return false // answered on the user's behalf, unchecked (E9)
	}
	if !s.blockedByRecipient(st) {
		return false
	}
	s.drop(st, "blocked-inbound")
	if t := attrOr(st, "type"); t == "get" || t == "set" {
		site := errSiteBlockedIn
		if e.kind == kindFull && s.sessionOf(attrOr(st, "to")) == nil {
			// ejabberd applies the list in the recipient's session:
			// without one, the iq is refused for that.
			site = errSiteNoSession
		}
		e.send(s.errorAt(site, st, "cancel", "service-unavailable", "", nil), "error")
	}
	return true
}

// blockedBySender is drop_outgoing: the sender (origin's user, or the node
// of `from` for host origins) has blocked `to`. Self-addressed stanzas (no
// `to`) are never blocked.
func (s *Server) blockedBySender(o origin, st *etree.Element) bool {
	to, ok := attr(st, "to")
	if !ok {
		return false
	}
	if to == s.host && s.prof.HostExemptFromBlocking {
		return false // ejabberd: blocking the domain spares the server itself (E6)
	}
	var u *user
	if o.sess != nil {
		u = o.sess.user
		if l := s.mods.blocklist.sessionList; l != nil {
			return matchList(s, l(o.sess), to)
		}
	} else if node, dom, _ := splitJID(attrOr(st, "from")); node != "" && dom == s.host {
		u = s.users[node]
	}
	return u != nil && s.isBlocked(u, to)
}

// bounceOutgoing is the blocklist's outbound hook (§7.6): errors and iq
// results are dropped silently, anything else is answered with
// not-acceptable and <blocked/>.
func bounceOutgoing(e *HookEvent) bool {
	s := e.s
	st := e.stanza
	if !s.blockedBySender(e.origin, st) {
		return false
	}
	t := attrOr(st, "type")
	if t == "error" || (st.Tag == "iq" && t == "result") {
		s.drop(st, "blocked-outbound")
		return true
	}
	if st.Tag == "presence" && isSubscriptionType(t) && s.prof.BlockedSubscriptionBounced && e.kind == kindFull && e.origin.sess != nil {
		// ejabberd: a subscription stanza to a full JID changes the
		// roster item of its bare JID before the list refuses it, as
		// one to the bare JID does (mod_roster's out_subscription
		// runs first); the refusal echoes the full JID
		s.blockedSubscription(e, e.origin.sess.user, bareOf(attrOr(st, "to")), t, st)
		return true
	}
	s.drop(st, "blocked-outbound")
	if st.Tag == "presence" && e.generated && !s.prof.ErrorOnBlockedBroadcast {
		return true // the spec's silent suppression (invariant 19)
	}
	if st.Tag == "presence" && e.generated && s.prof.SelfBlockable && e.origin.sess != nil && bareOf(attrOr(st, "to")) == e.origin.sess.user.bareStr {
		// ejabberd: presence between the user's own resources is
		// filtered by the receiving session, silently (E4)
		return true
	}
	e.sendDirect(s.errorAt(errSiteBlockedOut, st, "cancel", "not-acceptable", "You have blocked this JID", s.mods.blocklist.errorApp()), "error")
	return true
}

// blocklistGet answers a blocklist retrieval (§7.2).
func blocklistGet(e *HookEvent) bool {
	s := e.s
	sess := e.origin.sess
	r := reply(e.stanza)
	bl := newNS(r, "blocklist", nsBlocking)
	for _, jid := range sortedKeys(sess.user.blocklist) {
		for range 1 + sess.user.blockDup[jid] { // E7: copies under BlockDuplicatesKept
			bl.CreateElement("item").CreateAttr("jid", jid)
		}
	}
	sess.interestedBlocklist = true
	s.deliver(sess, r, "result")
	return true
}

// editBlocklist handles <block/> and <unblock/> (§7.3).
func editBlocklist(e *HookEvent) bool {
	s := e.s
	b := &s.mods.blocklist
	sess, st, action := e.origin.sess, e.stanza, e.query
	u := sess.user
	blocking := action.Tag == "block"
	orig := st // what an error echoes (ErrorStyleEjabberd: as sent, before prepping)
	if s.prof.ErrorStyle == ErrorStyleEjabberd {
		orig = st.Copy()
	}
	var items []string
	var presenceSet, removePending, dups []string
	// The loop changes attributes only, not the list of children, so it
	// walks the list itself (childElements would copy it).
	for _, t := range action.Child {
		it, isElem := t.(*etree.Element)
		if !isElem || it.Tag != "item" || ns(it) != nsBlocking {
			continue
		}
		raw, ok := attr(it, "jid")
		j, err := ParseJID(raw)
		if !ok || err != nil {
			site := errSiteBlockItemBadJID
			if !ok {
				site = errSiteBlockItemNoJID
			}
			s.deliver(sess, s.errorAt(site, orig, "modify", "jid-malformed", "", nil), "error")
			return true
		}
		jid := j.String()
		it.CreateAttr("jid", jid) // echoed prepped in the push
		// A command names a few JIDs: a scan of the ones taken beats a
		// set.
		if slices.Contains(items, jid) {
			if blocking && s.prof.BlockDuplicatesKept && !u.blocklist[jid] {
				// ejabberd appends every item not on the list yet,
				// a JID named twice in the command twice (E7);
				// recorded once the whole command is valid
				dups = append(dups, jid)
			}
			continue
		}
		items = append(items, jid)
		if b.presenceTarget(s, u, jid, blocking) {
			presenceSet = append(presenceSet, jid)
		} else if blocking && u.hasPending(jid) {
			removePending = append(removePending, jid)
		}
	}
	if blocking && len(items) == 0 {
		s.deliver(sess, s.errorAt(errSiteEmptyBlock, st, "modify", "bad-request", "", nil), "error")
		return true
	}
	for _, jid := range dups {
		if u.blockDup == nil {
			u.blockDup = map[string]int{}
		}
		u.blockDup[jid]++
	}
	all := !blocking && len(items) == 0
	old := u.blocklist
	var nbl map[string]bool
	if !blocking {
		if all {
			clear(u.blockDup)
		}
		for _, jid := range items {
			delete(u.blockDup, jid)
		}
	}
	switch {
	case all:
		nbl = b.unblockAll(old)
	case !blocking:
		nbl = b.unblockItems(old, items)
	default:
		nbl = make(map[string]bool, len(old)+len(items))
		for k := range old {
			nbl[k] = true
		}
		for _, jid := range items {
			nbl[jid] = true
		}
	}
	u.blocklist = nbl
	if b.sessionList != nil {
		b.sessionCopies(s, sess, nbl)
	}
	s.touch(u)
	if s.prof.BlockPushBeforeResult {
		// ejabberd's mod_blocking: the privacy list is set (and pushed)
		// and the blocking push sent before the iq is answered.
		b.push(s, u, action, all, old)
	}
	s.deliver(sess, reply(st), "result")

	if s.prof.NoPresenceOnBlock && blocking || s.prof.NoPresenceOnUnblock && !blocking {
		// ejabberd sends no presence when the list changes (E2).
		if blocking {
			b.dropPending(s, u, removePending)
		}
		if !s.prof.BlockPushBeforeResult {
			b.push(s, u, action, all, old)
		}
		return true
	}
	if blocking {
		for _, jid := range presenceSet {
			b.onBlock(s, e, u, jid, old[jid])
		}
		b.dropPending(s, u, removePending)
	} else if len(items) > 0 || s.prof.PresenceOnUnblockAll {
		targets := presenceSet
		if all { // under PresenceOnUnblockAll
			for _, jid := range sortedKeys(old) {
				if s.isContactSubscribed(u, jid) {
					targets = append(targets, jid)
				}
			}
		}
		b.onUnblock(s, e, u, targets)
	}
	if !s.prof.BlockPushBeforeResult {
		b.push(s, u, action, all, old)
	}
	return true
}

// unavailableTo sends u's unavailable to jid from the host on u's behalf:
// from each available session (Prosody) or once from the bare JID.
func (s *Server) unavailableTo(e *HookEvent, u *user, jid string) {
	if s.prof.UnavailableSenderIsFullJID {
		for _, o := range u.sessions {
			if o.presence != nil {
				s.post(e, false, hostOrigin, newStanza("presence", "type", "unavailable", "to", jid, "from", o.fullStr), false)
			}
		}
	} else if s.anyAvailable(u) {
		s.post(e, false, hostOrigin, newStanza("presence", "type", "unavailable", "to", jid, "from", u.bareStr), false)
	}
}

// pushBlocklist sends the edit to u's sessions that get pushes (§7.3).
func pushBlocklist(s *Server, u *user, action *etree.Element, _ bool, _ map[string]bool) {
	push := newStanza("iq", "type", "set", "id", "blocklist-push")
	// The echo's root is its own (it may gain an xmlns); its items are
	// the command's, read-only from here on like any delivered
	// descendant (Event): editBlocklist has prepped their jids already.
	// They keep the command as their etree parent; nothing reads an
	// item's Parent or Index once it is delivered.
	echo := shareStanza(action)
	if selectAttr(echo, "xmlns") == nil {
		echo.CreateAttr("xmlns", nsBlocking)
	}
	push.AddChild(echo)
	if s.prof.PrivacyListPush && (u.privacyList || action.Tag == "block") {
		u.privacyList = true
		// ejabberd's mod_blocking edits the privacy list "Blocked
		// contacts" and mod_privacy pushes that list's name first.
		pp := newStanza("iq", "type", "set", "id", "privacy-push")
		newNS(pp, "query", nsPrivacy).CreateElement("list").CreateAttr("name", ejabberdPrivacyListName)
		for _, o := range u.sessions {
			if s.mods.blocklist.pushTo(s, o) {
				s.deliver(o, pp, "push")
			}
		}
	}
	for _, o := range u.sessions {
		if s.mods.blocklist.pushTo(s, o) {
			push.CreateAttr("to", o.fullStr)
			s.deliver(o, push, "push")
		}
	}
}

func (s *Server) anyAvailable(u *user) bool {
	for _, o := range u.sessions {
		if o.presence != nil {
			return true
		}
	}
	return false
}

// Blocklist returns the user's blocklist, sorted.
func (s *Server) Blocklist(userJID string) []string {
	if u := s.accountByJID(userJID); u != nil {
		return sortedKeys(u.blocklist)
	}
	return nil
}
