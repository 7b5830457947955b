package model

import "github.com/beevik/etree"

// Delivery in the recipient session's turn (Profile.ListAppliedAtDelivery).
//
// ejabberd hands every stanza routed to a session to that session's
// process as a message (ejabberd_sm:do_route → ejabberd_c2s:route), and
// the process applies the user's privacy list to it when it takes it out
// of its mailbox (ejabberd_c2s:process_info → process_*_in). What a
// session's own stanza routes back to that session — the bounce of a
// message to an account without sessions, an iq's result, the pushes of
// a block — is therefore checked after every stanza the client had
// already written behind it: xmpp_socket's parser posts each stanza of
// one read to the same mailbox before the first is handled. Only
// deliveries to the session whose stanza is being processed are
// concerned: another session's mailbox holds nothing its client wrote
// in between (a concurrent writer is a separate interleaving).
//
// The model delivers such a stanza in the session's next turn
// (deferToSession), in order with the session's other deliveries, and
// applies the inbound list then; it refuses there only what the list
// came to deny meanwhile, so that whatever the routing let through on
// purpose although the list matched (an outbound refusal's error, which
// ejabberd_c2s writes straight to the stream: send_error) is unchanged.

// deliverLater queues st for sess's next turn (see above).
func (s *Server) deliverLater(sess *session, st *etree.Element, reason string) {
	c := st.Copy()
	was := s.deniedOnArrival(sess.user, c)
	s.deferToSession(sess, func() {
		if !was && s.deniedOnArrival(sess.user, c) {
			s.refuseOnArrival(sess, c)
			return
		}
		s.deliver(sess, c, reason)
	})
}

// deniedOnArrival is mod_privacy's inbound check as ejabberd_c2s applies
// it to a routed stanza: the server's domain and the user's own bare JID
// are always let in (do_check_packet), and a presence error passes
// unchecked (process_presence_in).
func (s *Server) deniedOnArrival(u *user, st *etree.Element) bool {
	from := attrOr(st, "from")
	if from == "" || from == u.bareStr {
		return false
	}
	if node, dom, _ := splitJID(from); node == "" && dom == s.host {
		return false
	}
	if st.Tag == "presence" && attrOr(st, "type") == "error" {
		return false
	}
	return s.isBlocked(u, from)
}

// refuseOnArrival is ejabberd_c2s's answer to a routed stanza the list
// denies: presence, groupchat and headline messages are dropped; other
// messages and iq requests bounce (ejabberd_router:route_error, which
// answers no error and no result). The bounce is routed to the sender's
// session like any stanza, and that session's list applies to it in
// turn: a bounce from the user's own bare JID passes (do_check_packet
// lets the own bare JID in), one from a JID the list denies does not.
func (s *Server) refuseOnArrival(sess *session, st *etree.Element) {
	if selectAttr(st, "to") == nil {
		// the model drops a 'to' of the user's own bare JID (route)
		st.CreateAttr("to", sess.user.bareStr)
	}
	s.drop(st, "blocked-on-arrival")
	t := attrOr(st, "type")
	switch {
	case st.Tag == "presence", t == "error", t == "result", t == "groupchat", t == "headline":
		return
	}
	o := s.sessionOf(attrOr(st, "from"))
	if o == nil {
		return
	}
	r := s.errorAt(errSiteBlockedIn, st, "cancel", "service-unavailable", "", nil)
	if s.deniedOnArrival(o.user, r) {
		s.drop(r, "blocked-on-arrival")
		return
	}
	if s.hasDeferred(o.id) {
		// behind what is already in that session's mailbox
		s.deferToSession(o, func() { s.deliver(o, r, "error") })
		return
	}
	s.deliver(o, r, "error")
}

// deliverDirect is deliver for a stanza the session's own process writes
// to its stream without routing it (ejabberd_c2s:send_error, the refusal
// of an outbound stanza the user's list denies): it is written at once,
// before what was routed to the session meanwhile.
func (s *Server) deliverDirect(sess *session, st *etree.Element, reason string) {
	s.direct = true
	s.deliver(sess, st, reason)
	s.direct = false
}

// sendDirect is HookEvent.send for such a stanza (deliverDirect).
func (e *HookEvent) sendDirect(st *etree.Element, reason string) {
	e.s.direct = true
	e.send(st, reason)
	e.s.direct = false
}
