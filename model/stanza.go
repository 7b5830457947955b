package model

import (
	"strconv"

	"github.com/beevik/etree"
)

// Namespaces the model reads or writes.
const (
	nsClient     = "jabber:client"
	nsStanzas    = "urn:ietf:params:xml:ns:xmpp-stanzas"
	nsStreams    = "urn:ietf:params:xml:ns:xmpp-streams"
	nsRoster     = "jabber:iq:roster"
	nsBlocking   = "urn:xmpp:blocking"
	nsBlockErr   = "urn:xmpp:blocking:errors"
	nsDelay      = "urn:xmpp:delay"
	nsVCardHint  = "vcard-temp:x:update"
	nsCarbons    = "urn:xmpp:carbons:2"
	nsForward    = "urn:xmpp:forward:0"
	nsHints      = "urn:xmpp:hints"
	nsStanzaID   = "urn:xmpp:sid:0"
	nsDiscoInfo  = "http://jabber.org/protocol/disco#info"
	nsDiscoItems = "http://jabber.org/protocol/disco#items"
	nsVersion    = "jabber:iq:version"
	nsLast       = "jabber:iq:last"
	nsPing       = "urn:xmpp:ping"
	nsTime       = "urn:xmpp:time"
	nsLegacyTime = "jabber:iq:time"
	nsSession    = "urn:ietf:params:xml:ns:xmpp-session"
	nsMUCUser    = "http://jabber.org/protocol/muc#user"
)

// stampFormat is XEP-0082 DateTime with whole seconds, as Prosody writes
// delay stamps on every version (§3.1, §5.5, §9.8).
const stampFormat = "2006-01-02T15:04:05Z"

// selectAttr is el.SelectAttr(key): for a key without a prefix, the
// first attribute with that local name, whatever its prefix. It skips
// SelectAttr's splitting of the key, which the routing paths call for
// every stanza.
func selectAttr(el *etree.Element, key string) *etree.Attr {
	if hasColon(key) || key == "" {
		return el.SelectAttr(key)
	}
	// The first byte is compared before the whole key: most of a
	// stanza's attribute names have the length of another (from, type,
	// lang) but not its first letter, and a string comparison of equal
	// lengths is a call.
	for i := range el.Attr {
		if k := el.Attr[i].Key; len(k) == len(key) && k[0] == key[0] && k == key {
			return &el.Attr[i]
		}
	}
	return nil
}

// hasColon reports whether an attribute key has a prefix; keys are a few
// bytes long, where a loop beats strings.IndexByte's call.
func hasColon(key string) bool {
	for i := 0; i < len(key); i++ {
		if key[i] == ':' {
			return true
		}
	}
	return false
}

// removeAttr is el.RemoveAttr(key) without building the removed
// attribute: an unprefixed key removes the first attribute with that
// local name and no prefix.
func removeAttr(el *etree.Element, key string) {
	if hasColon(key) {
		el.RemoveAttr(key)
		return
	}
	for i := range el.Attr {
		if el.Attr[i].Space == "" && el.Attr[i].Key == key {
			el.Attr = append(el.Attr[:i], el.Attr[i+1:]...)
			return
		}
	}
}

// attr returns the value of key ("to", "xml:lang", ...) and whether it is present.
func attr(el *etree.Element, key string) (string, bool) {
	a := selectAttr(el, key)
	if a == nil {
		return "", false
	}
	return a.Value, true
}

func attrOr(el *etree.Element, key string) string {
	if a := selectAttr(el, key); a != nil {
		return a.Value
	}
	return ""
}

// setAttr sets key, or removes it when present is false; this mirrors
// Lua's `stanza.attr.k = v_or_nil`.
func setAttr(el *etree.Element, key, val string, present bool) {
	if present {
		el.CreateAttr(key, val)
	} else {
		removeAttr(el, key)
	}
}

// ns is the resolved namespace of el; an element outside any declaration
// is in the stream's default namespace, jabber:client.
func ns(el *etree.Element) string {
	if u := el.NamespaceURI(); u != "" {
		return u
	}
	return nsClient
}

// childElements returns el's element children in document order.
func childElements(el *etree.Element) []*etree.Element { return el.ChildElements() }

// child returns the first child element with the given local name and
// namespace, or nil (also when el is nil).
func child(el *etree.Element, name, space string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok && c.Tag == name && ns(c) == space {
			return c
		}
	}
	return nil
}

// firstChildElement is el's first element child, or nil: childElements(el)[0]
// without the slice.
func firstChildElement(el *etree.Element) *etree.Element {
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok {
			return c
		}
	}
	return nil
}

// countChildElements is len(childElements(el)) without the slice.
func countChildElements(el *etree.Element) int {
	n := 0
	for _, t := range el.Child {
		if _, ok := t.(*etree.Element); ok {
			n++
		}
	}
	return n
}

// childText returns the text of the first matching child and whether it exists.
func childText(el *etree.Element, name, space string) (string, bool) {
	c := child(el, name, space)
	if c == nil {
		return "", false
	}
	return c.Text(), true
}

// newStanza builds <name> with attributes given as key, value pairs; empty
// values are omitted (a Lua table with nil fields).
func newStanza(name string, kv ...string) *etree.Element {
	el := newElement(name)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			el.CreateAttr(kv[i], kv[i+1])
		}
	}
	return el
}

func newNS(parent *etree.Element, name, space string) *etree.Element {
	c := newElement(name)
	c.CreateAttr("xmlns", space)
	parent.AddChild(c)
	return c
}

// elementBox is an element the server builds (a reply, an error, a
// delay) with room for the attributes and children such elements have,
// in one allocation: etree.NewElement allocates the element and then
// each append to its attribute list grows it, which made element
// building the largest source of allocations in a replay.
type elementBox struct {
	el    etree.Element
	attrs [4]etree.Attr
	toks  [2]etree.Token
}

// newElement is etree.NewElement(tag) in one allocation (elementBox).
// More attributes or children than the box holds are appended as
// usual.
func newElement(tag string) *etree.Element {
	b := new(elementBox)
	initElement(&b.el, tag, b.attrs[:], b.toks[:])
	return &b.el
}

// initElement makes el a new, detached element named tag whose attribute
// and child lists start empty in the room given (nil: etree's own empty
// list, which grows on the first append).
func initElement(el *etree.Element, tag string, attrs []etree.Attr, toks []etree.Token) {
	*el = blankElement
	el.Tag = tag
	for i := 0; i < len(tag); i++ {
		if tag[i] == ':' { // as etree splits a prefixed name
			el.Space, el.Tag = tag[:i], tag[i+1:]
			break
		}
	}
	el.Attr = attrs[:0]
	if toks != nil {
		el.Child = toks[:0]
	}
}

// errorBox holds the three elements of an error reply (errorReply) in
// one allocation, each with the room it has: the reply's id, type, to,
// from and its <error>; the error's type, its condition and text; the
// condition's xmlns.
type errorBox struct {
	r      etree.Element
	rAttrs [4]etree.Attr
	rToks  [1]etree.Token
	e      etree.Element
	eAttrs [1]etree.Attr
	eToks  [2]etree.Token
	c      etree.Element
	cAttrs [1]etree.Attr
}

// errorReply builds the RFC 6120 error reply Prosody's util.stanza
// error_reply builds (§0.7): same element name, type error, to/from
// swapped, id copied, no payload, no xml:lang. text and app are optional.
func errorReply(st *etree.Element, typ, cond, text string, app *etree.Element) *etree.Element {
	b := new(errorBox)
	r := &b.r
	initElement(r, st.Tag, b.rAttrs[:], b.rToks[:])
	if id, ok := attr(st, "id"); ok {
		r.CreateAttr("id", id)
	}
	r.CreateAttr("type", "error")
	if from, ok := attr(st, "from"); ok {
		r.CreateAttr("to", from)
	}
	if to, ok := attr(st, "to"); ok {
		r.CreateAttr("from", to)
	}
	e := &b.e
	initElement(e, "error", b.eAttrs[:], b.eToks[:])
	e.CreateAttr("type", typ)
	r.AddChild(e)
	c := &b.c
	initElement(c, cond, b.cAttrs[:], nil)
	c.CreateAttr("xmlns", nsStanzas)
	e.AddChild(c)
	if text != "" {
		newNS(e, "text", nsStanzas).SetText(text)
	}
	if app != nil {
		e.AddChild(app)
	}
	return r
}

// reply builds st.reply: to/from swapped, id copied; iq type result.
func reply(st *etree.Element) *etree.Element {
	r := newElement(st.Tag)
	if id, ok := attr(st, "id"); ok {
		r.CreateAttr("id", id)
	}
	if st.Tag == "iq" {
		r.CreateAttr("type", "result")
	} else if t, ok := attr(st, "type"); ok {
		r.CreateAttr("type", t)
	}
	if from, ok := attr(st, "from"); ok {
		r.CreateAttr("to", from)
	}
	if to, ok := attr(st, "to"); ok {
		r.CreateAttr("from", to)
	}
	return r
}

// delay builds <delay xmlns='urn:xmpp:delay' from=host stamp=.../>.
func (s *Server) delayElement(at string) *etree.Element {
	d := newElement("delay")
	d.CreateAttr("xmlns", nsDelay)
	d.CreateAttr("from", s.host)
	d.CreateAttr("stamp", at)
	return d
}

// parsePriority implements §2.5: optional sign and digits, clamped to
// -128..127; anything else is 0.
func parsePriority(text string, present bool) int {
	if !present || text == "" {
		return 0
	}
	digits := text
	if digits[0] == '+' || digits[0] == '-' {
		digits = digits[1:]
	}
	if digits == "" {
		return 0
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return 0
		}
	}
	n, err := strconv.Atoi(text)
	if err != nil { // out of int range: clamp by sign
		if text[0] == '-' {
			return -128
		}
		return 127
	}
	if n < -128 {
		return -128
	}
	if n > 127 {
		return 127
	}
	return n
}
