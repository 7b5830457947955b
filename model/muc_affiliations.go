package model

import (
	"slices"

	"github.com/beevik/etree"
)

// This file is the room's affiliations and roles (XEP-0045 §5, §8, §9,
// §10): set_affiliation, set_role and the muc#admin iqs.

// setAffiliation is set_affiliation. actor is the real JID of who asks
// ("" for the room itself, Prosody's actor = true). data: nil keeps the
// stored data; clear drops it (data = false). It returns an error type and
// condition when refused.
func (r *mucRoom) setAffiliation(e *HookEvent, svc *mucService, actor, j, aff, reason string, hasReason bool, data *mucAffData) (errType, errCond string) {
	return r.setAffiliationData(e, svc, actor, j, aff, reason, hasReason, data, false)
}

func (r *mucRoom) setAffiliationData(e *HookEvent, svc *mucService, actor, j, aff, reason string, hasReason bool, data *mucAffData, clear bool) (errType, errCond string) {
	node, dom, _ := splitJID(j)
	if dom == "" {
		return "modify", "not-acceptable"
	}
	j = dom
	if node != "" {
		j = node + "@" + dom
	}
	hostOnly := node == ""
	if _, ok := mucAffRank[aff]; !ok {
		return "modify", "not-acceptable"
	}
	if r.ownerAdmins[j] && aff != "owner" {
		return "modify", "not-acceptable"
	}
	if aff == "none" {
		aff = ""
	}
	target := r.aff[j]
	downgrade := mucAffRank[target] > mucAffRank[aff]
	if actor != "" {
		switch actorAff := r.affiliation(actor); {
		case actorAff == "owner":
			if bareOf(actor) == j && downgrade {
				last := true
				for _, k := range r.affOrder {
					if r.aff[k] == "owner" && k != j {
						last = false
						break
					}
				}
				if last {
					return "cancel", "conflict"
				}
			}
		case aff == "owner" || aff == "admin" || actorAff != "admin" || target == "owner" || target == "admin":
			return "cancel", "not-allowed"
		}
	}
	if aff == "" {
		delete(r.aff, j)
		r.affOrder = slices.DeleteFunc(r.affOrder, func(k string) bool { return k == j })
	} else {
		if _, ok := r.aff[j]; !ok {
			r.affOrder = append(r.affOrder, j)
		}
		r.aff[j] = aff
	}
	switch {
	case aff == "" || clear || data != nil && *data == (mucAffData{}):
		delete(r.affData, j)
	case data != nil:
		d := *data
		r.affData[j] = &d
	}
	role := r.defaultRole(aff)
	type upd struct {
		o       *mucOccupant
		oldRole string
	}
	var updated []upd
	for _, o := range r.each() {
		if o.bare == j || hostOnly && aff == "outcast" && hostOf(o.bare) == dom {
			updated = append(updated, upd{o, o.role})
			if o.role != role && (downgrade || mucRoleRank[o.role] < mucRoleRank[role]) {
				o.role = role
				r.save(o)
			}
		}
	}
	x := newMUCUserX()
	if role == "" {
		if aff == "outcast" {
			addStatus(x, "301")
		} else {
			addStatus(x, "321")
		}
	}
	semiAnon := r.cfg.whois == "moderators"
	if len(updated) > 0 {
		for _, u := range updated {
			r.publicise(e, u.o, mucPresenceX{base: x}, "", actor, reason, hasReason, u.oldRole, false, nil)
			if u.o.role == "" {
				r.occupantLeft(e, svc)
			} else if semiAnon && (u.oldRole == "moderator") != (u.o.role == "moderator") {
				for _, ss := range u.o.sessions {
					r.sendOccupantList(e, ss.jid, func(o *mucOccupant) bool { return o == nil || o.bare != j })
				}
			}
		}
	} else {
		// XEP-0045 example 195: the change is announced to the room.
		msg := newStanza("message", "from", r.jid)
		ax := x.Copy()
		addMUCItem(ax, aff, "", j, "", "", "", reason, hasReason)
		msg.AddChild(ax)
		minRole := 0
		if semiAnon {
			minRole = mucRoleRank["moderator"]
		}
		r.broadcast(e, msg, func(o *mucOccupant) bool { return mucRoleRank[o.role] >= minRole })
	}
	return "", ""
}

func hostOf(j string) string {
	_, d, _ := splitJID(j)
	return d
}

// maySetRole is may_set_role.
func (r *mucRoom) maySetRole(actor string, o *mucOccupant, role string) bool {
	actorAff, occAff := r.affiliation(actor), r.affiliation(o.bare)
	if mucAffRank[actorAff] < mucAffRank[occAff] {
		return false
	}
	if (o.role == "moderator" || role == "moderator") && actorAff != "owner" && actorAff != "admin" {
		return false
	}
	a := r.occupantByReal(actor)
	return a != nil && a.role == "moderator"
}

// setRole is set_role: a kick is role none (status 307).
func (r *mucRoom) setRole(e *HookEvent, svc *mucService, actor, nick, role, reason string, hasReason bool) (errType, errCond string) {
	o := r.occupant(nick)
	if o == nil {
		return "modify", "item-not-found"
	}
	if _, ok := mucRoleRank[role]; !ok {
		return "modify", "not-acceptable"
	}
	if role == "none" {
		role = ""
	}
	if actor != "" && !r.maySetRole(actor, o, role) {
		return "cancel", "not-allowed"
	}
	x := newMUCUserX()
	if role == "" {
		addStatus(x, "307")
	}
	prev := o.role
	o.role = role
	r.save(o)
	r.publicise(e, o, mucPresenceX{base: x}, "", actor, reason, hasReason, prev, false, nil)
	if role == "" {
		r.occupantLeft(e, svc)
	}
	return "", ""
}

// adminSet is handle_admin_query_set_command: one item changes an
// affiliation (by JID, optionally reserving a nick) or a role (by nick).
func (r *mucRoom) adminSet(e *HookEvent, svc *mucService) {
	st := e.stanza
	q := firstChildElement(st)
	item := firstChildElement(q)
	if item == nil {
		e.send(errorReply(st, "cancel", "bad-request", "", nil), "error")
		return
	}
	ij, hasJID := attr(item, "jid")
	if hasJID {
		j, err := ParseJID(ij)
		if err != nil {
			e.send(errorReply(st, "modify", "jid-malformed", "", nil), "error")
			return
		}
		if j.Resource != "" {
			e.send(errorReply(st, "modify", "jid-malformed", "Bare JID expected, got full JID", nil), "error")
			return
		}
		ij = j.String()
	}
	nick, hasNick := attr(item, "nick")
	if hasNick {
		j, err := ParseJID("x@y/" + nick)
		if err != nil {
			e.send(errorReply(st, "modify", "jid-malformed", "invalid nickname", nil), "error")
			return
		}
		nick = j.Resource
	}
	aff, hasAff := attr(item, "affiliation")
	role, hasRole := attr(item, "role")
	switch {
	case !hasJID && hasNick:
		// COMPAT (#1224): a nick where a JID belongs.
		if o := r.occupant(r.jid + "/" + nick); o != nil {
			ij, hasJID = o.bare, true
		}
	case hasRole && !hasNick && hasJID:
		if n, ok := r.byReal[ij]; ok {
			_, _, nick = splitJID(n)
			hasNick = true
		}
	}
	actor := attrOr(st, "from")
	reason, hasReason := childText(item, "reason", nsMUCAdmin)
	var errType, errCond string
	switch {
	case hasAff && hasJID && !hasRole:
		// 13.0.1 starts from the stored data and adds the reason;
		// 0.12.3 passes no data (the stored data stays) unless a nick
		// is reserved, which replaces it.
		var pdata *mucAffData
		data := mucAffData{}
		if r.keepReason {
			if d := r.affData[ij]; d != nil {
				data = *d
			}
			if hasReason {
				data.reason = reason
			}
			pdata = &data
		}
		if hasNick {
			roomNick := r.jid + "/" + nick
			if o := r.occupant(roomNick); o != nil && o.bare != ij {
				r.setRole(e, svc, "", roomNick, "none", "This nickname is reserved", true)
			}
			data.nick = nick
			pdata = &data
		}
		errType, errCond = r.setAffiliation(e, svc, actor, ij, aff, reason, hasReason, pdata)
	case hasRole && hasNick && !hasAff:
		errType, errCond = r.setRole(e, svc, actor, r.jid+"/"+nick, role, reason, hasReason)
	default:
		errType, errCond = "cancel", "bad-request"
	}
	if errCond != "" {
		e.send(errorReply(st, errType, errCond, "", nil), "error")
		return
	}
	e.send(reply(st), "result")
}

// adminGet is handle_admin_query_get_command: the list of one
// affiliation (admins and owners; members too in a non-anonymous
// members-only room) or of one role (moderators).
func (r *mucRoom) adminGet(e *HookEvent) {
	st := e.stanza
	actor := attrOr(st, "from")
	actorAff := r.affiliation(actor)
	item := firstChildElement(firstChildElement(st))
	if item == nil {
		e.send(errorReply(st, "cancel", "bad-request", "", nil), "error")
		return
	}
	aff, hasAff := attr(item, "affiliation")
	role, hasRole := attr(item, "role")
	_, validAff := mucAffRank[aff]
	_, validRole := mucRoleRank[role]
	switch {
	case hasAff && validAff && !hasRole:
		rank := mucAffRank[actorAff]
		if rank >= mucAffRank["admin"] && rank >= mucAffRank[aff] ||
			r.cfg.membersOnly && r.cfg.whois == "anyone" && rank >= mucAffRank["member"] {
			rep := reply(st)
			q := newNS(rep, "query", nsMUCAdmin)
			want := aff
			if want == "none" {
				want = ""
			}
			for _, j := range r.affOrder {
				if r.aff[j] != want {
					continue
				}
				it := q.CreateElement("item")
				it.CreateAttr("affiliation", aff)
				it.CreateAttr("jid", j)
				if d := r.affData[j]; d != nil {
					if d.nick != "" {
						it.CreateAttr("nick", d.nick)
					}
					if d.reason != "" && r.keepReason {
						it.CreateElement("reason").SetText(d.reason)
					}
				}
			}
			e.send(rep, "result")
			return
		}
		e.send(errorReply(st, "auth", "forbidden", "", nil), "error")
	case hasRole && validRole && !hasAff:
		myRole := r.defaultRole(actorAff)
		if n, ok := r.byReal[actor]; ok {
			if o := r.occupant(n); o != nil && o.role != "" {
				myRole = o.role
			}
		}
		if mucRoleRank[myRole] < mucRoleRank["moderator"] {
			e.send(errorReply(st, "auth", "forbidden", "", nil), "error")
			return
		}
		if role == "none" {
			role = ""
		}
		rep := reply(st)
		q := newNS(rep, "query", nsMUCAdmin)
		for _, o := range r.each() {
			if o.role == role {
				_, _, nick := splitJID(o.nick)
				r.buildItemList(o, q, false, nick, "", "", "", false)
			}
		}
		e.send(rep, "result")
	default:
		e.send(errorReply(st, "cancel", "bad-request", "", nil), "error")
	}
}

var _ = etree.NewElement
