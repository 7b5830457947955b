package model

import (
	"github.com/beevik/etree"
)

// inboundMessage runs message/bare and message/full after the blocklist:
// mam (inert), carbons received copies (-0.5), mod_message (-1) (§5).
func (s *Server) inboundMessage(o origin, st *etree.Element, k kind) {
	s.stripStanzaIDInbound(st)
	to, hasTo := attr(st, "to")
	var target *session
	if k == kindFull {
		target = s.sessionOf(to)
	}
	s.carbonsInbound(st, k, target)
	if k == kindFull && target != nil {
		s.deliver(target, st, "")
		return
	}
	bare := ""
	switch {
	case hasTo:
		bare = bareOf(to)
	case o.sess != nil:
		bare = o.sess.user.bareStr
	default:
		s.drop(st, "no-recipient")
		return
	}
	s.messageToBare(o, st, bare)
}

// messageToBare is mod_message's process_to_bare (§5.3).
func (s *Server) messageToBare(o origin, st *etree.Element, bare string) {
	u := s.onlineUser(bare)
	switch t := attrOr(st, "type"); t {
	case "error":
		s.drop(st, "error-to-bare")
	case "groupchat":
		s.send(o, errorReply(st, "cancel", "service-unavailable", "", nil), "error")
	case "headline":
		to, hasTo := attr(st, "to")
		n := 0
		if u != nil && hasTo && to == bare {
			for _, sess := range u.sessions {
				if sess.presence != nil && sess.hasPrio && sess.priority >= 0 {
					s.deliver(sess, st, "")
					n++
				}
			}
		}
		if n == 0 {
			s.drop(st, "headline-no-recipient")
		}
	default: // chat, normal, none
		if u != nil {
			if top := s.topResources(u); len(top) > 0 {
				if s.mut.has(mutPriorityTieOneResource) {
					top = top[:1]
				}
				for _, sess := range top {
					s.deliver(sess, st, "")
				}
				return
			}
		}
		acct := s.localUser(mustJID(bare))
		if acct == nil {
			s.send(o, errorReply(st, "cancel", "service-unavailable", "", nil), "error")
			return
		}
		// message/offline/handle: mod_offline stores it (§5.5).
		acct.offline = append(acct.offline, offlineMessage{st: st.Copy(), stamp: s.stamp()})
		s.touch(acct)
		s.out = append(s.out, Event{Kind: Store, To: acct.bare, Stanza: st.Copy(), Reason: "offline"})
	}
}

// topResources implements util/presence's top resources (§2.6): available
// sessions with the highest priority, if that priority is at least 0.
func (s *Server) topResources(u *user) []*session {
	var top []*session
	best := 0
	for _, sess := range u.sessions {
		if sess.presence == nil || !sess.hasPrio {
			continue
		}
		p := sess.priority
		if s.mut.has(mutNegativePriorityGetsBare) && p < 0 {
			p = 0
		}
		switch {
		case p > best:
			best, top = p, []*session{sess}
		case p == best:
			top = append(top, sess)
		}
	}
	return top
}

// flushOffline is message/offline/broadcast: stored messages go to sess
// with a delay stamp of their storage time, then are deleted (§5.5).
func (s *Server) flushOffline(sess *session) {
	u := sess.user
	msgs := u.offline
	u.offline = nil
	s.touch(u)
	if s.mut.has(mutOfflineKeptAfterFlush) {
		u.offline = append([]offlineMessage(nil), msgs...)
	}
	for _, m := range msgs {
		if s.prof.RecheckBlocklistOnOfflineFlush && s.isBlocked(u, attrOr(m.st, "from")) {
			s.drop(m.st, "blocked-offline")
			continue
		}
		st := m.st.Copy()
		st.AddChild(s.delayElement(m.stamp))
		s.deliver(sess, st, "offline")
	}
}

// stripStanzaID is mod_mam's outbound strip: a client may not forge a
// stanza-id claimed by its own archive (§0.9).
func (s *Server) stripStanzaID(st *etree.Element, o origin) {
	if o.sess == nil {
		return
	}
	removeStanzaIDs(st, o.sess.user.bareStr)
}

func (s *Server) stripStanzaIDInbound(st *etree.Element) {
	if to, ok := attr(st, "to"); ok {
		removeStanzaIDs(st, bareOf(to))
	}
}

func removeStanzaIDs(st *etree.Element, by string) {
	for _, c := range childElements(st) {
		if c.Tag == "stanza-id" && ns(c) == nsStanzaID && attrOr(c, "by") == by {
			st.RemoveChild(c)
		}
	}
}

// shouldCarbon is mod_carbons' copy criterion (§5.6).
func shouldCarbon(st *etree.Element, inbound bool) bool {
	if child(st, "private", nsCarbons) != nil || child(st, "no-copy", nsHints) != nil {
		return false
	}
	if x := child(st, "x", nsMUCUser); x != nil {
		return false
	}
	switch t := attrOr(st, "type"); t {
	case "chat":
		return true
	case "", "normal":
		return child(st, "body", nsClient) != nil
	case "error":
		from := attrOr(st, "from")
		return inbound && from == bareOf(from)
	}
	return false
}

func (s *Server) carbonCopy(st *etree.Element, dir, bare, to string) *etree.Element {
	typ := attrOr(st, "type")
	if typ == "" {
		typ = "normal"
	}
	m := newStanza("message", "from", bare, "type", typ, "to", to)
	w := newNS(m, dir, nsCarbons)
	f := newNS(w, "forwarded", nsForward)
	cp := st.Copy()
	cp.CreateAttr("xmlns", nsClient)
	f.AddChild(cp)
	return m
}

// carbonsOutbound sends "sent" copies to the sender's other carbons-enabled
// sessions (pre-message, priority -0.5).
func (s *Server) carbonsOutbound(o origin, st *etree.Element) {
	if o.sess == nil {
		return
	}
	u := o.sess.user
	if !anyCarbons(u) || !shouldCarbon(st, false) {
		return
	}
	for _, sess := range u.sessions {
		if sess != o.sess && sess.wantCarbons {
			s.deliver(sess, s.carbonCopy(st, "sent", u.bareStr, sess.fullStr), "carbon")
		}
	}
	// A self-addressed message is delivered with to = the bare JID once
	// carbons are in play (§5.6, verified on 0.12.3).
	if selectAttr(st, "to") == nil {
		st.CreateAttr("to", u.bareStr)
	}
}

// carbonsInbound sends "received" copies, and strips <private/> for an
// online recipient (message/*, priority -0.5).
func (s *Server) carbonsInbound(st *etree.Element, k kind, target *session) {
	to, ok := attr(st, "to")
	if !ok {
		return
	}
	u := s.onlineUser(bareOf(to))
	if u == nil {
		return
	}
	if p := child(st, "private", nsCarbons); p != nil {
		st.RemoveChild(p)
		return
	}
	if !anyCarbons(u) || !shouldCarbon(st, true) {
		return
	}
	topPrio, hasTop := 0, false
	if k != kindFull || target == nil {
		if top := s.topResources(u); len(top) > 0 {
			topPrio, hasTop = top[0].priority, true
		}
	}
	for _, sess := range u.sessions {
		if !sess.wantCarbons || sess == target {
			continue
		}
		if target == nil && hasTop && sess.presence != nil && sess.hasPrio && sess.priority == topPrio {
			continue // it receives the message itself
		}
		s.deliver(sess, s.carbonCopy(st, "received", u.bareStr, sess.fullStr), "carbon")
	}
}

func anyCarbons(u *user) bool {
	for _, sess := range u.sessions {
		if sess.wantCarbons {
			return true
		}
	}
	return false
}
