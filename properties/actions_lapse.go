package properties

import (
	"fmt"

	"github.com/scansim/scansim/stanza"
	"pgregory.net/rapid"
)

// c3Lapse: a subscription that lapses from the subscriber's side and is
// asked for again around a resource going offline. A subscriber j (an
// available session with a subscription to A) removes A from its roster
// or unsubscribes; one of A's available sessions then goes offline; half
// the time j subscribes again and another session of A approves.
//
// Every step is an ordinary op; drawn one by one they come in this order
// too rarely for a 1,000-check run (finding F7 of docs/findings.md was
// not found in 18,469 checks: a contact that cancelled keeps the view of
// A's resources it had, and RFC 6121 §3.3's unavailable on cancellation
// is what would correct it; TestF7FoundUnaided).
func (m *machine) lapseAction(acts map[string]func(*rapid.T)) {
	acts["c3Lapse"] = func(t *rapid.T) {
		type pair struct{ j, a string } // j's slot, A's available slot
		var pairs []pair
		for _, j := range m.allSlots() {
			if !m.h.connected(j) || !m.available(j) {
				continue
			}
			for _, a := range m.allSlots() {
				if slotUser(a) == slotUser(j) || !m.h.connected(a) || !m.available(a) {
					continue
				}
				if isTo(m.h.srv.ContactOf(userBare(slotUser(j)), userBare(slotUser(a))).Subscription) {
					pairs = append(pairs, pair{j, a})
				}
			}
		}
		if len(pairs) == 0 {
			t.Skip("no available subscriber of an available resource")
		}
		p := rapid.SampledFrom(pairs).Draw(t, "lapsePair")
		A, J := userBare(slotUser(p.a)), userBare(slotUser(p.j))
		sub := func(from, typ, to string) {
			m.send(t, "c3Lapse", from, fmt.Sprintf("<presence type='%s' to='%s'/>", typ, to), sx("presence", kv("type", typ, "to", to)))
		}
		if boolGen.Draw(t, "lapseRemove") {
			id := m.id("r")
			m.send(t, "c3Lapse", p.j, fmt.Sprintf("<iq type='set' id='%s'><query xmlns='jabber:iq:roster'><item jid='%s' subscription='remove'/></query></iq>", id, A),
				sx("iq", kv("type", "set", "id", id), stanza.Elem(sx("query", kv("xmlns", nsRoster), stanza.Elem(sx("item", kv("jid", A, "subscription", "remove")))))))
		} else {
			sub(p.j, "unsubscribe", A)
		}
		if boolGen.Draw(t, "lapseDisconnect") {
			m.do(t, Op{Name: "c3Lapse", Kind: OpDisconnect, Slot: p.a})
		} else {
			m.send(t, "c3Lapse", p.a, "<presence type='unavailable'/>", sx("presence", kv("type", "unavailable")))
		}
		if boolGen.Draw(t, "lapseAgain") || !m.h.connected(p.j) {
			return
		}
		var approver string
		for _, s := range m.allSlots() {
			if slotUser(s) == slotUser(p.a) && m.h.connected(s) {
				approver = s
				break
			}
		}
		if approver != "" && boolGen.Draw(t, "lapsePreApprove") {
			sub(approver, "subscribed", J)
			approver = ""
		}
		sub(p.j, "subscribe", A)
		if approver != "" {
			sub(approver, "subscribed", J)
		}
	}
}

// available reports whether slot's session has sent available presence
// (the reference's view of it).
func (m *machine) available(slot string) bool {
	s := m.h.slots[slot]
	if s == nil || s.cur == nil {
		return false
	}
	rs := m.h.ref.sessByName(s.cur.Name())
	return rs != nil && !rs.pres.IsZero()
}
