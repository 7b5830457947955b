package properties

import (
	"fmt"
	"sort"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
)

// OpKind is what an Op does to the simulation.
type OpKind uint8

const (
	OpConnect    OpKind = iota + 1 // bind a new session in a slot
	OpDisconnect                   // clean close (</stream:stream>)
	OpDrop                         // abrupt transport loss
	OpSend                         // the slot's session sends one stanza
	OpRestart                      // the server restarts (sessions lost, storage kept)
)

// Op is one generated action, independent of rapid so that it can be
// replayed (golden runs, scripts, determinism checks). Addresses inside
// Stanza may use placeholders that are resolved when the op is applied:
//
//	{full:SLOT}  the full JID most recently bound in SLOT
//	             (user@localhost/SLOTLETTER if the slot never bound)
type Op struct {
	Name   string // the rapid action that made it, for logs
	Kind   OpKind
	Slot   string // "u1a": user u1, resource slot a
	Res    string // OpConnect: requested resource ("" = server-generated)
	Stanza string // OpSend: the stanza, with placeholders
	// Pipe: an OpSend written right behind the op before it (also a
	// send), before the server answered it: the two belong to one group,
	// a burst of one session or a concurrent action of several
	// (group.go).
	Pipe bool

	// val is Stanza as a value, when the machine built it (opstanza.go);
	// valText the text it was built for (an op whose Stanza was since
	// rewritten, by the shrinker, is parsed again).
	val     stanza.Stanza
	valText string
	// act numbers the rapid action that applied the op (1, 2, ...; 0:
	// not from an action), so that a shrunk sequence can be counted in
	// actions as well as in ops (Failure.ShrunkActions)
	act int
}

func (o Op) String() string {
	switch o.Kind {
	case OpConnect:
		r := o.Res
		if r == "" {
			r = "(generated)"
		}
		return fmt.Sprintf("%s: %s connects resource %s", o.Name, o.Slot, r)
	case OpDisconnect:
		return fmt.Sprintf("%s: %s disconnects", o.Name, o.Slot)
	case OpDrop:
		return fmt.Sprintf("%s: %s drops", o.Name, o.Slot)
	case OpRestart:
		return fmt.Sprintf("%s: the server restarts", o.Name)
	}
	if o.Pipe {
		return fmt.Sprintf("%s: %s sends, without waiting, %s", o.Name, o.Slot, o.Stanza)
	}
	return fmt.Sprintf("%s: %s sends %s", o.Name, o.Slot, o.Stanza)
}

// slotUser returns "u1" for "u1a".
func slotUser(slot string) string { return slot[:len(slot)-1] }

// slotLetter returns "a" for "u1a".
func slotLetter(slot string) string { return slot[len(slot)-1:] }

// parseStanza parses one element from s into an etree element: an op's
// stanza for a real server (wire.go), whose driver sends elements. The
// harness and the checks read stanza values (parseValue).
func parseStanza(s string) (*etree.Element, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(s); err != nil {
		return nil, err
	}
	if doc.Root() == nil {
		return nil, fmt.Errorf("no element in %q", s)
	}
	el := doc.Root()
	doc.RemoveChild(el)
	return el, nil
}

// xq quotes an attribute value for the single-quoted XML the ops build.
func xq(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", "'", "&apos;")
	return r.Replace(s)
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		if v {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

const (
	nsClient    = "jabber:client"
	nsStanzas   = "urn:ietf:params:xml:ns:xmpp-stanzas"
	nsRoster    = "jabber:iq:roster"
	nsBlocking  = "urn:xmpp:blocking"
	nsPrivacy   = "jabber:iq:privacy"
	nsBlockErr  = "urn:xmpp:blocking:errors"
	nsDelay     = "urn:xmpp:delay"
	nsVCardHint = "vcard-temp:x:update"
	nsDiscoInfo = "http://jabber.org/protocol/disco#info"
	nsVersion   = "jabber:iq:version"
	nsLast      = "jabber:iq:last"
	nsPing      = "urn:xmpp:ping"
)
