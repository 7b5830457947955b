package model

import "github.com/beevik/etree"

// This file is the room's mediated invitations and declines (XEP-0045
// §7.8.2, handle_mediated_invite and handle_mediated_decline with their
// muc-invite handlers). The invitation leaves the room as a message from
// the room's JID, so the invitee's blocklist sees the room, not the
// inviter; 13.0.1's mod_blocklist looks at the inviter named inside
// (BlocklistOptions.BlockMediatedInviter).

// mediatedInvite forwards an invitation: the inviter needs a voice (and
// in a members-only room an affiliation), the invitation names the
// inviter (by occupant JID in a semi-anonymous room, to an invitee who
// would not be a moderator), carries the password and the jabber:x:
// conference compatibility element and a body; in a members-only room the
// invitee becomes a member.
func (r *mucRoom) mediatedInvite(e *HookEvent, svc *mucService, payload *etree.Element) bool {
	s, st := e.s, e.stanza
	j, err := ParseJID(attrOr(payload, "to"))
	if err != nil {
		e.send(errorReply(st, "cancel", "jid-malformed", "", nil), "error")
		return true
	}
	invitee := j.String()
	from := attrOr(st, "from")
	// muc-pre-invite: a voice is needed; in a members-only room, the
	// affiliation (admin, or member when members may invite).
	role := r.defaultRole(r.affiliation(from))
	if o := r.occupantByReal(from); o != nil {
		role = o.role
	}
	if s.mods.muc.inviteNeedsRole && mucRoleRank[role] <= mucRoleRank["visitor"] {
		e.send(errorReply(st, "auth", "forbidden", "", nil), "error")
		return true
	}
	if r.cfg.membersOnly {
		need := "admin"
		if r.cfg.allowMemberInvites {
			need = "member"
		}
		if mucAffRank[r.affiliation(from)] < mucAffRank[need] {
			e.send(errorReplyBy(st, "auth", "forbidden", "", r.jid), "error")
			return true
		}
	}
	reason, _ := childText(payload, "reason", nsMUCUser)
	inv := r.filter(st)
	inv.CreateAttr("from", r.jid)
	inv.CreateAttr("to", invitee)
	x := newNS(inv, "x", nsMUCUser)
	in := x.CreateElement("invite")
	in.CreateAttr("from", from)
	in.CreateElement("reason").SetText(reason)
	// muc-invite, 50: whois hides the inviter's real JID.
	if r.cfg.whois == "moderators" && r.defaultRole(r.affiliation(invitee)) != "moderator" {
		if n, ok := r.byReal[from]; ok {
			in.CreateAttr("from", n)
		}
	}
	// 0: the compatibility element, the body, the password, membership.
	// Both handlers have priority 0 and 13.0.1 runs them in either
	// order from one start to the next (seen over the wire both ways);
	// the model puts the body first, and compare orders an
	// invitation's children.
	if child(inv, "body", nsClient) == nil {
		text := attrOr(in, "from") + " invited you to the room " + r.jid
		if reason != "" {
			text += " (" + reason + ")"
		}
		inv.CreateElement("body").SetText(text)
	}
	cx := newNS(inv, "x", nsConfX)
	cx.CreateAttr("jid", r.jid)
	cx.SetText(reason)
	if r.cfg.password != "" {
		x.CreateElement("password").SetText(r.cfg.password)
	}
	if r.cfg.membersOnly && mucAffRank[r.affiliation(invitee)] <= 0 {
		r.setAffiliation(e, svc, "", invitee, "member", "Invited by "+attrOr(in, "from"), true, nil)
	}
	s.sendFromRoom(e, inv)
	return true
}

// mediatedDecline forwards a decline to the inviter (§7.8.2), from the
// room, with a body.
func (r *mucRoom) mediatedDecline(e *HookEvent, payload *etree.Element) bool {
	s, st := e.s, e.stanza
	j, err := ParseJID(attrOr(payload, "to"))
	if err != nil {
		e.send(errorReply(st, "cancel", "jid-malformed", "", nil), "error")
		return true
	}
	reason, _ := childText(payload, "reason", nsMUCUser)
	d := r.filter(st)
	d.CreateAttr("from", r.jid)
	d.CreateAttr("to", j.String())
	x := newNS(d, "x", nsMUCUser)
	dc := x.CreateElement("decline")
	dc.CreateAttr("from", attrOr(st, "from"))
	dc.CreateElement("reason").SetText(reason)
	if child(d, "body", nsClient) == nil {
		text := attrOr(st, "from") + " declined your invite to the room " + r.jid
		if reason != "" {
			text += " (" + reason + ")"
		}
		d.CreateElement("body").SetText(text)
	}
	if bareOf(j.String()) == r.jid {
		if o := r.occupant(j.String()); o != nil {
			r.routeToOccupant(e, o, d)
			return true
		}
	}
	s.sendFromRoom(e, d)
	return true
}
