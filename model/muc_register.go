package model

// This file is nickname registration (XEP-0045 §7.10, register.lib): a
// registered nick is kept in the affiliation's data, reserved for its
// owner at joins and nick changes, and registering makes the user a
// member.

// registeredJID is get_registered_jid: who reserved the nick.
func (r *mucRoom) registeredJID(nick string) string {
	for _, j := range r.affOrder {
		if d := r.affData[j]; d != nil && d.nick == nick {
			return j
		}
	}
	return ""
}

// nickPolicy is enforce_nick_policy: a nick reserved by someone else is
// refused with conflict.
func (r *mucRoom) nickPolicy(e *HookEvent) bool {
	st := e.stanza
	_, _, nick := splitJID(attrOr(st, "to"))
	if by := r.registeredJID(nick); by != "" && by != bareOf(attrOr(st, "from")) {
		e.send(errorReplyBy(st, "cancel", "conflict", "", r.jid), "error")
		return false
	}
	return true
}

// registerIQ is handle_register_iq.
func (r *mucRoom) registerIQ(e *HookEvent, svc *mucService) {
	st := e.stanza
	user := bareOf(attrOr(st, "from"))
	aff := r.affiliation(user)
	if aff == "outcast" {
		e.send(errorReply(st, "auth", "forbidden", "", nil), "error")
		return
	}
	if aff == "" {
		e.send(errorReply(st, "auth", "registration-required", "", nil), "error")
		return
	}
	nick := ""
	if d := r.affData[user]; d != nil {
		nick = d.nick
	}
	rep := reply(st)
	if attrOr(st, "type") == "get" {
		q := newNS(rep, "query", nsRegister)
		if nick != "" {
			q.CreateElement("registered")
			q.CreateElement("username").SetText(nick)
			e.send(rep, "result")
			return
		}
		x := newNS(q, "x", nsData)
		x.CreateAttr("type", "form")
		f := x.CreateElement("field")
		f.CreateAttr("type", "hidden")
		f.CreateAttr("var", "FORM_TYPE")
		f.CreateElement("value").SetText("http://jabber.org/protocol/muc#register")
		f = x.CreateElement("field")
		f.CreateAttr("type", "text-single")
		f.CreateAttr("var", "muc#register_roomnick")
		f.CreateAttr("label", "Nickname")
		f.CreateElement("required")
		e.send(rep, "result")
		return
	}
	q := firstChildElement(st)
	if child(q, "remove", nsRegister) != nil {
		newAff := aff
		if aff == "member" {
			newAff = "none"
		}
		if t, c := r.setAffiliationData(e, svc, "", user, newAff, "", false, nil, true); c != "" {
			e.send(errorReply(st, t, c, "", nil), "error")
			return
		}
		e.send(rep, "result")
		return
	}
	form := child(q, "x", nsData)
	if form == nil {
		e.send(errorReply(st, "modify", "bad-request", "Missing dataform", nil), "error")
		return
	}
	if ft, _ := formField(form, "FORM_TYPE"); !ft.ok || ft.v != "http://jabber.org/protocol/muc#register" {
		e.send(errorReply(st, "modify", "bad-request", "Error in form", nil), "error")
		return
	}
	v, _ := formField(form, "muc#register_roomnick")
	if !v.ok || v.v == "" {
		e.send(errorReply(st, "modify", "bad-request", "Error in form", nil), "error")
		return
	}
	j, err := ParseJID("x@y/" + v.v)
	if err != nil || !strictResourceprep(j.Resource) {
		e.send(errorReply(st, "modify", "bad-request", "Invalid Nickname", nil), "error")
		return
	}
	want := j.Resource
	if o := r.occupant(r.jid + "/" + want); o != nil && o.bare != user {
		e.send(errorReply(st, "cancel", "conflict", "", nil), "error")
		return
	}
	if by := r.registeredJID(want); by != "" && by != user {
		e.send(errorReply(st, "cancel", "conflict", "", nil), "error")
		return
	}
	if nick != want {
		if t, c := r.setAffiliation(e, svc, "", user, aff, "", false, &mucAffData{nick: want}); c != "" {
			e.send(errorReply(st, t, c, "", nil), "error")
			return
		}
	}
	e.send(rep, "result")
}
