package model

import (
	"github.com/beevik/etree"
)

// isBlocked is mod_blocklist's is_blocked (§7.4): the list holds jid
// exactly, its domain, or its bare JID. A "domain/resource" item matches
// any user with that resource only under DomainResourceMatchesAnyUser.
func (s *Server) isBlocked(u *user, jid string) bool {
	bl := u.blocklist
	if len(bl) == 0 || jid == "" {
		return false
	}
	node, dom, res := splitJID(jid)
	if s.mut.has(mutFullItemBlocksAccount) {
		for item := range bl {
			if bareOf(item) == bareOf(jid) {
				return true
			}
		}
	}
	if bl[jid] {
		return true
	}
	if bl[dom] && !s.mut.has(mutDomainItemIgnored) {
		return true
	}
	if node != "" && bl[node+"@"+dom] {
		return true
	}
	if s.prof.DomainResourceMatchesAnyUser && node != "" && res != "" && bl[dom+"/"+res] {
		return true
	}
	return false
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
	u, ok := s.users[node]
	return ok && s.isBlocked(u, from)
}

// dropBlockedInbound is presence/bare and presence/full at priority 100:
// presence from a blocked JID is dropped silently (§7.7).
func (s *Server) dropBlockedInbound(st *etree.Element) bool {
	if s.mut.has(mutInboundPresenceFromBlocked) {
		return false
	}
	if s.blockedByRecipient(st) {
		if attrOr(st, "type") == "probe" && s.mut.has(mutProbeAnsweredToBlocked) {
			return false
		}
		s.drop(st, "blocked-inbound")
		return true
	}
	return false
}

// bounceMessage is message/bare and message/full at priority 100 (§7.7).
func (s *Server) bounceMessage(o origin, st *etree.Element) bool {
	if !s.blockedByRecipient(st) {
		return false
	}
	switch t := attrOr(st, "type"); t {
	case "chat", "", "normal":
		to := attrOr(st, "to")
		if s.sessionOf(to) != nil {
			if s.mut.has(mutBlockedMessageToFullDelivered) {
				return false
			}
			s.drop(st, "blocked-inbound") // Prosody issue #690
			return true
		}
		if s.mut.has(mutBlockedMessageStoredOffline) && s.onlineUser(bareOf(to)) == nil {
			return false
		}
		if s.prof.BounceBlockedMessages {
			s.drop(st, "blocked-inbound")
			s.send(o, errorReply(st, "cancel", "service-unavailable", "", nil), "error")
			return true
		}
	}
	s.drop(st, "blocked-inbound")
	return true
}

// bounceIQ is iq/bare and iq/full at priority 100 (§7.7).
func (s *Server) bounceIQ(o origin, st *etree.Element) bool {
	if !s.blockedByRecipient(st) {
		return false
	}
	s.drop(st, "blocked-inbound")
	if t := attrOr(st, "type"); t == "get" || t == "set" {
		s.send(o, errorReply(st, "cancel", "service-unavailable", "", nil), "error")
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
	var u *user
	if o.sess != nil {
		u = o.sess.user
	} else if node, dom, _ := splitJID(attrOr(st, "from")); node != "" && dom == s.host {
		u = s.users[node]
	}
	return u != nil && s.isBlocked(u, to)
}

// bounceOutgoing is the blocklist's outbound hook (§7.6): errors and iq
// results are dropped silently, anything else is answered with
// not-acceptable and <blocked/>.
func (s *Server) bounceOutgoing(o origin, st *etree.Element) bool {
	if s.mut.has(mutOutboundToBlockedRouted) && st.Tag == "message" {
		return false
	}
	if !s.blockedBySender(o, st) {
		return false
	}
	t := attrOr(st, "type")
	if t == "error" || (st.Tag == "iq" && t == "result") {
		s.drop(st, "blocked-outbound")
		return true
	}
	s.drop(st, "blocked-outbound")
	if st.Tag == "presence" && s.generated > 0 && !s.prof.ErrorOnBlockedBroadcast {
		return true // the spec's silent suppression (invariant 19)
	}
	var app *etree.Element
	if !s.mut.has(mutOutboundErrorWithoutBlocked) {
		app = etree.NewElement("blocked")
		app.CreateAttr("xmlns", nsBlockErr)
	}
	s.send(o, errorReply(st, "cancel", "not-acceptable", "You have blocked this JID", app), "error")
	return true
}

// blocklistGet answers a blocklist retrieval (§7.2).
func (s *Server) blocklistGet(sess *session, st *etree.Element) {
	r := reply(st)
	bl := newNS(r, "blocklist", nsBlocking)
	for _, jid := range sortedKeys(sess.user.blocklist) {
		bl.CreateElement("item").CreateAttr("jid", jid)
	}
	sess.interestedBlocklist = true
	s.deliver(sess, r, "result")
}

// editBlocklist handles <block/> and <unblock/> (§7.3).
func (s *Server) editBlocklist(sess *session, st *etree.Element, action *etree.Element) {
	u := sess.user
	blocking := action.Tag == "block"
	var items []string
	seen := map[string]bool{}
	var presenceSet, removePending []string
	for _, it := range childElements(action) {
		if it.Tag != "item" || ns(it) != nsBlocking {
			continue
		}
		raw, ok := attr(it, "jid")
		j, err := ParseJID(raw)
		if !ok || err != nil {
			s.deliver(sess, errorReply(st, "modify", "jid-malformed", "", nil), "error")
			return
		}
		jid := j.String()
		it.CreateAttr("jid", jid) // echoed prepped in the push
		if seen[jid] {
			continue
		}
		seen[jid] = true
		items = append(items, jid)
		if s.isContactSubscribed(u, jid) || (blocking && s.mut.has(mutUnavailableToUnsubscribed)) || (!blocking && s.mut.has(mutPresenceOnUnblockToNone)) {
			presenceSet = append(presenceSet, jid)
		} else if blocking && u.hasPending(jid) {
			removePending = append(removePending, jid)
		}
	}
	if blocking && len(items) == 0 {
		s.deliver(sess, errorReply(st, "modify", "bad-request", "", nil), "error")
		return
	}
	old := u.blocklist
	nbl := make(map[string]bool, len(old)+len(items))
	if blocking || len(items) > 0 {
		for k := range old {
			nbl[k] = true
		}
		for _, jid := range items {
			if blocking {
				nbl[jid] = true
			} else {
				delete(nbl, jid)
			}
		}
	}
	if !blocking && len(items) == 0 && s.mut.has(mutUnblockAllNoop) {
		nbl = old
	}
	u.blocklist = nbl
	s.touch(u)
	s.deliver(sess, reply(st), "result")

	if blocking {
		for _, jid := range presenceSet {
			if old[jid] && !s.mut.has(mutReblockSendsUnavailable) {
				continue // §7.3 step 7: no second unavailable
			}
			if s.mut.has(mutNoUnavailableOnBlock) {
				continue
			}
			if s.prof.UnavailableSenderIsFullJID {
				for _, o := range u.sessions {
					if o.presence != nil {
						s.post(hostOrigin, newStanza("presence", "type", "unavailable", "to", jid, "from", o.fullStr), false)
					}
				}
			} else if s.anyAvailable(u) {
				s.post(hostOrigin, newStanza("presence", "type", "unavailable", "to", jid, "from", u.bareStr), false)
			}
		}
		if len(removePending) > 0 && s.prof.DropPendingInOnBlock && !s.mut.has(mutPendingKeptOnBlock) {
			for _, jid := range removePending {
				delete(u.pending, jid)
			}
			s.save(u)
		}
	} else if len(items) > 0 || s.prof.PresenceOnUnblockAll {
		targets := presenceSet
		if len(items) == 0 { // unblock-all under PresenceOnUnblockAll
			for _, jid := range sortedKeys(old) {
				if s.isContactSubscribed(u, jid) {
					targets = append(targets, jid)
				}
			}
		}
		if !s.mut.has(mutNoPresenceOnUnblock) {
			for _, jid := range targets {
				s.post(hostOrigin, newStanza("presence", "type", "probe", "to", u.bareStr, "from", jid), false)
			}
		}
	}

	if s.mut.has(mutNoPushOnUnblockAll) && !blocking && len(items) == 0 {
		return
	}
	push := newStanza("iq", "type", "set", "id", "blocklist-push")
	echo := action.Copy()
	if selectAttr(echo, "xmlns") == nil {
		echo.CreateAttr("xmlns", nsBlocking)
	}
	push.AddChild(echo)
	for _, o := range u.sessions {
		if o.interestedBlocklist || !s.prof.PushOnlyInterested || s.mut.has(mutBlocklistPushToAll) {
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
