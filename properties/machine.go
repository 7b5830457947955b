package properties

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
	"pgregory.net/rapid"
)

// machine is the rapid state machine: every action draws an Op, skips
// when its precondition does not hold, and applies it to the harness.
type machine struct {
	h        *harness
	checked  int // steps whose verdict the "" hook has reported
	nActions int // actions run so far (the "" hook counts them)
	onFail   func(h *harness, msg string)
	// onTransport is told of a transport failure of the real server.
	onTransport func(err error)
	// capsTargets: users a module action's caps presence was directed
	// to (actions_modules.go)
	capsTargets map[string]bool
	// mucOwners: the user who last created each room (actions_muc.go)
	mucOwners map[string]string
	// mucBanned: the user last made an outcast of each room
	mucBanned map[string]string
	// userGens and slots: the generators userGen and slotGen made
	userGens map[string]*rapid.Generator[string]
	slots    *rapid.Generator[string]
}

// slotGen is rapid.SampledFrom(all slots), made once per run.
func (m *machine) slotGen() *rapid.Generator[string] {
	if m.slots == nil {
		m.slots = rapid.SampledFrom(m.h.allSlots())
	}
	return m.slots
}

// pick draws a slot from all slots (so that a draw means the same slot
// whatever happened before, which helps the shrinker) and moves to the
// next slot in a fixed cyclic order whose connection state is wanted.
func (m *machine) pick(t *rapid.T, connected bool, label string) string {
	all := m.allSlots()
	i := intRange(0, len(all)-1).Draw(t, label)
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
	op.act = m.nActions + 1
	n := len(m.h.ops)
	m.h.apply(op)
	// Logged once applied (nothing in between logs), from the copy in
	// h.ops: formatting the argument op itself would copy it to the heap
	// on every step, although rapid prints only the failing run's log.
	t.Logf("step %d: %v", n+1, opRef{&m.h.ops[n]})
}

// opRef formats the op it points to (fmt's %v of an Op).
type opRef struct{ op *Op }

func (r opRef) String() string { return r.op.String() }

// verdict is rapid's "" hook, run after every action: the first step
// (of possibly several an action applied) whose checks failed fails the
// test case. Per-step checking is incremental: each step only looks at
// the trace events it added.
func (m *machine) verdict(t *rapid.T) {
	m.nActions++ // the hook runs after every action
	if m.h.transport != nil {
		if m.onTransport != nil {
			m.onTransport(m.h.transport)
		}
		// Not a failure: the sequence is void (rapid counts it invalid).
		t.Skip("transport failure: ", m.h.transport)
	}
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

func (m *machine) send(t *rapid.T, name, slot, text string, v stanza.Stanza) {
	m.do(t, Op{Name: name, Kind: OpSend, Slot: slot, Stanza: text, val: v, valText: text})
}

// userJID draws the bare JID of another user (or of any user, with
// allowSelf).
func (m *machine) userJID(t *rapid.T, label string, allowSelf bool, from string) string {
	u := m.userGen(allowSelf, slotUser(from)).Draw(t, label+"User")
	return userBare(u)
}

// userGen is rapid.SampledFrom of the run's users (all of them, or
// all but from), one generator per list for the run: the same list
// draws the same values from any generator over it.
func (m *machine) userGen(allowSelf bool, from string) *rapid.Generator[string] {
	key := ""
	if !allowSelf {
		key = from
	}
	if g := m.userGens[key]; g != nil {
		return g
	}
	var us []string
	for _, u := range m.h.userNames() {
		if allowSelf || u != from {
			us = append(us, u)
		}
	}
	g := rapid.SampledFrom(us)
	if m.userGens == nil {
		m.userGens = map[string]*rapid.Generator[string]{}
	}
	m.userGens[key] = g
	return g
}

// fullTarget draws the {full:SLOT} placeholder of any slot.
func (m *machine) fullTarget(t *rapid.T, label string) string {
	_, x := m.fullSlot(t, label)
	return x
}

// fullSlot draws any slot and returns it with its {full:SLOT} placeholder.
func (m *machine) fullSlot(t *rapid.T, label string) (string, string) {
	s := m.slotGen().Draw(t, label+"Slot")
	return s, "{full:" + s + "}"
}

func (m *machine) addr(t *rapid.T, label, from string, allowSelf bool) string {
	if intRange(0, 2).Draw(t, label+"Full") == 0 {
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
			if intRange(0, 5).Draw(t, "generated") == 0 {
				res = ""
			} else if intRange(0, 9).Draw(t, "conflict") == 0 {
				// another slot's resource name: a §2.2 conflict
				res = rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "res")
			}
			m.do(t, Op{Name: "a1Connect", Kind: OpConnect, Slot: s, Res: res})
			if intRange(0, 2).Draw(t, "initialPresence") > 0 && m.h.connected(s) {
				m.send(t, "a1Connect", s, "<presence/>", presenceValue)
			}
		},
		"a2Disconnect": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			if !m.h.noFaults && intRange(0, 2).Draw(t, "abrupt") == 0 {
				m.do(t, Op{Name: "a2Disconnect", Kind: OpDrop, Slot: s})
				return
			}
			m.do(t, Op{Name: "a2Disconnect", Kind: OpDisconnect, Slot: s})
		},
		"b1Presence": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			if intRange(0, 3).Draw(t, "unavailable") == 0 {
				x, v := "<presence type='unavailable'/>", sx("presence", kv("type", "unavailable"))
				if intRange(0, 3).Draw(t, "hasStatus") == 0 {
					x = "<presence type='unavailable'><status>Goodbye</status></presence>"
					v = sx("presence", kv("type", "unavailable"), stanza.Elem(sx("status", nil, stanza.Text("Goodbye"))))
				}
				m.send(t, "b1Presence", s, x, v)
				return
			}
			var b strings.Builder
			var kids []stanza.Child
			b.WriteString("<presence>")
			if boolGen.Draw(t, "hasPrio") {
				p := strconv.Itoa(rapid.SampledFrom([]int{-5, -1, 0, 1, 5}).Draw(t, "prio"))
				b.WriteString("<priority>" + p + "</priority>")
				kids = append(kids, stanza.Elem(sx("priority", nil, stanza.Text(p))))
			}
			if intRange(0, 3).Draw(t, "hasStatus") == 0 {
				b.WriteString("<status>away</status>")
				kids = append(kids, stanza.Elem(statusAway))
			}
			b.WriteString("</presence>")
			m.send(t, "b1Presence", s, b.String(), sx("presence", nil, kids...))
		},
		"b2Directed": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			to := m.addr(t, "to", s, false)
			typ, attrs := "", kv("to", to)
			if intRange(0, 2).Draw(t, "unavail") == 0 {
				typ, attrs = " type='unavailable'", kv("to", to, "type", "unavailable")
			}
			m.send(t, "b2Directed", s, fmt.Sprintf("<presence to='%s'%s/>", to, typ), sx("presence", attrs))
		},
		"c1Subscription": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			// the four types alike: the cancellations were half as
			// likely, which left RFC 6121 App. A's cancellation cells
			// in pending-in states unvisited in most 1,000-check runs
			// (docs/coverage.md)
			typ := rapid.SampledFrom([]string{"subscribe", "subscribed", "unsubscribe", "unsubscribed"}).Draw(t, "type")
			to := m.subTarget(t, s, typ)
			m.send(t, "c1Subscription", s, fmt.Sprintf("<presence type='%s' to='%s'/>", typ, to), sx("presence", kv("type", typ, "to", to)))
		},
		"c2Probe": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			to := m.userJID(t, "to", false, s)
			m.send(t, "c2Probe", s, fmt.Sprintf("<presence type='probe' to='%s'/>", to), sx("presence", kv("type", "probe", "to", to)))
		},
		"d1Roster": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			switch intRange(0, 2).Draw(t, "rosterOp") {
			case 0:
				id := m.id("r")
				m.send(t, "d1Roster", s, fmt.Sprintf("<iq type='get' id='%s'><query xmlns='jabber:iq:roster'/></iq>", id),
					sx("iq", kv("type", "get", "id", id), stanza.Elem(rosterQuery)))
			case 1:
				j := m.userJID(t, "jid", intRange(0, 9).Draw(t, "self") == 0, s)
				name := rapid.SampledFrom([]string{"", "Friend"}).Draw(t, "name")
				grp := rapid.SampledFrom([]string{"", "<group>G</group>"}).Draw(t, "group")
				na, item := "", kv("jid", j)
				if name != "" {
					na, item = " name='"+name+"'", kv("jid", j, "name", name)
				}
				var kids []stanza.Child
				if grp != "" {
					kids = elems(groupG)
				}
				id := m.id("r")
				m.send(t, "d1Roster", s, fmt.Sprintf("<iq type='set' id='%s'><query xmlns='jabber:iq:roster'><item jid='%s'%s>%s</item></query></iq>", id, j, na, grp),
					sx("iq", kv("type", "set", "id", id), stanza.Elem(sx("query", kv("xmlns", nsRoster), stanza.Elem(sx("item", item, kids...))))))
			default:
				j := m.userJID(t, "jid", false, s)
				id := m.id("r")
				m.send(t, "d1Roster", s, fmt.Sprintf("<iq type='set' id='%s'><query xmlns='jabber:iq:roster'><item jid='%s' subscription='remove'/></query></iq>", id, j),
					sx("iq", kv("type", "set", "id", id), stanza.Elem(sx("query", kv("xmlns", nsRoster), stanza.Elem(sx("item", kv("jid", j, "subscription", "remove")))))))
			}
		},
		"e1BlocklistGet": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			id := m.id("bl")
			m.send(t, "e1BlocklistGet", s, fmt.Sprintf("<iq type='get' id='%s'><blocklist xmlns='urn:xmpp:blocking'/></iq>", id),
				sx("iq", kv("type", "get", "id", id), stanza.Elem(blocklistQuery)))
		},
		"e2Block": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			items, vals := m.items(t, s, true)
			id := m.id("b")
			m.send(t, "e2Block", s, fmt.Sprintf("<iq type='set' id='%s'><block xmlns='urn:xmpp:blocking'>%s</block></iq>", id, items),
				sx("iq", kv("type", "set", "id", id), stanza.Elem(sx("block", kv("xmlns", nsBlocking), vals...))))
		},
		"e3Unblock": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			if intRange(0, 3).Draw(t, "all") == 0 {
				id := m.id("u")
				m.send(t, "e3Unblock", s, fmt.Sprintf("<iq type='set' id='%s'><unblock xmlns='urn:xmpp:blocking'/></iq>", id),
					sx("iq", kv("type", "set", "id", id), stanza.Elem(sx("unblock", kv("xmlns", nsBlocking)))))
				return
			}
			items, vals := m.items(t, s, false)
			id := m.id("u")
			m.send(t, "e3Unblock", s, fmt.Sprintf("<iq type='set' id='%s'><unblock xmlns='urn:xmpp:blocking'>%s</unblock></iq>", id, items),
				sx("iq", kv("type", "set", "id", id), stanza.Elem(sx("unblock", kv("xmlns", nsBlocking), vals...))))
		},
		"f1Message": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			to := m.addr(t, "to", s, true)
			typ := rapid.SampledFrom([]string{"chat", "chat", "normal", "", "headline", "groupchat"}).Draw(t, "type")
			ta, attrs := "", kv("to", to)
			if typ != "" {
				ta, attrs = " type='"+typ+"'", kv("to", to, "type", typ)
			}
			id, body := m.id("m"), "hi "+strconv.Itoa(len(m.h.ops)+1)
			m.send(t, "f1Message", s, fmt.Sprintf("<message to='%s'%s id='%s'><body>%s</body></message>", to, ta, id, body),
				sx("message", append(attrs, "id", id), stanza.Elem(sx("body", nil, stanza.Text(body)))))
		},
		"g1IQ": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			var to string
			switch intRange(0, 3).Draw(t, "target") {
			case 0:
				to = "localhost"
			case 1:
				to = m.fullTarget(t, "to")
			default:
				to = m.userJID(t, "to", true, s)
			}
			q := rapid.SampledFrom(serviceQueries).Draw(t, "query")
			id := m.id("q")
			m.send(t, "g1IQ", s, fmt.Sprintf("<iq type='get' to='%s' id='%s'>%s</iq>", to, id, q),
				sx("iq", kv("type", "get", "to", to, "id", id), stanza.Elem(serviceQueryValues[q])))
		},
		"g2Reply": func(t *rapid.T) {
			s := m.pick(t, true, "slot")
			if boolGen.Draw(t, "errorMessage") {
				to := m.addr(t, "to", s, false)
				id := m.id("e")
				m.send(t, "g2Reply", s, fmt.Sprintf("<message to='%s' type='error' id='%s'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>", to, id),
					sx("message", kv("to", to, "type", "error", "id", id), stanza.Elem(sx("error", kv("type", "cancel"), stanza.Elem(sx("service-unavailable", kv("xmlns", nsStanzas)))))))
				return
			}
			// the id is the last push's, found when the op is applied
			// (on a real server the push ids are the server's)
			id := pushPlaceholder
			if boolGen.Draw(t, "error") {
				m.send(t, "g2Reply", s, fmt.Sprintf("<iq type='error' id='%s'><error type='cancel'><feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", id),
					sx("iq", kv("type", "error", "id", id), stanza.Elem(sx("error", kv("type", "cancel"), stanza.Elem(sx("feature-not-implemented", kv("xmlns", nsStanzas)))))))
				return
			}
			if intRange(0, 3).Draw(t, "echo") == 0 {
				// a result that echoes a blocking payload (a client
				// answering a push with its content): RFC 6120 §8.2.3
				// has it ignored like any result (MongooseIM issue 1569)
				cmd := rapid.SampledFrom([]string{"block", "unblock"}).Draw(t, "echoCmd")
				jid := m.userJID(t, "echoJID", false, s)
				m.send(t, "g2Reply", s, fmt.Sprintf("<iq type='result' id='%s'><%s xmlns='urn:xmpp:blocking'><item jid='%s'/></%s></iq>", id, cmd, jid, cmd),
					sx("iq", kv("type", "result", "id", id), stanza.Elem(sx(cmd, kv("xmlns", nsBlocking), stanza.Elem(sx("item", kv("jid", jid)))))))
				return
			}
			m.send(t, "g2Reply", s, fmt.Sprintf("<iq type='result' id='%s'/>", id), sx("iq", kv("type", "result", "id", id)))
		},
		"c0Befriend": func(t *rapid.T) {
			// A subscription handshake in one action: a subscribes to b,
			// b approves; mutual adds the reverse direction.
			a := m.pick(t, true, "slot")
			others := m.othersOnline(a)
			if len(others) == 0 {
				t.Skip("no contact online")
			}
			b := rapid.SampledFrom(others).Draw(t, "contact")
			ua, ub := userBare(slotUser(a)), userBare(slotUser(b))
			sub := func(from, typ, to string) {
				m.send(t, "c0Befriend", from, fmt.Sprintf("<presence type='%s' to='%s'/>", typ, to), sx("presence", kv("type", typ, "to", to)))
			}
			sub(a, "subscribe", ub)
			if intRange(0, 3).Draw(t, "halfway") == 0 {
				// the request left pending: states with a pending
				// request in (To+PI, None+PO/PI) otherwise last only
				// inside this action, and App. A's cells for them went
				// unvisited (docs/coverage.md)
				return
			}
			sub(b, "subscribed", ua)
			if boolGen.Draw(t, "mutual") {
				sub(b, "subscribe", ua)
				sub(a, "subscribed", ub)
			}
		},
		"h1Restart": func(t *rapid.T) {
			if intRange(0, 2).Draw(t, "restart") > 0 {
				t.Skip("restarts are rare")
			}
			m.do(t, Op{Name: "h1Restart", Kind: OpRestart})
		},
		"": m.verdict,
	}
	if m.h.noFaults || m.h.real != nil {
		delete(acts, "h1Restart")
	}
	m.groupActions(acts)
	m.lapseAction(acts)
	m.moduleActions(acts)
	m.mucActions(acts)
	m.customActions(acts, m.h.extActions)
	if m.h.noGroups {
		delete(acts, "j1Burst")
	}
	if m.h.races {
		for name := range acts {
			if !raceActionNames[name] {
				delete(acts, name)
			}
		}
	}
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
	if len(pref) > 0 && intRange(0, 3).Draw(t, "preferred") > 0 {
		// a cancellation towards a contact with a pending request in
		// first, half the time: those states are the rarest cells of
		// App. A (docs/coverage.md)
		if typ == "unsubscribe" || typ == "unsubscribed" {
			var pi []string
			for _, u := range pref {
				if m.h.srv.ContactOf(userBare(me), userBare(u)).PendingIn {
					pi = append(pi, u)
				}
			}
			if len(pi) > 0 && boolGen.Draw(t, "pendingFirst") {
				return userBare(rapid.SampledFrom(pi).Draw(t, "piTo"))
			}
		}
		return userBare(rapid.SampledFrom(pref).Draw(t, "prefTo"))
	}
	if intRange(0, 4).Draw(t, "full") == 0 {
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
func (m *machine) items(t *rapid.T, s string, block bool) (string, []stanza.Child) {
	n := intRange(1, 3).Draw(t, "nItems")
	var b strings.Builder
	var vals []stanza.Child
	for i := 0; i < n; i++ {
		var j string
		switch intRange(0, 23).Draw(t, "itemKind") {
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
		vals = append(vals, stanza.Elem(sx("item", kv("jid", j))))
	}
	if intRange(0, 19).Draw(t, "empty") == 0 {
		return "", nil
	}
	return b.String(), vals
}

// pushPlaceholder in an op's stanza stands for the id of the last iq push
// the sending client received ("nopush" when there was none).
const pushPlaceholder = "{push}"

// lastPushID returns the id of the last iq push client received in tr,
// or "nopush".
func lastPushID(tr []sim.TraceEvent, client string) string {
	for i := len(tr) - 1; i >= 0; i-- {
		ev := &tr[i]
		if ev.Client == client && strings.HasPrefix(ev.Canonical(), "<iq") && strings.Contains(ev.Canonical(), "type='set'") {
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
	if len(pref) > 0 && intRange(0, 2).Draw(t, "preferred") > 0 {
		return rapid.SampledFrom(pref).Draw(t, "prefItem")
	}
	return m.userJID(t, "item", intRange(0, 9).Draw(t, "selfItem") == 0, s)
}

// othersOnline lists the connected slots of users other than slot a's,
// in slot order.
func (m *machine) othersOnline(a string) []string {
	var others []string
	for _, s := range m.allSlots() {
		if slotUser(s) != slotUser(a) && m.h.connected(s) {
			others = append(others, s)
		}
	}
	return others
}
