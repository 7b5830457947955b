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
	// kindSelf names iq/self payload events: a stanza without 'to', or
	// to the sender's own bare JID.
	kindSelf
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
		s.emit(Event{Kind: StreamError, Session: sess.id, To: sess.jid}, se)
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
	s.post(nil, false, o, st, true)
}

// maxRouteDepth bounds nested posts (a broadcast nests about five deep).
const maxRouteDepth = 256

// post is core_post_stanza: classify the destination, fire the
// pre-<tag>/<kind> chain when pre is set (the outbound stage), then
// <tag>/<kind>, then iq/self, then the unhandled fallback. parent is the
// event whose handler posts (nil at the top): the new event inherits its
// generated flag and nesting depth; gen marks server-generated presence.
func (s *Server) post(parent *HookEvent, gen bool, o origin, st *etree.Element, pre bool) {
	e := s.newEvent(parent)
	e.generated = e.generated || gen
	e.origin, e.stanza = o, st
	s.route(e, pre)
	s.releaseEvent(e)
}

// route runs the stages of post for an event the caller owns (the caller
// may read the event's scratch values afterwards).
func (s *Server) route(e *HookEvent, pre bool) {
	e.depth++
	st := e.stanza
	// Prosody has no such guard and none of the model's paths loop; a
	// bug that did would otherwise hang the caller, so it shows up in the
	// trace instead. The depth lives on the event, so it counts the
	// nesting of this one call chain only.
	if e.depth > maxRouteDepth {
		s.drop(st, "routing-loop")
		return
	}
	toStr, hasTo := attr(st, "to")
	k, toSelf := kindBare, false
	remote := false
	var comp *component
	var peer *Server
	if !hasTo {
		toSelf = true
	} else {
		node, dom, res := splitJID(toStr)
		switch {
		case node != "" && res != "":
			k = kindFull
		case node != "":
			k = kindBare
			if e.origin.sess != nil && node == e.origin.sess.user.node && dom == s.host {
				removeAttr(st, "to")
				toSelf = true
			}
		default:
			k = kindHost
		}
		if dom != s.host {
			if comp = s.componentOf(dom); comp == nil {
				if peer, comp = s.peer(dom); peer == nil {
					remote = true
				}
			}
		}
	}
	e.kind, e.toSelf = k, toSelf
	ti := tagIndex(st.Tag)
	if ti < 0 {
		s.unhandled(e)
		return
	}
	if pre && fire(s.pipe.pre[ti][k], e) {
		return
	}
	if remote {
		s.routeRemote(e)
		return
	}
	if peer != nil {
		s.routePeer(e, peer, comp, ti)
		return
	}
	if comp != nil {
		s.routeComponent(e, comp)
		return
	}
	if fire(s.pipe.in[ti][k], e) {
		return
	}
	if toSelf && ti == tagIQ && fire(s.pipe.iqSelf, e) {
		return
	}
	s.unhandled(e)
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
func (s *Server) routeRemote(e *HookEvent) {
	st := e.stanza
	s.drop(st, "remote-domain")
	if t := attrOr(st, "type"); t == "error" || (st.Tag == "iq" && t == "result") {
		return
	}
	s.post(e, false, hostOrigin, errorReply(st, "cancel", "not-allowed", "Communication with remote domains is not enabled", nil), false)
}

// unhandled is handle_unhandled_stanza (§1.3 step 5).
func (s *Server) unhandled(e *HookEvent) {
	st := e.stanza
	t := attrOr(st, "type")
	if (st.Tag == "iq" && t != "get" && t != "set") || t == "error" || t == "result" {
		s.drop(st, "unhandled")
		return
	}
	e.send(s.errorAt(errSiteUnhandled, st, "cancel", "service-unavailable", "", nil), "error")
}

// send is origin.send for the event's origin: straight to a client
// session, or, for the host, host_send, which drops responses and routes
// anything else.
func (e *HookEvent) send(st *etree.Element, reason string) {
	s := e.s
	if e.origin.sess != nil {
		s.deliver(e.origin.sess, st, reason)
		return
	}
	t := attrOr(st, "type")
	if t == "error" || (st.Tag == "iq" && t == "result") {
		s.drop(st, "host-response")
		return
	}
	s.post(e, false, hostOrigin, st, false)
}

// sessionOf returns the bound session with full JID j.
func (s *Server) sessionOf(j string) *session { return s.full[j] }

// onlineUser returns the account with bare JID b if it has bound sessions.
func (s *Server) onlineUser(b string) *user {
	node, dom, res := splitJID(b)
	if node == "" || res != "" || dom != s.host {
		return nil
	}
	if u, ok := s.userByNode(node); ok && u.online() {
		return u
	}
	return nil
}
