package differential

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// An action is one step of a generated script: the client that acts and
// the text of the action in .scs form ("connects", "disconnects", or
// "sends:" with one TAB-indented stanza).
type action struct {
	client string
	verb   string // "connects", "disconnects", "sends"
	xml    string // the stanza for "sends"
}

// client is one generated character: user uN with resource rM.
type client struct {
	name, user, resource string
}

// sequence is a generated script before rendering: its characters and
// actions. Shrinking removes actions; rendering keeps only the clients an
// action still names.
type sequence struct {
	clients []client
	actions []action
}

// generator draws random action sequences from a seed: 2–3 users with up
// to 2 resources each, over the vocabulary of the blocking and
// subscription rules (presence, the four subscription types, probes,
// roster and blocklist queries and edits, messages of every type, pings).
// Each client connects at most once and disconnects at most once, as
// scansion's characters must.
type generator struct {
	rng   *rand.Rand
	users int
	seq   sequence
	state map[string]int // client -> 0 new, 1 connected, 2 gone
	ids   int
}

func newGenerator(seed uint64, users int) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(seed, 0xd1ff)), users: users, state: map[string]int{}}
	for u := 1; u <= users; u++ {
		for r := 1; r <= 2; r++ {
			g.seq.clients = append(g.seq.clients, client{
				name: fmt.Sprintf("u%dr%d", u, r), user: fmt.Sprintf("u%d", u), resource: fmt.Sprintf("r%d", r)})
		}
	}
	return g
}

func (g *generator) pick(n int) int { return g.rng.IntN(n) }

// connected returns the clients that may act now.
func (g *generator) connected() []client {
	var out []client
	for _, c := range g.seq.clients {
		if g.state[c.name] == 1 {
			out = append(out, c)
		}
	}
	return out
}

func (g *generator) id(prefix string) string {
	g.ids++
	return fmt.Sprintf("%s%d", prefix, g.ids)
}

// otherBare picks another user's bare JID (never the sender's own).
func (g *generator) otherBare(self string) string {
	for {
		u := fmt.Sprintf("u%d", 1+g.pick(g.users))
		if u != self {
			return u + "@localhost"
		}
	}
}

// target picks where a stanza goes: another user's bare JID, or a full
// JID of a connected client of another user (through a variable, since
// resources are bound per run).
func (g *generator) target(self client) string {
	if g.pick(3) == 0 {
		var full []client
		for _, c := range g.connected() {
			if c.user != self.user {
				full = append(full, c)
			}
		}
		if len(full) > 0 {
			return "${" + full[g.pick(len(full))].name + "'s full JID}"
		}
	}
	return g.otherBare(self.user)
}

// generate draws a sequence of n actions.
func (g *generator) generate(n int) sequence {
	for len(g.seq.actions) < n {
		live := g.connected()
		var fresh []client
		for _, c := range g.seq.clients {
			if g.state[c.name] == 0 {
				fresh = append(fresh, c)
			}
		}
		if len(live) == 0 || (len(fresh) > 0 && g.pick(6) == 0) {
			if len(fresh) == 0 {
				break
			}
			c := fresh[g.pick(len(fresh))]
			g.state[c.name] = 1
			g.seq.actions = append(g.seq.actions, action{client: c.name, verb: "connects"})
			continue
		}
		c := live[g.pick(len(live))]
		if g.pick(6) == 0 && g.handshake(c, live) {
			continue
		}
		if g.pick(25) == 0 {
			g.state[c.name] = 2
			g.seq.actions = append(g.seq.actions, action{client: c.name, verb: "disconnects"})
			continue
		}
		g.seq.actions = append(g.seq.actions, action{client: c.name, verb: "sends", xml: g.stanza(c)})
	}
	return g.seq
}

// handshake appends a subscription request from c and its approval by a
// connected client of another user, so that subscribed contacts (the
// precondition of most blocking side effects, §7.3) are common.
func (g *generator) handshake(c client, live []client) bool {
	var others []client
	for _, o := range live {
		if o.user != c.user {
			others = append(others, o)
		}
	}
	if len(others) == 0 {
		return false
	}
	o := others[g.pick(len(others))]
	g.seq.actions = append(g.seq.actions,
		action{client: c.name, verb: "sends", xml: fmt.Sprintf(`<presence type="subscribe" to="%s@localhost"/>`, o.user)},
		action{client: o.name, verb: "sends", xml: fmt.Sprintf(`<presence type="subscribed" to="%s@localhost"/>`, c.user)})
	return true
}

// stanza draws one client stanza.
func (g *generator) stanza(c client) string {
	switch g.pick(14) {
	case 0, 1:
		if g.pick(4) == 0 {
			return fmt.Sprintf(`<presence><priority>%d</priority></presence>`, g.pick(4)-1)
		}
		return `<presence/>`
	case 2:
		return `<presence type="unavailable"/>`
	case 3, 4, 5:
		types := []string{"subscribe", "subscribed", "unsubscribe", "unsubscribed"}
		return fmt.Sprintf(`<presence type="%s" to="%s"/>`, types[g.pick(len(types))], g.otherBare(c.user))
	case 6:
		return fmt.Sprintf(`<presence type="probe" to="%s"/>`, g.otherBare(c.user))
	case 7:
		return fmt.Sprintf(`<iq type="get" id="%s"><query xmlns="jabber:iq:roster"/></iq>`, g.id("r"))
	case 8:
		return fmt.Sprintf(`<iq type="get" id="%s"><blocklist xmlns="urn:xmpp:blocking"/></iq>`, g.id("bl"))
	case 9:
		return fmt.Sprintf(`<iq type="set" id="%s"><block xmlns="urn:xmpp:blocking"><item jid="%s"/></block></iq>`, g.id("b"), g.blockItem(c))
	case 10:
		if g.pick(4) == 0 {
			return fmt.Sprintf(`<iq type="set" id="%s"><unblock xmlns="urn:xmpp:blocking"/></iq>`, g.id("ua"))
		}
		return fmt.Sprintf(`<iq type="set" id="%s"><unblock xmlns="urn:xmpp:blocking"><item jid="%s"/></unblock></iq>`, g.id("u"), g.blockItem(c))
	case 11, 12:
		types := []string{"chat", "chat", "normal", "headline", "groupchat"}
		return fmt.Sprintf(`<message type="%s" to="%s"><body>m%d</body></message>`, types[g.pick(len(types))], g.target(c), g.pick(100))
	default:
		return fmt.Sprintf(`<iq type="get" id="%s" to="%s"><ping xmlns="urn:xmpp:ping"/></iq>`, g.id("p"), g.target(c))
	}
}

// blockItem is usually another user's bare JID, sometimes a full JID.
func (g *generator) blockItem(c client) string {
	t := g.target(c)
	if strings.HasPrefix(t, "${") && g.pick(2) == 0 {
		return g.otherBare(c.user)
	}
	return t
}

// render writes the sequence as a .scs script. Only clients that some
// action names are defined; a client whose connects was removed by
// shrinking makes the script invalid, which the shrinker treats as "does
// not reproduce".
func (s sequence) render(title string) string {
	used := map[string]bool{}
	for _, a := range s.actions {
		used[a.client] = true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", title)
	for _, c := range s.clients {
		if used[c.name] {
			fmt.Fprintf(&b, "[Client] %s\n\tjid: %s@localhost\n\tpassword: password\n\tresource: %s\n\n", c.name, c.user, c.resource)
		}
	}
	b.WriteString("-----\n\n")
	for _, a := range s.actions {
		switch a.verb {
		case "sends":
			fmt.Fprintf(&b, "%s sends:\n\t%s\n\n", a.client, a.xml)
		default:
			fmt.Fprintf(&b, "%s %s\n\n", a.client, a.verb)
		}
	}
	return b.String()
}

// without returns the sequence minus the actions in drop.
func (s sequence) without(drop map[int]bool) sequence {
	out := sequence{clients: s.clients}
	for i, a := range s.actions {
		if !drop[i] {
			out.actions = append(out.actions, a)
		}
	}
	return out
}
