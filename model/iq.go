package model

import (
	"github.com/beevik/etree"
)

// inboundIQ runs iq/full, iq/bare and iq/host (§6).
func (s *Server) inboundIQ(o origin, st *etree.Element, k kind, toSelf bool) bool {
	t := attrOr(st, "type")
	switch k {
	case kindFull:
		if sess := s.sessionOf(attrOr(st, "to")); sess != nil {
			s.deliver(sess, st, "")
		} else if t == "get" || t == "set" {
			s.send(o, errorReply(st, "cancel", "service-unavailable", "", nil), "error")
		} else {
			s.drop(st, "no-session")
		}
		return true
	case kindHost:
		if t == "get" || t == "set" {
			return s.hostService(o, st, childElements(st)[0])
		}
		return false
	}
	if t != "get" && t != "set" {
		return false // iq-result/bare/ID: nobody listens here
	}
	return s.bareService(o, st, childElements(st)[0], toSelf)
}

// iqSelf runs iq/self handlers after the iq/bare ones passed (§6.3):
// roster, blocklist, carbons, session.
func (s *Server) iqSelf(o origin, st *etree.Element) bool {
	sess := o.sess
	if sess == nil {
		return false
	}
	t := attrOr(st, "type")
	if t != "get" && t != "set" {
		return false
	}
	q := childElements(st)[0]
	switch ns(q) + " " + q.Tag {
	case nsRoster + " query":
		s.rosterIQ(sess, st, q)
		return true
	case nsBlocking + " blocklist":
		if t == "get" {
			s.blocklistGet(sess, st)
			return true
		}
	case nsBlocking + " block", nsBlocking + " unblock":
		if t == "set" {
			s.editBlocklist(sess, st, q)
			return true
		}
	case nsCarbons + " enable", nsCarbons + " disable":
		if t == "set" {
			sess.wantCarbons = q.Tag == "enable"
			s.deliver(sess, reply(st), "result")
			return true
		}
	case nsSession + " session":
		if t == "set" {
			s.deliver(sess, reply(st), "result")
			return true
		}
	}
	return false
}
