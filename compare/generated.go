package compare

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/sim"
)

// Server-generated values: what a server makes up and a client can only
// echo (MAM archive ids, instant pubsub node names, generated item ids,
// HTTP upload slot URLs and tokens, XEP-0215 credentials). Their values
// differ between runs, but which stanzas carry the same value does not:
// the result id of an archived message is the stanza-id it was delivered
// with, a generated item id is the one the publish answer announced. So
// each value becomes a numbered placeholder, ${kind N}, N counting the
// distinct values of that kind in the order the masker meets them: the
// same value gives the same placeholder on each side, and two sides that
// reuse generated values differently differ.
//
// The values are found by protocol position (namespace, element,
// attribute), never by script. A value some client sent (an item id or a
// node the script chose) is not generated and stays literal.

// Namespaces whose elements carry generated values.
const (
	nsMAM        = "urn:xmpp:mam:2"
	nsSID        = "urn:xmpp:sid:0"
	nsRSM        = "http://jabber.org/protocol/rsm"
	nsDiscoItems = "http://jabber.org/protocol/disco#items"
	nsPubsub     = "http://jabber.org/protocol/pubsub"
	nsPubsubEv   = "http://jabber.org/protocol/pubsub#event"
	nsPubsubOwn  = "http://jabber.org/protocol/pubsub#owner"
	nsUpload     = "urn:xmpp:http:upload:0"
	nsExtdisco   = "urn:xmpp:extdisco:2"
	nsOccupantID = "urn:xmpp:occupant-id:0"
	nsCommands   = "http://jabber.org/protocol/commands"
)

// generated numbers the generated values one masker met, per kind.
type generated struct {
	prefix string                       // the run's node prefix
	sent   map[string]bool              // values some client sent: literal
	values map[string]map[string]string // kind -> value -> placeholder
}

// newGenerated collects the attribute values and texts of every stanza
// the trace shows a client sending (prefix removed as well as not).
func newGenerated(trace []sim.TraceEvent, prefix string) *generated {
	g := &generated{prefix: prefix, sent: make(map[string]bool), values: make(map[string]map[string]string)}
	for i := range trace {
		ev := &trace[i]
		if ev.Kind != sim.TraceSend || ev.Canonical() == "" {
			continue
		}
		doc := etree.NewDocument()
		if err := doc.ReadFromString(ev.Canonical()); err != nil || doc.Root() == nil {
			continue
		}
		var walk func(el *etree.Element)
		walk = func(el *etree.Element) {
			for _, a := range el.Attr {
				g.addSent(a.Value, prefix)
			}
			if t := strings.TrimSpace(el.Text()); t != "" {
				g.addSent(t, prefix)
			}
			for _, c := range el.ChildElements() {
				walk(c)
			}
		}
		walk(doc.Root())
	}
	return g
}

func (g *generated) addSent(v, prefix string) {
	g.sent[v] = true
	g.sent[UnprefixNodes(v, prefix)] = true
}

// placeholder returns the placeholder of value v of kind, numbering it
// when first met; a sent or empty value is returned as it is.
func (g *generated) placeholder(kind, v string) string {
	if v == "" || g.sent[v] {
		return v
	}
	byValue := g.values[kind]
	if byValue == nil {
		byValue = make(map[string]string)
		g.values[kind] = byValue
	}
	p, ok := byValue[v]
	if !ok {
		p = "${" + kind + " " + strconv.Itoa(len(byValue)+1) + "}"
		byValue[v] = p
	}
	return p
}

func (g *generated) attr(el *etree.Element, key, kind string) {
	if a := el.SelectAttr(key); a != nil {
		a.Value = g.placeholder(kind, a.Value)
	}
}

// turnUsername is the username Prosody derives for time-limited TURN
// credentials (mod_external_services with a shared secret): the expiry
// time in seconds, optionally followed by ':' and more.
var turnUsername = regexp.MustCompile(`^[0-9]+(:.*)?$`)

// archiveOf returns the kind of an archive id in archive (a bare JID,
// the run prefix removed): archive ids are numbered per archive, as each
// archive numbers its own, so that the order in which one action's
// stanzas reach different archives' clients (hash order) does not matter.
func (g *generated) archiveOf(archive string) string {
	if i := strings.IndexByte(archive, '/'); i >= 0 {
		archive = archive[:i]
	}
	return UnprefixNodes(archive, g.prefix) + "'s archive id"
}

// Mask replaces the generated values in stanza el (a root).
func (g *generated) Mask(el *etree.Element) {
	g.mask(el, "", g.archiveOf(el.SelectAttrValue("to", "")))
}

// mask replaces the generated values in el and its descendants; ns is the
// namespace in scope at el, archive the kind of the ids of the archive a
// query result reads (the recipient's).
func (g *generated) mask(el *etree.Element, ns, archive string) {
	if x := el.SelectAttr("xmlns"); x != nil {
		ns = x.Value
	}
	switch ns {
	case nsSID:
		if el.Tag == "stanza-id" {
			g.attr(el, "id", g.archiveOf(el.SelectAttrValue("by", "")))
		}
	case nsMAM:
		switch el.Tag {
		case "result", "start", "end":
			g.attr(el, "id", archive)
		}
	case nsRSM:
		// first before last whatever their order (Prosody writes the
		// <set> children in hash order), so that both sides number alike.
		if el.Tag == "set" {
			for _, tag := range []string{"first", "last"} {
				if c := el.SelectElement(tag); c != nil {
					c.SetText(g.placeholder(archive, c.Text()))
				}
			}
		}
	case nsPubsub, nsPubsubEv, nsPubsubOwn:
		g.attr(el, "node", "pubsub node")
		if el.Tag == "item" || el.Tag == "retract" {
			g.attr(el, "id", "item id")
		}
	case nsUpload:
		switch el.Tag {
		case "get", "put":
			g.attr(el, "url", "upload url")
		case "header":
			el.SetText(g.placeholder("upload header", el.Text()))
		}
	case nsCommands:
		// XEP-0050: the session id of a command (a UUID on Prosody).
		if el.Tag == "command" {
			g.attr(el, "sessionid", "command session")
		}
	case nsOccupantID:
		// XEP-0421: a hash of the real JID salted per room (a random
		// salt); one occupant keeps one id in a room.
		if el.Tag == "occupant-id" {
			g.attr(el, "id", "occupant id")
		}
	case nsExtdisco:
		if el.Tag == "service" && turnUsername.MatchString(el.SelectAttrValue("username", "")) {
			g.attr(el, "username", "turn username")
			g.attr(el, "password", "turn password")
		}
	}
	for _, c := range el.ChildElements() {
		g.mask(c, ns, archive)
	}
}

// hasGenerated says whether canonical stanza s may hold a generated value
// or a namespace declaration (normalizeNamespaces): whether it must take
// the parsed path.
func hasGenerated(s string) bool {
	for _, ns := range []string{nsSID, nsMAM, nsRSM, nsPubsub, nsUpload, nsExtdisco, nsOccupantID, nsCommands, "xmlns:"} {
		if strings.Contains(s, ns) {
			return true
		}
	}
	return false
}

// normalizeNamespaces removes what XML namespaces make meaningless: an
// xmlns equal to the namespace in scope (Prosody 13 writes one on each
// pubsub <item>), and a prefix declaration (xmlns:P) that no element or
// attribute of the stanza uses — scripts copied from a stream carry
// xmlns:stream, which a server's parser does not keep on the stanza.
func normalizeNamespaces(el *etree.Element, ns string) {
	used := map[string]bool{}
	usedPrefixes(el, used)
	dropRedundant(el, ns, used)
}

// usedPrefixes records the prefixes el's subtree uses on elements and
// attributes (a declaration itself is no use).
func usedPrefixes(el *etree.Element, used map[string]bool) {
	used[el.Space] = true
	for _, a := range el.Attr {
		if a.Space != "xmlns" {
			used[a.Space] = true
		}
	}
	for _, c := range el.ChildElements() {
		usedPrefixes(c, used)
	}
}

// dropRedundant removes the redundant declarations below el. ns is the
// namespace in scope at el's parent.
func dropRedundant(el *etree.Element, ns string, used map[string]bool) {
	kept := el.Attr[:0]
	for _, a := range el.Attr {
		switch {
		case a.Space == "" && a.Key == "xmlns" && a.Value == ns && el.Parent() != nil && el.Parent().Parent() != nil:
			continue
		case a.Space == "xmlns" && !used[a.Key]:
			continue
		}
		kept = append(kept, a)
	}
	el.Attr = kept
	if x := el.SelectAttr("xmlns"); x != nil {
		ns = x.Value
	}
	for _, c := range el.ChildElements() {
		dropRedundant(c, ns, used)
	}
}
