package compare

import (
	"regexp"
	"sort"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// Masker masks the values that legitimately differ between two runs of
// the same actions (on the simulation with another seed, or on a real
// server), so that received stanzas can be compared as strings:
//   - every client's bound full JID becomes ${Name's full JID}
//     (generated resources differ), then the run prefix is removed;
//   - an id attribute that is not in the kept ids becomes "*" (roster and
//     blocklist push ids, server-generated ids);
//   - delay stamps, the seconds of jabber:iq:last, the <utc> and
//     <tzo> of entity time and the timestamps of a MAM archive's
//     <metadata/> (XEP-0313 §6.1: its first and last message's archive
//     times) become "*" (clock-dependent);
//   - server-generated values (archive ids, generated pubsub nodes and
//     items, upload slots, TURN credentials) become numbered
//     placeholders, the same value the same placeholder (generated.go);
//   - the values of a data form's list-multi field are sorted (a set;
//     Prosody lists a room's presence-broadcast roles in hash order);
//   - the fields of a room's configuration or information form are
//     sorted by var within each section (Prosody adds them from event
//     handlers, and those of equal priority run in an order drawn at
//     each start of the server: hookBuiltForm);
//   - the nick of a vanished room's item-not-found answer to a presence
//     becomes "*" (which of a session's nicks leaves the room first is
//     hash order: maskVanishedRoomNick);
//   - namespace declarations that change nothing are dropped;
//   - the children of disco#info queries, roster queries, blocklists,
//     disco#items queries without a node and RSM <set>s are sorted
//     (Prosody iterates Lua hashes there, whose order Lua 5.4 seeds
//     afresh in every process: unordered, §0; 13.0.1's mod_disco lists
//     a host's components with pairs, util.rsm writes count, first and
//     last with pairs).
type Masker struct {
	prefix string
	ids    map[string]bool
	jids   []string          // full JIDs, longest first
	names  map[string]string // full JID -> client
	bare   map[string]string // client -> its bare JID, prefix removed
	gen    *generated        // server-generated values met so far
}

// Bare returns the bare JID client bound (the run prefix removed), ""
// for a client that never connected.
func (m *Masker) Bare(client string) string { return m.bare[client] }

// NewMasker builds a masker for one run: trace supplies the clients'
// bound full JIDs (TraceConnect events), prefix is the run's node prefix
// ("" for none), and keepIDs the id values to leave alone (scenarios.SentIDs for a script).
func NewMasker(trace []sim.TraceEvent, prefix string, keepIDs map[string]bool) *Masker {
	m := &Masker{prefix: prefix, ids: keepIDs, names: make(map[string]string), bare: make(map[string]string),
		gen: newGenerated(trace, prefix)}
	for _, ev := range trace {
		if ev.Kind == sim.TraceConnect {
			j := ev.JID.String()
			if _, ok := m.names[j]; !ok {
				m.names[j] = ev.Client
				m.jids = append(m.jids, j)
			}
			m.bare[ev.Client] = UnprefixNodes(ev.JID.Bare().String(), prefix)
		}
	}
	sort.SliceStable(m.jids, func(i, k int) bool { return len(m.jids[i]) > len(m.jids[k]) })
	return m
}

// Stream returns the masked stanzas client received in trace (deliveries,
// errors and offline flushes), in order.
func (m *Masker) Stream(trace []sim.TraceEvent, client string) []string {
	var out []string
	for i := range trace {
		ev := &trace[i]
		if ev.Client != client {
			continue
		}
		switch ev.Kind {
		case sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
			out = append(out, m.Event(ev))
		}
	}
	return out
}

// Learn meets the generated values of what trace's clients received
// (Stream's events) in an order that does not depend on how the server
// ordered them where its order means nothing: client by client (clients
// in name order), and within a client's stream sorted by the stanza with
// its generated values blanked (ties keep their order). A real server
// sends to different clients over different connections, so a trace's
// cross-client order is timing: one MUC join sends the newcomer's
// occupant-id to the others and theirs to the newcomer. And within one
// stream Prosody lists a room's occupants in hash order. The comparison
// takes each client's step as a multiset (Judge); called with a step's
// events on each side before masking them, Learn makes two sides that
// sent the same multisets number their values alike.
func (m *Masker) Learn(trace []sim.TraceEvent) {
	byClient := map[string][]*sim.TraceEvent{}
	var names []string
	for i := range trace {
		ev := &trace[i]
		switch ev.Kind {
		case sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
		default:
			continue
		}
		if _, ok := byClient[ev.Client]; !ok {
			names = append(names, ev.Client)
		}
		byClient[ev.Client] = append(byClient[ev.Client], ev)
	}
	sort.Strings(names)
	for _, c := range names {
		evs := byClient[c]
		if len(evs) > 1 {
			blind := make(map[*sim.TraceEvent]string, len(evs))
			for _, ev := range evs {
				blind[ev] = m.blind(ev)
			}
			sort.SliceStable(evs, func(i, k int) bool { return blind[evs[i]] < blind[evs[k]] })
		}
		for _, ev := range evs {
			m.Event(ev)
		}
	}
}

// placeholderNumber is the number of a generated value's placeholder.
var placeholderNumber = regexp.MustCompile(`(\$\{[^}]*) [0-9]+\}`)

// blind returns ev masked by a copy of m that has met no generated value,
// its placeholders' numbers removed: the stanza as Learn sorts it.
func (m *Masker) blind(ev *sim.TraceEvent) string {
	c := *m
	c.gen = &generated{prefix: m.gen.prefix, sent: m.gen.sent, values: map[string]map[string]string{}}
	return placeholderNumber.ReplaceAllString(c.Event(ev), "$1}")
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
	normalizeNamespaces(el, "")
	maskVanishedRoomNick(el)
	m.gen.Mask(el)
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
	case el.Tag == "query" && ns == nsRoster && isOpaqueVer(el.SelectAttrValue("ver", "")):
		// A roster version that is not a counter is a hash of the
		// server's own storage (ejabberd), which no model reproduces.
		el.SelectAttr("ver").Value = "*"
		sortChildren(el, norm)
	case el.Tag == "query" && ns == "jabber:iq:last":
		if a := el.SelectAttr("seconds"); a != nil {
			a.Value = "*"
		}
	case el.Tag == "metadata" && ns == nsMAM:
		for _, c := range el.ChildElements() {
			if a := c.SelectAttr("timestamp"); a != nil && (c.Tag == "start" || c.Tag == "end") {
				a.Value = "*"
			}
		}
	case el.Tag == "time" && ns == "urn:xmpp:time", el.Tag == "query" && ns == "jabber:iq:time":
		for _, c := range el.ChildElements() {
			if c.Tag == "utc" || c.Tag == "tzo" {
				c.SetText("*")
			}
		}
	case el.Tag == "query" && (ns == "http://jabber.org/protocol/disco#info" || ns == "jabber:iq:roster"),
		el.Tag == "query" && ns == nsDiscoItems && el.SelectAttr("node") == nil,
		el.Tag == "set" && ns == nsRSM,
		el.Tag == "blocklist" && ns == "urn:xmpp:blocking":
		sortChildren(el, norm)
	case el.Tag == "x" && ns == nsMUCUser:
		sortItems(el, norm)
	case el.Tag == "field" && el.SelectAttrValue("type", "") == "list-multi":
		// A list-multi's values are a set (XEP-0004 §3.3); Prosody
		// writes a room's presence-broadcast roles in hash order.
		sortValues(el)
	case el.Tag == "x" && ns == "jabber:x:data" && hookBuiltForm(el):
		// Prosody builds a room's configuration and information forms
		// in handlers of one event (muc-config-form, muc-disco#info);
		// handlers of equal priority run in an order util/events.lua
		// draws afresh at each start of the server (table.sort, not
		// stable, over a pairs() index): 13.0.1's muc_mam and
		// restrict_pm fields, both at priority 0, swap between starts.
		// What each section holds is behaviour and stays.
		sortFieldsInSections(el)
	case el.Tag == "message" && mucInvitation(el):
		// Prosody adds the body and the jabber:x:conference element
		// in two muc-invite handlers of equal priority, whose order
		// changes from one start of the server to the next.
		sortChildren(el, norm)
	}
	for _, c := range el.ChildElements() {
		maskVolatile(c, norm)
	}
}

// maskVanishedRoomNick masks the nick of a room's "no such room" answer
// to a presence: a presence error item-not-found (no text) from an
// occupant JID, by the room's service. Prosody sends a session's
// unavailable to every JID it sent directed presence to, from a table
// iterated in hash order (Lua 5.4 seeds it afresh in every process);
// when a session has joined one room under several nicks, the first of
// those unavailables to arrive leaves the room, which is destroyed if it
// empties, and every later one is answered item-not-found from the nick
// it was addressed to. Which nick does not get an error is hash order;
// how many errors come, and from which room, is behaviour and stays.
// (check --server against 13.0.1, seed 2.)
func maskVanishedRoomNick(el *etree.Element) {
	if !vanishedRoomError(el) {
		return
	}
	a := el.SelectAttr("from")
	a.Value = a.Value[:strings.IndexByte(a.Value, '/')+1] + "*"
}

func vanishedRoomError(el *etree.Element) bool {
	if el.Tag != "presence" || el.SelectAttrValue("type", "") != "error" {
		return false
	}
	from := el.SelectAttrValue("from", "")
	at, slash := strings.IndexByte(from, '@'), strings.IndexByte(from, '/')
	if at <= 0 || slash < at {
		return false
	}
	e := el.SelectElement("error")
	if e == nil || e.SelectAttrValue("by", "") != from[at+1:slash] || len(e.ChildElements()) != 1 {
		return false
	}
	c := e.ChildElements()[0]
	return c.Tag == "item-not-found" && c.SelectAttrValue("xmlns", "") == "urn:ietf:params:xml:ns:xmpp-stanzas"
}

// sortValues sorts the <value/> children of el by text, in the places
// they hold among its other children.
func sortValues(el *etree.Element) {
	var at []int
	var vals []etree.Token
	for i, t := range el.Child {
		if c, ok := t.(*etree.Element); ok && c.Tag == "value" {
			at = append(at, i)
			vals = append(vals, c)
		}
	}
	sort.SliceStable(vals, func(i, k int) bool {
		return vals[i].(*etree.Element).Text() < vals[k].(*etree.Element).Text()
	})
	for j, i := range at {
		el.Child[i] = vals[j]
	}
}

// nsMUCUser is XEP-0045's occupant namespace: Prosody lists an
// occupant's sessions (one <item/> each) in hash order.
const nsMUCUser = "http://jabber.org/protocol/muc#user"

// mucInvitation: el carries a mediated invitation or decline (XEP-0045
// §7.8.2).
func mucInvitation(el *etree.Element) bool {
	for _, x := range el.ChildElements() {
		if x.Tag == "x" && x.SelectAttrValue("xmlns", "") == nsMUCUser &&
			(x.SelectElement("invite") != nil || x.SelectElement("decline") != nil) {
			return true
		}
	}
	return false
}

// sortItems orders el's <item/> children among themselves, by canonical
// form after norm; the other children keep their places. An <x/> of
// status codes alone (a configuration change announced to the room) has
// its codes sorted: Prosody lists them from a set, in hash order. Other
// status codes keep the server's order (in a presence it is fixed: 201,
// the items, 110).
func sortItems(el *etree.Element, norm func(string) string) {
	var slots []int
	var items []*etree.Element
	onlyStatus := true
	for _, c := range el.ChildElements() {
		if c.Tag != "status" {
			onlyStatus = false
		}
	}
	for i, t := range el.Child {
		if c, ok := t.(*etree.Element); ok && (c.Tag == "item" || onlyStatus) {
			slots = append(slots, i)
			items = append(items, c)
		}
	}
	if len(items) < 2 {
		return
	}
	keys := make(map[*etree.Element]string, len(items))
	for _, c := range items {
		keys[c] = norm(model.Canonical(c))
	}
	sort.SliceStable(items, func(i, j int) bool { return keys[items[i]] < keys[items[j]] })
	for k, i := range slots {
		el.Child[i] = items[k]
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

// UnprefixNodes removes prefix from the front of every node that carries
// it in s (a canonical stanza, a trace line): the inverse of the run
// prefix a driver puts on every node (driver.PrefixValue), for comparing
// a real-server run with the simulation.
func UnprefixNodes(s, prefix string) string {
	if prefix == "" {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, prefix)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		// Only at the start of a value: after a quote, '>' or a space.
		if i == 0 || strings.ContainsRune("'\"> \t\n", rune(s[i-1])) {
			b.WriteString(s[:i])
		} else {
			b.WriteString(s[:i+len(prefix)])
		}
		s = s[i+len(prefix):]
	}
}

const nsRoster = "jabber:iq:roster"

// isOpaqueVer: v is a roster version but not a decimal counter.
func isOpaqueVer(v string) bool {
	if v == "" {
		return false
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return true
		}
	}
	return false
}

// hookBuiltForm: el is a data form whose fields Prosody's MUC adds from
// several event handlers: a room's configuration (XEP-0045 §10.2) or
// information (§15.5.4) form, by its FORM_TYPE.
func hookBuiltForm(el *etree.Element) bool {
	for _, f := range el.SelectElements("field") {
		if f.SelectAttrValue("var", "") == "FORM_TYPE" {
			v := f.SelectElement("value")
			if v == nil {
				return false
			}
			t := v.Text()
			return t == "http://jabber.org/protocol/muc#roomconfig" || t == "http://jabber.org/protocol/muc#roominfo"
		}
	}
	return false
}

// sortFieldsInSections orders the <field/> children of a form by var
// within each section: a run of fields between fixed fields (a
// section's heading) or the FORM_TYPE; headings, the FORM_TYPE and the
// other children keep their places.
func sortFieldsInSections(el *etree.Element) {
	var run []int
	flush := func() {
		if len(run) < 2 {
			run = run[:0]
			return
		}
		fs := make([]*etree.Element, len(run))
		for j, i := range run {
			fs[j] = el.Child[i].(*etree.Element)
		}
		sort.SliceStable(fs, func(a, b int) bool {
			return fs[a].SelectAttrValue("var", "") < fs[b].SelectAttrValue("var", "")
		})
		for j, i := range run {
			el.Child[i] = fs[j]
		}
		run = run[:0]
	}
	for i, t := range el.Child {
		c, ok := t.(*etree.Element)
		if !ok || c.Tag != "field" {
			continue
		}
		if c.SelectAttrValue("type", "") == "fixed" || c.SelectAttrValue("var", "") == "FORM_TYPE" {
			flush()
			continue
		}
		run = append(run, i)
	}
	flush()
}
