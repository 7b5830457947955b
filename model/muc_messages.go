package model

import (
	"encoding/base64"
	"strings"

	"github.com/beevik/etree"
)

// This file is what the room does with messages and iqs: groupchat to
// everyone (XEP-0045 §7.4), the subject (§8.1), private messages (§7.5)
// and iqs between occupants, and the errors that take an occupant out.

// kickableConditions are muc/util's: an error with one of them from an
// occupant's client means the session is gone.
var kickableConditions = map[string]bool{
	"gone": true, "internal-server-error": true, "item-not-found": true, "jid-malformed": true,
	"recipient-unavailable": true, "redirect": true, "remote-server-not-found": true,
	"remote-server-timeout": true, "service-unavailable": true,
}

func isKickableError(st *etree.Element) bool {
	cond, _ := stanzaError(st)
	return cond == "" || kickableConditions[cond]
}

// messageToRoom is handle_message_to_room.
func (r *mucRoom) messageToRoom(e *HookEvent, svc *mucService) bool {
	st := e.stanza
	t, hasType := attr(st, "type")
	switch {
	case t == "groupchat":
		return r.groupchat(e, svc)
	case t == "error" && isKickableError(st):
		return r.kickable(e, svc)
	case !hasType || t == "normal":
		if x := child(st, "x", nsMUCUser); x != nil {
			p := firstChildElement(x)
			switch {
			case p == nil:
			case p.Tag == "invite" && hasAttr(p, "to"):
				return r.mediatedInvite(e, svc, p)
			case p.Tag == "decline" && hasAttr(p, "to"):
				return r.mediatedDecline(e, p)
			}
			e.send(errorReply(st, "cancel", "bad-request", "", nil), "error")
			return true
		}
		if form := child(st, "x", nsData); form != nil && formType(form) == nsMUCRequest {
			r.roleRequest(e, svc, form)
			return true
		}
	}
	return false
}

func hasAttr(el *etree.Element, k string) bool { _, ok := attr(el, k); return ok }

// groupchat is handle_groupchat_to_room and muc-occupant-groupchat: the
// sender needs a voice; a subject alone changes the subject; the message
// goes to every occupant from the sender's nick, into the history and the
// archive.
func (r *mucRoom) groupchat(e *HookEvent, svc *mucService) bool {
	s, st := e.s, e.stanza
	from := attrOr(st, "from")
	o := r.occupantByReal(from)
	msg := st.Copy()
	if !hasAttr(msg, "id") {
		msg.CreateAttr("id", s.archiveID())
	}
	role := ""
	if o != nil {
		role = o.role
	}
	// 50: the role check.
	switch {
	case mucRoleRank[role] <= 0:
		e.send(errorReply(st, "cancel", "not-acceptable", "You are not currently connected to this chat", nil), "error")
		return true
	case mucRoleRank[role] <= mucRoleRank["visitor"]:
		e.send(errorReply(st, "auth", "forbidden", "You do not currently have permission to speak in this chat", nil), "error")
		return true
	}
	// 20: the subject.
	if subj := child(msg, "subject", nsClient); subj != nil && child(msg, "body", nsClient) == nil && child(msg, "thread", nsClient) == nil {
		if mucRoleRank[role] >= mucRoleRank["moderator"] || r.cfg.changeSubject {
			r.setSubject(e, o.nick, subj.Text())
		} else {
			e.send(errorReply(st, "auth", "forbidden", "You are not allowed to change the subject", nil), "error")
		}
		return true
	}
	// 0: delays claiming to be from the room go; the occupant-id is set.
	for _, k := range childElements(msg) {
		if (k.Tag == "delay" && ns(k) == nsDelay || k.Tag == "x" && ns(k) == "jabber:x:delay") && attrOr(k, "from") == r.jid {
			msg.RemoveChild(k)
		}
	}
	setOccupantID(msg, r.occupantID(s, o.bare))
	msg.CreateAttr("from", o.nick)
	removeAttr(msg, "to")
	r.broadcastMessage(e, msg)
	return true
}

// broadcastMessage is broadcast_message with muc-broadcast-message's
// handlers: muc_mam drops stanza-ids claiming the room (1), then a
// historic message is archived (it gets the archive's stanza-id) and kept
// in the history; then everyone gets it.
func (r *mucRoom) broadcastMessage(e *HookEvent, msg *etree.Element) {
	for _, k := range childElements(msg) {
		if k.Tag == "stanza-id" && ns(k) == nsStanzaSID && strings.EqualFold(attrOr(k, "by"), r.jid) {
			msg.RemoveChild(k)
		}
	}
	if isHistoric(msg) {
		r.addHistory(e.s, msg)
	}
	r.broadcast(e, msg, nil)
}

// messageToOccupant is handle_message_to_occupant: a private message
// (§7.5) goes from the sender's nick to every session of the occupant.
func (r *mucRoom) messageToOccupant(e *HookEvent, svc *mucService) bool {
	s, st := e.s, e.stanza
	from := attrOr(st, "from")
	nick, in := r.byReal[from]
	t := attrOr(st, "type")
	if !in {
		if t != "error" {
			e.send(errorReplyBy(st, "cancel", "not-acceptable", "You are not currently connected to this chat", r.jid), "error")
		}
		return true
	}
	switch {
	case t == "groupchat":
		e.send(errorReplyBy(st, "modify", "bad-request", "", r.jid), "error")
		return true
	case t == "error" && isKickableError(st):
		return r.kickable(e, svc)
	}
	to := r.occupant(attrOr(st, "to"))
	if to == nil {
		e.send(errorReplyBy(st, "cancel", "item-not-found", "Recipient not in room", r.jid), "error")
		return true
	}
	pm := r.filter(st)
	newNS(pm, "x", nsMUCUser)
	pm.CreateAttr("from", nick)
	if sender := r.occupant(nick); sender != nil {
		setOccupantID(pm, r.occupantID(s, sender.bare))
	}
	r.routeToOccupant(e, to, pm)
	return true
}

// iqToOccupant is handle_iq_to_occupant: iqs between occupants, with the
// id rewritten so that the answer finds its way back (results and errors
// are routed back by decoding it).
func (r *mucRoom) iqToOccupant(e *HookEvent, svc *mucService) bool {
	s, st := e.s, e.stanza
	from, to := attrOr(st, "from"), attrOr(st, "to")
	t := attrOr(st, "type")
	o := r.occupant(to)
	if t == "error" || t == "result" {
		if o == nil {
			return false
		}
		raw, err := base64.StdEncoding.DecodeString(attrOr(st, "id"))
		if err != nil {
			return false
		}
		parts := strings.SplitN(string(raw), "\x00", 3)
		if len(parts) != 3 || (from != parts[0] && from != bareOf(parts[0])) {
			return false
		}
		fromNick, ok := r.byReal[parts[0]]
		if !ok {
			return false
		}
		target := ""
		for _, ss := range o.sessions {
			if r.sessionHash(s, ss.jid) == parts[2] {
				target = ss.jid
				break
			}
		}
		if target == "" {
			return false
		}
		c := st.Copy()
		c.CreateAttr("from", fromNick)
		c.CreateAttr("to", target)
		c.CreateAttr("id", parts[1])
		s.sendFromRoom(e, c)
		return true
	}
	cur, in := r.byReal[from]
	if !in {
		e.send(errorReplyBy(st, "cancel", "not-acceptable", "You are not currently connected to this chat", r.jid), "error")
		return true
	}
	if o == nil {
		e.send(errorReplyBy(st, "cancel", "item-not-found", "Recipient not in room", r.jid), "error")
		return true
	}
	if to == cur && t == "get" && child(st, "ping", "urn:xmpp:ping") != nil {
		// XEP-0410 self-ping: answered by the room.
		e.send(reply(st), "result")
		return true
	}
	c := st.Copy()
	id := o.primary + "\x00" + attrOr(st, "id") + "\x00" + r.sessionHash(s, from)
	c.CreateAttr("id", base64.StdEncoding.EncodeToString([]byte(id)))
	c.CreateAttr("from", cur)
	c.CreateAttr("to", o.primary)
	if q := firstChildElement(st); q != nil {
		switch ns(q) {
		case "vcard-temp", "http://jabber.org/protocol/pubsub", "urn:ietf:params:xml:ns:vcard-4.0":
			c.CreateAttr("to", bareOf(o.primary))
		}
	}
	s.sendFromRoom(e, c)
	return true
}

// sessionHash is the first 8 bytes of HMAC-SHA256(salt, jid) that
// Prosody puts in a forwarded iq's id.
func (r *mucRoom) sessionHash(s *Server, j string) string {
	if r.salt == "" {
		r.salt = roomSalt(r.jid, 0)
	}
	return string(hmacSHA256([]byte(r.salt), []byte(j))[:8])
}
