package model

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// This file is the room's presence: creation on the first presence,
// joins, leaves, nick changes, probes and kicks (muc.lib's
// handle_first_presence, handle_normal_presence, respond_to_probe,
// handle_kickable) and the broadcast of an occupant's status
// (publicise_occupant_status, send_occupant_list).

// mucPresenceX is the muc#user <x/> a status broadcast starts from: one
// for everyone, or a different one for the occupant itself.
type mucPresenceX struct {
	base, self *etree.Element
}

// handleFirstPresence creates the room for its first occupant, who
// becomes its owner (XEP-0045 §10.1): status 201, the room locked until
// configured (§10.1.2), then the subject.
func (r *mucRoom) handleFirstPresence(e *HookEvent, svc *mucService) bool {
	st := e.stanza
	real := attrOr(st, "from")
	bare := bareOf(real)
	// muc-room-pre-create: lock (10), defaults (1), password (0),
	// creator's affiliation (-1), tracking (-1000).
	if child(st, "x", nsMUC) != nil {
		r.locked = true
	}
	r.cfg = defaultMUCConfig()
	// set_room_defaults: the room's language is the creating stanza's
	// xml:lang (the session's, which the c2s stamps on it), else
	// muc_room_default_language (unset here).
	r.cfg.language = attrOr(st, "xml:lang")
	if pw, ok := childText(child(st, "x", nsMUC), "password", nsMUC); ok && pw != "" {
		r.cfg.password = pw
	}
	r.setAffiliation(e, svc, "", bare, "owner", "", false, nil)
	svc.track(r)

	o := &mucOccupant{nick: attrOr(st, "to"), bare: bare}
	o.role = r.defaultRole(r.affiliation(bare))
	pres, ok := r.preJoin(e, svc, o, true)
	if !ok {
		// Prosody tracked the room before the checks (track_room at
		// muc-room-pre-create -1000): it stays, empty and locked, with
		// its would-be creator as owner.
		return true
	}
	o.setSession(real, r.filter(pres))
	x := newMUCUserX()
	addStatus(x, "201")
	if r.cfg.whois == "anyone" {
		addStatus(x, "100")
	}
	r.save(o)
	r.publicise(e, o, mucPresenceX{base: x}, "", "", "", false, "", false, nil)
	r.sessionNew(e, st)
	return true
}

// preJoin runs muc-occupant-pre-join's checks in Prosody's priority
// order; it returns the joining presence with the occupant-id added, or
// false after sending the refusal.
func (r *mucRoom) preJoin(e *HookEvent, svc *mucService, o *mucOccupant, newRoom bool) (*etree.Element, bool) {
	st := e.stanza
	_, _, nick := splitJID(o.nick)
	if !strictResourceprep(nick) { // 2
		e.send(errorReplyBy(st, "modify", "jid-malformed", "Nickname must pass strict validation", r.jid), "error")
		return nil, false
	}
	if strings.TrimSpace(nick) == "" || !strings.ContainsFunc(nick, isNonSpace) { // 1
		e.send(errorReplyBy(st, "modify", "not-allowed", "Invisible Nicknames are forbidden", r.jid), "error")
		return nil, false
	}
	if !r.nickPolicy(e) { // 0: reserved nicknames
		return nil, false
	}
	from := attrOr(st, "from")
	if r.cfg.membersOnly && mucAffRank[r.affiliation(from)] <= 0 { // -5
		e.send(errorReplyBy(st, "auth", "registration-required", "", r.jid), "error")
		return nil, false
	}
	if e.s.mods.muc.refuseOutcast && r.affiliation(from) == "outcast" { // -10
		e.send(errorReplyBy(st, "auth", "forbidden", "", r.jid), "error")
		return nil, false
	}
	if r.cfg.password != "" { // -20
		if x := child(st, "x", nsMUC); x != nil {
			pw, _ := childText(x, "password", nsMUC)
			if pw != r.cfg.password {
				e.send(errorReplyBy(st, "auth", "not-authorized", "", r.jid), "error")
				return nil, false
			}
		}
	}
	if !newRoom && r.locked { // -30
		e.send(errorReplyBy(st, "cancel", "item-not-found", "", svc.domain), "error")
		return nil, false
	}
	return r.withOccupantID(e.s, st, o), true
}

func isNonSpace(c rune) bool { return !strings.ContainsRune(" \t\n\r\f\v", c) }

// withOccupantID is occupant_id's update_occupant on the incoming
// presence: a copy with any <occupant-id/> replaced by the room's for the
// occupant (XEP-0421).
func (r *mucRoom) withOccupantID(s *Server, st *etree.Element, o *mucOccupant) *etree.Element {
	c := st.Copy()
	setOccupantID(c, r.occupantID(s, o.bare))
	return c
}

func setOccupantID(st *etree.Element, id string) {
	for _, k := range childElements(st) {
		if k.Tag == "occupant-id" && ns(k) == nsOccupant {
			st.RemoveChild(k)
		}
	}
	newNS(st, "occupant-id", nsOccupant).CreateAttr("id", id)
}

// occupantID is get_occupant_id: base64 of HMAC-SHA256 keyed with the
// bare real JID over the room's salt (a UUID drawn once per room).
func (r *mucRoom) occupantID(s *Server, bare string) string {
	if r.salt == "" {
		r.salt = roomSalt(r.jid, 0)
	}
	return base64.StdEncoding.EncodeToString(hmacSHA256([]byte(bare), []byte(r.salt)))
}

// roomSalt is the occupant-id salt of the gen-th room created under the
// JID room (gen 0: the first). Prosody draws a UUID the first time a room
// needs one (occupant_id.lib's get_room_salt, kept in room._data, which a
// new room starts without): so a room destroyed and created again — a
// non-persistent room emptied and joined anew — gives its occupants new
// ids (seen on 13.0.1 and 0.12.3 alike). The model derives the salt from
// the JID and the generation instead of drawing it, so that a room's
// occupant-ids do not depend on what else drew from the seed — a failure
// script replays with the ids its run produced. Comparisons with a real
// server mask them (compare: generated values), telling apart only
// distinct values.
func roomSalt(room string, gen int) string {
	seed := "occupant-id salt\x00" + room
	if gen > 0 {
		seed += "\x00" + strconv.Itoa(gen)
	}
	h := sha256.Sum256([]byte(seed))
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 36)
	for i := 0; i < 16; i++ {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[h[i]>>4], hex[h[i]&15])
	}
	return string(b)
}

func hmacSHA256(key, data []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return h.Sum(nil)
}

// sessionNew is muc-occupant-session-new: history (50), then the
// subject (20), to the joining session.
func (r *mucRoom) sessionNew(e *HookEvent, st *etree.Element) {
	to := attrOr(st, "from")
	r.sendHistory(e, st, to)
	r.sendSubject(e, to)
}

// presenceToRoom is handle_presence_to_room: presence to the bare room
// JID from an occupant is treated as presence to its nick (some clients
// do that); from anyone else it is not handled.
func (r *mucRoom) presenceToRoom(e *HookEvent, svc *mucService) bool {
	st := e.stanza
	nick, ok := r.byReal[attrOr(st, "from")]
	if !ok {
		return false
	}
	c := st.Copy()
	c.CreateAttr("to", nick)
	saved := e.stanza
	e.stanza = c
	handled := r.presenceToOccupant(e, svc)
	e.stanza = saved
	return handled
}

// presenceToOccupant is handle_presence_to_occupant.
func (r *mucRoom) presenceToOccupant(e *HookEvent, svc *mucService) bool {
	st := e.stanza
	t, hasType := attr(st, "type")
	switch {
	case t == "error":
		return r.kickable(e, svc)
	case !hasType || t == "unavailable" || t == "probe":
		return r.normalPresence(e, svc)
	case t != "result" && t != "visible" && t != "invisible":
		e.send(errorReplyBy(st, "modify", "bad-request", "", r.jid), "error")
	}
	return true
}

// kickable is handle_kickable: an error from an occupant's session takes
// that session out of the room with status 333 and the error as its
// status text (#978).
func (r *mucRoom) kickable(e *HookEvent, svc *mucService) bool {
	st := e.stanza
	real := attrOr(st, "from")
	o := r.occupantByReal(real)
	if o == nil {
		return false
	}
	cond, text := stanzaError(st)
	msg := "Kicked: presence error"
	if cond != "" {
		msg = "Kicked: " + strings.ReplaceAll(cond, "-", " ")
	}
	if text != "" && r.cfg.whois == "anyone" {
		msg += ": " + text
	}
	un := newStanza("presence", "type", "unavailable")
	un.CreateElement("status").SetText(msg)
	o.setSession(real, r.filter(un))
	origRole := o.role
	last := o.primary == real
	if last {
		o.role = ""
	}
	saved := r.save(o)
	x := newMUCUserX()
	if last {
		addStatus(x, "333")
	}
	if saved != nil {
		o = saved
	}
	r.publicise(e, o, mucPresenceX{base: x}, "", "", "", false, origRole, false, nil)
	if last {
		r.occupantLeft(e, svc)
	}
	return true
}

// stanzaError returns an error stanza's condition and text.
func stanzaError(st *etree.Element) (cond, text string) {
	er := child(st, "error", nsClient)
	if er == nil {
		return "", ""
	}
	for _, k := range childElements(er) {
		if ns(k) != nsStanzas {
			continue
		}
		if k.Tag == "text" {
			text = k.Text()
		} else if cond == "" {
			cond = k.Tag
		}
	}
	return cond, text
}

// normalPresence is handle_normal_presence: join, leave, presence
// update, nick change, probe.
func (r *mucRoom) normalPresence(e *HookEvent, svc *mucService) bool {
	s, st := e.s, e.stanza
	t, hasType := attr(st, "type")
	real := attrOr(st, "from")
	bare := bareOf(real)
	to := attrOr(st, "to")
	orig := r.occupantByReal(real)
	mucX := child(st, "x", nsMUC)
	if orig == nil && mucX == nil && !hasType {
		e.send(errorReplyBy(st, "cancel", "item-not-found", "You are not currently connected to this chat", r.jid), "error")
		return true
	}
	var dest *mucOccupant
	firstDest := false
	switch {
	case t == "unavailable":
		if orig == nil {
			return true
		}
	case t == "probe":
		r.respondToProbe(e, orig)
		return true
	case orig != nil && orig.nick == to:
		dest = orig
	default:
		dest = r.occupant(to)
		if dest == nil {
			firstDest = true
			dest = &mucOccupant{nick: to, bare: bare}
			dest.role = r.defaultRole(r.affiliation(bare))
			if orig != nil {
				dest.role = orig.role
			}
		}
	}
	lastOrig := false
	if orig != nil {
		lastOrig = len(orig.sessions) < 2
	}
	pres := st
	switch {
	case orig == nil:
		p, ok := r.preJoin(e, svc, dest, false)
		if !ok {
			return true
		}
		pres = p
	case dest == nil:
		// muc-occupant-pre-leave: nothing refuses a leave.
	default:
		p, ok := r.preChange(e, dest)
		if !ok {
			return true
		}
		pres = p
	}
	if dest != nil && !firstDest && bare != dest.bare {
		e.send(errorReplyBy(st, "cancel", "conflict", "", r.jid), "error")
		return true
	}
	if orig != nil && (dest == nil || orig.nick != dest.nick) {
		origX := newMUCUserX()
		origRole := orig.role
		destNick := ""
		if dest == nil {
			if lastOrig {
				orig.role = ""
			}
			orig.setSession(real, r.filter(st))
		} else {
			gen := newStanza("presence", "from", orig.nick, "to", real, "type", "unavailable")
			orig.setSession(real, r.filter(gen))
			_, _, destNick = splitJID(dest.nick)
			if !firstDest {
				x := newMUCUserX()
				addMUCItem(x, r.affiliation(bare), "none", "", "", "", "", "", false)
				pr := newStanza("presence", "from", dest.nick, "to", real, "type", "unavailable")
				pr.CreateElement("status").SetText("you are joining pre-existing session " + destNick)
				pr.AddChild(x)
				s.sendFromRoom(e, pr)
			}
			if firstDest && lastOrig {
				addStatus(origX, "303")
			} else {
				orig.removeSession(real)
				x := newMUCUserX()
				addMUCItem(x, r.affiliation(bare), orig.role, real, destNick, "", "", "", false)
				addStatus(x, "303")
				addStatus(x, "110")
				g := gen.Copy()
				g.AddChild(x)
				s.sendFromRoom(e, g)
				destNick = ""
			}
		}
		r.save(orig)
		r.publicise(e, orig, mucPresenceX{base: origX}, destNick, "", "", false, origRole, false, nil)
		if lastOrig {
			r.occupantLeft(e, svc)
		}
	}
	if dest != nil {
		dest.setSession(real, r.filter(pres))
		r.save(dest)
		if s.mods.muc.occupantListFirst && (orig == nil || mucX != nil) {
			r.sendOccupantList(e, real, func(o *mucOccupant) bool { return o == nil || o.presence(real) == nil })
		}
		destX := newMUCUserX()
		selfX := newMUCUserX()
		if orig == nil && r.cfg.whois == "anyone" {
			addStatus(selfX, "100")
		}
		prevRole := ""
		if orig != nil {
			prevRole = orig.role
		}
		r.publicise(e, dest, mucPresenceX{base: destX, self: selfX}, "", "", "", false, prevRole, false, nil)
		if !s.mods.muc.occupantListFirst && (orig == nil || mucX != nil) {
			r.sendOccupantList(e, real, func(o *mucOccupant) bool { return o == nil || o.presence(real) == nil })
		}
		if orig != nil && orig.nick != dest.nick && !lastOrig {
			if o := r.occupant(orig.nick); o != nil {
				pr := o.presence("").Copy()
				pr.CreateAttr("to", real)
				x := newMUCUserX()
				r.buildItemList(o, x, false, "", "", "", "", false)
				pr.AddChild(x)
				s.sendFromRoom(e, pr)
			}
		}
		if orig == nil || mucX != nil {
			r.sessionNew(e, st)
		}
	}
	return true
}

// preChange runs muc-occupant-pre-change: the nick rules, then the
// reserved nicknames; it returns the presence with the occupant-id.
func (r *mucRoom) preChange(e *HookEvent, dest *mucOccupant) (*etree.Element, bool) {
	st := e.stanza
	_, _, nick := splitJID(dest.nick)
	if !strictResourceprep(nick) {
		e.send(errorReplyBy(st, "modify", "jid-malformed", "Nickname must pass strict validation", r.jid), "error")
		return nil, false
	}
	if !strings.ContainsFunc(nick, isNonSpace) {
		e.send(errorReplyBy(st, "modify", "not-allowed", "Invisible Nicknames are forbidden", r.jid), "error")
		return nil, false
	}
	if !r.nickPolicy(e) {
		return nil, false
	}
	return r.withOccupantID(e.s, st, dest), true
}

// respondToProbe is respond_to_probe: an occupant probing another nick
// gets its current presence, or an unavailable for a registered nick
// that is not in the room.
func (r *mucRoom) respondToProbe(e *HookEvent, prober *mucOccupant) {
	st := e.stanza
	if prober == nil {
		e.send(errorReplyBy(st, "cancel", "not-acceptable", "You are not currently connected to this chat", r.jid), "error")
		return
	}
	to := attrOr(st, "to")
	probed := r.occupant(to)
	if probed == nil {
		if pr := r.unavailableFor(e.s, to, attrOr(st, "from")); pr != nil {
			e.s.sendFromRoom(e, pr)
		}
		return
	}
	r.publicise(e, probed, mucPresenceX{base: newMUCUserX()}, "", "", "", false, "", false, prober)
}

// unavailableFor is build_unavailable_presence: the unavailable presence
// of a registered nick that is not in the room.
func (r *mucRoom) unavailableFor(s *Server, nickJID, to string) *etree.Element {
	_, _, nick := splitJID(nickJID)
	owner := r.registeredJID(nick)
	if owner == "" {
		return nil
	}
	pr := newStanza("presence", "to", to, "from", nickJID, "type", "unavailable")
	x := newNS(pr, "x", nsMUCUser)
	jid := owner
	if r.isAnonymousFor(s, to) {
		jid = ""
	}
	addMUCItem(x, r.affiliation(owner), "none", jid, nick, "", "", "", false)
	return pr
}

// publicise is publicise_occupant_status: the occupant's presence to
// every other occupant (with or without real JIDs as whois allows them),
// then to the occupant itself with 110 — or only to recipient (a probe).
// prevRole: the role before the change (an occupant losing presence
// broadcast is shown leaving); force: everyone is sent an unavailable.
func (r *mucRoom) publicise(e *HookEvent, o *mucOccupant, px mucPresenceX, nick, actor, reason string, hasReason bool, prevRole string, force bool, recipient *mucOccupant) {
	s := e.s
	var base *etree.Element
	if pr := o.presence(""); pr != nil && (o.role != "" || attrOr(pr, "type") == "unavailable") && !force {
		base = pr.Copy()
	} else {
		base = newStanza("presence", "from", o.nick, "type", "unavailable")
	}
	if recipient == nil {
		// muc-broadcast-presence: occupant_id.
		setOccupantID(base, r.occupantID(s, o.bare))
	}
	actorNick := ""
	if actor != "" {
		_, _, actorNick = splitJID(r.byReal[actor])
	}
	baseX := px.base
	var fullP, anonP *etree.Element
	getFull := func() *etree.Element {
		if fullP == nil {
			x := baseX.Copy()
			r.buildItemList(o, x, false, nick, actorNick, actor, reason, hasReason)
			fullP = base.Copy()
			fullP.AddChild(x)
		}
		return fullP
	}
	getAnon := func() *etree.Element {
		if anonP == nil {
			x := baseX.Copy()
			r.buildItemList(o, x, true, nick, actorNick, "", reason, hasReason)
			anonP = base.Copy()
			anonP.AddChild(x)
		}
		return anonP
	}
	selfX := baseX
	if px.self != nil {
		selfX = px.self
	}
	selfX = selfX.Copy()
	r.buildItemList(o, selfX, false, nick, actorNick, "", reason, hasReason)
	selfP := base.Copy()
	selfP.AddChild(selfX.Copy())
	getP := func(rec *mucOccupant) *etree.Element {
		switch {
		case r.canSeeRealJIDs(rec) || !s.mods.muc.hideRealJIDs:
			return getFull()
		case o.bare == rec.bare:
			return selfP
		}
		return getAnon()
	}
	if recipient != nil {
		r.routeToOccupant(e, recipient, getP(recipient))
		return
	}
	bc := r.cfg.presenceBroadcast
	for _, n := range r.each() {
		if n.nick == o.nick {
			continue
		}
		switch {
		case bc[roleOrNone(o.role)] || force:
			r.routeToOccupant(e, n, getP(n))
		case prevRole != "" && bc[prevRole]:
			pr := getP(n)
			pr.CreateAttr("type", "unavailable")
			r.routeToOccupant(e, n, pr)
		}
	}
	if s.mods.muc.statusSelf {
		addStatus(selfX, "110")
	}
	if o.role == "" {
		p := base.Copy()
		p.AddChild(selfX)
		r.routeToOccupant(e, o, p)
		return
	}
	for _, ss := range o.sessions {
		p := ss.pres.Copy()
		p.CreateAttr("to", ss.jid)
		p.AddChild(selfX.Copy())
		s.sendFromRoom(e, p)
	}
}

func roleOrNone(role string) string {
	if role == "" {
		return "none"
	}
	return role
}

// sendOccupantList is send_occupant_list: every occupant's presence to
// one session, then (when presence of role none is broadcast, as
// muc_show_offline configures) the unavailable presence of affiliated
// users who are not in the room.
func (r *mucRoom) sendOccupantList(e *HookEvent, to string, filter func(o *mucOccupant) bool) {
	s := e.s
	toBare := bareOf(to)
	bc := r.cfg.presenceBroadcast
	anon := r.isAnonymousFor(s, to)
	present := map[string]bool{}
	for _, o := range r.each() {
		present[o.bare] = true
		if (filter == nil || filter(o)) && (toBare == o.bare || bc[roleOrNone(o.role)]) {
			x := newMUCUserX()
			r.buildItemList(o, x, anon && toBare != o.bare, "", "", "", "", false)
			pr := o.presence("").Copy()
			pr.CreateAttr("to", to)
			pr.AddChild(x)
			s.sendFromRoom(e, pr)
		}
	}
	if !bc["none"] {
		return
	}
	for _, j := range r.affOrder {
		aff := r.aff[j]
		if aff == "" || present[j] {
			continue
		}
		nick := ""
		if d := r.affData[j]; d != nil {
			nick = d.nick
		}
		if nick == "" && anon || (filter != nil && !filter(nil)) {
			continue
		}
		from := r.jid
		if nick != "" {
			from = r.jid + "/" + nick
		}
		pr := newStanza("presence", "to", to, "from", from, "type", "unavailable")
		x := newNS(pr, "x", nsMUCUser)
		jid := j
		if anon {
			jid = ""
		}
		addMUCItem(x, aff, "none", jid, nick, "", "", "", false)
		s.sendFromRoom(e, pr)
	}
}
