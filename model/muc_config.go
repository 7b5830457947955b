package model

import (
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// This file is the room's configuration (XEP-0045 §10.1–10.2): its
// options with 13.0.1's defaults (set_room_defaults under the upstream
// configuration), the muc#owner form and its submission, the room's
// disco#info, and destruction (§10.9).

// mucConfig is the room's configuration (room._data).
type mucConfig struct {
	name, description, language string
	public, persistent          bool
	membersOnly, moderated      bool
	allowMemberInvites          bool
	changeSubject               bool
	password                    string
	whois                       string // moderators or anyone
	historyLength               int
	defaultHistory              int
	presenceBroadcast           map[string]bool
	allowPM                     string
	archiving                   bool
}

func defaultMUCConfig() mucConfig {
	return mucConfig{whois: "moderators", historyLength: 20, defaultHistory: 20,
		presenceBroadcast: map[string]bool{"visitor": true, "participant": true, "moderator": true},
		allowPM:           "visitor", archiving: true}
}

var mucRoles = []string{"none", "visitor", "participant", "moderator"}

// ownerGet is handle_owner_query_get_to_room: the form, to owners only.
func (r *mucRoom) ownerGet(e *HookEvent) {
	st := e.stanza
	if r.affiliation(attrOr(st, "from")) != "owner" {
		e.send(errorReply(st, "auth", "forbidden", "Only owners can configure rooms", nil), "error")
		return
	}
	rep := reply(st)
	q := newNS(rep, "query", nsMUCOwner)
	q.AddChild(r.configForm())
	e.send(rep, "result")
}

// configForm is get_form_layout rendered as a form (util.dataforms:
// per field its type, var and label, desc, validate, the options, then
// the value), the fields in the order the muc-config-form handlers add
// them (by priority), as 13.0.1 and 0.12.3 send it (recorded with replay
// -v --server; testdata/muc/muc_room_disco.scs, diff --server SAME on
// each). A boolean Prosody keeps as true-or-nil (persistent,
// members-only, member invites, changesubject, moderated) has no value
// until it is on; public, archiving and the moderators' private messages
// always have one. The presence-broadcast roles come in Lua hash order
// (compare sorts a list-multi's values).
func (r *mucRoom) configForm() *etree.Element {
	c := r.cfg
	x := newElement("x")
	x.CreateAttr("xmlns", nsData)
	x.CreateAttr("type", "form")
	x.CreateElement("title").SetText("Configuration for " + r.jid)
	x.CreateElement("instructions").SetText("Complete and submit this form to configure the room.")
	field := func(typ, v, label, desc string) *etree.Element {
		f := x.CreateElement("field")
		if typ != "" {
			f.CreateAttr("type", typ)
		}
		if v != "" {
			f.CreateAttr("var", v)
		}
		if label != "" {
			f.CreateAttr("label", label)
		}
		if desc != "" {
			f.CreateElement("desc").SetText(desc)
		}
		return f
	}
	value := func(f *etree.Element, v string) { f.CreateElement("value").SetText(v) }
	validate := func(f *etree.Element, datatype string) {
		newNS(f, "validate", "http://jabber.org/protocol/xdata-validate").CreateAttr("datatype", datatype)
	}
	// boolean: stored true-or-nil unless always (a value even when off).
	boolean := func(v, label, desc string, b, always bool) {
		f := field("boolean", v, label, desc)
		if b {
			value(f, "1")
		} else if always {
			value(f, "0")
		}
	}
	options := func(f *etree.Element, opts ...string) {
		for i := 0; i+1 < len(opts); i += 2 {
			o := f.CreateElement("option")
			o.CreateAttr("label", opts[i+1])
			o.CreateElement("value").SetText(opts[i])
		}
	}
	value(field("hidden", "FORM_TYPE", "", ""), "http://jabber.org/protocol/muc#roomconfig")
	value(field("fixed", "", "", ""), "Room information")
	f := field("text-single", "muc#roomconfig_roomname", "Title", "")
	if c.name != "" {
		value(f, c.name)
	}
	value(field("text-single", "muc#roomconfig_roomdesc", "Description", "A brief description of the room"), c.description)
	f = field("text-single", "muc#roomconfig_lang", "Language tag for room (e.g. 'en', 'de', 'fr' etc.)", "Indicate the primary language spoken in this room")
	validate(f, "xs:language")
	value(f, c.language)
	boolean("muc#roomconfig_persistentroom", "Persistent (room should remain even when it is empty)", "Rooms are automatically deleted when they are empty, unless this option is enabled", c.persistent, false)
	boolean("muc#roomconfig_publicroom", "Include room information in public lists", "Enable this to allow people to find the room", c.public, true)
	value(field("fixed", "", "", ""), "Access to the room")
	value(field("text-private", "muc#roomconfig_roomsecret", "Password", ""), c.password)
	boolean("muc#roomconfig_membersonly", "Only allow members to join", "Enable this to only allow access for room owners, admins and members", c.membersOnly, false)
	boolean("{http://prosody.im/protocol/muc}roomconfig_allowmemberinvites", "Allow members to invite new members", "", c.allowMemberInvites, false)
	value(field("fixed", "", "", ""), "Permissions in the room")
	boolean("muc#roomconfig_changesubject", "Allow anyone to set the room's subject", "Choose whether anyone, or only moderators, may set the room's subject", c.changeSubject, false)
	boolean("muc#roomconfig_moderatedroom", "Moderated (require permission to speak)", "In moderated rooms occupants must be given permission to speak by a room moderator", c.moderated, false)
	f = field("list-single", "muc#roomconfig_whois", "Addresses (JIDs) of room occupants may be viewed by:", "")
	options(f, "moderators", "Moderators only", "anyone", "Anyone")
	value(f, c.whois)
	value(field("fixed", "", "", ""), "Other options")
	f = field("text-single", "muc#roomconfig_historylength", "Maximum number of history messages returned by room", "Specify the maximum number of previous messages that should be sent to users when they join the room")
	validate(f, "xs:integer")
	value(f, strconv.Itoa(c.historyLength))
	f = field("text-single", "muc#roomconfig_defaulthistorymessages", "Default number of history messages returned by room", "Specify the number of previous messages sent to new users when they join the room")
	validate(f, "xs:integer")
	value(f, strconv.Itoa(c.defaultHistory))
	f = field("list-multi", "muc#roomconfig_presencebroadcast", "Only show participants with roles:", "")
	options(f, "none", "none", "visitor", "visitor", "participant", "participant", "moderator", "moderator")
	for _, role := range mucRoles {
		if c.presenceBroadcast[role] {
			value(f, role)
		}
	}
	if r.allowPMField {
		// restrict_pm (13): who may send private messages, and whether
		// moderators may always receive them (never changed here).
		f = field("list-single", "muc#roomconfig_allowpm", "Allow private messages from", "")
		options(f, "visitor", "Everyone", "participant", "Participants", "moderator", "Moderators", "affiliated", "Members", "none", "No one")
		value(f, c.allowPM)
		boolean("{xmpp:prosody.im}muc#allow_modpm", "Always allow private messages to moderators", "", false, true)
	}
	boolean("muc#roomconfig_enablearchiving", r.archivingLabel, "", c.archiving, true)
	return x
}

// ownerSet is handle_owner_query_set_to_room: destroy, or a submitted
// (or cancelled) configuration form.
func (r *mucRoom) ownerSet(e *HookEvent, svc *mucService) {
	st := e.stanza
	if r.affiliation(attrOr(st, "from")) != "owner" {
		e.send(errorReply(st, "auth", "forbidden", "Only owners can configure rooms", nil), "error")
		return
	}
	c := firstChildElement(firstChildElement(st))
	switch {
	case c == nil:
		e.send(errorReply(st, "modify", "bad-request", "", nil), "error")
	case c.Tag == "destroy":
		reason, hasReason := childText(c, "reason", nsMUCOwner)
		pw, hasPW := childText(c, "password", nsMUCOwner)
		_ = hasPW
		r.destroy(e, svc, attrOr(c, "jid"), reason, pw, hasReason)
		e.send(reply(st), "result")
	case c.Tag == "x" && ns(c) == nsData:
		r.processForm(e, svc, c)
	default:
		e.send(errorReply(st, "cancel", "service-unavailable", "", nil), "error")
	}
}

// processForm is process_form: an empty submission accepts the defaults
// (an instant room, §10.1.2); otherwise each known field present is
// applied; a change is announced with its status codes.
func (r *mucRoom) processForm(e *HookEvent, svc *mucService, form *etree.Element) {
	st := e.stanza
	switch attrOr(form, "type") {
	case "cancel":
		e.send(reply(st), "result")
		return
	case "submit":
	default:
		e.send(errorReply(st, "cancel", "bad-request", "Not a submitted form", nil), "error")
		return
	}
	fields := map[string][]string{}
	var order []string
	for _, f := range form.SelectElements("field") {
		v := attrOr(f, "var")
		if _, dup := fields[v]; !dup {
			order = append(order, v)
		}
		var vals []string
		for _, val := range f.SelectElements("value") {
			vals = append(vals, val.Text())
		}
		fields[v] = vals
	}
	if len(childElements(form)) > 0 {
		if ft := fields["FORM_TYPE"]; len(ft) == 0 || ft[0] != "http://jabber.org/protocol/muc#roomconfig" {
			e.send(errorReply(st, "cancel", "bad-request", "Form is not of type room configuration", nil), "error")
			return
		}
	}
	codes := map[string]bool{}
	one := func(v string) string {
		if vals := fields[v]; len(vals) > 0 {
			return vals[0]
		}
		return ""
	}
	boolOf := func(v string) bool { s := one(v); return s == "1" || s == "true" }
	// muc-config-submitted: the lock ends.
	r.locked = false
	c := &r.cfg
	setBool := func(p *bool, v string) {
		if b := boolOf(v); b != *p {
			*p = b
			codes["104"] = true
		}
	}
	for _, v := range order {
		switch v {
		case "muc#roomconfig_roomname":
			if s := one(v); s != c.name {
				c.name = s
				codes["104"] = true
			}
		case "muc#roomconfig_roomdesc":
			if s := one(v); s != c.description {
				c.description = s
				codes["104"] = true
			}
		case "muc#roomconfig_lang":
			if s := one(v); s != c.language {
				c.language = s
				codes["104"] = true
			}
		case "muc#roomconfig_persistentroom":
			setBool(&c.persistent, v)
		case "muc#roomconfig_publicroom":
			setBool(&c.public, v)
		case "muc#roomconfig_membersonly":
			if b := boolOf(v); b != c.membersOnly {
				r.setMembersOnly(e, svc, b)
				codes["104"] = true
			}
		case "{http://prosody.im/protocol/muc}roomconfig_allowmemberinvites":
			setBool(&c.allowMemberInvites, v)
		case "muc#roomconfig_roomsecret":
			if s := one(v); s != c.password {
				c.password = s
				codes["104"] = true
			}
		case "muc#roomconfig_changesubject":
			setBool(&c.changeSubject, v)
		case "muc#roomconfig_moderatedroom":
			setBool(&c.moderated, v)
		case "muc#roomconfig_whois":
			if s := one(v); (s == "anyone" || s == "moderators") && s != c.whois {
				c.whois = s
				if s == "moderators" {
					codes["173"] = true
				} else {
					codes["172"] = true
				}
			}
		case "muc#roomconfig_allowpm":
			if s := one(v); r.allowPMField && s != c.allowPM {
				c.allowPM = s
				codes["104"] = true
			}
		case "muc#roomconfig_historylength":
			if n, err := strconv.Atoi(strings.TrimSpace(one(v))); err == nil && n >= 0 && n != c.historyLength {
				c.historyLength = n
				codes["104"] = true
			}
		case "muc#roomconfig_defaulthistorymessages":
			if n, err := strconv.Atoi(strings.TrimSpace(one(v))); err == nil {
				n = min(n, c.historyLength)
				if n != c.defaultHistory {
					c.defaultHistory = n
					codes["104"] = true
				}
			}
		case "muc#roomconfig_presencebroadcast":
			bc := map[string]bool{}
			for _, role := range fields[v] {
				bc[role] = true
			}
			if r.setPresenceBroadcast(e, bc) {
				codes["104"] = true
			}
		case "muc#roomconfig_enablearchiving":
			c.archiving = boolOf(v)
			if c.archiving {
				codes["170"] = true
			} else {
				codes["171"] = true
			}
		}
	}
	e.send(reply(st), "result")
	if len(codes) > 0 {
		msg := newStanza("message", "type", "groupchat", "from", r.jid)
		x := newNS(msg, "x", nsMUCUser)
		// Prosody lists the codes in hash order; the model sorts them.
		for _, code := range sortedKeys(codes) {
			addStatus(x, code)
		}
		r.broadcastMessage(e, msg)
	}
}

// setMembersOnly is members_only's set: occupants without an
// affiliation leave with 322 when the room becomes members-only (§9.3).
func (r *mucRoom) setMembersOnly(e *HookEvent, svc *mucService, on bool) {
	r.cfg.membersOnly = on
	if !on {
		return
	}
	var out []*mucOccupant
	for _, o := range r.each() {
		if mucAffRank[r.affiliation(o.bare)] <= 0 {
			o.role = ""
			r.save(o)
			out = append(out, o)
		}
	}
	x := newMUCUserX()
	addStatus(x, "322")
	for _, o := range out {
		r.publicise(e, o, mucPresenceX{base: x}, "", "", "", false, "", false, nil)
		r.occupantLeft(e, svc)
	}
}

// setPresenceBroadcast is presence_broadcast's set: occupants of roles
// that become shown appear, those that become hidden leave.
func (r *mucRoom) setPresenceBroadcast(e *HookEvent, bc map[string]bool) bool {
	old := r.cfg.presenceBroadcast
	changed := false
	for _, role := range mucRoles {
		if old[role] != bc[role] {
			changed = true
		}
	}
	if !changed {
		return false
	}
	r.cfg.presenceBroadcast = bc
	for _, o := range r.each() {
		role := roleOrNone(o.role)
		switch {
		case bc[role] && !old[role]:
			r.publicise(e, o, mucPresenceX{base: newMUCUserX()}, "", "", "", false, "", false, nil)
		case old[role] && !bc[role]:
			r.publicise(e, o, mucPresenceX{base: newMUCUserX()}, "", "", "", false, "", true, nil)
		}
	}
	return true
}

// destroy is room:destroy (§10.9): every occupant leaves with the
// destroy element (alternate venue, reason, password), then the room is
// gone.
func (r *mucRoom) destroy(e *HookEvent, svc *mucService, newJID, reason, password string, hasReason bool) {
	x := newMUCUserX()
	d := x.CreateElement("destroy")
	if newJID != "" {
		d.CreateAttr("jid", newJID)
	}
	if hasReason {
		d.CreateElement("reason").SetText(reason)
	}
	if password != "" {
		d.CreateElement("password").SetText(password)
	}
	r.destroyed = true
	type left struct {
		o    *mucOccupant
		prev string
	}
	var gone []left
	for _, o := range r.each() {
		prev := o.role
		o.role = ""
		r.save(o)
		gone = append(gone, left{o, prev})
	}
	for _, g := range gone {
		r.publicise(e, g.o, mucPresenceX{base: x}, "", "", "", false, g.prev, false, nil)
	}
	r.roomDestroyed(e, svc, reason, newJID)
}

// roomDestroyed is muc-room-destroyed: the room is forgotten with its
// archive; a persistent room leaves a tombstone (muc_tombstones).
func (r *mucRoom) roomDestroyed(e *HookEvent, svc *mucService, reason, newJID string) {
	svc.forget(r)
	// muc_mam deletes the archive under the room's node
	// (archive:delete). The room object can outlive this: when a room's
	// only occupant changes nick, the old nick's leave empties the room,
	// which is destroyed under the handler, and the new nick joins the
	// forgotten object (13.0.1 and 0.12.3 alike: no history at that
	// join, and the room answers nothing more). Its archive is gone too.
	r.archive = mamArchive{}
	if r.cfg.persistent && r.tombstone == nil {
		t := newMUCRoom(r.jid)
		t.cfg.persistent = true
		t.tombstone = &mucTombstone{reason: reason, newJID: newJID, until: e.s.now().Add(31 * 24 * time.Hour)}
		svc.track(t)
	}
}

// discoInfo answers disco#info to the room (get_disco_info with the
// muc-disco#info handlers): identity, features, and the roominfo form.
func (r *mucRoom) discoInfo(e *HookEvent) {
	st := e.stanza
	q := firstChildElement(st)
	node, hasNode := attr(q, "node")
	rep := reply(st)
	rq := newNS(rep, "query", nsDiscoInfo)
	if hasNode {
		rq.CreateAttr("node", node)
	}
	if hasNode && node != "" {
		if node == "x-roomuser-item" {
			if d := r.affData[bareOf(attrOr(st, "from"))]; d != nil && d.nick != "" {
				id := rq.CreateElement("identity")
				id.CreateAttr("category", "conference")
				id.CreateAttr("type", "text")
				id.CreateAttr("name", d.nick)
			}
		}
		e.send(rep, "result")
		return
	}
	c := r.cfg
	id := rq.CreateElement("identity")
	id.CreateAttr("category", "conference")
	id.CreateAttr("type", "text")
	if c.name != "" {
		id.CreateAttr("name", c.name)
	} else {
		_ = id
	}
	feat := func(v string) { rq.CreateElement("feature").CreateAttr("var", v) }
	for _, f := range []string{nsMUC, "http://jabber.org/protocol/muc#stable_id", "http://jabber.org/protocol/muc#self-ping-optimization"} {
		feat(f)
	}
	pick := func(b bool, yes, no string) string {
		if b {
			return yes
		}
		return no
	}
	feat(pick(c.public, "muc_public", "muc_hidden"))
	feat(pick(c.password != "", "muc_passwordprotected", "muc_unsecured"))
	feat(pick(c.membersOnly, "muc_membersonly", "muc_open"))
	feat(pick(c.moderated, "muc_moderated", "muc_unmoderated"))
	feat(pick(c.persistent, "muc_persistent", "muc_temporary"))
	feat(pick(c.whois == "anyone", "muc_nonanonymous", "muc_semianonymous"))
	feat(nsMUCRequest) // request.lib (voice requests, muc_request.go)
	feat(nsRegister)
	feat(nsOccupant)
	if !e.s.prof.MUCNoVCard {
		feat("vcard-temp") // vcard.lib, new in 13
	}
	if c.archiving {
		feat(nsMAM)
		feat("urn:xmpp:mam:2#extended")
	}
	feat(nsStanzaSID)
	// The roominfo form, as util.dataforms renders the muc-disco#info
	// handlers' fields as a result (type, var, label; a field without a
	// value and without a default has no <value/>), in 13.0.1's order
	// (0.12.3's hooks add the same fields in another order; compare
	// sorts them). vcard.lib's avatar hash is 13's only.
	x := newNS(rq, "x", nsData)
	x.CreateAttr("type", "result")
	field := func(typ, v, label string, val optString) {
		f := x.CreateElement("field")
		f.CreateAttr("type", typ)
		f.CreateAttr("var", v)
		if label != "" {
			f.CreateAttr("label", label)
		}
		if val.ok {
			f.CreateElement("value").SetText(val.v)
		}
	}
	some := func(v string) optString { return optString{v, true} }
	opt := func(v string) optString { return optString{v, v != ""} }
	boolean := func(b bool) optString { return some(pick(b, "1", "0")) }
	field("hidden", "FORM_TYPE", "", some("http://jabber.org/protocol/muc#roominfo"))
	if !e.s.prof.MUCNoVCard {
		field("text-multi", "muc#roominfo_avatarhash", "", optString{})
	}
	field("text-single", "muc#roomconfig_roomname", "Title", opt(c.name))
	field("text-single", "muc#roominfo_occupants", "Number of occupants", some(strconv.Itoa(len(r.occupants))))
	field("text-single", "muc#roominfo_lang", "", some(c.language))
	field("text-single", "muc#roominfo_description", "Description", some(c.description))
	// changesubject is stored as true or nil: no value unless on.
	field("boolean", "muc#roomconfig_changesubject", "", optString{"1", c.changeSubject})
	field("boolean", "{http://prosody.im/protocol/muc}roomconfig_allowmemberinvites", "Allow members to invite new members", boolean(c.allowMemberInvites))
	field("boolean", "muc#roomconfig_allowinvites", "Allow users to invite other users", boolean(!c.membersOnly || c.allowMemberInvites))
	e.send(rep, "result")
}
