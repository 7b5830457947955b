package model

import (
	"slices"
	"time"

	"github.com/beevik/etree"
)

// mucRoom is one room (muc.lib's room_mt): its occupants, affiliations,
// configuration, subject, history and archive.
type mucRoom struct {
	jid       string
	occupants []*mucOccupant    // by join order
	byReal    map[string]string // live real full JID → occupant JID (_jid_nick)
	aff       map[string]string // bare JID or domain → owner, admin, member, outcast
	affOrder  []string          // aff's keys in the order first set
	affData   map[string]*mucAffData
	cfg       mucConfig
	locked    bool
	destroyed bool // destroy ran; a late leave does not destroy again

	subject, subjectFrom string
	subjectTime          time.Time
	hasSubjectTime       bool

	history []mucHistoryEntry
	archive mamArchive
	salt    string

	// ownerAdmins: the admins who own every room (MUCAdminsOwnRooms);
	// nil: none.
	ownerAdmins map[string]bool
	// keepReason: affiliation reasons are kept (MUCAffiliationReason).
	keepReason bool
	// allowPMField: the form has muc#roomconfig_allowpm (MUCAllowPMField).
	allowPMField bool
	// hatsNS: the hats namespace filtered from what clients send (MUCHatsNS)
	hatsNS string
	// archivingLabel: the archiving field's label (MUCArchivingLabel)
	archivingLabel string

	// tombstone: the room was destroyed while persistent; it answers
	// gone until the tombstone expires.
	tombstone *mucTombstone
}

type mucTombstone struct {
	reason, newJID string
	until          time.Time
}

// mucAffData is the data kept with an affiliation: the reason given and
// the registered nickname.
type mucAffData struct {
	reason, nick string
}

// mucOccupant is an occupant (occupant.lib): one nick, one bare real
// JID, a role, and its sessions with their last presence. Prosody hands
// out copies (get_occupant_by_nick) and stores them back (save_occupant);
// so does the model.
type mucOccupant struct {
	nick     string // the occupant JID, room@service/nick
	bare     string
	role     string // "" is none
	sessions []mucSession
	primary  string // the primary session's real JID
}

type mucSession struct {
	jid  string
	pres *etree.Element // filtered (no muc or muc#user <x/>), from = nick, to = jid
}

var mucRoleRank = map[string]int{"": 0, "none": 0, "visitor": 1, "participant": 2, "moderator": 3}
var mucAffRank = map[string]int{"outcast": -1, "": 0, "none": 0, "member": 1, "admin": 2, "owner": 3}

func newMUCRoom(j string) *mucRoom {
	return &mucRoom{jid: j, byReal: map[string]string{}, aff: map[string]string{},
		affData: map[string]*mucAffData{}, cfg: defaultMUCConfig()}
}

func (o *mucOccupant) copy() *mucOccupant {
	c := *o
	c.sessions = nil
	for _, ss := range o.sessions {
		if attrOr(ss.pres, "type") != "unavailable" || ss.jid == o.primary {
			c.sessions = append(c.sessions, ss)
		}
	}
	return &c
}

func (o *mucOccupant) session(j string) *mucSession {
	for i := range o.sessions {
		if o.sessions[i].jid == j {
			return &o.sessions[i]
		}
	}
	return nil
}

// presence is get_presence: the session's stored presence, the primary's
// without a JID.
func (o *mucOccupant) presence(j string) *etree.Element {
	if j == "" {
		j = o.primary
	}
	if ss := o.session(j); ss != nil {
		return ss.pres
	}
	return nil
}

func (o *mucOccupant) choosePrimary() string {
	for _, ss := range o.sessions {
		if _, typed := attr(ss.pres, "type"); !typed {
			return ss.jid
		}
	}
	return ""
}

// setSession stores the session's presence (filtered: mucRoom.filter)
// from the nick.
func (o *mucOccupant) setSession(real string, pr *etree.Element) {
	pr.CreateAttr("from", o.nick)
	pr.CreateAttr("to", real)
	if ss := o.session(real); ss != nil {
		ss.pres = pr
	} else {
		o.sessions = append(o.sessions, mucSession{jid: real, pres: pr})
	}
	if o.primary == "" || attrOr(pr, "type") == "unavailable" && o.primary == real {
		if p := o.choosePrimary(); p != "" {
			o.primary = p
		} else {
			o.primary = real
		}
	}
}

func (o *mucOccupant) removeSession(real string) {
	o.sessions = slices.DeleteFunc(o.sessions, func(ss mucSession) bool { return ss.jid == real })
	if o.primary == real {
		o.primary = o.choosePrimary()
	}
}

// filter is muc/util's filter_muc_x: a copy of st without the children
// in a filtered namespace — muc, muc#user and the release's hats
// namespace (MUCHatsNS) — whatever their name.
func (r *mucRoom) filter(st *etree.Element) *etree.Element {
	c := st.Copy()
	for _, k := range childElements(c) {
		if n := ns(k); n == nsMUC || n == nsMUCUser || n != "" && n == r.hatsNS {
			c.RemoveChild(k)
		}
	}
	return c
}

// occupant is get_occupant_by_nick: a copy, or nil.
func (r *mucRoom) occupant(nick string) *mucOccupant {
	for _, o := range r.occupants {
		if o.nick == nick {
			return o.copy()
		}
	}
	return nil
}

// occupantByReal is get_occupant_by_real_jid.
func (r *mucRoom) occupantByReal(real string) *mucOccupant {
	if n, ok := r.byReal[real]; ok {
		return r.occupant(n)
	}
	return nil
}

// each returns copies of the occupants, in join order.
func (r *mucRoom) each() []*mucOccupant {
	out := make([]*mucOccupant, len(r.occupants))
	for i, o := range r.occupants {
		out[i] = o.copy()
	}
	return out
}

// save is save_occupant: store o (a copy), keep the real-JID index, and
// drop the occupant when it has no live session left. It returns the
// stored occupant or nil.
func (r *mucRoom) save(o *mucOccupant) *mucOccupant {
	o = o.copy() // as Prosody's: unavailable sessions other than the primary go
	idx := slices.IndexFunc(r.occupants, func(x *mucOccupant) bool { return x.nick == o.nick })
	if idx >= 0 {
		for _, ss := range r.occupants[idx].sessions {
			delete(r.byReal, ss.jid)
		}
	}
	live := false
	if o.role != "" {
		for _, ss := range o.sessions {
			if _, typed := attr(ss.pres, "type"); !typed {
				live = true
				r.byReal[ss.jid] = o.nick
			}
		}
		if !live {
			o.role = ""
		}
	}
	switch {
	case !live && idx >= 0:
		r.occupants = slices.Delete(r.occupants, idx, idx+1)
		return nil
	case !live:
		return nil
	case idx >= 0:
		r.occupants[idx] = o
	default:
		r.occupants = append(r.occupants, o)
	}
	return o
}

// routeToOccupant sends a copy of st to each of the occupant's sessions.
func (r *mucRoom) routeToOccupant(e *HookEvent, o *mucOccupant, st *etree.Element) {
	for _, ss := range o.sessions {
		c := shareStanza(st)
		c.CreateAttr("to", ss.jid)
		e.s.sendFromRoom(e, c)
	}
}

// broadcast routes st to every occupant for which cond (nil: all) holds.
func (r *mucRoom) broadcast(e *HookEvent, st *etree.Element, cond func(o *mucOccupant) bool) {
	for _, o := range r.each() {
		if cond == nil || cond(o) {
			r.routeToOccupant(e, o, st)
		}
	}
}

// affiliation is get_affiliation: by bare JID, or outcast by domain.
func (r *mucRoom) affiliation(j string) string {
	node, dom, _ := splitJID(j)
	bare := dom
	if node != "" {
		bare = node + "@" + dom
	}
	if r.ownerAdmins[bare] {
		return "owner"
	}
	if a := r.aff[bare]; a != "" {
		return a
	}
	if r.aff[dom] == "outcast" {
		return "outcast"
	}
	return ""
}

// defaultRole is get_default_role: members-only rooms give the
// unaffiliated no role, moderated rooms make them visitors, admins and
// owners are moderators, the rest participants, outcasts nothing.
func (r *mucRoom) defaultRole(aff string) string {
	if aff == "" && r.cfg.membersOnly {
		return ""
	}
	if aff == "" && r.cfg.moderated {
		return "visitor"
	}
	switch {
	case mucAffRank[aff] >= mucAffRank["admin"]:
		return "moderator"
	case mucAffRank[aff] >= 0:
		return "participant"
	}
	return ""
}

// canSeeRealJIDs is can_see_real_jids for the room's whois.
func (r *mucRoom) canSeeRealJIDs(o *mucOccupant) bool {
	if r.cfg.whois == "anyone" {
		return true
	}
	return mucRoleRank[o.role] >= mucRoleRank["moderator"]
}

// isAnonymousFor is is_anonymous_for.
func (r *mucRoom) isAnonymousFor(s *Server, j string) bool {
	if r.cfg.whois == "anyone" || !s.mods.muc.hideRealJIDs {
		return false
	}
	if a := r.affiliation(j); a == "admin" || a == "owner" {
		return false
	}
	if o := r.occupantByReal(j); o != nil && r.canSeeRealJIDs(o) {
		return false
	}
	return true
}

func (r *mucRoom) hasOccupant() bool { return len(r.occupants) > 0 }

// addItem appends <item/> (add_item) to x.
func addMUCItem(x *etree.Element, aff, role, jid, nick, actorNick, actorJID, reason string, hasReason bool) {
	if aff == "" {
		aff = "none"
	}
	it := x.CreateElement("item")
	it.CreateAttr("affiliation", aff)
	if role != "" {
		it.CreateAttr("role", role)
	}
	if jid != "" {
		it.CreateAttr("jid", jid)
	}
	if nick != "" {
		it.CreateAttr("nick", nick)
	}
	if actorNick != "" || actorJID != "" {
		a := it.CreateElement("actor")
		if actorNick != "" {
			a.CreateAttr("nick", actorNick)
		}
		if actorJID != "" {
			a.CreateAttr("jid", actorJID)
		}
	}
	if hasReason {
		it.CreateElement("reason").SetText(reason)
	}
}

// buildItemList is build_item_list: one item, anonymous, or one per
// session with its real JID.
func (r *mucRoom) buildItemList(o *mucOccupant, x *etree.Element, anonymous bool, nick, actorNick, actorJID, reason string, hasReason bool) {
	aff := r.affiliation(o.bare)
	role := o.role
	if role == "" {
		role = "none"
	}
	if anonymous {
		addMUCItem(x, aff, role, "", nick, actorNick, actorJID, reason, hasReason)
		return
	}
	for _, ss := range o.sessions {
		addMUCItem(x, aff, role, ss.jid, nick, actorNick, actorJID, reason, hasReason)
	}
}

func newMUCUserX() *etree.Element {
	x := newElement("x")
	x.CreateAttr("xmlns", nsMUCUser)
	return x
}

func addStatus(x *etree.Element, code string) {
	x.CreateElement("status").CreateAttr("code", code)
}

// occupantLeft is muc-occupant-left: an empty non-persistent room is
// destroyed (silently: nobody is left to tell).
func (r *mucRoom) occupantLeft(e *HookEvent, svc *mucService) {
	if r.destroyed {
		return
	}
	if !r.hasOccupant() && !r.cfg.persistent {
		r.destroyed = true
		r.roomDestroyed(e, svc, "", "")
	}
}
