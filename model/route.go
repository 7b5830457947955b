package model

import (
	"strings"

	"github.com/beevik/etree"
)

// origin is who posts a stanza into the router: a client session, or the
// host itself (sess == nil) for stanzas modules generate.
type origin struct{ sess *session }

var hostOrigin = origin{}

// kind is the routing class of a stanza's destination (§1.2).
type kind uint8

const (
	kindBare kind = iota
	kindFull
	kindHost
)

// bareOf returns the bare part of a prepped JID string.
func bareOf(j string) string {
	if i := strings.IndexByte(j, '/'); i >= 0 {
		return j[:i]
	}
	return j
}

// processStanza is core_process_stanza for a bound client (§1.1).
func (s *Server) processStanza(sess *session, st *etree.Element) {
	o := origin{sess}
	if st.Space != "" || ns(st) != nsClient || (st.Tag != "message" && st.Tag != "presence" && st.Tag != "iq") {
		// Not a stanza Prosody knows: the stream is closed with
		// unsupported-stanza-type (core/stanza_router.lua).
		s.drop(st, "unsupported-stanza-type")
		se := etree.NewElement("stream:error")
		newNS(se, "unsupported-stanza-type", nsStreams)
		s.out = append(s.out, Event{Kind: StreamError, Session: sess.id, To: sess.jid, Stanza: se})
		s.destroy(sess, "unsupported-stanza-type")
		return
	}
	typ, hasType := attr(st, "type")
	// 1. Errors without any child element are discarded.
	if hasType && typ == "error" && countChildElements(st) == 0 {
		s.drop(st, "error-without-condition")
		return
	}
	if st.Tag == "iq" {
		// 2–4, built before `from` is stamped (§1.1).
		switch {
		case typ != "get" && typ != "set" && typ != "result" && typ != "error":
			s.deliver(sess, errorReply(st, "modify", "bad-request", "Invalid IQ type", nil), "error")
			return
		case selectAttr(st, "id") == nil:
			s.deliver(sess, errorReply(st, "modify", "bad-request", "Missing required 'id' attribute", nil), "error")
			return
		case (typ == "get" || typ == "set") && countChildElements(st) != 1:
			s.deliver(sess, errorReply(st, "modify", "bad-request", "Incorrect number of children for IQ stanza", nil), "error")
			return
		}
	}
	// 5. Stamp from (§0.4).
	st.CreateAttr("from", sess.fullStr)
	// 6. Normalise to (§0.5).
	if raw, ok := attr(st, "to"); ok {
		j, err := ParseJID(raw)
		if err != nil {
			if typ == "error" || typ == "result" {
				s.drop(st, "malformed-to")
				return
			}
			r := errorReply(st, "modify", "jid-malformed", "The destination address is invalid: "+raw, nil)
			s.deliver(sess, r, "error")
			return
		}
		if !j.Is(raw) {
			st.CreateAttr("to", j.String())
		}
	}
	s.post(o, st, true)
}

// maxRouteDepth bounds nested posts (a broadcast nests about five deep).
const maxRouteDepth = 256

// post is core_post_stanza: classify, run the outbound stage when pre is
// set, then the inbound stage, then /self, then the unhandled fallback.
func (s *Server) post(o origin, st *etree.Element, pre bool) {
	s.depth++
	defer func() { s.depth-- }()
	// Prosody has no such guard and none of the model's paths loop; a
	// bug that did would otherwise hang the caller, so it shows up in the
	// trace instead.
	if s.depth > maxRouteDepth {
		s.drop(st, "routing-loop")
		return
	}
	toStr, hasTo := attr(st, "to")
	k, toSelf := kindBare, false
	remote := false
	if !hasTo {
		toSelf = true
	} else {
		node, dom, res := splitJID(toStr)
		switch {
		case node != "" && res != "":
			k = kindFull
		case node != "":
			k = kindBare
			if o.sess != nil && node == o.sess.user.node && dom == s.host {
				removeAttr(st, "to")
				toSelf = true
			}
		default:
			k = kindHost
		}
		remote = dom != s.host
	}
	if pre && s.outbound(o, st, k) {
		return
	}
	if remote {
		s.routeRemote(st)
		return
	}
	if s.inbound(o, st, k, toSelf) {
		return
	}
	if toSelf && st.Tag == "iq" && s.iqSelf(o, st) {
		return
	}
	s.unhandled(o, st)
}

func splitJID(j string) (node, domain, resource string) {
	bare := j
	if i := strings.IndexByte(j, '/'); i >= 0 {
		bare, resource = j[:i], j[i+1:]
	}
	if i := strings.IndexByte(bare, '@'); i >= 0 {
		return bare[:i], bare[i+1:], resource
	}
	return "", bare, resource
}

// routeRemote bounces stanzas for other domains: there is no s2s (§1.3).
// The bounce is routed back like any other stanza (inbound stage only).
func (s *Server) routeRemote(st *etree.Element) {
	s.drop(st, "remote-domain")
	if t := attrOr(st, "type"); t == "error" || (st.Tag == "iq" && t == "result") {
		return
	}
	s.post(hostOrigin, errorReply(st, "cancel", "not-allowed", "Communication with remote domains is not enabled", nil), false)
}

// unhandled is handle_unhandled_stanza (§1.3 step 5).
func (s *Server) unhandled(o origin, st *etree.Element) {
	t := attrOr(st, "type")
	if (st.Tag == "iq" && t != "get" && t != "set") || t == "error" || t == "result" {
		s.drop(st, "unhandled")
		return
	}
	s.send(o, errorReply(st, "cancel", "service-unavailable", "", nil), "error")
}

// send is origin.send: straight to a client session, or, for the host,
// host_send, which drops responses and routes anything else.
func (s *Server) send(o origin, st *etree.Element, reason string) {
	if o.sess != nil {
		s.deliver(o.sess, st, reason)
		return
	}
	t := attrOr(st, "type")
	if t == "error" || (st.Tag == "iq" && t == "result") {
		s.drop(st, "host-response")
		return
	}
	s.post(hostOrigin, st, false)
}

// outbound runs the pre-<name>/<kind> handlers in hook order (§0.9) and
// reports whether one of them handled the stanza.
func (s *Server) outbound(o origin, st *etree.Element, k kind) bool {
	switch st.Tag {
	case "presence":
		return s.outboundPresence(o, st, k)
	case "message":
		if s.bounceOutgoing(o, st) {
			return true
		}
		s.stripStanzaID(st, o)
		s.carbonsOutbound(o, st)
		return false
	case "iq":
		return s.bounceOutgoing(o, st)
	}
	return false
}

// inbound runs the <name>/<kind> handlers.
func (s *Server) inbound(o origin, st *etree.Element, k kind, toSelf bool) bool {
	switch st.Tag {
	case "presence":
		return s.inboundPresence(o, st, k, toSelf)
	case "message":
		if k == kindHost {
			return false
		}
		if s.bounceMessage(o, st) {
			return true
		}
		s.inboundMessage(o, st, k)
		return true
	case "iq":
		if k != kindHost && s.bounceIQ(o, st) {
			return true
		}
		return s.inboundIQ(o, st, k, toSelf)
	}
	return false
}

// sessionOf returns the bound session with full JID j.
func (s *Server) sessionOf(j string) *session { return s.full[j] }

// onlineUser returns the account with bare JID b if it has bound sessions.
func (s *Server) onlineUser(b string) *user {
	node, dom, res := splitJID(b)
	if node == "" || res != "" || dom != s.host {
		return nil
	}
	if u, ok := s.users[node]; ok && u.online() {
		return u
	}
	return nil
}
