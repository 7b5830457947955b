package properties

import (
	"fmt"
	"strconv"

	"github.com/scansim/scansim/compare"
	"github.com/scansim/scansim/stanza"
	"pgregory.net/rapid"
)

// The group actions (group.go): stanzas written without waiting.
//
//   - j1Burst: one session pipelines a pair whose second stanza depends
//     on the state the first leaves — block then message (or presence,
//     or subscribe) to the JID just blocked, unblock then presence or a
//     message, roster remove then subscribe, message then block;
//   - j2Concurrent (a third of j1Burst's draws): two sessions of
//     different users each write such a
//     burst (or one stanza of it) at the same time; the order the server
//     reads them in is drawn (compare.Interleavings), each session's own
//     order kept.
func (m *machine) groupActions(acts map[string]func(*rapid.T)) {
	// One entry for both, the concurrent one drawn a third of the time:
	// rapid draws its actions uniformly, and every entry dilutes the
	// others (the module mutants' checks-to-find, docs/mutants.md).
	acts["j1Burst"] = func(t *rapid.T) {
		if intRange(0, 2).Draw(t, "concurrent") == 0 {
			m.concurrent(t)
			return
		}
		s := m.pick(t, true, "slot")
		m.group(t, m.burst(t, "j1Burst", s, 0, false))
	}
}

// concurrent is j2Concurrent (see groupActions): two sessions of
// different users write a burst each, in a drawn interleaving.
func (m *machine) concurrent(t *rapid.T) {
	a := m.pick(t, true, "slot")
	others := m.othersOnline(a)
	if len(others) == 0 {
		t.Skip("no other user online")
	}
	b := rapid.SampledFrom(others).Draw(t, "other")
	oa := m.burst(t, "j2Concurrent", a, 0, boolGen.Draw(t, "shortA"))
	ob := m.burst(t, "j2Concurrent", b, len(oa), boolGen.Draw(t, "shortB"))
	orders := compare.Interleavings([]int{len(oa), len(ob)}, maxSerialisations)
	order := orders[intRange(0, len(orders)-1).Draw(t, "interleaving")]
	per := [][]Op{oa, ob}
	next := []int{0, 0}
	ops := make([]Op, 0, len(oa)+len(ob))
	for _, k := range order {
		ops = append(ops, per[k][next[k]])
		next[k]++
	}
	m.group(t, ops)
}

// raceActionNames are the actions RaceActions draws: the groups and what
// sets up the state they race on ("" is rapid's after-action hook).
var raceActionNames = map[string]bool{"": true, "a1Connect": true, "a2Disconnect": true, "b1Presence": true,
	"c0Befriend": true, "c1Subscription": true, "e2Block": true, "j1Burst": true}

// group applies ops as one group: each after the first is written
// without waiting (Op.Pipe).
func (m *machine) group(t *rapid.T, ops []Op) {
	for i := range ops {
		ops[i].Pipe = i > 0
		ops[i].act = m.nActions + 1
		t.Logf("step %d: %v", len(m.h.ops)+1+i, opRef{&ops[i]})
	}
	m.h.applyGroup(ops)
}

// burst draws a pipelined pair for slot s (only its first stanza when
// short). off numbers the stanzas after ops already drawn for the same
// group, so that ids and bodies stay unique.
func (m *machine) burst(t *rapid.T, name, s string, off int, short bool) []Op {
	x := m.blockTarget(t, s, true) // a subscriber first: the block has effects
	n := len(m.h.ops) + off
	id := func(p string) string { n++; return p + strconv.Itoa(n) }
	op := func(text string, v stanza.Stanza) Op {
		return Op{Name: name, Kind: OpSend, Slot: s, Stanza: text, val: v, valText: text}
	}
	item := func(cmd string) Op {
		i := id(cmd[:1])
		return op(fmt.Sprintf("<iq type='set' id='%s'><%s xmlns='urn:xmpp:blocking'><item jid='%s'/></%s></iq>", i, cmd, x, cmd),
			sx("iq", kv("type", "set", "id", i), stanza.Elem(sx(cmd, kv("xmlns", nsBlocking), stanza.Elem(sx("item", kv("jid", x)))))))
	}
	message := func() Op {
		to := x
		if intRange(0, 2).Draw(t, "burstFull") == 0 {
			if fs := m.fullsOf(x); len(fs) > 0 {
				to = "{full:" + rapid.SampledFrom(fs).Draw(t, "burstFullSlot") + "}"
			}
		}
		i := id("m")
		body := "hi " + strconv.Itoa(n)
		return op(fmt.Sprintf("<message to='%s' type='chat' id='%s'><body>%s</body></message>", to, i, body),
			sx("message", kv("to", to, "type", "chat", "id", i), stanza.Elem(sx("body", nil, stanza.Text(body)))))
	}
	presence := func(typ string, directed bool) Op {
		if !directed {
			return op("<presence/>", presenceValue)
		}
		if typ == "" {
			return op(fmt.Sprintf("<presence to='%s'/>", x), sx("presence", kv("to", x)))
		}
		return op(fmt.Sprintf("<presence type='%s' to='%s'/>", typ, x), sx("presence", kv("type", typ, "to", x)))
	}
	var ops []Op
	switch intRange(0, 6).Draw(t, "burstKind") {
	case 0: // block, then a message to the JID just blocked
		ops = []Op{item("block"), message()}
	case 1: // block, then presence to it (directed, or a subscription)
		ops = []Op{item("block"), presence(rapid.SampledFrom([]string{"", "subscribe", "subscribed", "unsubscribed"}).Draw(t, "burstPresType"), true)}
	case 2: // unblock, then presence (broadcast or directed)
		ops = []Op{item("unblock"), presence("", boolGen.Draw(t, "burstDirected"))}
	case 3: // unblock all, then presence
		i := id("u")
		ops = []Op{op(fmt.Sprintf("<iq type='set' id='%s'><unblock xmlns='urn:xmpp:blocking'/></iq>", i),
			sx("iq", kv("type", "set", "id", i), stanza.Elem(sx("unblock", kv("xmlns", nsBlocking))))), presence("", boolGen.Draw(t, "burstDirected"))}
	case 4: // unblock, then a message
		ops = []Op{item("unblock"), message()}
	case 5: // roster remove, then subscribe again
		i := id("r")
		ops = []Op{op(fmt.Sprintf("<iq type='set' id='%s'><query xmlns='jabber:iq:roster'><item jid='%s' subscription='remove'/></query></iq>", i, x),
			sx("iq", kv("type", "set", "id", i), stanza.Elem(sx("query", kv("xmlns", nsRoster), stanza.Elem(sx("item", kv("jid", x, "subscription", "remove"))))))),
			presence("subscribe", true)}
	default: // a message, then block its addressee
		ops = []Op{message(), item("block")}
	}
	if short {
		return ops[:1]
	}
	return ops
}

// fullsOf returns the connected slots of bare JID x's user.
func (m *machine) fullsOf(x string) []string {
	var out []string
	for _, s := range m.allSlots() {
		if userBare(slotUser(s)) == x && m.h.connected(s) {
			out = append(out, s)
		}
	}
	return out
}
