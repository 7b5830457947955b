package model

import "github.com/beevik/etree"

// mod_carbons (XEP-0280, §5.6): sessions that enabled carbons get "sent"
// copies of their account's outbound messages (pre-message, -0.5) and
// "received" copies of inbound ones the session does not get itself
// (message/bare and /full, -0.5, before mod_message's delivery at -1).
var _ = register(&builtin{name: "carbons", load: func(s *Server, m *ModuleAPI) {
	m.AddFeature("urn:xmpp:carbons:rules:0")
	m.AddFeature(nsCarbons)
	for k := kindBare; k <= kindHost; k++ {
		m.Hook(preNames[tagMessage][k], -0.5, carbonsOutbound)
	}
	for k := kindBare; k <= kindFull; k++ {
		m.Hook(inNames[tagMessage][k], -0.5, carbonsInbound)
	}
	toggle := func(e *HookEvent) bool {
		e.origin.sess.wantCarbons = e.query.Tag == "enable"
		e.s.deliver(e.origin.sess, reply(e.stanza), "result")
		return true
	}
	m.hookIQ(iqEvent("set", "self", nsCarbons, "enable"), 0, toggle)
	m.hookIQ(iqEvent("set", "self", nsCarbons, "disable"), 0, toggle)
}})

// carbonsSession is mod_carbons' per-session state.
type carbonsSession struct {
	wantCarbons bool // the session enabled carbons
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
func carbonsOutbound(e *HookEvent) bool {
	s := e.s
	o, st := e.origin, e.stanza
	if o.sess == nil {
		return false
	}
	u := o.sess.user
	if !anyCarbons(u) || !shouldCarbon(st, false) {
		return false
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
	return false
}

// carbonsInbound sends "received" copies, and strips <private/> for an
// online recipient (message/*, priority -0.5).
func carbonsInbound(e *HookEvent) bool {
	s := e.s
	st, k := e.stanza, e.kind
	to, ok := attr(st, "to")
	if !ok {
		return false
	}
	u := s.onlineUser(bareOf(to))
	if u == nil {
		return false
	}
	if p := child(st, "private", nsCarbons); p != nil {
		st.RemoveChild(p)
		return false
	}
	if !anyCarbons(u) || !shouldCarbon(st, true) {
		return false
	}
	var target *session
	if k == kindFull {
		target = s.sessionOf(to)
	}
	topPrio, hasTop := 0, false
	if k != kindFull || target == nil {
		if top := s.mods.message.top(s, u); len(top) > 0 {
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
	return false
}

func anyCarbons(u *user) bool {
	for _, sess := range u.sessions {
		if sess.wantCarbons {
			return true
		}
	}
	return false
}
