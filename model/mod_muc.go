package model

import (
	"strings"

	"github.com/beevik/etree"
)

// mod_muc is Prosody's multi-user chat service (XEP-0045) on a component,
// as 13.0.1's muc/mod_muc.lua and muc/*.lib.lua run it under the upstream
// test configuration (conference.localhost with muc_mam, storage memory,
// Admin@localhost a component admin). The files:
//
//   - mod_muc.go: the service — disco, routing a stanza to its room,
//     room creation on a first presence, the gone answer of a destroyed
//     persistent room, the restart, the admin's destroy command.
//   - muc_room.go: the room and its occupants (occupant.lib, save_occupant,
//     the routing to every session of an occupant).
//   - muc_presence.go: joins, leaves, nick changes, probes, kicks on
//     errors (handle_first_presence, handle_normal_presence, handle_kickable)
//     and the presence broadcast (publicise_occupant_status,
//     send_occupant_list).
//   - muc_nick.go: the nickname rules (strict resourceprep, invisible nicks).
//   - muc_messages.go: groupchat, private messages and iqs through the room.
//   - muc_affiliations.go: affiliations and roles, and the muc#admin iqs.
//   - muc_config.go: the room's options, the muc#owner form and destroy.
//   - muc_history.go: the subject and the discussion history.
//   - muc_invites.go: mediated invitations and declines.
//   - muc_register.go: nickname registration (XEP-0045 §7.10).
//   - muc_mam.go: the room archive (mod_muc_mam) and its queries.
//
// What Prosody keeps in hash tables (occupants, their sessions,
// affiliations) the model keeps in insertion order: Prosody's order is
// its hash order, not behaviour, and scripts that see several occupants
// at once do not depend on it.
//
// # Blocking (XEP-0191)
//
// The room is a JID like any other for a user's blocklist: what the room
// sends (occupant presence, groupchat and private messages, invitations)
// leaves it from the room's or an occupant's JID and passes the
// recipient's inbound stage, where mod_blocklist drops what comes from a
// blocked JID — the room (room@conference.localhost), one occupant
// (room@conference.localhost/nick) or the whole service
// (conference.localhost). An occupant's real JID is not the sender: a user
// who blocked romeo@localhost still gets Romeo's groupchat and private
// messages through a room (Prosody 13.0.1 and 0.12.3 alike). 13.0.1's
// mod_blocklist also looks at a mediated invitation's inviter
// (BlocklistOptions.BlockMediatedInviter); in a semi-anonymous room the
// room has by then replaced the inviter's real JID with the inviter's
// occupant JID, so the check only sees the real JID when the inviter is
// not in the room or the room is non-anonymous (docs/muc.md).
//
// # State across a restart
//
// Restart is a crash with persistent storage (storage.go). Prosody saves
// a persistent room's configuration and affiliations (room_save) each
// time they change, and its occupants and in-memory history only at a
// clean shutdown; a non-persistent room lives in memory only. So after
// Restart the persistent rooms remain, empty, with their configuration,
// affiliations, reserved nicknames and archive; the others are gone.
// Under the upstream test configuration's storage = "memory" a real
// restart loses every room; no comparison with a real server restarts it.

var _ = register(&builtin{name: "muc", load: func(s *Server, m *ModuleAPI) {
	if !m.IsComponent() {
		return // Prosody loads it as a component's module only
	}
	m.AddIdentity("conference", "text", "Prosody Chatrooms")
	if !s.prof.MUCNoVCard {
		m.AddFeature("vcard-temp")
	}
	for _, f := range []string{
		"http://jabber.org/protocol/commands", "urn:xmpp:mam:2",
		"http://jabber.org/protocol/muc#unique", "urn:xmpp:occupant-id:0",
		nsMUC,
	} {
		m.AddFeature(f)
	}
	domain := m.comp.domain
	m.componentRoute(func(e *HookEvent) bool { return e.s.mods.muc.service(e.s, domain).route(e) })
	m.componentIQ(true, nsCommands, "command", func(e *HookEvent) bool {
		return e.s.mods.muc.service(e.s, domain).command(e)
	})
	m.componentIQ(false, nsMUCUnique, "unique", func(e *HookEvent) bool {
		return e.s.mods.muc.service(e.s, domain).unique(e)
	})
	m.Hook(EventServerRestart, 0, func(e *HookEvent) bool {
		if svc := e.s.mods.muc.services[domain]; svc != nil {
			svc.restart(e.s)
		}
		return false
	})
}, mutants: mucMutants})

const (
	nsMUC       = "http://jabber.org/protocol/muc"
	nsMUCAdmin  = "http://jabber.org/protocol/muc#admin"
	nsMUCOwner  = "http://jabber.org/protocol/muc#owner"
	nsMUCUnique = "http://jabber.org/protocol/muc#unique"
	nsCommands  = "http://jabber.org/protocol/commands"
	nsStanzaSID = "urn:xmpp:sid:0"
	nsOccupant  = "urn:xmpp:occupant-id:0"
	nsConfX     = "jabber:x:conference"
)

// mucMod is mod_muc's state: the per-server services by domain, and the
// strategies the mutants replace.
type mucMod struct {
	services map[string]*mucService
	// selfLast: the self-presence (110) comes after the other occupants'
	// presence at a join (§7.2.3).
	occupantListFirst bool
	// statusSelf adds the 110 status to the occupant's own presence.
	statusSelf bool
	// outcastJoin: an outcast is refused at join (§7.2.7).
	refuseOutcast bool
	// whoisAnyone: real JIDs go only to those allowed to see them.
	hideRealJIDs bool
	// inviterCheck: the invitation passes the inviter's role check.
	inviteNeedsRole bool
	// voiceToModerators: a voice request goes to the moderators only
	// (§7.13, muc_request.go).
	voiceToModerators bool
}

func (m *mucMod) init() {
	m.occupantListFirst = true
	m.statusSelf = true
	m.refuseOutcast = true
	m.hideRealJIDs = true
	m.inviteNeedsRole = true
	m.voiceToModerators = true
}

// service returns the component's service, creating it on first use.
func (m *mucMod) service(s *Server, domain string) *mucService {
	if svc := m.services[domain]; svc != nil {
		return svc
	}
	if m.services == nil {
		m.services = map[string]*mucService{}
	}
	svc := &mucService{domain: domain, rooms: map[string]*mucRoom{}}
	m.services[domain] = svc
	return svc
}

// mucService is one MUC component: its live rooms by bare JID, and the
// tombstones of destroyed persistent rooms.
type mucService struct {
	domain string
	rooms  map[string]*mucRoom
	order  []string // room JIDs in creation order (the destroy command lists them sorted)
	// made counts the rooms created so far under each JID: a room made
	// again after its predecessor was destroyed (an emptied
	// non-persistent room, say) draws a new occupant-id salt, as
	// Prosody's room._data starts empty (roomSalt).
	made map[string]int
}

// newRoom makes a room with the profile's options.
func (svc *mucService) newRoom(s *Server, j string) *mucRoom {
	r := newMUCRoom(j)
	if svc.made == nil {
		svc.made = map[string]int{}
	}
	r.salt = roomSalt(j, svc.made[j])
	svc.made[j]++
	if s.prof.MUCAdminsOwnRooms {
		r.ownerAdmins = s.admins
	}
	r.keepReason = s.prof.MUCAffiliationReason
	r.allowPMField = s.prof.MUCAllowPMField
	r.hatsNS = s.prof.MUCHatsNS
	r.archivingLabel = s.prof.MUCArchivingLabel
	return r
}

// room returns the live room with bare JID j, or nil.
func (svc *mucService) room(j string) *mucRoom { return svc.rooms[j] }

func (svc *mucService) track(r *mucRoom) {
	if svc.rooms[r.jid] == nil {
		svc.order = append(svc.order, r.jid)
	}
	svc.rooms[r.jid] = r
}

func (svc *mucService) forget(r *mucRoom) {
	if svc.rooms[r.jid] != r {
		return
	}
	delete(svc.rooms, r.jid)
	for i, j := range svc.order {
		if j == r.jid {
			svc.order = append(svc.order[:i:i], svc.order[i+1:]...)
			break
		}
	}
}

// route is the handler mod_muc hooks for every stanza to a room or an
// occupant (and the leftovers to the service's domain): it finds the room,
// answers for a destroyed one, creates one on a first presence with
// <x xmlns='…muc'/>, and hands the stanza to the room.
func (svc *mucService) route(e *HookEvent) bool {
	s, st := e.s, e.stanza
	to := attrOr(st, "to")
	roomJID := bareOf(to)
	t, hasType := attr(st, "type")
	r := svc.room(roomJID)
	if r != nil && r.tombstone != nil {
		// A destroyed persistent room answers gone until its tombstone
		// expires (muc_tombstone_expiry, 31 days) or an admin's
		// available presence recreates it (:recreate-destroyed-room is
		// prosody:admin's permission).
		if !s.now().Before(r.tombstone.until) || st.Tag == "presence" && !hasType && s.admins[bareOf(attrOr(st, "from"))] {
			svc.forget(r)
			r = nil
		} else {
			if t != "error" {
				er := errorReplyBy(st, "cancel", "gone", r.tombstone.reason, svc.domain)
				if r.tombstone.newJID != "" {
					g := child(child(er, "error", nsClient), "gone", nsStanzas)
					g.SetText("xmpp:" + r.tombstone.newJID + "?join")
				}
				e.send(er, "error")
			}
			return true
		}
	}
	if r == nil {
		if node, _, _ := splitJID(roomJID); node == "" {
			// The service's own domain: nothing but the room handlers
			// would answer, and there is no room by that name.
			if t != "error" {
				e.send(errorReplyBy(st, "cancel", "item-not-found", "", svc.domain), "error")
			}
			return true
		}
		if st.Tag == "presence" && !hasType && child(st, "x", nsMUC) != nil {
			r = svc.newRoom(s, roomJID)
			return r.handleFirstPresence(e, svc)
		}
		if t != "error" {
			e.send(errorReplyBy(st, "cancel", "item-not-found", "", svc.domain), "error")
			return true
		}
		return false
	}
	return r.handle(e, svc)
}

// handle dispatches a stanza to an existing room by its kind (mod_muc's
// table of room methods).
func (r *mucRoom) handle(e *HookEvent, svc *mucService) bool {
	st := e.stanza
	_, _, res := splitJID(attrOr(st, "to"))
	switch st.Tag {
	case "presence":
		if res != "" {
			return r.presenceToOccupant(e, svc)
		}
		return r.presenceToRoom(e, svc)
	case "message":
		if res != "" {
			return r.messageToOccupant(e, svc)
		}
		return r.messageToRoom(e, svc)
	case "iq":
		if res != "" {
			return r.iqToOccupant(e, svc)
		}
		return r.iqToRoom(e, svc)
	}
	return false
}

// iqToRoom answers the iqs to the room's bare JID that mod_muc hooks.
func (r *mucRoom) iqToRoom(e *HookEvent, svc *mucService) bool {
	st := e.stanza
	t := attrOr(st, "type")
	kids := childElements(st)
	if (t != "get" && t != "set") || len(kids) != 1 {
		return false
	}
	q := kids[0]
	switch {
	case t == "get" && q.Tag == "query" && ns(q) == nsDiscoInfo:
		r.discoInfo(e)
	case t == "get" && q.Tag == "query" && ns(q) == nsDiscoItems:
		rep := reply(st)
		rq := newNS(rep, "query", nsDiscoItems)
		if node, ok := attr(q, "node"); ok {
			rq.CreateAttr("node", node)
		}
		e.send(rep, "result")
	case q.Tag == "query" && ns(q) == nsMUCAdmin:
		if t == "set" {
			r.adminSet(e, svc)
		} else {
			r.adminGet(e)
		}
	case q.Tag == "query" && ns(q) == nsMUCOwner:
		if t == "set" {
			r.ownerSet(e, svc)
		} else {
			r.ownerGet(e)
		}
	case q.Tag == "query" && ns(q) == nsRegister:
		r.registerIQ(e, svc)
	case q.Tag == "query" && ns(q) == nsMAM:
		r.mamIQ(e)
	default:
		return false
	}
	return true
}

// errorReplyBy is st.error_reply with its `by` argument: the error
// element names the entity that raised it.
func errorReplyBy(st *etree.Element, typ, cond, text, by string) *etree.Element {
	r := errorReply(st, typ, cond, text, nil)
	if by != "" {
		child(r, "error", nsClient).CreateAttr("by", by)
	}
	return r
}

// sendFromRoom routes a stanza the service generates (module:send): it
// passes the recipient's inbound stage only, like anything a component
// sends to a local user.
func (s *Server) sendFromRoom(e *HookEvent, st *etree.Element) {
	s.post(e, false, hostOrigin, st, false)
}

// restart is what survives a crash: the persistent rooms, emptied of
// occupants and in-memory history (see the file comment).
func (svc *mucService) restart(s *Server) {
	for _, j := range append([]string(nil), svc.order...) {
		r := svc.rooms[j]
		if s.store == nil || !r.cfg.persistent {
			svc.forget(r)
			continue
		}
		r.occupants, r.byReal, r.history = nil, map[string]string{}, nil
	}
}

// command answers the admins' ad-hoc command that destroys rooms
// (http://prosody.im/protocol/muc#destroy), executed in one step with
// its form, as muc_create_destroy.scs does. Other commands are not
// modelled (unhandled).
func (svc *mucService) command(e *HookEvent) bool {
	s, st := e.s, e.stanza
	cmd := e.query
	node := attrOr(cmd, "node")
	if node != "http://prosody.im/protocol/muc#destroy" {
		return false
	}
	if !s.admins[bareOf(attrOr(st, "from"))] {
		e.send(errorReply(st, "auth", "forbidden", "You don't have permission to execute this command", nil), "error")
		return true
	}
	x := child(cmd, "x", nsData)
	if x == nil {
		return false // the first step (the form) is not modelled
	}
	var destroyed []string
	if f := formFieldElement(x, "rooms"); f != nil {
		for _, v := range f.SelectElements("value") {
			if r := svc.room(strings.TrimSpace(v.Text())); r != nil && r.tombstone == nil {
				r.destroy(e, svc, "", "", "", false)
				destroyed = append(destroyed, r.jid)
			}
		}
	}
	rep := reply(st)
	c := newNS(rep, "command", nsCommands)
	c.CreateAttr("node", node)
	c.CreateAttr("status", "completed")
	c.CreateAttr("sessionid", s.uuid())
	n := c.CreateElement("note")
	n.CreateAttr("type", "info")
	n.SetText("The following rooms were destroyed:\n" + strings.Join(destroyed, "\n"))
	e.send(rep, "result")
	return true
}

// unique answers muc#unique (mod_muc_unique): a fresh room name.
func (svc *mucService) unique(e *HookEvent) bool {
	rep := reply(e.stanza)
	u := newNS(rep, "unique", nsMUCUnique)
	u.SetText(e.s.uuid())
	e.send(rep, "result")
	return true
}

// uuid is util.uuid.generate (a version 4 UUID) drawn from the seed.
func (s *Server) uuid() string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 36)
	for i := 0; i < 32; i++ {
		switch i {
		case 8, 12, 16, 20:
			b = append(b, '-')
		}
		v := s.rng.Uint32() & 15
		switch i {
		case 12:
			v = 4
		case 16:
			v = 8 | v&3
		}
		b = append(b, hex[v])
	}
	return string(b)
}
