package scenarios

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// CompareOptions configure Compare.
type CompareOptions struct {
	// Server is the real server's driver (usually a *ServerDriver).
	Server Driver
	// Profile is the simulation's profile; nil means model.Prosody012()
	// (Debian's 0.12.3, what testdata/prosody runs).
	Profile *model.Profile
	// Strict, Timeout and NothingGrace are passed to both runs (Timeout
	// and NothingGrace are virtual time on the simulation, wall time on
	// the server).
	Strict       bool
	Timeout      time.Duration
	NothingGrace time.Duration
}

// Comparison is the outcome of running one script on the simulation and
// on a real server.
type Comparison struct {
	Sim, Server *Result
	// Prefix is the node prefix the server run used.
	Prefix string
	// Clients holds, for every client of the script in definition order,
	// what it received on each side after masking (see Compare).
	Clients []ClientStreams
}

// ClientStreams is what one client received on each side, in arrival
// order, each stanza in model.Canonical form after masking.
type ClientStreams struct {
	Client      string
	Sim, Server []string
}

// Equal reports whether the two sides received the same stanzas.
func (c ClientStreams) Equal() bool {
	if len(c.Sim) != len(c.Server) {
		return false
	}
	for i := range c.Sim {
		if c.Sim[i] != c.Server[i] {
			return false
		}
	}
	return true
}

// Diff renders a line diff of the two streams, one stanza per line:
// "-" lines only the simulation received, "+" lines only the server
// sent.
func (c ClientStreams) Diff() string { return lineDiff(c.Sim, c.Server) }

// Same reports whether both runs had the same outcome (both passed, or
// both failed at the same action, or both hit a script error) and every
// client received the same stanzas.
func (c *Comparison) Same() bool {
	if Outcome(c.Sim) != Outcome(c.Server) {
		return false
	}
	for _, cl := range c.Clients {
		if !cl.Equal() {
			return false
		}
	}
	return true
}

// Outcome summarises a result: "pass", "fail at FILE:LINE" or "error".
func Outcome(r *Result) string {
	switch {
	case r == nil:
		return "none"
	case r.Passed:
		return "pass"
	case r.Failure != nil:
		return "fail at " + r.Failure.Pos.String()
	default:
		return "error"
	}
}

// String renders the comparison: both outcomes, then the diff of every
// client whose streams differ.
func (c *Comparison) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "simulation: %s\n", describe(c.Sim))
	fmt.Fprintf(&b, "server:     %s\n", describe(c.Server))
	for _, cl := range c.Clients {
		if cl.Equal() {
			fmt.Fprintf(&b, "%s: same %d stanzas\n", cl.Client, len(cl.Sim))
			continue
		}
		fmt.Fprintf(&b, "%s: differs (-simulation +server):\n", cl.Client)
		b.WriteString(cl.Diff())
	}
	return b.String()
}

func describe(r *Result) string {
	switch {
	case r.Passed:
		return "pass"
	case r.Failure != nil:
		return "FAIL " + r.Failure.Error()
	case r.Err != nil:
		return "ERROR " + r.Err.Error()
	}
	return "?"
}

// Compare runs script on the simulation (opts.Profile, seed 0, no
// latency) and on the real server of opts.Server, and lines up what
// each client received. The server must be given fresh accounts
// (ServerDriver's run prefix) for the comparison to mean anything.
//
// Before comparing, each received stanza is canonicalised
// (model.Canonical) and masked so that values that legitimately differ
// between runs do not count:
//   - every client's bound full JID becomes ${Name's full JID}
//     (generated resources differ), then the run prefix is removed;
//   - an id attribute that no sends in the script uses becomes "*"
//     (roster and blocklist push ids, server-generated ids);
//   - delay stamps, the seconds of jabber:iq:last and the <utc> and
//     <tzo> of entity time become "*" (clock-dependent);
//   - the children of disco#info queries, roster queries and blocklists
//     are sorted (Prosody iterates Lua hashes there: unordered, §0).
//
// Only what the script's actions caused is compared (Result.EndSeq):
// the runner's own closing of the clients still connected at the end is
// left out. Stream errors and pings are not stanzas and are not listed. A run
// stops at its first failure, so after a failure the streams differ by
// construction; compare the outcomes first.
func Compare(script *Script, opts CompareOptions) *Comparison {
	prof := opts.Profile
	if prof == nil {
		p := model.Prosody012()
		prof = &p
	}
	base := RunOptions{Strict: opts.Strict, Timeout: opts.Timeout, NothingGrace: opts.NothingGrace}
	simOpts := base
	simOpts.Profile = prof
	srvOpts := base
	srvOpts.Driver = opts.Server
	c := &Comparison{Sim: Run(script, simOpts), Server: Run(script, srvOpts)}
	c.Prefix = c.Server.Prefix
	ids := SentIDs(script)
	simM := NewMasker(c.Sim.Trace, "", ids)
	srvM := NewMasker(c.Server.Trace, c.Prefix, ids)
	for _, cl := range script.Clients {
		c.Clients = append(c.Clients, ClientStreams{
			Client: cl.Name,
			Sim:    simM.Stream(c.Sim.Trace[:c.Sim.EndSeq], cl.Name),
			Server: srvM.Stream(c.Server.Trace[:c.Server.EndSeq], cl.Name),
		})
	}
	return c
}

// SentIDs collects the literal id attributes of every stanza the script
// sends: the ids a Masker keeps.
func SentIDs(s *Script) map[string]bool {
	ids := make(map[string]bool)
	for _, a := range s.Actions {
		if a.Verb != Sends {
			continue
		}
		for _, st := range a.Stanzas {
			if id := st.Elem.SelectAttrValue("id", ""); id != "" {
				ids[id] = true
			}
		}
	}
	return ids
}

// Masker masks the values that legitimately differ between two runs of
// the same actions (on the simulation with another seed, or on a real
// server), as Compare describes, so that received stanzas can be
// compared as strings. It is what a differential property run needs to
// line up a simulation trace with a server trace.
type Masker struct {
	prefix string
	ids    map[string]bool
	jids   []string // full JIDs, longest first
	names  map[string]string
}

// NewMasker builds a masker for one run: trace supplies the clients'
// bound full JIDs (TraceConnect events), prefix is the run's node prefix
// ("" for none), and keepIDs the id values to leave alone (SentIDs).
func NewMasker(trace []sim.TraceEvent, prefix string, keepIDs map[string]bool) *Masker {
	m := &Masker{prefix: prefix, ids: keepIDs, names: make(map[string]string)}
	for _, ev := range trace {
		if ev.Kind == sim.TraceConnect {
			j := ev.JID.String()
			if _, ok := m.names[j]; !ok {
				m.names[j] = ev.Client
				m.jids = append(m.jids, j)
			}
		}
	}
	sort.SliceStable(m.jids, func(i, k int) bool { return len(m.jids[i]) > len(m.jids[k]) })
	return m
}

// Stream returns the masked stanzas client received in trace (deliveries,
// errors and offline flushes), in order.
func (m *Masker) Stream(trace []sim.TraceEvent, client string) []string {
	var out []string
	for _, ev := range trace {
		if ev.Client != client {
			continue
		}
		switch ev.Kind {
		case sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
			out = append(out, m.Stanza(ev.Stanza))
		}
	}
	return out
}

// Stanza returns the masked canonical form of a canonical stanza: a
// string to compare and to show, not XML to parse again — a client's
// variable keeps the quotes of the JID it replaced, so its apostrophe can
// sit inside single quotes (to='${Romeo's full JID}'), which reads like
// the scripts do. (Writing the variables into the element instead gives
// valid XML, but Canonical then spells them ${Romeo&apos;s full JID}.)
func (m *Masker) Stanza(s string) string {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(s); err != nil || doc.Root() == nil {
		return s
	}
	el := doc.Root()
	if id := el.SelectAttr("id"); id != nil && !m.ids[id.Value] {
		id.Value = "*"
	}
	maskVolatile(el, m.names2vars)
	return m.names2vars(model.Canonical(el))
}

// names2vars replaces the clients' full JIDs in s by their variables and
// removes the run prefix: what both sides of a comparison have in common.
func (m *Masker) names2vars(s string) string {
	for _, j := range m.jids {
		s = strings.ReplaceAll(s, j, "${"+m.names[j]+"'s full JID}")
	}
	return UnprefixNodes(s, m.prefix)
}

// maskVolatile masks el's clock-dependent values and sorts the children
// of the unordered lists. The sort keys are the children's canonical
// forms after norm, so that both sides of a comparison sort alike (a
// run prefix or a generated resource must not change the order).
func maskVolatile(el *etree.Element, norm func(string) string) {
	ns := el.SelectAttrValue("xmlns", "")
	switch {
	case el.Tag == "delay" && ns == "urn:xmpp:delay":
		if a := el.SelectAttr("stamp"); a != nil {
			a.Value = "*"
		}
	case el.Tag == "query" && ns == "jabber:iq:last":
		if a := el.SelectAttr("seconds"); a != nil {
			a.Value = "*"
		}
	case el.Tag == "time" && ns == "urn:xmpp:time", el.Tag == "query" && ns == "jabber:iq:time":
		for _, c := range el.ChildElements() {
			if c.Tag == "utc" || c.Tag == "tzo" {
				c.SetText("*")
			}
		}
	case el.Tag == "query" && (ns == "http://jabber.org/protocol/disco#info" || ns == "jabber:iq:roster"),
		el.Tag == "blocklist" && ns == "urn:xmpp:blocking":
		sortChildren(el, norm)
	}
	for _, c := range el.ChildElements() {
		maskVolatile(c, norm)
	}
}

// sortChildren orders el's child elements by their canonical form after
// norm.
func sortChildren(el *etree.Element, norm func(string) string) {
	kids := el.ChildElements()
	keys := make(map[*etree.Element]string, len(kids))
	for _, c := range kids {
		sortChildren(c, norm)
		el.RemoveChild(c)
		keys[c] = norm(model.Canonical(c))
	}
	sort.SliceStable(kids, func(i, j int) bool { return keys[kids[i]] < keys[kids[j]] })
	for _, c := range kids {
		el.AddChild(c)
	}
}
