package properties

import (
	"fmt"
	"strings"

	"github.com/scansim/scansim/sim"
	"pgregory.net/rapid"
)

// machine is the rapid state machine: every action draws an Op, skips
// when its precondition does not hold, and applies it to the harness.
type machine struct {
	h       *harness
	checked int // steps whose verdict the "" hook has reported
	onFail  func(h *harness, msg string)
}

// pick draws a slot from all slots (so that a draw means the same slot
// whatever happened before, which helps the shrinker) and moves to the
// next slot in a fixed cyclic order whose connection state is wanted.
func (m *machine) pick(t *rapid.T, connected bool, label string) string {
	all := m.allSlots()
	i := rapid.IntRange(0, len(all)-1).Draw(t, label)
	for k := 0; k < len(all); k++ {
		s := all[(i+k)%len(all)]
		if m.h.connected(s) == connected {
			return s
		}
	}
	if connected {
		// No session at all: connect the drawn slot rather than skip
		// (rapid's Repeat stops a sequence whose first actions are
		// rejected).
		s := all[i]
		m.do(t, Op{Name: "a1Connect", Kind: OpConnect, Slot: s, Res: slotLetter(s)})
		return s
	}
	t.Skip("no slot")
	return ""
}

func (m *machine) allSlots() []string { return m.h.allSlots() }

// id returns a stanza id unique in the run: prefix and the step number.
func (m *machine) id(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, len(m.h.ops)+1)
}

// do applies op; the harness checks the step (reference and invariants)
// and records the verdict, which the "" hook reports.
func (m *machine) do(t *rapid.T, op Op) {
	t.Logf("step %d: %v", len(m.h.ops)+1, op)
	m.h.apply(op)
}

// verdict is rapid's "" hook, run after every action: the first step
// (of possibly several an action applied) whose checks failed fails the
// test case. Per-step checking is incremental: each step only looks at
// the trace events it added.
func (m *machine) verdict(t *rapid.T) {
	for ; m.checked < len(m.h.steps); m.checked++ {
		st := m.h.steps[m.checked]
		if st.fail == "" {
			continue
		}
		// later steps of the same action are dropped: the failure is
		// the first failing step
		m.h.ops = m.h.ops[:m.checked+1]
		m.h.steps = m.h.steps[:m.checked+1]
		if m.onFail != nil {
			m.onFail(m.h, st.fail)
		}
		t.Fatalf("step %d (%v) failed:\n%s", m.checked+1, st.op, st.fail)
	}
}

func (m *machine) send(t *rapid.T, name, slot, stanza string) {
	m.do(t, Op{Name: name, Kind: OpSend, Slot: slot, Stanza: stanza})
}

// userJID draws the bare JID of another user (or of any user, with
// allowSelf).
func (m *machine) userJID(t *rapid.T, label string, allowSelf bool, from string) string {
	var us []string
	for _, u := range m.h.userNames() {
		if allowSelf || u != slotUser(from) {
			us = append(us, u)
		}
	}
	u := rapid.SampledFrom(us).Draw(t, label+"User")
	return userBare(u)
}

// fullTarget draws the {full:SLOT} placeholder of any slot.
func (m *machine) fullTarget(t *rapid.T, label string) string {
	_, x := m.fullSlot(t, label)
	return x
}

// fullSlot draws any slot and returns it with its {full:SLOT} placeholder.
func (m *machine) fullSlot(t *rapid.T, label string) (string, string) {
	s := rapid.SampledFrom(m.h.allSlots()).Draw(t, label+"Slot")
	return s, "{full:" + s + "}"
}

func (m *machine) addr(t *rapid.T, label, from string, allowSelf bool) string {
	if rapid.IntRange(0, 2).Draw(t, label+"Full") == 0 {
		return m.fullTarget(t, label)
	}
	return m.userJID(t, label, allowSelf, from)
}

// actions returns the action map. Names sort simple-first ("a..." before
// "z...") so that rapid's shrinker, which prefers earlier actions, ends
// on simple ones. Related actions share one entry (with the variant drawn)
// so that rapid's uniform choice of action does not dilute the ones that
// build subscriptions and blocks.
func (m *machine) actions() map[string]func(*rapid.T) {
	acts := map[string]func(*rapid.T){
		"a1Connect": func(t *rapid.T) {
			s := m.pick(t, false, "slot")
			res := slotLetter(s)
			if rapid.IntRange(0, 5).Draw(t, "generated") == 0 {
				res = ""
			} else if rapid.IntRange(0, 9).Draw(t, "conflict") == 0 {
				// another slot's resource name: a §2.2 conflict
				res = rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "res")
			}
			m.do(t, Op{Name: "a1Connect", Kind: OpConnect, Slot: s, Res: res})
			if rapid.IntRange(0, 2).Draw(t, "initialPresence") > 0 && m.h.connected(s) {
				m.send(t, "a1Connect", s, "<presence/>")
			}
		},
		"a2Disconnect": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			if !m.h.noFaults && rapid.IntRange(0, 2).Draw(t, "abrupt") == 0 {
				m.do(t, Op{Name: "a2Disconnect", Kind: OpDrop, Slot: s})
				return
			}
			m.do(t, Op{Name: "a2Disconnect", Kind: OpDisconnect, Slot: s})
		},
		"b1Presence": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			if rapid.IntRange(0, 3).Draw(t, "unavailable") == 0 {
				x := "<presence type='unavailable'/>"
				if rapid.IntRange(0, 3).Draw(t, "hasStatus") == 0 {
					x = "<presence type='unavailable'><status>Goodbye</status></presence>"
				}
				m.send(t, "b1Presence", s, x)
				return
			}
			var b strings.Builder
			b.WriteString("<presence>")
			if rapid.Bool().Draw(t, "hasPrio") {
				p := rapid.SampledFrom([]int{-5, -1, 0, 1, 5}).Draw(t, "prio")
				fmt.Fprintf(&b, "<priority>%d</priority>", p)
			}
			if rapid.IntRange(0, 3).Draw(t, "hasStatus") == 0 {
				b.WriteString("<status>away</status>")
			}
			b.WriteString("</presence>")
			m.send(t, "b1Presence", s, b.String())
		},
		"b2Directed": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			to := m.addr(t, "to", s, false)
			typ := ""
			if rapid.IntRange(0, 2).Draw(t, "unavail") == 0 {
				typ = " type='unavailable'"
			}
			m.send(t, "b2Directed", s, fmt.Sprintf("<presence to='%s'%s/>", to, typ))
		},
		"c1Subscription": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			typ := rapid.SampledFrom([]string{"subscribe", "subscribe", "subscribed", "subscribed", "unsubscribe", "unsubscribed"}).Draw(t, "type")
			to := m.subTarget(t, s, typ)
			m.send(t, "c1Subscription", s, fmt.Sprintf("<presence type='%s' to='%s'/>", typ, to))
		},
		"c2Probe": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			to := m.userJID(t, "to", false, s)
			m.send(t, "c2Probe", s, fmt.Sprintf("<presence type='probe' to='%s'/>", to))
		},
		"d1Roster": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			switch rapid.IntRange(0, 2).Draw(t, "rosterOp") {
			case 0:
				m.send(t, "d1Roster", s, fmt.Sprintf("<iq type='get' id='%s'><query xmlns='jabber:iq:roster'/></iq>", m.id("r")))
			case 1:
				j := m.userJID(t, "jid", rapid.IntRange(0, 9).Draw(t, "self") == 0, s)
				name := rapid.SampledFrom([]string{"", "Friend"}).Draw(t, "name")
				grp := rapid.SampledFrom([]string{"", "<group>G</group>"}).Draw(t, "group")
				na := ""
				if name != "" {
					na = " name='" + name + "'"
				}
				m.send(t, "d1Roster", s, fmt.Sprintf("<iq type='set' id='%s'><query xmlns='jabber:iq:roster'><item jid='%s'%s>%s</item></query></iq>", m.id("r"), j, na, grp))
			default:
				j := m.userJID(t, "jid", false, s)
				m.send(t, "d1Roster", s, fmt.Sprintf("<iq type='set' id='%s'><query xmlns='jabber:iq:roster'><item jid='%s' subscription='remove'/></query></iq>", m.id("r"), j))
			}
		},
		"e1BlocklistGet": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			m.send(t, "e1BlocklistGet", s, fmt.Sprintf("<iq type='get' id='%s'><blocklist xmlns='urn:xmpp:blocking'/></iq>", m.id("bl")))
		},
		"e2Block": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			items := m.items(t, s, true)
			m.send(t, "e2Block", s, fmt.Sprintf("<iq type='set' id='%s'><block xmlns='urn:xmpp:blocking'>%s</block></iq>", m.id("b"), items))
		},
		"e3Unblock": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			if rapid.IntRange(0, 3).Draw(t, "all") == 0 {
				m.send(t, "e3Unblock", s, fmt.Sprintf("<iq type='set' id='%s'><unblock xmlns='urn:xmpp:blocking'/></iq>", m.id("u")))
				return
			}
			items := m.items(t, s, false)
			m.send(t, "e3Unblock", s, fmt.Sprintf("<iq type='set' id='%s'><unblock xmlns='urn:xmpp:blocking'>%s</unblock></iq>", m.id("u"), items))
		},
		"f1Message": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			to := m.addr(t, "to", s, true)
			typ := rapid.SampledFrom([]string{"chat", "chat", "normal", "", "headline", "groupchat"}).Draw(t, "type")
			ta := ""
			if typ != "" {
				ta = " type='" + typ + "'"
			}
			m.send(t, "f1Message", s, fmt.Sprintf("<message to='%s'%s id='%s'><body>hi %d</body></message>", to, ta, m.id("m"), len(m.h.ops)+1))
		},
		"g1IQ": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			var to string
			switch rapid.IntRange(0, 3).Draw(t, "target") {
			case 0:
				to = "localhost"
			case 1:
				to = m.fullTarget(t, "to")
			default:
				to = m.userJID(t, "to", true, s)
			}
			q := rapid.SampledFrom([]string{
				"<ping xmlns='urn:xmpp:ping'/>",
				"<query xmlns='jabber:iq:version'/>",
				"<query xmlns='http://jabber.org/protocol/disco#info'/>",
				"<query xmlns='jabber:iq:last'/>",
			}).Draw(t, "query")
			m.send(t, "g1IQ", s, fmt.Sprintf("<iq type='get' to='%s' id='%s'>%s</iq>", to, m.id("q"), q))
		},
		"g2Reply": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			if rapid.Bool().Draw(t, "errorMessage") {
				to := m.addr(t, "to", s, false)
				m.send(t, "g2Reply", s, fmt.Sprintf("<message to='%s' type='error' id='%s'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>", to, m.id("e")))
				return
			}
			// the id is the last push's, found when the op is applied
			// (on a real server the push ids are the server's)
			id := pushPlaceholder
			if rapid.Bool().Draw(t, "error") {
				m.send(t, "g2Reply", s, fmt.Sprintf("<iq type='error' id='%s'><error type='cancel'><feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", id))
				return
			}
			m.send(t, "g2Reply", s, fmt.Sprintf("<iq type='result' id='%s'/>", id))
		},
		"c0Befriend": func(t *rapid.T) {
			// A subscription handshake in one action: a subscribes to b,
			// b approves; mutual adds the reverse direction.
			a := m.pick(t, true, "slot")
			var others []string
			for _, s := range m.allSlots() {
				if slotUser(s) != slotUser(a) && m.h.connected(s) {
					others = append(others, s)
				}
			}
			if len(others) == 0 {
				t.Skip("no contact online")
			}
			b := rapid.SampledFrom(others).Draw(t, "contact")
			ua, ub := userBare(slotUser(a)), userBare(slotUser(b))
			m.send(t, "c0Befriend", a, fmt.Sprintf("<presence type='subscribe' to='%s'/>", ub))
			m.send(t, "c0Befriend", b, fmt.Sprintf("<presence type='subscribed' to='%s'/>", ua))
			if rapid.Bool().Draw(t, "mutual") {
				m.send(t, "c0Befriend", b, fmt.Sprintf("<presence type='subscribe' to='%s'/>", ua))
				m.send(t, "c0Befriend", a, fmt.Sprintf("<presence type='subscribed' to='%s'/>", ub))
			}
		},
		"h1Restart": func(t *rapid.T) {
			if rapid.IntRange(0, 2).Draw(t, "restart") > 0 {
				t.Skip("restarts are rare")
			}
			m.do(t, Op{Name: "h1Restart", Kind: OpRestart})
		},
		"": m.verdict,
	}
	if m.h.noFaults || m.h.real != nil {
		delete(acts, "h1Restart")
	}
	m.customActions(acts, m.h.extActions)
	return acts
}

// subTarget prefers the contacts for which typ changes something: a
// pending requester for subscribed/unsubscribed, a contact without a
// subscription for subscribe.
func (m *machine) subTarget(t *rapid.T, s, typ string) string {
	me := slotUser(s)
	var pref []string
	for _, u := range m.h.userNames() {
		if u == me {
			continue
		}
		c := m.h.srv.ContactOf(userBare(me), userBare(u))
		switch typ {
		case "subscribed", "unsubscribed":
			if c.PendingIn || (typ == "unsubscribed" && isFrom(c.Subscription)) {
				pref = append(pref, u)
			}
		case "subscribe":
			if c.Subscription == "none" || c.Subscription == "from" {
				pref = append(pref, u)
			}
		case "unsubscribe":
			if c.Ask || isTo(c.Subscription) {
				pref = append(pref, u)
			}
		}
	}
	if len(pref) > 0 && rapid.IntRange(0, 3).Draw(t, "preferred") > 0 {
		return userBare(rapid.SampledFrom(pref).Draw(t, "prefTo"))
	}
	if rapid.IntRange(0, 4).Draw(t, "full") == 0 {
		ts, to := m.fullSlot(t, "to")
		if slotUser(ts) == me {
			t.Skip("subscription to an own resource (§3.9)")
		}
		return to
	}
	return m.userJID(t, "to", false, s)
}

// items draws 1–3 blocklist items: bare, full, domain, case variants,
// and rarely a malformed or empty JID.
func (m *machine) items(t *rapid.T, s string, block bool) string {
	n := rapid.IntRange(1, 3).Draw(t, "nItems")
	var b strings.Builder
	for i := 0; i < n; i++ {
		var j string
		switch rapid.IntRange(0, 23).Draw(t, "itemKind") {
		case 0:
			j = "localhost"
		case 1:
			j = m.fullTarget(t, "item")
		case 2:
			j = strings.ToUpper(m.userJID(t, "item", false, s))
		case 3:
			j = rapid.SampledFrom([]string{"u1@@localhost", ""}).Draw(t, "malformed")
		case 4:
			j = "localhost/" + rapid.SampledFrom([]string{"a", "b"}).Draw(t, "domres")
		default:
			j = m.blockTarget(t, s, block)
		}
		fmt.Fprintf(&b, "<item jid='%s'/>", j)
	}
	if rapid.IntRange(0, 19).Draw(t, "empty") == 0 {
		return ""
	}
	return b.String()
}

// pushPlaceholder in an op's stanza stands for the id of the last iq push
// the sending client received ("nopush" when there was none).
const pushPlaceholder = "{push}"

// lastPushID returns the id of the last iq push client received in tr,
// or "nopush".
func lastPushID(tr []sim.TraceEvent, client string) string {
	for i := len(tr) - 1; i >= 0; i-- {
		ev := &tr[i]
		if ev.Client == client && strings.HasPrefix(ev.Stanza, "<iq") && strings.Contains(ev.Stanza, "type='set'") {
			if e := eventValue(ev); !e.IsZero() {
				return vAttrOr(e, "id")
			}
		}
	}
	return "nopush"
}

// blockTarget prefers contacts whose blocking has side effects: for a
// block, subscribers; for an unblock, blocked JIDs.
func (m *machine) blockTarget(t *rapid.T, s string, block bool) string {
	me := slotUser(s)
	var pref []string
	if block {
		for _, u := range m.h.userNames() {
			if u == me {
				continue
			}
			c := m.h.srv.ContactOf(userBare(me), userBare(u))
			if isFrom(c.Subscription) || c.PendingIn {
				pref = append(pref, userBare(u))
			}
		}
	} else {
		pref = m.h.srv.Blocklist(userBare(me))
	}
	if len(pref) > 0 && rapid.IntRange(0, 2).Draw(t, "preferred") > 0 {
		return rapid.SampledFrom(pref).Draw(t, "prefItem")
	}
	return m.userJID(t, "item", rapid.IntRange(0, 9).Draw(t, "selfItem") == 0, s)
}
