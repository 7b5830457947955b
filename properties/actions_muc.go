package properties

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	"pgregory.net/rapid"
)

// The room actions (XEP-0045 on the profile's MUC component, model/mod_muc.go):
// join (creating the room, then accepting the default configuration as an
// instant room, §10.1.2), leave, nick change, groupchat, private message
// through the room, mediated (§7.8.2) and direct (XEP-0249) invitations,
// affiliation changes and kicks (§9, §8.2), configuration (whois,
// members-only, moderated), voice requests and their answers (§7.13,
// §8.6) and destruction (§10.9). Two rooms, a few nicks. They are
// drawn only when the profile has a component running mod_muc (mucLoaded),
// and, like the module actions, they are judged by the invariants alone;
// what a room sends during a core step (an occupant's session ends, say)
// is left out of the reference comparison (moduleStanza).

const (
	nsMUC        = "http://jabber.org/protocol/muc"
	nsMUCUser    = "http://jabber.org/protocol/muc#user"
	nsMUCAdmin   = "http://jabber.org/protocol/muc#admin"
	nsMUCOwner   = "http://jabber.org/protocol/muc#owner"
	mucService   = "conference.localhost"
	nsData       = "jabber:x:data"
	nsMUCRequest = "http://jabber.org/protocol/muc#request"
)

// mucLoaded: the profile has a component running mod_muc.
func mucLoaded(p model.Profile) bool {
	for _, c := range p.Components {
		if c.Domain+".localhost" == mucService && slices.Contains(c.Modules, "muc") {
			return true
		}
	}
	return false
}

// mucActionNames are the room actions (sorted after the core and module
// actions, so the shrinker prefers those).
var mucActionNames = map[string]bool{
	"j1Join": true, "j1Join2": true, "j1Join3": true, "j2Leave": true, "j3Say": true, "j4Private": true, "j5Invite": true,
	"j6Admin": true, "j7Config": true, "j8Destroy": true, "j9Voice": true,
}

var mucRooms = []string{"r1@" + mucService, "r2@" + mucService}

// drawRoom draws a room, mostly the first, so that occupants meet.
func drawRoom(t *rapid.T) string {
	if intRange(0, 3).Draw(t, "room") < 3 {
		return mucRooms[0]
	}
	return mucRooms[1]
}

// mucNick draws a nick for slot s: usually the slot's own, sometimes one
// the slots share (nick conflicts, §7.2.9).
func mucNick(t *rapid.T, s string) string {
	switch intRange(0, 3).Draw(t, "nickKind") {
	case 0:
		return "n"
	case 1:
		return slotUser(s)
	}
	return s
}

func (m *machine) mucActions(acts map[string]func(*rapid.T)) {
	if !m.h.muc {
		return
	}
	acts["j1Join"] = func(t *rapid.T) {
		room := drawRoom(t)
		s := m.joinSlot(t, room)
		from := len(m.h.sim.Trace())
		m.sendText(t, "j1Join", s, fmt.Sprintf("<presence to='%s/%s'><x xmlns='%s'/></presence>", room, mucNick(t, s), nsMUC))
		// A room just created (status 201) is locked until its owner
		// configures it: accept the defaults (an instant room).
		if m.h.connected(s) && m.created(s, room, from) {
			if m.mucOwners == nil {
				m.mucOwners = map[string]string{}
			}
			m.mucOwners[room] = slotUser(s)
			form := "<x xmlns='jabber:x:data' type='submit'/>"
			// Sometimes a configured room from the start (§10.1.3): a
			// moderated one, whose later guests are visitors, or a
			// persistent one, which outlives its occupants with its
			// affiliations (an outcast's later join, §7.2.7).
			if field := rapid.SampledFrom([]string{"", "muc#roomconfig_moderatedroom", "muc#roomconfig_persistentroom"}).Draw(t, "roomKind"); field != "" {
				form = "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>" +
					"<field var='" + field + "'><value>1</value></field></x>"
			}
			m.sendText(t, "j1Join", s, fmt.Sprintf("<iq type='set' id='%s' to='%s'><query xmlns='%s'>%s</query></iq>", m.id("c"), room, nsMUCOwner, form))
		}
	}
	// Joins are drawn three times as often as the other room actions:
	// a room lives only while someone is in it.
	acts["j1Join2"], acts["j1Join3"] = acts["j1Join"], acts["j1Join"]
	// rapid draws every named action equally often, so a dozen room
	// actions would crowd out the core's subscription states (RFC 6121
	// App. A's rarer cells, such as an unsubscribe in To+PI, need a
	// request pending while a subscription exists): with rooms on, the
	// subscription actions are drawn twice as often.
	acts["c0Befriend2"], acts["c1Subscription2"] = acts["c0Befriend"], acts["c1Subscription"]
	acts["j2Leave"] = func(t *rapid.T) {
		s := m.pick(t, true, "slot")
		room := drawRoom(t)
		typ := ""
		if intRange(0, 2).Draw(t, "leave") > 0 {
			typ = " type='unavailable'" // else a nick change (no <x/>)
		}
		m.sendText(t, "j2Leave", s, fmt.Sprintf("<presence to='%s/%s'%s/>", room, mucNick(t, s), typ))
	}
	acts["j3Say"] = func(t *rapid.T) {
		s := m.pick(t, true, "slot")
		room := drawRoom(t)
		id := m.id("g")
		m.sendText(t, "j3Say", s, fmt.Sprintf("<message type='groupchat' id='%s' to='%s'><body>%s</body></message>", id, room, id))
	}
	acts["j4Private"] = func(t *rapid.T) {
		s := m.pick(t, true, "slot")
		room := drawRoom(t)
		to := m.slotGen().Draw(t, "toSlot")
		id := m.id("q")
		m.sendText(t, "j4Private", s, fmt.Sprintf("<message type='chat' id='%s' to='%s/%s'><body>%s</body></message>", id, room, mucNick(t, to), id))
	}
	acts["j5Invite"] = func(t *rapid.T) {
		s := m.pick(t, true, "slot")
		room := drawRoom(t)
		to := m.userJID(t, "invitee", false, s)
		id := m.id("v")
		if boolGen.Draw(t, "direct") {
			// A direct invitation (XEP-0249) is a message between
			// users: the reference predicts it (j0Direct is not a
			// room action).
			m.sendText(t, "j0Direct", s, fmt.Sprintf("<message id='%s' to='%s'><x xmlns='jabber:x:conference' jid='%s'/></message>", id, to, room))
			return
		}
		m.sendText(t, "j5Invite", s, fmt.Sprintf("<message id='%s' to='%s'><x xmlns='%s'><invite to='%s'><reason>%s</reason></invite></x></message>", id, room, nsMUCUser, to, id))
	}
	acts["j6Admin"] = func(t *rapid.T) {
		room := drawRoom(t)
		s := m.ownerSlot(t, room)
		var item string
		if intRange(0, 3).Draw(t, "adminKind") == 0 {
			to := m.slotGen().Draw(t, "kickSlot")
			item = fmt.Sprintf("<item nick='%s' role='none'/>", mucNick(t, to))
		} else {
			aff := rapid.SampledFrom([]string{"outcast", "outcast", "member", "none", "admin", "owner"}).Draw(t, "affiliation")
			target := m.userJID(t, "target", aff != "outcast", s)
			if aff == "outcast" {
				if m.mucBanned == nil {
					m.mucBanned = map[string]string{}
				}
				m.mucBanned[room] = userOf(target)
			}
			item = fmt.Sprintf("<item affiliation='%s' jid='%s'/>", aff, target)
		}
		m.sendText(t, "j6Admin", s, fmt.Sprintf("<iq type='set' id='%s' to='%s'><query xmlns='%s'>%s</query></iq>", m.id("m"), room, nsMUCAdmin, item))
	}
	acts["j7Config"] = func(t *rapid.T) {
		room := drawRoom(t)
		s := m.ownerSlot(t, room)
		whois := rapid.SampledFrom([]string{"moderators", "anyone"}).Draw(t, "whois")
		members := rapid.SampledFrom([]string{"0", "1"}).Draw(t, "membersonly")
		// A moderated room makes its unaffiliated occupants visitors
		// (§7.1.2), who need voice to speak: the voice requests below.
		moderated := rapid.SampledFrom([]string{"0", "1"}).Draw(t, "moderated")
		m.sendText(t, "j7Config", s, fmt.Sprintf("<iq type='set' id='%s' to='%s'><query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"+
			"<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>"+
			"<field var='muc#roomconfig_whois'><value>%s</value></field>"+
			"<field var='muc#roomconfig_membersonly'><value>%s</value></field>"+
			"<field var='muc#roomconfig_moderatedroom'><value>%s</value></field></x></query></iq>", m.id("c"), room, nsMUCOwner, whois, members, moderated))
	}
	acts["j9Voice"] = func(t *rapid.T) {
		room := drawRoom(t)
		if boolGen.Draw(t, "answer") {
			// A moderator's answer (§8.6, Example 98): grant (mostly)
			// or refuse voice to a session, named by its full JID.
			s := m.ownerSlot(t, room)
			to := m.slotGen().Draw(t, "voiceSlot")
			allow := rapid.SampledFrom([]string{"true", "true", "false"}).Draw(t, "allow")
			m.sendText(t, "j9Voice", s, fmt.Sprintf("<message id='%s' to='%s'><x xmlns='%s' type='submit'>"+
				"<field var='FORM_TYPE'><value>%s</value></field><field var='muc#role'><value>participant</value></field>"+
				"<field var='muc#jid'><value>{full:%s}</value></field><field var='muc#request_allow'><value>%s</value></field></x></message>",
				m.id("w"), room, nsData, nsMUCRequest, to, allow))
			return
		}
		// A request for voice (§7.13, Example 72), mostly by a visitor.
		s := m.visitorSlot(t, room)
		m.sendText(t, "j9Voice", s, fmt.Sprintf("<message id='%s' to='%s'><x xmlns='%s' type='submit'>"+
			"<field var='FORM_TYPE'><value>%s</value></field><field var='muc#role'><value>participant</value></field></x></message>",
			m.id("w"), room, nsData, nsMUCRequest))
	}
	acts["j8Destroy"] = func(t *rapid.T) {
		if intRange(0, 2).Draw(t, "destroy") > 0 {
			t.Skip("destructions are rare")
		}
		s := m.pick(t, true, "slot")
		room := drawRoom(t)
		m.sendText(t, "j8Destroy", s, fmt.Sprintf("<iq type='set' id='%s' to='%s'><query xmlns='%s'><destroy><reason>bye</reason></destroy></query></iq>", m.id("d"), room, nsMUCOwner))
	}
}

// joinSlot draws the joining session: sometimes one of the user last
// banned from room (an outcast must be refused, §7.2.7), often one of a
// user other than the room's creator (so that occupants meet: without
// it most joins made rooms of their own, and a moderated room's visitor
// — a voice request's sender — was all but never drawn), else any.
func (m *machine) joinSlot(t *rapid.T, room string) string {
	if u := m.mucBanned[room]; u != "" && boolGen.Draw(t, "banned") {
		for _, s := range m.allSlots() {
			if slotUser(s) == u && m.h.connected(s) {
				return s
			}
		}
	}
	if owner := m.mucOwners[room]; owner != "" && intRange(0, 2).Draw(t, "guest") > 0 {
		var guests []string
		for _, s := range m.allSlots() {
			if slotUser(s) != owner && m.h.connected(s) {
				guests = append(guests, s)
			}
		}
		if len(guests) > 0 {
			return rapid.SampledFrom(guests).Draw(t, "guestSlot")
		}
	}
	return m.pick(t, true, "slot")
}

// visitorSlot draws a session the room told it is a visitor (its own
// presence, as the invariants read it: mucState), mostly, else any.
func (m *machine) visitorSlot(t *rapid.T, room string) string {
	var visitors []string
	if st := m.h.inv.muc; st != nil {
		for _, s := range m.allSlots() {
			if m.h.connected(s) && st.role[[2]string{room, m.h.fullOf(s)}] == "visitor" {
				visitors = append(visitors, s)
			}
		}
	}
	if len(visitors) > 0 && intRange(0, 3).Draw(t, "byVisitor") > 0 {
		return rapid.SampledFrom(visitors).Draw(t, "visitorSlot")
	}
	return m.pick(t, true, "slot")
}

// ownerSlot draws the session that administers room: mostly a connected
// session of the user who created it (who owns it), else any.
func (m *machine) ownerSlot(t *rapid.T, room string) string {
	if u := m.mucOwners[room]; u != "" && intRange(0, 3).Draw(t, "byOwner") > 0 {
		for _, s := range m.allSlots() {
			if slotUser(s) == u && m.h.connected(s) {
				return s
			}
		}
	}
	return m.pick(t, true, "slot")
}

// created reports whether slot's session was told, since trace index
// from, that it created room (status 201).
func (m *machine) created(slot, room string, from int) bool {
	client := m.h.slots[slot].cur.Name()
	tr := m.h.sim.Trace()
	for i := from; i < len(tr); i++ {
		e := &tr[i]
		if e.Client == client && e.Kind == sim.TraceDeliver && strings.HasPrefix(e.Canonical(), "<presence") &&
			strings.Contains(e.Canonical(), "from='"+room+"/") && strings.Contains(e.Canonical(), "code='201'") {
			return true
		}
	}
	return false
}

// mucStanza: a delivered stanza from the MUC service (a room or the
// service), which the reference does not model.
func mucStanza(ev *sim.TraceEvent) bool {
	v := eventValue(ev)
	if v.IsZero() {
		return false
	}
	from := bareOf(vAttrOr(v, "from"))
	if _, dom, ok := strings.Cut(from, "@"); ok {
		from = dom
	}
	return from == mucService
}

// countMUCStored follows the room messages stored offline for an account
// (a mediated invitation to a user without an available session) and
// flushed or dropped later.
func (h *harness) countMUCStored(tr []sim.TraceEvent) {
	for i := range tr {
		e := &tr[i]
		if e.Kind != sim.TraceStore && e.Kind != sim.TraceFlush && !(e.Kind == sim.TraceDrop && e.Reason == "blocked-offline") {
			continue
		}
		if !mucStanza(e) {
			continue
		}
		if h.mucStored == nil {
			h.mucStored = map[string]int{}
		}
		u := e.JID.Bare().String()
		if e.Kind == sim.TraceStore {
			h.mucStored[u]++
		} else if e.Kind == sim.TraceFlush {
			h.mucStored[u]--
		}
	}
}
