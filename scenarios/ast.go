package scenarios

import (
	"strconv"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/jid"
)

// Script is a parsed .scs file (§1).
type Script struct {
	// File is the name given to Parse; positions refer to it.
	File string
	// Title is the text of the first line when it is a "#" comment (§1.2).
	Title string
	// Description is the text of the "#" lines directly below the title,
	// joined with newlines.
	Description string
	// Tags are the "##" lines before the first definition (§1.2).
	Tags []Tag
	// Clients are the [Client] definitions in file order (§1.3).
	Clients []*Client
	// Actions are the actions in file order (§1.6). Their 1-based index in
	// this slice is the action number of §5.2.
	Actions []*Action
	// Trailer holds the comment lines after the last action, as written.
	Trailer []string
	// Warnings are problems that do not stop the script from running:
	// unknown property keys, blocks holding several stanzas, and so on.
	Warnings ErrorList
}

// Client returns the client named name, or nil.
func (s *Script) Client(name string) *Client {
	for _, c := range s.Clients {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Tag is one "##" line: "## slow" has Name "slow" and an empty Value;
// "## status: stable" has Name "status" and Value "stable". The line is
// split at its first colon and both halves are trimmed.
type Tag struct {
	Name, Value string
	Pos         Pos
}

// String returns the tag as written after "## ".
func (t Tag) String() string {
	if t.Value == "" {
		return t.Name
	}
	return t.Name + ": " + t.Value
}

// Client is a [Client] definition (§1.3).
type Client struct {
	// Name is everything after "] " on the definition line, trimmed. It
	// may contain spaces and apostrophes ("Juliet's phone").
	Name string
	// Props are the property lines in file order, including keys this
	// package does not know (kept, with a parse warning).
	Props []Property
	// Comments are the comment lines written just above the definition.
	Comments []string
	Pos      Pos
}

// Property is one indented "key: value" line of a definition.
type Property struct {
	Key, Value string
	Pos        Pos
}

// Known client property keys (§1.3).
const (
	PropJID         = "jid"
	PropPassword    = "password"
	PropResource    = "resource"
	PropConnectHost = "connect_host"
	PropConnectPort = "connect_port"
)

// Prop returns the value of the property key and whether it is set.
func (c *Client) Prop(key string) (string, bool) {
	for _, p := range c.Props {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// JID returns the parsed jid property (with its resource, if it has
// one), or the zero JID when it is missing or malformed. Parse rejects
// scripts where either is the case.
func (c *Client) JID() jid.JID {
	v, _ := c.Prop(PropJID)
	j, err := jid.Parse(v)
	if err != nil {
		return jid.JID{}
	}
	return j
}

// Resource returns the resource the client requests at bind: the
// resource property when set, else the resource of the jid property,
// else "" (the server generates one). §1.3 leaves the precedence open;
// scansim lets the explicit property win.
func (c *Client) Resource() string {
	if r, ok := c.Prop(PropResource); ok && r != "" {
		return r
	}
	return c.JID().Resource
}

// Verb is what an action does (§2).
type Verb uint8

// The four verbs of the Client class.
const (
	Connects Verb = iota + 1
	Disconnects
	Sends
	Receives
)

var verbNames = [...]string{Connects: "connects", Disconnects: "disconnects", Sends: "sends", Receives: "receives"}

// String returns the verb as written in a script.
func (v Verb) String() string {
	if int(v) < len(verbNames) && verbNames[v] != "" {
		return verbNames[v]
	}
	return "verb(" + strconv.Itoa(int(v)) + ")"
}

func verbByName(s string) Verb {
	for v, n := range verbNames {
		if n != "" && n == s {
			return Verb(v)
		}
	}
	return 0
}

// Action is one action line with its data (§1.6).
type Action struct {
	Client string // the character's name
	Verb   Verb
	// Nothing is set for "receives: nothing".
	Nothing bool
	// Stanzas are the top-level elements of a sends or receives block, in
	// order. Usually exactly one; more draw a parse warning (§1.6, §10).
	Stanzas []*Stanza
	// Data is the action's data as written: the inline text after the
	// colon and the indented block below, trimmed. Empty for connects and
	// disconnects.
	Data string
	// Comments are the comment lines written above the action, as written
	// (including the marker: "# ...", "// ...", "-- ...").
	Comments []string
	Pos      Pos
}

// Stanza is one top-level element of a sends or receives block.
//
// Elem is parsed as if the block were wrapped in an element declaring
// the default namespace jabber:client and the prefix scansion (§4.1):
// Elem's parent is such a wrapper, so Elem.NamespaceURI() works. Its
// attribute values still hold ${...} variables, which are substituted
// when the action runs. Whitespace-only text between child elements is
// removed; in receives blocks, where whitespace-only text means "don't
// care" (§4.5 rule 5), all whitespace-only text is removed.
//
// Parse compiles Elem for its action (as a stanza to send, or as an
// expected one) and keeps the result with the Stanza for every run: so
// Elem must not be changed in place after Parse. To change a stanza, give
// it a new Elem (as PrefixNodes does); a Stanza whose Elem is not the one
// compiled, or that Parse did not make, is compiled by each run.
type Stanza struct {
	Elem *etree.Element
	Raw  string // the element's source text, as written
	Pos  Pos    // the line of its start tag

	compiled compiledStanza // made by Parse from Elem; read-only afterwards
}
