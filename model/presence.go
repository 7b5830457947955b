package model

import (
	"github.com/beevik/etree"
)

// outboundPresence runs pre-presence/<kind> in hook order (§0.9):
//
//	bare: lastactivity (10), vCard hint (1), mod_presence (0), blocklist (-1)
//	host: vCard hint (1), mod_presence (0), blocklist (-1)
//	full: blocklist (100), vCard hint (1), mod_presence (0)
func (s *Server) outboundPresence(o origin, st *etree.Element, k kind) bool {
	if k != kindFull && !s.prof.LocalRosterChangeOnBlockedOutboundSub && isSubscriptionType(attrOr(st, "type")) {
		// The specification's order (XEP-0191 §3.3, invariant 26): a
		// subscription presence to a blocked JID is bounced before it
		// can change the sender's roster. Prosody handles it first.
		if s.bounceOutgoing(o, st) {
			return true
		}
	}
	switch k {
	case kindBare:
		s.recordLastActivity(o, st)
		s.injectVCardHint(o, st)
		if s.presenceOutbound(o, st) {
			return true
		}
		return s.bounceOutgoing(o, st)
	case kindHost:
		s.injectVCardHint(o, st)
		if s.presenceOutbound(o, st) {
			return true
		}
		return s.bounceOutgoing(o, st)
	default:
		if s.bounceOutgoing(o, st) {
			return true
		}
		s.injectVCardHint(o, st)
		return s.presenceOutbound(o, st)
	}
}

func isSubscriptionType(t string) bool {
	return t == "subscribe" || t == "subscribed" || t == "unsubscribe" || t == "unsubscribed"
}

// injectVCardHint adds <x xmlns='vcard-temp:x:update'><photo/></x> to
// available presence from a user (§0.6).
func (s *Server) injectVCardHint(o origin, st *etree.Element) {
	if o.sess == nil || selectAttr(st, "type") != nil || s.mut.has(mutNoVCardHint) {
		return
	}
	x := child(st, "x", nsVCardHint)
	if x == nil {
		x = newNS(st, "x", nsVCardHint)
	}
	if child(x, "photo", nsVCardHint) == nil {
		x.CreateElement("photo")
	}
}

// presenceOutbound is mod_presence's outbound_presence_handler (§3.3,
// §4.4): subscription stanzas and probes are handled here, and directed
// presence is recorded in the origin session's directed set.
func (s *Server) presenceOutbound(o origin, st *etree.Element) bool {
	to, hasTo := attr(st, "to")
	if !hasTo {
		return false
	}
	t, hasType := attr(st, "type")
	if hasType && t != "unavailable" && t != "error" {
		return s.outboundSubscription(o, st, bareOf(attrOr(st, "from")), bareOf(to))
	}
	if o.sess == nil {
		return false // the host has no roster and records nothing
	}
	toBare := bareOf(to)
	if it := o.sess.user.roster[toBare]; it == nil || !it.subscribedFrom() {
		if o.sess.directed == nil {
			o.sess.directed = make(map[string]bool)
		}
		if hasType {
			delete(o.sess.directed, to)
		} else {
			o.sess.directed[to] = true
		}
	}
	return false
}

// outboundSubscription is handle_outbound_presence_subscriptions_and_probes
// (§4.4): the user U (fromBare) sends a subscription stanza or probe to C.
func (s *Server) outboundSubscription(o origin, st *etree.Element, fromBare, toBare string) bool {
	if fromBare == toBare {
		return false // no self contacts; §3.9 last point
	}
	stFrom, hadFrom := attr(st, "from")
	stTo, hadTo := attr(st, "to")
	st.CreateAttr("from", fromBare)
	st.CreateAttr("to", toBare)
	u := s.localUser(mustJID(fromBare))
	typ := attrOr(st, "type")
	switch typ {
	case "probe":
		setAttr(st, "from", stFrom, hadFrom)
		return false // the probe goes on, to the blocklist and inbound stage
	case "subscribe":
		if u != nil {
			s.setContactPendingOut(u, toBare)
			s.rosterPush(u, toBare)
		}
		s.lastPending = nil
		s.post(o, st, false)
		// Prosody 0.12.3 puts the stanza's own 'to' back after posting
		// it, and the stored request is that stanza
		// (PendingKeepsAddressedTo, docs/findings.md D4).
		// Routing binds and unbinds nothing, so the contact's sessions
		// are the ones it had when the request arrived.
		if c := s.lastPending; c != nil && hadTo && stTo != toBare {
			if p := c.pending[fromBare]; p != nil {
				p.CreateAttr("to", stTo)
				if len(c.sessions) > 0 {
					if c.pendingRevert == nil {
						c.pendingRevert = map[string]bool{}
					}
					c.pendingRevert[fromBare] = true
				}
			}
		}
		s.lastPending = nil
	case "unsubscribe":
		if u != nil && s.unsubscribe(u, toBare) {
			s.rosterPush(u, toBare)
		}
		s.post(o, st, false)
	case "subscribed":
		if u != nil && s.subscribed(u, toBare) {
			s.rosterPush(u, toBare)
		}
		if u != nil && s.isContactSubscribed(u, toBare) {
			s.post(o, st, false)
			s.sendPresenceOfAvailable(u, toBare, nil)
		}
		if u != nil && s.isUserSubscribed(u, toBare) {
			s.post(o, newStanza("presence", "type", "probe", "from", fromBare, "to", toBare), false)
		}
	case "unsubscribed":
		if u != nil {
			ok, _, subscribed := s.unsubscribed(u, toBare)
			if ok {
				if subscribed {
					s.rosterPush(u, toBare)
				}
				s.post(o, st, false)
				if subscribed {
					s.sendPresenceOfAvailable(u, toBare, newStanza("presence", "type", "unavailable"))
				}
			}
		}
	default:
		// §3.9: both addresses were rewritten to bare before the reply.
		s.send(o, errorReply(st, "modify", "bad-request", "Invalid presence type", nil), "error")
	}
	setAttr(st, "from", stFrom, hadFrom)
	setAttr(st, "to", stTo, hadTo)
	return true
}

// mustJID parses a JID string the pipeline has already prepped.
func mustJID(j string) JID {
	node, dom, res := splitJID(j)
	return JID{Node: node, Domain: dom, Resource: res}
}

// inboundPresence runs presence/<kind> (§3.4, §4.5).
func (s *Server) inboundPresence(o origin, st *etree.Element, k kind, toSelf bool) bool {
	switch k {
	case kindHost:
		return s.presenceToHost(st)
	case kindFull:
		if s.dropBlockedInbound(st) {
			return true
		}
		t, hasType := attr(st, "type")
		if hasType && t != "unavailable" && t != "error" {
			return s.inboundSubscription(o, st, bareOf(attrOr(st, "from")), bareOf(attrOr(st, "to")))
		}
		if sess := s.sessionOf(attrOr(st, "to")); sess != nil {
			s.deliver(sess, st, "")
		} else {
			s.drop(st, "no-session")
		}
		return true
	}
	// presence/bare
	if s.dropBlockedInbound(st) {
		return true
	}
	to, hasTo := attr(st, "to")
	t, hasType := attr(st, "type")
	if hasTo {
		if hasType && t != "unavailable" && t != "error" {
			return s.inboundSubscription(o, st, bareOf(attrOr(st, "from")), bareOf(to))
		}
		if u := s.onlineUser(to); u != nil {
			n := 0
			for _, sess := range u.sessions {
				if sess.presence != nil {
					s.deliver(sess, st, "")
					n++
				}
			}
			if n == 0 {
				s.drop(st, "no-available-session")
			}
		} else {
			s.drop(st, "offline-target")
		}
		return true
	}
	if !hasType || t == "unavailable" {
		s.handleNormalPresence(o, st)
	} else {
		s.send(o, errorReply(st, "modify", "bad-request", "Invalid presence type", nil), "error")
	}
	return true
}

// presenceToHost is presence/host (§3.4).
func (s *Server) presenceToHost(st *etree.Element) bool {
	fromBare := bareOf(attrOr(st, "from"))
	id := attrOr(st, "id")
	switch attrOr(st, "type") {
	case "probe":
		s.post(hostOrigin, newStanza("presence", "from", s.host, "to", fromBare, "id", id), false)
	case "subscribe":
		s.post(hostOrigin, newStanza("presence", "from", s.host, "to", fromBare, "id", id, "type", "subscribed"), false)
		s.post(hostOrigin, newStanza("presence", "from", s.host, "to", fromBare, "id", id), false)
	default:
		s.drop(st, "presence-to-host")
	}
	return true
}

// inboundSubscription is handle_inbound_presence_subscriptions_and_probes
// (§3.5, §4.5): C (toBare) receives a subscription stanza or probe from U.
func (s *Server) inboundSubscription(o origin, st *etree.Element, fromBare, toBare string) bool {
	stFrom, hadFrom := attr(st, "from")
	stTo, hadTo := attr(st, "to")
	st.CreateAttr("from", fromBare)
	st.CreateAttr("to", toBare)
	c := s.localUser(mustJID(toBare))
	if c == nil { // a host JID with a resource: nothing to do
		s.drop(st, "no-account")
		setAttr(st, "from", stFrom, hadFrom)
		setAttr(st, "to", stTo, hadTo)
		return true
	}
	if len(c.sessions) == 0 {
		// Prosody loads the roster of an offline account here and keeps
		// it in memory (PendingKeepsAddressedTo)
		c.rosterCached = true
	}
	switch attrOr(st, "type") {
	case "probe":
		if s.isContactSubscribed(c, fromBare) || s.mut.has(mutProbeIgnoresSubscription) {
			if s.sendPresenceOfAvailable(c, stFrom, nil) == 0 {
				s.post(hostOrigin, newStanza("presence", "from", toBare, "to", stFrom, "type", "unavailable"), true)
			}
		} else {
			s.post(hostOrigin, newStanza("presence", "from", toBare, "to", fromBare, "type", "unsubscribed"), true)
		}
	case "subscribe":
		switch {
		case s.isContactSubscribed(c, fromBare):
			s.post(hostOrigin, newStanza("presence", "from", toBare, "to", fromBare, "type", "subscribed"), true)
			if s.sendPresenceOfAvailable(c, fromBare, nil) == 0 {
				s.post(hostOrigin, newStanza("presence", "from", toBare, "to", fromBare, "type", "unavailable"), true)
			}
		case s.isPreApproved(c, fromBare):
			if !c.hasPending(fromBare) {
				if s.setContactPendingIn(c, fromBare, st) {
					s.post(hostOrigin, newStanza("presence", "from", toBare, "to", fromBare, "type", "subscribed"), true)
				}
			}
		default:
			s.post(hostOrigin, newStanza("presence", "from", toBare, "to", fromBare, "type", "unavailable"), true)
			if !c.hasPending(fromBare) {
				if s.setContactPendingIn(c, fromBare, st) {
					s.sendToAvailable(c, st)
					if s.prof.PendingKeepsAddressedTo {
						s.lastPending = c
					}
				}
			}
		}
	case "unsubscribe":
		if s.processInboundUnsubscribe(c, fromBare) {
			s.sendToInterested(c, st)
			s.rosterPush(c, fromBare)
		}
	case "subscribed":
		if s.processInboundApproval(c, fromBare) {
			s.sendToInterested(c, st)
			s.rosterPush(c, fromBare)
		} else if s.mut.has(mutPushOnNoop) {
			s.rosterPush(c, fromBare)
		}
	case "unsubscribed":
		if s.processInboundCancellation(c, fromBare) {
			s.sendToInterested(c, st)
			s.rosterPush(c, fromBare)
		}
	default:
		s.send(o, errorReply(st, "modify", "bad-request", "Invalid presence type", nil), "error")
	}
	setAttr(st, "from", stFrom, hadFrom)
	setAttr(st, "to", stTo, hadTo)
	return true
}

// sendToAvailable is sessionmanager.send_to_available_resources.
func (s *Server) sendToAvailable(u *user, st *etree.Element) int {
	n := 0
	for _, sess := range u.sessions {
		if sess.presence != nil {
			s.deliver(sess, st, "")
			n++
		}
	}
	return n
}

// sendToInterested is sessionmanager.send_to_interested_resources.
func (s *Server) sendToInterested(u *user, st *etree.Element) {
	for _, sess := range u.sessions {
		if sess.interested || s.mut.has(mutRosterPushToAll) {
			s.deliver(sess, st, "")
		}
	}
}

// sendPresenceOfAvailable posts the stored presence of each available
// session of u (or, with override, that stanza from each session) to jid,
// with the session as origin and the outbound stage (§3.2). It returns the
// number of available sessions.
func (s *Server) sendPresenceOfAvailable(u *user, jid string, override *etree.Element) int {
	s.generated++
	defer func() { s.generated-- }()
	n := 0
	for _, sess := range u.sessions {
		pres := sess.presence
		if pres == nil {
			continue
		}
		if override != nil {
			pres = override
			pres.CreateAttr("from", sess.fullStr)
		}
		pres.CreateAttr("to", jid)
		s.post(origin{sess}, pres, true)
		removeAttr(pres, "to")
		n++
	}
	return n
}

// handleNormalPresence is mod_presence's handle_normal_presence: a
// broadcast available or unavailable presence from session o (§3.1).
func (s *Server) handleNormalPresence(o origin, st *etree.Element) {
	sess := o.sess
	if sess == nil {
		return
	}
	u := sess.user
	prioText, hasPrio := childText(st, "priority", nsClient)
	priority := parsePriority(prioText, hasPrio)
	typ, hasType := attr(st, "type")
	s.generated++
	defer func() { s.generated-- }()

	// 1. Reflection.
	if sess.bound && !s.mut.has(mutNoReflection) {
		s.deliver(sess, st, "")
	}
	// 2. Own other available resources.
	for _, res := range u.sessions {
		if res != sess && res.presence != nil {
			st.CreateAttr("to", res.fullStr)
			s.post(o, st, true)
		}
	}
	// 3. Contacts with from/both.
	for _, jid := range u.rosterJIDs() {
		if it := u.roster[jid]; it != nil && it.subscribedFrom() {
			st.CreateAttr("to", jid)
			s.post(o, st, true)
		}
	}
	removeAttr(st, "to")
	// 4. Trunk stops here if the session was closed during its own
	// broadcast (§9.5). That cannot happen in the model: routing never
	// binds or unbinds a session (only Bind, Close and the entry checks
	// do), which is also why fan-outs iterate u.sessions directly.
	// 5. Initial presence.
	if !hasType && sess.presence == nil {
		sess.presence = st
		// b. probes
		for _, jid := range u.rosterJIDs() {
			if it := u.roster[jid]; it != nil && it.subscribedTo() {
				s.post(o, newStanza("presence", "type", "probe", "from", sess.fullStr, "to", jid), true)
			}
		}
		// c. presence of other resources
		for _, res := range u.sessions {
			if res != sess && res.presence != nil {
				res.presence.CreateAttr("to", sess.fullStr)
				s.post(origin{res}, res.presence, true)
				removeAttr(res.presence, "to")
			}
		}
		// d. pending inbound requests, straight to the session
		for _, jid := range sortedKeys(u.pending) {
			var sub *etree.Element
			if stored := u.pending[jid]; stored != nil {
				sub = stored.Copy()
				sub.CreateAttr("type", "subscribe")
				sub.CreateAttr("from", jid)
			} else {
				sub = newStanza("presence", "type", "subscribe", "from", jid)
			}
			if s.prof.RecheckBlocklistOnOfflineFlush && s.isBlocked(u, jid) {
				s.drop(sub, "blocked-pending")
				continue
			}
			s.deliver(sess, sub, "")
		}
		// e. outstanding outbound requests re-sent
		for _, jid := range u.rosterJIDs() {
			if it := u.roster[jid]; it != nil && it.ask {
				s.post(o, newStanza("presence", "type", "subscribe", "from", u.bareStr, "to", jid), true)
			}
		}
		// f. offline messages
		if priority >= 0 || s.mut.has(mutOfflineAtNegativePriority) {
			s.flushOffline(sess)
		}
	}
	if hasType && typ == "unavailable" {
		sess.presence = nil
		sess.hasPrio = false
		sess.priority = 0
		if len(sess.directed) > 0 {
			for _, jid := range sortedKeys(sess.directed) {
				st.CreateAttr("to", jid)
				s.post(o, st, true)
			}
			sess.directed = nil
		}
	} else {
		sess.presence = st
		st.AddChild(s.delayElement(s.stamp()))
		sess.priority = priority
		sess.hasPrio = true
	}
	removeAttr(st, "to")
}

// unbindPresence is mod_presence's resource-unbind handler (§3.8).
func (s *Server) unbindPresence(sess *session, reason string) {
	s.generated++
	defer func() { s.generated-- }()
	if sess.presence != nil {
		pres := newStanza("presence", "type", "unavailable")
		if reason != "" {
			pres.CreateElement("status").SetText("Disconnected: " + reason)
		}
		// Processed as if the client had sent it (§1.1 path), without
		// the stream's xml:lang: the server built it.
		pres.CreateAttr("from", sess.fullStr)
		s.post(origin{sess}, pres, true)
		return
	}
	if len(sess.directed) > 0 {
		pres := newStanza("presence", "type", "unavailable", "from", sess.fullStr)
		if reason != "" {
			pres.CreateElement("status").SetText("Disconnected: " + reason)
		}
		for _, jid := range sortedKeys(sess.directed) {
			pres.CreateAttr("to", jid)
			s.post(origin{sess}, pres, true)
		}
		sess.directed = nil
	}
}
