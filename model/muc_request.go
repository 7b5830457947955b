package model

import (
	"github.com/beevik/etree"
)

// Voice requests (XEP-0045 §8.6), as muc/request.lib.lua runs them in
// 13.0.1 and 0.12.3 alike (the file is the same in both but for its
// require paths): a message to the room with a muc#request data form.
// From a visitor it becomes a "Voice Request" form the room sends to
// every moderator; from a moderator it is the answer, which grants voice
// (role participant, reason "Voice granted") when muc#request_allow is
// true and the named occupant is a visitor. Anything else is dropped
// without a word. Prosody lists the muc#request feature in the room's
// disco#info (roomDiscoFeatures).

const nsMUCRequest = "http://jabber.org/protocol/muc#request"

// formType is util.dataforms' get_type: the first FORM_TYPE field's
// value; "" when the form has no FORM_TYPE field.
func formType(x *etree.Element) string {
	for _, f := range childElements(x) {
		if f.Tag == "field" && ns(f) == nsData && attrOr(f, "var") == "FORM_TYPE" {
			if v := child(f, "value", nsData); v != nil {
				return v.Text()
			}
			return ""
		}
	}
	return ""
}

// roleRequest is handle_request: the sender's occupant decides whether
// the form is a request or a moderator's answer.
func (r *mucRoom) roleRequest(e *HookEvent, svc *mucService, form *etree.Element) {
	from := attrOr(e.stanza, "from")
	o := r.occupantByReal(from)
	if o == nil {
		// request.lib indexes the sender's occupant without looking:
		// from a non-occupant the handler fails (a traceback in the
		// server's log, seen on 13.0.1 and 0.12.3) and nothing is sent.
		return
	}
	if o.role == "moderator" {
		r.voiceResponse(e, svc, o, form)
		return
	}
	if o.role != "visitor" {
		return // muc-voice-request: only a visitor's request goes out
	}
	_, _, nick := splitJID(o.nick)
	msg := newElement("message")
	msg.CreateAttr("type", "normal")
	msg.CreateAttr("from", r.jid)
	voiceRequestForm(msg, from, nick)
	toAll := !e.s.mods.muc.voiceToModerators // the mutant
	r.broadcast(e, msg, func(o *mucOccupant) bool { return toAll || o.role == "moderator" })
}

// voiceRequestForm is request.lib's voice_request_form rendered as a
// form (util.dataforms: title, then per field its label and desc, its
// options, its value) with the visitor's real JID and nick.
func voiceRequestForm(msg *etree.Element, real, nick string) {
	x := newNS(msg, "x", nsData)
	x.CreateAttr("type", "form")
	x.CreateElement("title").SetText("Voice Request")
	field := func(typ, v, label, desc string) *etree.Element {
		f := x.CreateElement("field")
		f.CreateAttr("type", typ)
		f.CreateAttr("var", v)
		if label != "" {
			f.CreateAttr("label", label)
		}
		if desc != "" {
			f.CreateElement("desc").SetText(desc)
		}
		return f
	}
	value := func(f *etree.Element, v string) { f.CreateElement("value").SetText(v) }
	value(field("hidden", "FORM_TYPE", "", ""), nsMUCRequest)
	value(field("jid-single", "muc#jid", "User ID", "The user's JID (address)"), real)
	value(field("text-single", "muc#roomnick", "Room nickname", "The user's nickname within the room"), nick)
	f := field("list-single", "muc#role", "Requested role", "")
	for _, role := range mucRoles {
		o := f.CreateElement("option")
		o.CreateAttr("label", role)
		o.CreateElement("value").SetText(role)
	}
	value(f, "participant")
	value(field("boolean", "muc#request_allow", "Grant voice to this person?", "Specify whether this person is able to speak in a moderated room"), "0")
}

// voiceResponse is muc-voice-response: a moderator's answer grants voice
// when muc#request_allow reads true (util.dataforms: "1" or "true") and
// muc#jid (prepped) is the real JID of an occupant who is a visitor.
func (r *mucRoom) voiceResponse(e *HookEvent, svc *mucService, mod *mucOccupant, form *etree.Element) {
	if allow, _ := formField(form, "muc#request_allow"); !allow.ok || (allow.v != "1" && allow.v != "true") {
		return
	}
	real, _ := formField(form, "muc#jid")
	if !real.ok {
		return
	}
	j, err := ParseJID(real.v)
	if err != nil {
		return
	}
	target := r.occupantByReal(j.String())
	if target == nil || target.role != "visitor" {
		return
	}
	if typ, cond := r.setRole(e, svc, attrOr(e.stanza, "from"), target.nick, "participant", "Voice granted", true); typ != "" {
		e.send(errorReply(e.stanza, typ, cond, "", nil), "error")
	}
}
