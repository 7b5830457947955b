package properties

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
	"pgregory.net/rapid"
)

// The module actions: what a client of a profile that loads Prosody 13's
// modules (model.Prosody13: PEP, an archive, mod_register) can do beyond
// the core — PEP publish, retract and items queries (XEP-0163), a caps
// presence that registers +notify (XEP-0115, answering the server's
// disco#info query), MAM queries of the user's own archive (XEP-0313),
// vCard and private XML storage (XEP-0054, XEP-0049) and account removal
// (XEP-0077 §3.2). They are drawn only when the model's profile loads
// those modules (modulesLoaded), so the default profiles draw exactly the
// actions, and so the traces, they always drew.
//
// The reference models the core only, so a module action's step is not
// compared with its predictions (its stanzas are judged by the invariants
// alone: inv_modules.go and the rest of the catalogue); its state is,
// as a module action changes no core state, with one exception: after an
// account removal (which rewrites the account's roster and blocklist and
// its contacts' rosters) the reference is left out for the rest of the
// sequence. PEP notifications (messages carrying a pubsub#event payload)
// a core step causes, such as a last item sent at a presence, are left
// out of the comparison too (moduleStanza).

const (
	nsPubSub      = "http://jabber.org/protocol/pubsub"
	nsPubSubEvent = "http://jabber.org/protocol/pubsub#event"
	nsCaps        = "http://jabber.org/protocol/caps"
	nsMAM         = "urn:xmpp:mam:2"
	nsRegister    = "jabber:iq:register"
	nsTune        = "http://jabber.org/protocol/tune"
	nsStanzaID    = "urn:xmpp:sid:0"
)

// modulesLoaded: the profile runs PEP, a message archive and mod_register
// (the prosody-13 profile).
func modulesLoaded(p model.Profile) bool {
	return p.PEP && p.Archive && slices.Contains(p.Modules, "register")
}

// moduleActionNames are the module actions; their steps are judged by the
// invariants only. Their names sort after the core ones ("i..." after
// "h1Restart"), so the shrinker prefers core actions.
var moduleActionNames = map[string]bool{
	"i1PEP": true, "i2Caps": true, "i3MAM": true, "i4Storage": true, "i5Remove": true,
}

// capsElem is the caps element the module actions' clients announce: one
// fixed verification string, whose disco#info answer lists tune+notify.
const capsElem = `<c xmlns='` + nsCaps + `' hash='sha-1' node='http://scansim.example/caps' ver='V1'/>`

// moduleActions adds the module actions to acts when the model's profile
// loads the modules.
func (m *machine) moduleActions(acts map[string]func(*rapid.T)) {
	if !m.h.modules {
		return
	}
	acts["i1PEP"] = func(t *rapid.T) {
		s := m.pepSlot(t)
		switch intRange(0, 5).Draw(t, "pepOp") {
		case 0, 1, 2, 3:
			id := m.id("p")
			m.sendText(t, "i1PEP", s, fmt.Sprintf("<iq type='set' id='%s'><pubsub xmlns='%s'><publish node='%s'><item id='current'><tune xmlns='%s'><title>%s</title></tune></item></publish></pubsub></iq>",
				id, nsPubSub, nsTune, nsTune, "t"+id))
		case 4:
			id := m.id("p")
			m.sendText(t, "i1PEP", s, fmt.Sprintf("<iq type='set' id='%s'><pubsub xmlns='%s'><retract node='%s' notify='true'><item id='current'/></retract></pubsub></iq>", id, nsPubSub, nsTune))
		default:
			to := m.userJID(t, "owner", true, s)
			id := m.id("p")
			m.sendText(t, "i1PEP", s, fmt.Sprintf("<iq type='get' to='%s' id='%s'><pubsub xmlns='%s'><items node='%s'/></pubsub></iq>", to, id, nsPubSub, nsTune))
		}
	}
	acts["i2Caps"] = func(t *rapid.T) {
		// An available presence with caps, broadcast or directed to a
		// user's bare JID; every disco#info query the server then sends
		// the session is answered with tune+notify (XEP-0163 §4.2).
		s := m.pick(t, true, "slot")
		x := "<presence>" + capsElem + "</presence>"
		if intRange(0, 3).Draw(t, "broadcast") > 0 {
			x = "<presence to='" + m.capsTarget(t, s) + "'>" + capsElem + "</presence>"
		}
		from := len(m.h.sim.Trace())
		if to, ok := strings.CutPrefix(x, "<presence to='"); ok {
			if m.capsTargets == nil {
				m.capsTargets = map[string]bool{}
			}
			m.capsTargets[userOf(to[:strings.IndexByte(to, '\'')])] = true
		}
		m.sendText(t, "i2Caps", s, x)
		m.answerCaps(t, s, from)
	}
	acts["i3MAM"] = func(t *rapid.T) {
		s := m.pick(t, true, "slot")
		id := m.id("a")
		m.sendText(t, "i3MAM", s, fmt.Sprintf("<iq type='set' id='%s'><query xmlns='%s' queryid='%s'/></iq>", id, nsMAM, "f"+id))
	}
	acts["i4Storage"] = func(t *rapid.T) {
		s := m.pick(t, true, "slot")
		id := m.id("s")
		var x string
		switch intRange(0, 3).Draw(t, "storageOp") {
		case 0:
			x = fmt.Sprintf("<iq type='set' id='%s'><vCard xmlns='vcard-temp'><FN>%s</FN></vCard></iq>", id, slotUser(s))
		case 1:
			x = fmt.Sprintf("<iq type='get' to='%s' id='%s'><vCard xmlns='vcard-temp'/></iq>", m.userJID(t, "to", true, s), id)
		case 2:
			x = fmt.Sprintf("<iq type='set' id='%s'><query xmlns='jabber:iq:private'><n xmlns='urn:example:n'>%s</n></query></iq>", id, id)
		default:
			x = fmt.Sprintf("<iq type='get' id='%s'><query xmlns='jabber:iq:private'><n xmlns='urn:example:n'/></query></iq>", id)
		}
		m.sendText(t, "i4Storage", s, x)
	}
	acts["i5Remove"] = func(t *rapid.T) {
		if intRange(0, 2).Draw(t, "remove") > 0 {
			t.Skip("account removals are rare")
		}
		s := m.pick(t, true, "slot")
		m.sendText(t, "i5Remove", s, fmt.Sprintf("<iq type='set' id='%s'><query xmlns='%s'><remove/></query></iq>", m.id("x"), nsRegister))
	}
}

// pepSlot draws the session that publishes: preferably one of a user
// some session announced its caps to (whose service may then have +notify
// recipients), else any connected slot.
func (m *machine) pepSlot(t *rapid.T) string {
	var pref []string
	for _, s := range m.allSlots() {
		if m.capsTargets[slotUser(s)] && m.h.connected(s) {
			pref = append(pref, s)
		}
	}
	if len(pref) > 0 && intRange(0, 3).Draw(t, "preferred") > 0 {
		return rapid.SampledFrom(pref).Draw(t, "prefSlot")
	}
	return m.pick(t, true, "slot")
}

// capsTarget prefers the users s's account is subscribed to: mod_pep
// takes caps only from a presence of a subscriber (XEP-0163 §4.2,
// presence access).
func (m *machine) capsTarget(t *rapid.T, s string) string {
	me := slotUser(s)
	var pref []string
	for _, u := range m.h.userNames() {
		if u != me && isTo(m.h.srv.ContactOf(userBare(me), userBare(u)).Subscription) {
			pref = append(pref, u)
		}
	}
	if len(pref) > 0 && intRange(0, 5).Draw(t, "preferred") > 0 {
		return userBare(rapid.SampledFrom(pref).Draw(t, "prefTo"))
	}
	return m.userJID(t, "to", false, s)
}

// sendText sends a stanza given as text only (parsed when applied).
func (m *machine) sendText(t *rapid.T, name, slot, text string) {
	m.do(t, Op{Name: name, Kind: OpSend, Slot: slot, Stanza: text})
}

// answerCaps answers each disco#info get delivered to slot's session since
// trace index from with the caps' features (identity client/pc,
// tune+notify), as the iq result XEP-0115 §6.2 describes.
func (m *machine) answerCaps(t *rapid.T, slot string, from int) {
	if !m.h.connected(slot) {
		return
	}
	client := m.h.slots[slot].cur.Name()
	var replies []string
	tr := m.h.sim.Trace()
	for i := from; i < len(tr); i++ {
		e := &tr[i]
		if e.Client != client || e.Kind != sim.TraceDeliver {
			continue
		}
		v := eventValue(e)
		if v.IsZero() || v.Tag() != "iq" || vAttrOr(v, "type") != "get" || !strings.Contains(e.Canonical(), nsDiscoInfo) {
			continue
		}
		node := ""
		if i := strings.Index(e.Canonical(), "node='"); i >= 0 {
			if j := strings.IndexByte(e.Canonical()[i+6:], '\''); j >= 0 {
				node = e.Canonical()[i+6 : i+6+j]
			}
		}
		replies = append(replies, fmt.Sprintf("<iq type='result' id='%s' to='%s'><query xmlns='%s' node='%s'><identity category='client' type='pc'/><feature var='%s+notify'/></query></iq>",
			xq(vAttrOr(v, "id")), xq(vAttrOr(v, "from")), nsDiscoInfo, xq(node), nsTune))
	}
	for _, r := range replies {
		if !m.h.connected(slot) {
			return
		}
		m.sendText(t, "i2Caps", slot, r)
	}
}

// moduleStanza: a delivered stanza the reference does not model: a PEP
// notification (a message with a pubsub#event payload), or mod_pep's
// caps query (an iq get of disco#info for a caps node, XEP-0115 §6.2),
// both of which a core step can cause (a presence that reaches an
// account whose contact announced caps).
func moduleStanza(ev *sim.TraceEvent) bool {
	x := ev.Canonical()
	switch {
	case strings.HasPrefix(x, "<message"):
		return strings.Contains(x, nsPubSubEvent)
	case strings.HasPrefix(x, "<iq"):
		return strings.Contains(x, "type='get'") && strings.Contains(x, nsDiscoInfo) && strings.Contains(x, " node='")
	}
	return false
}

// withoutStanzaID returns message v without the <stanza-id/> (XEP-0359)
// mod_mam adds to a message it archives, which the reference does not
// model; other stanzas are returned as they are.
func withoutStanzaID(v stanza.Stanza) stanza.Stanza {
	if v.IsZero() || v.Tag() != "message" {
		return v
	}
	var kids []stanza.Child
	found := false
	for i := 0; i < v.NumChild(); i++ {
		c, text := v.ChildAt(i)
		switch {
		case c.IsZero():
			kids = append(kids, stanza.Text(text))
		case c.Tag() == "stanza-id" && vAttrOr(c, "xmlns") == nsStanzaID:
			found = true
		default:
			kids = append(kids, stanza.Elem(c))
		}
	}
	if !found {
		return v
	}
	return stanza.New(v.Space(), v.Tag(), v.Attrs(), kids...)
}
