package properties

import (
	"fmt"

	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
)

// The invariants of rooms (XEP-0045) and of blocking in rooms (XEP-0191
// §3.3 with XEP-0045 §7.8.2), judged on the room actions (actions_muc.go).
// They read what the room tells each session — its own presence (status
// 110) carries its role and affiliation, a room's creation says 201 (and
// 100 when real JIDs are public), configuration notices say 172/173 —
// and keep it in the trace's state (mucState), so they judge a real
// server's trace as well. They hold vacuously without a MUC component.

// mucState is what the sessions learnt of the rooms, by room and full JID.
type mucState struct {
	nick   map[[2]string]string // {room, full JID} → the session's nick
	role   map[[2]string]string // {room, full JID} → its role
	aff    map[[2]string]string // {room, full JID} → its affiliation
	public map[string]bool      // room → real JIDs are public (whois anyone)
}

func (c *Ctx) muc() *mucState {
	if c.inv.muc == nil {
		c.inv.muc = &mucState{nick: map[[2]string]string{}, role: map[[2]string]string{},
			aff: map[[2]string]string{}, public: map[string]bool{}}
	}
	return c.inv.muc
}

// roomOf returns the room's bare JID when j is a room or occupant JID of
// the MUC service, else "".
func roomOf(j string) string {
	b := bareOf(j)
	if _, dom, ok := cutAt(b); ok && dom == mucService {
		return b
	}
	return ""
}

func cutAt(b string) (node, dom string, ok bool) {
	for i := 0; i < len(b); i++ {
		if b[i] == '@' {
			return b[:i], b[i+1:], true
		}
	}
	return "", b, false
}

// mucX returns the muc#user <x/> of a stanza (zero if none).
func mucX(v stanza.Stanza) stanza.Stanza {
	for _, x := range vChildren(v, "x") {
		if vAttrOr(x, "xmlns") == nsMUCUser {
			return x
		}
	}
	return stanza.Stanza{}
}

func hasStatus(x stanza.Stanza, code string) bool {
	for _, s := range vChildren(x, "status") {
		if vAttrOr(s, "code") == code {
			return true
		}
	}
	return false
}

// mucJoin returns the room and occupant JID of the step's send when it
// is a join (available presence with <x xmlns='…muc'/> to an occupant
// JID, XEP-0045 §7.2.1).
func (c *Ctx) mucJoin() (room, nickJID string) {
	if c.send == nil || c.send.tag != "presence" || c.send.typ != "" {
		return "", ""
	}
	to := c.sendTo()
	room = roomOf(to)
	if room == "" || to == room {
		return "", ""
	}
	for _, x := range vChildren(c.send.el, "x") {
		if vAttrOr(x, "xmlns") == nsMUC {
			return room, to
		}
	}
	return "", ""
}

// sc55MUCSelfPresenceLast: a session joining a room it is not in gets
// its own presence with status 110, after the presence of every other
// occupant (XEP-0045 §7.2.3: "the service MUST send the presence of
// existing occupants … before … the new occupant's own presence", which
// "MUST include a status code of 110").
func sc55MUCSelfPresenceLast(c *Ctx) error {
	st := c.muc()
	defer c.mucTrack()
	room, nickJID := c.mucJoin()
	if room == "" || st.nick[[2]string{room, c.senderFull()}] != "" {
		return nil
	}
	self := -1
	for i, e := range c.evs {
		if !delivered(e) || e.tag != "presence" || e.JID.String() != c.senderFull() || roomOf(e.from) != room {
			continue
		}
		switch {
		case e.from == nickJID && e.typ == "":
			if !hasStatus(mucX(e.el), "110") {
				return fmt.Errorf("%s joined %s: its own presence lacks status 110: %s", e.Client, room, e.Canonical())
			}
			self = i
		case e.from != nickJID && self >= 0 && e.typ == "":
			return fmt.Errorf("%s joined %s: %s's presence came after its own: %s", e.Client, room, e.from, e.Canonical())
		}
	}
	return nil
}

// sc56MUCOutcastRefused: a join by an outcast is refused with an error,
// never answered with the room's presence for it (XEP-0045 §7.2.7: the
// service "MUST deny access to the room and inform the user that he or
// she is banned"; §9.1).
func sc56MUCOutcastRefused(c *Ctx) error {
	room, nickJID := c.mucJoin()
	if room == "" {
		return nil
	}
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "presence" || e.JID.String() != c.senderFull() || e.from != nickJID || e.typ == "error" {
			continue
		}
		for _, it := range vChildren(mucX(e.el), "item") {
			if vAttrOr(it, "affiliation") == "outcast" {
				return fmt.Errorf("%s, an outcast of %s, was answered with the room's presence instead of forbidden: %s", e.Client, room, e.Canonical())
			}
		}
	}
	return nil
}

// sc57MUCRealJIDsAsConfigured: in a semi-anonymous room only moderators
// (and admins and owners) learn the other occupants' real JIDs; in a
// non-anonymous room everyone does (XEP-0045 §7.2.3–7.2.4, §10.2: whois).
// Judged for presence between configuration changes (the step that
// changes the room's configuration is left out: its notices follow its
// effects).
func sc57MUCRealJIDsAsConfigured(c *Ctx) error {
	st := c.muc()
	configuring := c.send != nil && c.send.tag == "iq" && roomOf(c.sendTo()) != "" && vAttrOr(vFirst(c.send.el), "xmlns") == nsMUCOwner
	// A joining session hears the occupants before its own presence,
	// which tells its role: the first own presence of the step stands
	// for the presence before it.
	type seat struct{ role, aff string }
	first := map[[2]string]seat{}
	for _, e := range c.evs {
		if delivered(e) && e.tag == "presence" && e.typ == "" && roomOf(e.from) != "" && e.from != roomOf(e.from) && hasStatus(mucX(e.el), "110") {
			k := [2]string{roomOf(e.from), e.JID.String()}
			if _, ok := first[k]; !ok {
				it := vChild(mucX(e.el), "item")
				first[k] = seat{vAttrOr(it, "role"), vAttrOr(it, "affiliation")}
			}
		}
	}
	for k, v := range first {
		if _, known := st.role[k]; !known {
			st.role[k], st.aff[k] = v.role, v.aff
		}
	}
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "presence" || e.user == "" {
			continue
		}
		room := roomOf(e.from)
		if room == "" || e.from == room {
			continue
		}
		k := [2]string{room, e.JID.String()}
		if x := mucX(e.el); hasStatus(x, "110") {
			if e.typ == "unavailable" {
				// out of the room: its next join tells its role
				delete(st.role, k)
				delete(st.aff, k)
				continue
			}
			if it := vChild(x, "item"); !it.IsZero() {
				st.role[k], st.aff[k] = vAttrOr(it, "role"), vAttrOr(it, "affiliation")
			}
			if hasStatus(x, "201") {
				st.public[room] = hasStatus(x, "100")
			} else if hasStatus(x, "100") {
				st.public[room] = true
			}
			continue
		}
		role, known := st.role[k]
		if !known || configuring || st.public[room] || role == "moderator" || st.aff[k] == "admin" || st.aff[k] == "owner" {
			continue // what it may see is not known, or it may see them
		}
		for _, it := range vChildren(mucX(e.el), "item") {
			if j := vAttrOr(it, "jid"); j != "" && bareOf(j) != e.user {
				return fmt.Errorf("%s (%s in semi-anonymous %s) learnt %s's real JID %s: %s", e.Client, st.role[k], room, e.from, j, e.Canonical())
			}
		}
	}
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "message" || roomOf(e.from) == "" || e.from != roomOf(e.from) {
			continue
		}
		x := mucX(e.el)
		switch {
		case hasStatus(x, "172"):
			st.public[e.from] = true
		case hasStatus(x, "173"):
			st.public[e.from] = false
		}
	}
	return nil
}

// sc58MUCNoInviteFromBlocked: a mediated invitation is not delivered to
// a user who blocks the inviter (XEP-0191 §3.3: nothing the blocked
// entity sends reaches the user; the room only relays it, XEP-0045
// §7.8.2). The inviter is the real JID the invitation names or, when the
// invitation arrives in the step that sent it, the session that sent it:
// so the invariant also judges an invitation that names its inviter by
// occupant JID, as a semi-anonymous room does (13.0.1 delivers those:
// docs/findings.md D9, relaxed unless --spec xep demands it; --accept D9
// keeps it relaxed). An invitation flushed from offline storage names
// whom it names. Prosody 13.0.1 checks a real JID it names; 0.12.3 checks
// none (BlockMediatedInviter, D10).
func sc58MUCNoInviteFromBlocked(c *Ctx) error {
	if !c.prof.BlockMediatedInviter && !c.h.strict {
		return nil
	}
	inviter := c.stepInviter()
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "message" || e.user == "" || roomOf(e.from) == "" {
			continue
		}
		if e.Kind == sim.TraceFlush && !c.prof.RecheckBlocklistOnOfflineFlush {
			// stored before the block, flushed after: P2 (inv12); --spec
			// xep demands the field, --accept P2 gives it back
			continue
		}
		inv := vChild(mucX(e.el), "invite")
		if inv.IsZero() {
			continue
		}
		j := vAttrOr(inv, "from")
		if j != "" && roomOf(j) != "" {
			// Named by occupant JID (D9): the sender of this step's
			// invitation, if it is one, is the inviter.
			if e.Kind == sim.TraceFlush || inviter == "" || bareOf(j) != bareOf(e.from) || roomOf(c.sendTo()) != bareOf(e.from) || !c.h.strictOn("D9") {
				continue
			}
			j = inviter
		}
		if j == "" {
			continue
		}
		if c.blockedThroughout(e.user, j) {
			return fmt.Errorf("%s received %s's invitation through %s, though it blocks %s: %s", e.Client, j, e.from, j, e.Canonical())
		}
	}
	return nil
}

// sc59MUCVoiceRequestToModerators: the form a room makes of a visitor's
// voice request (FORM_TYPE muc#request) goes to the room's moderators
// only (XEP-0045 §7.13: the service forwards the request to the room's
// moderators; §8.6: a moderator approves it). Judged for sessions whose
// role in the room the trace has told (their own presence, 110).
func sc59MUCVoiceRequestToModerators(c *Ctx) error {
	st := c.muc()
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "message" || e.from == "" || roomOf(e.from) != e.from {
			continue
		}
		if !isVoiceRequestForm(e.el) {
			continue
		}
		if role, known := st.role[[2]string{e.from, e.JID.String()}]; known && role != "moderator" {
			return fmt.Errorf("%s (%s in %s) received a voice request: %s", e.Client, role, e.from, e.Canonical())
		}
	}
	return nil
}

// isVoiceRequestForm: v carries a data form of type form whose FORM_TYPE
// is muc#request.
func isVoiceRequestForm(v stanza.Stanza) bool {
	for _, x := range vChildren(v, "x") {
		if vAttrOr(x, "xmlns") != nsData || vAttrOr(x, "type") != "form" {
			continue
		}
		for _, f := range vChildren(x, "field") {
			if vAttrOr(f, "var") == "FORM_TYPE" && vText(vChild(f, "value")) == nsMUCRequest {
				return true
			}
		}
	}
	return false
}

// stepInviter returns the full JID of the session whose send this step is
// when it sends a room a mediated invitation (XEP-0045 §7.8.2), "" else.
func (c *Ctx) stepInviter() string {
	if c.send == nil || c.send.tag != "message" || c.send.JID.IsZero() || roomOf(c.sendTo()) == "" {
		return ""
	}
	if vChild(mucX(c.send.el), "invite").IsZero() {
		return ""
	}
	return c.send.JID.String()
}

// mucTrack updates which rooms each session is in (its own presence,
// 110) and forgets the sessions that ended.
func (c *Ctx) mucTrack() {
	st := c.muc()
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "presence" || roomOf(e.from) == "" || e.from == roomOf(e.from) {
			continue
		}
		if !hasStatus(mucX(e.el), "110") {
			continue
		}
		k := [2]string{roomOf(e.from), e.JID.String()}
		if e.typ == "unavailable" {
			delete(st.nick, k)
		} else if e.typ == "" {
			st.nick[k] = e.from
		}
	}
	// A session that ended is out of every room (its next session may
	// reuse the full JID); a restart ends them all.
	if len(st.nick)+len(st.role)+len(st.aff) == 0 {
		return // nobody in a room: nothing to forget (most steps)
	}
	ended := map[string]bool{}
	for _, e := range c.evs {
		if e.Kind == sim.TraceDisconnect {
			ended[e.JID.String()] = true
		}
	}
	restart := c.rec != nil && c.rec.op.Kind == OpRestart
	for _, m := range []map[[2]string]string{st.nick, st.role, st.aff} {
		for k := range m {
			if restart || ended[k[1]] {
				delete(m, k)
			}
		}
	}
}
