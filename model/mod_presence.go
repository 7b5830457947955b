package model

import (
	"github.com/beevik/etree"
)

// mod_presence (§3, §4.4, §4.5): broadcasts, directed presence, probes,
// subscription handling in both directions, the unavailable at unbind, and
// the unsubscriptions when a roster item is removed. Its hooks run at
// priority 0; in the outbound stage (§0.9) mod_lastactivity (10) and the
// vCard hint (1) come before it on bare and host targets, mod_blocklist
// after it (-1), while on full targets mod_blocklist comes first (100).
var _ = register(&builtin{
	name: "presence",
	load: func(s *Server, m *ModuleAPI) {
		for k := kindBare; k <= kindHost; k++ {
			m.Hook(preNames[tagPresence][k], 0, presenceOutbound)
		}
		m.Hook("presence/bare", 0, presenceToBare)
		m.Hook("presence/full", 0, presenceToFull)
		m.Hook("presence/host", 0, presenceToHost)
		m.Hook(EventResourceUnbind, 0, unbindPresence)
		m.Hook(EventRosterItemRemoved, 0, rosterItemRemoved)
		s.hooks.refTo(&s.mods.presence.initial, EventInitialPresence)
	},
	mutants: []mutantDef{
		{name: "no-presence-reflection", summary: "a broadcast presence is not reflected to its sender",
			apply: func(m *modules) { m.presence.reflect = func(*Server, *session, *etree.Element) {} }},
		{name: "probe-ignores-subscription", summary: "a probe is answered with presence without checking the prober's subscription",
			apply: func(m *modules) { m.presence.probeAllowed = func(*Server, *user, string) bool { return true } }},
		{name: "roster-push-on-noop", summary: "an inbound subscribed that changes nothing still pushes the roster item",
			apply: func(m *modules) {
				m.presence.subscribedNoop = func(s *Server, e *HookEvent, c *user, from string) { s.rosterPush(e, c, from) }
			}},
	},
})

// presenceSession is mod_presence's per-session state.
type presenceSession struct {
	presence *etree.Element // stored available presence, nil when unavailable
	priority int
	hasPrio  bool
	directed map[string]bool // directed presence sent, by full or bare JID
}

// presenceMod holds mod_presence's replaceable strategies.
type presenceMod struct {
	// reflect writes a broadcast presence back to its sender (§3.1 step 1).
	reflect func(s *Server, sess *session, st *etree.Element)
	// probeAllowed: c answers a probe from the bare JID from (§3.5).
	probeAllowed func(s *Server, c *user, from string) bool
	// subscribedNoop runs for an inbound subscribed that changes nothing.
	subscribedNoop func(s *Server, e *HookEvent, c *user, from string)
	initial        chainRef // presence/initial, fired by handleNormalPresence
}

func (m *presenceMod) init() {
	m.reflect = func(s *Server, sess *session, st *etree.Element) {
		if s.prof.SelfBlockable && s.isBlocked(sess.user, sess.fullStr) {
			// ejabberd: the user's own list can block its own JID
			// (its domain, its bare JID) and the reflection with it
			// (finding E4). Recorded as addressed to the session.
			r := st.Copy()
			r.CreateAttr("to", sess.fullStr)
			s.drop(r, "blocked-inbound")
			return
		}
		if sess.bound {
			s.deliver(sess, st, "")
		}
	}
	m.probeAllowed = func(s *Server, c *user, from string) bool { return s.isContactSubscribed(c, from) }
	m.subscribedNoop = func(*Server, *HookEvent, *user, string) {}
}

func isSubscriptionType(t string) bool {
	return t == "subscribe" || t == "subscribed" || t == "unsubscribe" || t == "unsubscribed"
}

// presenceOutbound is mod_presence's outbound_presence_handler (§3.3,
// §4.4): subscription stanzas and probes are handled here, and directed
// presence is recorded in the origin session's directed set.
func presenceOutbound(e *HookEvent) bool {
	s := e.s
	o, st := e.origin, e.stanza
	to, hasTo := attr(st, "to")
	if !hasTo {
		return false
	}
	t, hasType := attr(st, "type")
	if hasType && t != "unavailable" && t != "error" {
		return s.outboundSubscription(e, bareOf(attrOr(st, "from")), bareOf(to))
	}
	if o.sess == nil {
		return false // the host has no roster and records nothing
	}
	toBare := bareOf(to)
	if toBare == o.sess.user.bareStr && s.prof.PresenceDelayFromResource {
		// ejabberd: presence to the user's own JIDs, the server's or
		// the client's own directed presence, is never recorded as
		// directed presence (ejabberd_c2s process_presence_out skips
		// its own bare JID): no unavailable follows.
		return false
	}
	if s.prof.RefusedDirectedNotRecorded && e.kind != kindHost && s.blockedBySender(o, st) {
		// ejabberd: a directed presence the user's list refuses is
		// answered with the error (send_error) before pres_a is
		// updated: it is not recorded, and no unavailable follows
		return false
	}
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

// postSubscription routes an outbound subscription stanza after its
// roster change.
func (s *Server) postSubscription(e *HookEvent, o origin, st *etree.Element) {
	s.post(e, false, o, st, false)
}

// blockedSubscription is ejabberd's outbound subscription stanza to a
// contact the user blocks (BlockedSubscriptionBounced): mod_roster's
// hook changes the roster first, then the privacy check bounces the
// stanza. The bounce is written at once by the session; the roster push
// (and, for an approval that gives the contact "from", each session's
// presence resent to the contact by mod_roster route_presence_change,
// which each session's list bounces to that session) reach the sessions
// through their mailboxes, after it. A lost "from" sends the contact the
// unavailable of every session all the same (unavailableOfEverySession).
func (s *Server) blockedSubscription(e *HookEvent, u *user, c, typ string, st *etree.Element) {
	s.bounceSubscription(e, st)
	if u == nil {
		return
	}
	switch typ {
	case "subscribe":
		push := !s.prof.NoPushWithoutChange || s.subscribeChangesItem(u, c)
		s.setContactPendingOut(u, c)
		if push {
			s.subscriptionPush(e, u, c)
		}
	case "unsubscribe":
		if s.unsubscribe(u, c) {
			s.subscriptionPush(e, u, c)
		}
	case "subscribed":
		if s.subscribed(u, c) {
			if s.isContactSubscribed(u, c) && !s.isBlocked(u, c) {
				// the list blocks only the full JID the stanza
				// went to: the presence resent to the bare JID
				// passes
				s.sendPresenceOfAvailable(e, u, c, nil)
			} else if s.isContactSubscribed(u, c) {
				for _, res := range u.sessions {
					if res.presence == nil {
						continue
					}
					pres := res.presence.Copy()
					pres.CreateAttr("from", res.fullStr)
					pres.CreateAttr("to", c)
					s.drop(pres, "blocked-outbound")
					s.deliverDirect(res, s.errorAt(errSiteBlockedOut, pres, "cancel", "not-acceptable", "You have blocked this JID", s.mods.blocklist.errorApp()), "error")
				}
			}
			s.subscriptionPush(e, u, c)
		}
	case "unsubscribed":
		pendingOnly := s.pendingOnlyItem(u, c)
		_, pending, subscribed := s.unsubscribed(u, c)
		if pendingOnly {
			s.deleteItemSilently(u, c) // ejabberd (pendingOnlyItem)
		}
		if subscribed {
			if s.prof.RemovalPresenceByItem {
				s.unavailableOfEverySession(e, u, c)
			}
			s.subscriptionPush(e, u, c)
		} else if s.pendingInPush(u, c, pending) {
			s.subscriptionPush(e, u, c)
		}
	}
}

// bounceSubscription answers a subscription stanza to a blocked contact
// with the blocked error (ejabberd's privacy check runs after the roster
// hook: the roster has changed, and the stanza goes no further).
func (s *Server) bounceSubscription(e *HookEvent, st *etree.Element) {
	s.drop(st, "blocked-outbound")
	e.sendDirect(s.errorAt(errSiteBlockedOut, st, "cancel", "not-acceptable", "You have blocked this JID", s.mods.blocklist.errorApp()), "error")
}

// outboundSubscription is handle_outbound_presence_subscriptions_and_probes
// (§4.4): the user U (fromBare) sends a subscription stanza or probe to C.
func (s *Server) outboundSubscription(e *HookEvent, fromBare, toBare string) bool {
	o, st := e.origin, e.stanza
	if fromBare == toBare {
		return false // no self contacts; §3.9 last point
	}
	stFrom, hadFrom := attr(st, "from")
	stTo, hadTo := attr(st, "to")
	st.CreateAttr("from", fromBare)
	st.CreateAttr("to", toBare)
	u := s.localUser(mustJID(fromBare))
	typ := attrOr(st, "type")
	if isSubscriptionType(typ) && s.prof.BlockedSubscriptionBounced && s.blockedBySender(o, st) {
		s.blockedSubscription(e, u, toBare, typ, st)
		setAttr(st, "from", stFrom, hadFrom)
		setAttr(st, "to", stTo, hadTo)
		return true
	}
	switch typ {
	case "probe":
		// Both are put back (mod_presence: stanza.attr.from, .to =
		// st_from, st_to): a probe to a full JID — an occupant's, in
		// a MUC room — keeps its resource.
		setAttr(st, "from", stFrom, hadFrom)
		setAttr(st, "to", stTo, hadTo)
		return false // the probe goes on, to the blocklist and inbound stage
	case "subscribe":
		if u != nil {
			push := !s.prof.NoPushWithoutChange || s.subscribeChangesItem(u, toBare)
			s.setContactPendingOut(u, toBare)
			if push {
				s.subscriptionPush(e, u, toBare)
			}
		}
		// The inbound stage reports on the posted event which account
		// stored the request (pendingAt).
		sub := s.newEvent(e)
		sub.origin, sub.stanza = o, st
		s.route(sub, false)
		c := sub.pendingAt
		s.releaseEvent(sub)
		// Prosody 0.12.3 puts the stanza's own 'to' back after posting
		// it, and the stored request is that stanza
		// (PendingKeepsAddressedTo, docs/findings.md D4).
		// Routing binds and unbinds nothing, so the contact's sessions
		// are the ones it had when the request arrived.
		if c != nil && hadTo && stTo != toBare {
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
	case "unsubscribe":
		if u != nil && s.unsubscribe(u, toBare) {
			s.subscriptionPush(e, u, toBare)
		}
		s.postSubscription(e, o, st)
	case "subscribed":
		changed := u != nil && s.subscribed(u, toBare)
		if changed {
			s.subscriptionPush(e, u, toBare)
		}
		if s.prof.SubscriptionAlwaysRouted {
			// ejabberd routes it whatever it changed; the user's
			// presence follows only a new "from" (the push's
			// route_presence_change)
			s.postSubscription(e, o, st)
			if changed && s.isContactSubscribed(u, toBare) {
				s.sendPresenceOfAvailable(e, u, toBare, nil)
			}
			break
		}
		if u != nil && s.isContactSubscribed(u, toBare) {
			s.postSubscription(e, o, st)
			s.sendPresenceOfAvailable(e, u, toBare, nil)
		}
		if u != nil && s.isUserSubscribed(u, toBare) && !s.prof.NoProbeAfterApproval {
			s.post(e, false, o, newStanza("presence", "type", "probe", "from", fromBare, "to", toBare), false)
		}
	case "unsubscribed":
		if u != nil {
			pendingOnly := s.pendingOnlyItem(u, toBare)
			ok, pending, subscribed := s.unsubscribed(u, toBare)
			if pendingOnly {
				s.deleteItemSilently(u, toBare) // ejabberd (pendingOnlyItem)
			}
			if !ok && s.prof.SubscriptionAlwaysRouted {
				s.postSubscription(e, o, st) // ejabberd: routed all the same
			}
			if ok {
				if subscribed || s.pendingInPush(u, toBare, pending) {
					s.subscriptionPush(e, u, toBare)
				}
				s.postSubscription(e, o, st)
				if subscribed && s.prof.RemovalPresenceByItem {
					s.unavailableOfEverySession(e, u, toBare)
				} else if subscribed {
					s.sendPresenceOfAvailable(e, u, toBare, newStanza("presence", "type", "unavailable"))
				}
			}
		}
	default:
		// §3.9: both addresses were rewritten to bare before the reply.
		e.send(errorReply(st, "modify", "bad-request", "Invalid presence type", nil), "error")
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

// presenceToFull is presence/full (§3.4, §4.5), after mod_blocklist.
func presenceToFull(e *HookEvent) bool {
	s := e.s
	st := e.stanza
	t, hasType := attr(st, "type")
	if hasType && t != "unavailable" && t != "error" {
		return s.inboundSubscription(e, bareOf(attrOr(st, "from")), bareOf(attrOr(st, "to")))
	}
	if sess := s.sessionOf(attrOr(st, "to")); sess != nil {
		s.deliver(sess, st, "")
	} else {
		s.drop(st, "no-session")
	}
	return true
}

// presenceToBare is presence/bare (§3.4, §4.5), after mod_blocklist: a
// presence without 'to' is the sender's broadcast.
func presenceToBare(e *HookEvent) bool {
	s := e.s
	st := e.stanza
	to, hasTo := attr(st, "to")
	t, hasType := attr(st, "type")
	if hasTo {
		if hasType && t != "unavailable" && t != "error" {
			return s.inboundSubscription(e, bareOf(attrOr(st, "from")), bareOf(to))
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
	switch {
	case !hasType || t == "unavailable":
		s.handleNormalPresence(e)
	case s.prof.SelfTypedPresenceIgnored:
		s.drop(st, "self-presence-type")
	default:
		e.send(errorReply(st, "modify", "bad-request", "Invalid presence type", nil), "error")
	}
	return true
}

// presenceToHost is presence/host (§3.4).
func presenceToHost(e *HookEvent) bool {
	s := e.s
	st := e.stanza
	fromBare := bareOf(attrOr(st, "from"))
	id := attrOr(st, "id")
	switch attrOr(st, "type") {
	case "probe":
		s.post(e, false, hostOrigin, newStanza("presence", "from", s.host, "to", fromBare, "id", id), false)
	case "subscribe":
		s.post(e, false, hostOrigin, newStanza("presence", "from", s.host, "to", fromBare, "id", id, "type", "subscribed"), false)
		s.post(e, false, hostOrigin, newStanza("presence", "from", s.host, "to", fromBare, "id", id), false)
	default:
		s.drop(st, "presence-to-host")
	}
	return true
}

// inboundSubscription is handle_inbound_presence_subscriptions_and_probes
// (§3.5, §4.5): C (toBare) receives a subscription stanza or probe from U.
func (s *Server) inboundSubscription(e *HookEvent, fromBare, toBare string) bool {
	st := e.stanza
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
	if len(c.sessions) == 0 && s.loadsOfflineRoster(c, st, fromBare) {
		// Prosody loads the roster of an offline account here and keeps
		// it in memory (PendingKeepsAddressedTo, D11)
		c.rosterCached = true
	}
	switch attrOr(st, "type") {
	case "probe":
		if s.mods.presence.probeAllowed(s, c, fromBare) {
			if s.answerProbe(e, c, stFrom) == 0 && !s.prof.NoUnavailableProbeAnswer {
				s.post(e, false, hostOrigin, newStanza("presence", "from", toBare, "to", stFrom, "type", "unavailable"), true)
			}
		} else if !s.prof.NoUnavailableProbeAnswer {
			s.post(e, false, hostOrigin, newStanza("presence", "from", toBare, "to", fromBare, "type", "unsubscribed"), true)
		} else {
			s.drop(st, "probe-unauthorised")
		}
	case "subscribe":
		switch {
		case s.isContactSubscribed(c, fromBare) && s.prof.NoUnavailableOnSubscribe:
			// ejabberd: mod_roster's auto-reply alone, routed straight
			// to the requester (in_auto_reply): not through the
			// contact's outbound stage, so no presence goes with it
			s.post(e, false, hostOrigin, newStanza("presence", "from", toBare, "to", fromBare, "type", "subscribed"), false)
		case s.isContactSubscribed(c, fromBare):
			s.post(e, false, hostOrigin, newStanza("presence", "from", toBare, "to", fromBare, "type", "subscribed"), true)
			if s.sendPresenceOfAvailable(e, c, fromBare, nil) == 0 {
				s.post(e, false, hostOrigin, newStanza("presence", "from", toBare, "to", fromBare, "type", "unavailable"), true)
			}
		case s.isPreApproved(c, fromBare):
			if !c.hasPending(fromBare) {
				if _, saved := s.setContactPendingIn(c, fromBare, st); saved {
					s.post(e, false, hostOrigin, newStanza("presence", "from", toBare, "to", fromBare, "type", "subscribed"), true)
				}
			}
		default:
			if !s.prof.NoUnavailableOnSubscribe {
				s.post(e, false, hostOrigin, newStanza("presence", "from", toBare, "to", fromBare, "type", "unavailable"), true)
			}
			if it := c.roster[fromBare]; !c.hasPending(fromBare) && s.prof.RosterPushOnPendingIn && it != nil && (it.sub != "none" || it.ask) {
				// ejabberd stores the request on the roster item and
				// pushes the changed item (which shows no pending-in)
				// before it delivers the request — unless the item is
				// then only "none + pending-in", which it never pushes.
				s.subscriptionPush(e, c, fromBare)
			}
			if !c.hasPending(fromBare) {
				if stored, saved := s.setContactPendingIn(c, fromBare, st); stored {
					if saved {
						s.sendToAvailable(c, st)
					}
					if s.prof.PendingKeepsAddressedTo {
						e.pendingAt = c
					}
				}
			}
		}
	case "unsubscribe":
		it := c.roster[fromBare]
		if s.pendingOnlyItem(c, fromBare) {
			// ejabberd: the item is "none + pending in", which the
			// unsubscribe makes "none + none": mod_roster's
			// process_subscription deletes it (del_roster_t) and
			// reports no change, so nothing is pushed and the
			// notice goes to no resource — even when the item was on
			// the roster before the request
			delete(c.pending, fromBare)
			s.deleteItemSilently(c, fromBare)
			s.drop(st, "subscription-no-change")
			break
		}
		hadFrom := it != nil && it.subscribedFrom()
		if s.processInboundUnsubscribe(c, fromBare) {
			if hadFrom && s.prof.RemovalPresenceByItem {
				s.unavailableOfEverySession(e, c, fromBare)
			}
			s.noticeAndPush(e, c, fromBare, st)
		}
	case "subscribed":
		if s.processInboundApproval(c, fromBare) {
			s.noticeAndPush(e, c, fromBare, st)
		} else {
			s.mods.presence.subscribedNoop(s, e, c, fromBare)
		}
	case "unsubscribed":
		if s.processInboundCancellation(c, fromBare) {
			s.noticeAndPush(e, c, fromBare, st)
		}
	default:
		e.send(errorReply(st, "modify", "bad-request", "Invalid presence type", nil), "error")
	}
	setAttr(st, "from", stFrom, hadFrom)
	setAttr(st, "to", stTo, hadTo)
	return true
}

// sentToContact: under UnavailableOncePerJID, the broadcast unavailable
// went to jid already as a contact with "from" or "both", so the
// directed presence to the same JID gets no second copy.
func (s *Server) sentToContact(u *user, jid string) bool {
	if !s.prof.UnavailableOncePerJID {
		return false
	}
	it := u.roster[jid]
	return it != nil && it.subscribedFrom()
}

// ownResourceBroadcast is ejabberd's broadcast of sess's presence to the
// user's other resource res (SelfBlockable): ejabberd_c2s sends it to the
// user's bare JID, so the list is applied to that address on the way out
// (a full-JID or domain/resource item never matches it), and then by res
// to the sender's full JID on the way in; either match drops it silently.
func (s *Server) ownResourceBroadcast(sess, res *session, st *etree.Element) {
	u := sess.user
	if s.isBlocked(u, u.bareStr) || s.isBlocked(u, sess.fullStr) {
		s.drop(st, "blocked-inbound")
		return
	}
	s.deliver(res, st, "")
}

// unavailableToOwnResources delivers pres, an unavailable of sess that
// was never available, to the user's other available resources, unless
// the user's own list blocks sess (SelfBlockable).
func (s *Server) unavailableToOwnResources(sess *session, pres *etree.Element) {
	for _, res := range sess.user.sessions {
		if res == sess || res.presence == nil {
			continue
		}
		if s.isBlocked(res.user, sess.fullStr) {
			r := pres.Copy()
			r.CreateAttr("to", res.fullStr) // recorded as addressed to the resource
			s.drop(r, "blocked-inbound")
			continue
		}
		s.deliver(res, pres, "")
	}
}

// resendStoredRequests is ejabberd's delivery of the stored subscription
// requests at initial presence (StoredRequestRebuilt): before the
// presence is handled at all, each as a new stanza from the contact's
// bare JID to the user's, written by the session itself. Without
// RecheckBlocklistOnOfflineFlush a blocked contact's request goes out
// too (finding E1).
func (s *Server) resendStoredRequests(sess *session) {
	u := sess.user
	for _, jid := range sortedKeys(u.pending) {
		sub := newStanza("presence", "type", "subscribe", "from", jid, "to", u.bareStr)
		if s.prof.RecheckBlocklistOnOfflineFlush && s.isBlocked(u, jid) {
			s.drop(sub, "blocked-pending")
			continue
		}
		s.deliver(sess, sub, reasonAsIs)
	}
}

// noticeAndPush delivers an inbound subscription notice and pushes the
// changed item: the notice first (Prosody), or the push first
// (RosterPushBeforeResult: ejabberd's roster hook runs before the
// presence is delivered).
func (s *Server) noticeAndPush(e *HookEvent, c *user, from string, st *etree.Element) {
	if s.prof.RosterPushOnPendingIn && c.roster[from] == nil {
		// ejabberd: only a pending-in went away, on an item it never
		// shows (none + pending-in). mod_roster:process_subscription
		// deletes that item and reports no change, so the
		// roster_in_subscription hook answers false and ejabberd_sm
		// delivers the stanza to no resource: nothing is pushed and
		// the notice is dropped (observed on 24.12: an unsubscribe
		// cancelling a stored request never reaches the contact).
		s.drop(st, "subscription-no-change")
		return
	}
	if s.prof.RosterPushBeforeResult {
		s.subscriptionPush(e, c, from)
		s.sendToInterested(c, st)
		return
	}
	s.sendToInterested(c, st)
	s.subscriptionPush(e, c, from)
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
	if s.prof.SubscriptionNoticesToAvailable {
		s.sendToAvailable(u, st)
		return
	}
	for _, sess := range u.sessions {
		if s.mods.roster.interested(sess) {
			s.deliver(sess, st, "")
		}
	}
}

// sendPresenceOfAvailable posts the stored presence of each available
// session of u (or, with override, that stanza from each session) to jid,
// with the session as origin and the outbound stage (§3.2). It returns the
// number of available sessions.
func (s *Server) sendPresenceOfAvailable(e *HookEvent, u *user, jid string, override *etree.Element) int {
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
		s.post(e, true, origin{sess}, pres, true)
		removeAttr(pres, "to")
		n++
	}
	return n
}

// answerProbe answers a probe from jid with the stored presence of each
// available session of u. Under PresenceDelayFromResource each answer
// carries a <delay> from the answering session's full JID, first
// (ejabberd_c2s:route_probe_reply stamps the session's last presence
// with its own JID and time, as it does for the user's other resources).
func (s *Server) answerProbe(e *HookEvent, u *user, jid string) int {
	if !s.prof.PresenceDelayFromResource {
		return s.sendPresenceOfAvailable(e, u, jid, nil)
	}
	n := 0
	for _, sess := range u.sessions {
		if sess.presence == nil {
			continue
		}
		pres := sess.presence.Copy()
		d := s.delayElement(s.stamp())
		d.CreateAttr("from", sess.fullStr)
		pres.InsertChildAt(0, d)
		pres.CreateAttr("to", jid)
		s.post(e, true, origin{sess}, pres, true)
		n++
	}
	return n
}

// handleNormalPresence is mod_presence's handle_normal_presence: a
// broadcast available or unavailable presence from session o (§3.1).
func (s *Server) handleNormalPresence(e *HookEvent) {
	o, st := e.origin, e.stanza
	sess := o.sess
	if sess == nil {
		return
	}
	u := sess.user
	prioText, hasPrio := childText(st, "priority", nsClient)
	priority := parsePriority(prioText, hasPrio)
	typ, hasType := attr(st, "type")
	if hasType && typ == "unavailable" && sess.presence == nil && s.prof.UnavailableNeedsAvailable {
		// ejabberd: an unavailable from a session that is not available
		// is not reflected; it goes to the user's other available
		// resources, and, like any unavailable the client sends
		// (ejabberd_c2s process_self_presence →
		// broadcast_presence_unavailable with the roster), to the
		// contacts with "from" or "both" and to the targets of
		// directed presence.
		s.unavailableToOwnResources(sess, st)
		for _, jid := range u.rosterJIDs() {
			if it := u.roster[jid]; it != nil && it.subscribedFrom() {
				st.CreateAttr("to", jid)
				s.post(e, true, o, st, true)
			}
		}
		s.unavailableToDirected(e, o, sess, st)
		removeAttr(st, "to")
		return
	}
	// Everything this handler posts is server-generated presence.

	if !hasType && sess.presence == nil && s.prof.StoredRequestRebuilt && (priority >= 0 || !s.prof.StoredRequestNeedsPriority) {
		s.resendStoredRequests(sess)
	}
	// 1. Reflection (not of an unavailable under NoUnavailableReflection).
	if !(hasType && typ == "unavailable" && s.prof.NoUnavailableReflection) {
		s.mods.presence.reflect(s, sess, st)
	}
	// 2. Own other available resources.
	for _, res := range u.sessions {
		if res != sess && res.presence != nil {
			st.CreateAttr("to", res.fullStr)
			if s.prof.SelfBlockable {
				s.ownResourceBroadcast(sess, res, st)
				continue
			}
			s.post(e, true, o, st, true)
		}
	}
	// 3. Contacts with from/both.
	for _, jid := range u.rosterJIDs() {
		if it := u.roster[jid]; it != nil && it.subscribedFrom() {
			st.CreateAttr("to", jid)
			s.post(e, true, o, st, true)
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
				s.post(e, true, o, newStanza("presence", "type", "probe", "from", sess.fullStr, "to", jid), true)
			}
		}
		// c. presence of other resources
		for _, res := range u.sessions {
			if res != sess && res.presence != nil {
				pres := res.presence
				if s.prof.PresenceDelayFromResource {
					// ejabberd: stamped by the resource itself, only
					// here, the delay first.
					pres = pres.Copy()
					d := s.delayElement(s.stamp())
					d.CreateAttr("from", res.fullStr)
					pres.InsertChildAt(0, d)
				}
				pres.CreateAttr("to", sess.fullStr)
				s.post(e, true, origin{res}, pres, true)
				removeAttr(pres, "to")
			}
		}
		// d. pending inbound requests, straight to the session
		for _, jid := range sortedKeys(u.pending) {
			var sub *etree.Element
			if s.prof.StoredRequestRebuilt {
				break // delivered before the reflection (resendStoredRequests)
			}
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
		// e. outstanding outbound requests re-sent (not by ejabberd:
		// NoResendPendingOut)
		for _, jid := range u.rosterJIDs() {
			if s.prof.NoResendPendingOut {
				break
			}
			if it := u.roster[jid]; it != nil && it.ask {
				s.post(e, true, o, newStanza("presence", "type", "subscribe", "from", u.bareStr, "to", jid), true)
			}
		}
		// f. the other modules' turn: mod_offline flushes stored
		// messages (message/offline/broadcast).
		s.fireLifecycle(e, s.mods.presence.initial.handlers(), func(i *HookEvent) {
			i.generated, i.sess, i.stanza, i.priority = true, sess, st, priority
		})
	}
	if hasType && typ == "unavailable" {
		sess.presence = nil
		sess.hasPrio = false
		sess.priority = 0
		if len(sess.directed) > 0 {
			s.unavailableToDirected(e, o, sess, st)
		}
	} else {
		sess.presence = st
		if !s.prof.PresenceDelayFromResource {
			st.AddChild(s.delayElement(s.stamp()))
		}
		sess.priority = priority
		sess.hasPrio = true
	}
	removeAttr(st, "to")
}

// unbindPresence is mod_presence's resource-unbind handler (§3.8).
func unbindPresence(e *HookEvent) bool {
	s := e.s
	sess, reason := e.sess, e.reason
	if sess.presence != nil {
		pres := newStanza("presence", "type", "unavailable")
		if reason != "" {
			pres.CreateElement("status").SetText("Disconnected: " + reason)
		}
		// Processed as if the client had sent it (§1.1 path), without
		// the stream's xml:lang: the server built it.
		pres.CreateAttr("from", sess.fullStr)
		s.post(e, true, origin{sess}, pres, true)
		return false
	}
	if s.prof.UnavailableNeedsAvailable {
		// ejabberd: a session that never became available still tells
		// the user's available resources that it is gone.
		s.unavailableToOwnResources(sess, newStanza("presence", "type", "unavailable", "from", sess.fullStr))
	}
	if len(sess.directed) > 0 {
		pres := newStanza("presence", "type", "unavailable", "from", sess.fullStr)
		if reason != "" {
			pres.CreateElement("status").SetText("Disconnected: " + reason)
		}
		for _, jid := range sortedKeys(sess.directed) {
			pres.CreateAttr("to", jid)
			s.post(e, true, origin{sess}, pres, true)
		}
		sess.directed = nil
	}
	return false
}

// rosterItemRemoved is mod_presence's roster-item-removed hook (§4.7).
func rosterItemRemoved(e *HookEvent) bool {
	s := e.s
	sess, jid, it := e.sess, e.contact, e.item
	u := sess.user
	if s.prof.RemovalPresenceByItem {
		s.removalPresenceByItem(e, u, jid, it)
		return false
	}
	if it.subscribedFrom() || u.hasPending(jid) {
		s.post(e, false, origin{sess}, newStanza("presence", "type", "unsubscribed", "from", sess.fullStr, "to", jid), false)
	}
	if it.subscribedTo() || it.ask {
		s.sendPresenceOfAvailable(e, u, jid, newStanza("presence", "type", "unavailable"))
		s.post(e, false, origin{sess}, newStanza("presence", "type", "unsubscribe", "from", sess.fullStr, "to", jid), false)
	}
	return false
}

// loadsOfflineRoster reports whether handling the inbound subscription
// stanza or probe st from fromBare to the offline account c makes
// Prosody load c's roster (rostermanager load_roster, which keeps a
// roster loaded for an account without a session in its roster_cache:
// D11). Every subscription type does (is_contact_preapproved,
// process_inbound_*). A probe asks is_contact_subscribed, which answers
// from the prober's own roster when the prober is online
// (_get_online_roster_subscription: bare_sessions has it), and loads c's
// roster only when the prober is not, or when the probe is refused: the
// refusal, an unsubscribed from c posted by the host with its pre-events
// (core_post_stanza(hosts[host], ..., true)), passes mod_presence's
// outbound handler, whose rostermanager.unsubscribed loads c's roster.
// Same code in 0.12.3 and 13.0.1; seen in both servers' debug logs
// ("loading for offline user" ... "caching loaded roster"). Found by
// check --server against 13.0.1 (seed 7583: an allowed probe had marked
// the roster cached, and the account deleted and created again broadcast
// its presence from that roster where 13.0.1 loads an empty one) and
// against 0.12.3 (seed 2447, the same cause the other way round).
func (s *Server) loadsOfflineRoster(c *user, st *etree.Element, fromBare string) bool {
	if attrOr(st, "type") != "probe" || s.onlineUser(fromBare) == nil {
		return true
	}
	return !s.mods.presence.probeAllowed(s, c, fromBare) && !s.prof.NoUnavailableProbeAnswer
}

// unavailableOfEverySession is ejabberd's answer to a contact's lost
// "from" (mod_roster route_presence_change, run by the push): the
// unavailable of every session of the user, available or not, routed
// past the outbound stage. Its privacy check runs the global
// privacy_check_packet hook, where mod_privacy has no handler (it hooks
// per host), so it always allows: the unavailable reaches a contact the
// user blocks too (LostFromUnavailableUnchecked, finding E12; observed
// on 24.12). Without that option the user's list drops it silently.
func (s *Server) unavailableOfEverySession(e *HookEvent, u *user, jid string) {
	for _, res := range u.sessions {
		pres := newStanza("presence", "type", "unavailable", "from", res.fullStr, "to", jid)
		if !s.prof.LostFromUnavailableUnchecked && s.blockedBySender(origin{res}, pres) {
			s.drop(pres, "blocked-outbound")
			continue
		}
		s.post(e, true, origin{res}, pres, false)
	}
}

// removalPresenceByItem is ejabberd's presence for a removed roster item
// (RemovalPresenceByItem): when the contact had "from", the unavailable
// of every session of the user, available or not (mod_roster
// route_presence_change, privacy-checked: a blocked contact gets
// nothing, silently), then an unsubscribe for a subscription "to"/"both"
// and an unsubscribed for "from"/"both" (send_unsubscribing_presence,
// routed without the privacy check). A pending request either way sends
// nothing: the contact keeps its stored request.
func (s *Server) removalPresenceByItem(e *HookEvent, u *user, jid string, it *rosterItem) {
	sess := e.sess
	if it.subscribedFrom() {
		s.unavailableOfEverySession(e, u, jid)
	}
	// from the user's bare JID (mod_roster send_unsubscribing_presence:
	// jid:remove_resource), which is what the contact's list is matched
	// against
	if it.subscribedTo() {
		s.post(e, false, origin{sess}, newStanza("presence", "type", "unsubscribe", "from", u.bareStr, "to", jid), false)
	}
	if it.subscribedFrom() {
		s.post(e, false, origin{sess}, newStanza("presence", "type", "unsubscribed", "from", u.bareStr, "to", jid), false)
	}
}

// unavailableToDirected posts the unavailable st to every JID sess sent
// directed presence to, in JID order, but for the contacts the broadcast
// already reached (sentToContact), and forgets them: RFC 6121 §4.6.3.
// st keeps the last 'to'.
func (s *Server) unavailableToDirected(e *HookEvent, o origin, sess *session, st *etree.Element) {
	for _, jid := range sortedKeys(sess.directed) {
		if s.sentToContact(sess.user, jid) {
			continue
		}
		st.CreateAttr("to", jid)
		s.post(e, true, o, st, true)
	}
	sess.directed = nil
}
