package compare

import (
	"sort"
	"strings"

	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
)

// Event returns the masked stanza of a trace event: from the stanza value
// the event carries (Value), or from its canonical form (Stanza) for an
// event without one (a real server's) or whose Stanza was rewritten after
// it was recorded (a test double reordering a trace, say): the value
// counts only while it renders as the event's Stanza (a comparison of
// two equal strings, the canonical form being cached in the value).
func (m *Masker) Event(ev *sim.TraceEvent) string {
	if !ev.Value.IsZero() && ev.Value.Canonical() == ev.Canonical() {
		return m.Value(ev.Value)
	}
	return m.Stanza(ev.Canonical())
}

// Value is Stanza for a stanza value: the same masking, read from the
// value rather than from its canonical form parsed again. Attributes are
// looked up as Stanza finds them in the parsed canonical form: by local
// name, the first in canonical order.
func (m *Masker) Value(v stanza.Stanza) string {
	if v.IsZero() {
		return ""
	}
	if c := v.Canonical(); hasGenerated(c) || strings.HasPrefix(c, "<presence") && strings.Contains(c, "item-not-found") || strings.Contains(c, "'list-multi'") {
		// (A presence's item-not-found may be a vanished room's, whose
		// nick maskVanishedRoomNick masks, and a list-multi's values
		// are sorted, on the parsed path.)
		// Generated values are numbered in the order they are met, which
		// only the parsed path does; it masks everything else alike.
		return m.Stanza(c)
	}
	if space, id, ok := canonAttr(v, "id"); ok && !m.ids[id] {
		v = v.WithAttr(space, "id", "*")
	}
	v = maskVolatileValue(v, m.names2vars)
	return m.names2vars(v.Canonical())
}

// canonAttr returns the attribute named key (any prefix) that comes first
// in canonical order (prefix, then name).
func canonAttr(v stanza.Stanza, key string) (space, value string, ok bool) {
	for _, a := range v.Attrs() {
		if a.Key == key && (!ok || a.Space < space) {
			space, value, ok = a.Space, a.Value, true
		}
	}
	return space, value, ok
}

// maskVolatileValue is maskVolatile for a value: it returns v with the
// same values masked and the same children sorted, sharing what it does
// not change.
func maskVolatileValue(v stanza.Stanza, norm func(string) string) stanza.Stanza {
	_, ns, _ := canonAttr(v, "xmlns")
	mask := func(key string) {
		if space, _, ok := canonAttr(v, key); ok {
			v = v.WithAttr(space, key, "*")
		}
	}
	switch tag := v.Tag(); {
	case tag == "delay" && ns == "urn:xmpp:delay":
		mask("stamp")
	case tag == "query" && ns == "jabber:iq:last":
		mask("seconds")
	case tag == "metadata" && ns == nsMAM:
		v = mapElements(v, func(c stanza.Stanza) stanza.Stanza {
			if c.Tag() == "start" || c.Tag() == "end" {
				if space, _, ok := canonAttr(c, "timestamp"); ok {
					return c.WithAttr(space, "timestamp", "*")
				}
			}
			return c
		})
	case tag == "time" && ns == "urn:xmpp:time", tag == "query" && ns == "jabber:iq:time":
		v = mapElements(v, func(c stanza.Stanza) stanza.Stanza {
			if c.Tag() == "utc" || c.Tag() == "tzo" {
				return setText(c, "*")
			}
			return c
		})
	case tag == "query" && (ns == "http://jabber.org/protocol/disco#info" || ns == "jabber:iq:roster"),
		tag == "query" && ns == nsDiscoItems && !hasAttr(v, "node"),
		tag == "set" && ns == nsRSM,
		tag == "blocklist" && ns == "urn:xmpp:blocking":
		v = sortChildrenValue(v, norm)
	case tag == "x" && ns == nsMUCUser:
		v = sortItemsValue(v, norm)
	case tag == "message" && mucInvitationValue(v):
		v = sortChildrenValue(v, norm)
	}
	return mapElements(v, func(c stanza.Stanza) stanza.Stanza { return maskVolatileValue(c, norm) })
}

// children returns v's children as stanza.New takes them.
func children(v stanza.Stanza) []stanza.Child {
	out := make([]stanza.Child, 0, v.NumChild())
	for i := 0; i < v.NumChild(); i++ {
		if el, text := v.ChildAt(i); !el.IsZero() {
			out = append(out, stanza.Elem(el))
		} else {
			out = append(out, stanza.Text(text))
		}
	}
	return out
}

// mapElements returns v with each child element c replaced by f(c) (v
// itself when f changes none).
func mapElements(v stanza.Stanza, f func(stanza.Stanza) stanza.Stanza) stanza.Stanza {
	var kids []stanza.Child
	for i := 0; i < v.NumChild(); i++ {
		el, _ := v.ChildAt(i)
		if el.IsZero() {
			continue
		}
		if c := f(el); c != el {
			if kids == nil {
				kids = children(v)
			}
			kids[i] = stanza.Elem(c)
		}
	}
	if kids == nil {
		return v
	}
	return stanza.New(v.Space(), v.Tag(), v.Attrs(), kids...)
}

// setText is etree's SetText: the text before v's first child element
// becomes text.
func setText(v stanza.Stanza, text string) stanza.Stanza {
	kids := []stanza.Child{stanza.Text(text)}
	i := 0
	for ; i < v.NumChild(); i++ {
		if el, _ := v.ChildAt(i); !el.IsZero() {
			break
		}
	}
	kids = append(kids, children(v)[i:]...)
	return stanza.New(v.Space(), v.Tag(), v.Attrs(), kids...)
}

// sortChildrenValue is sortChildren for a value: the child elements,
// their own children sorted first, move after the other children, in the
// order of their canonical forms after norm.
func sortChildrenValue(v stanza.Stanza, norm func(string) string) stanza.Stanza {
	var kids []stanza.Child
	type keyed struct {
		el  stanza.Stanza
		key string
	}
	var els []keyed
	for i := 0; i < v.NumChild(); i++ {
		el, text := v.ChildAt(i)
		if el.IsZero() {
			kids = append(kids, stanza.Text(text))
			continue
		}
		el = sortChildrenValue(el, norm)
		els = append(els, keyed{el, norm(el.Canonical())})
	}
	if len(els) == 0 {
		return v
	}
	sort.SliceStable(els, func(i, j int) bool { return els[i].key < els[j].key })
	for _, k := range els {
		kids = append(kids, stanza.Elem(k.el))
	}
	return stanza.New(v.Space(), v.Tag(), v.Attrs(), kids...)
}

// mucInvitationValue is mucInvitation for a value.
func mucInvitationValue(v stanza.Stanza) bool {
	for i := 0; i < v.NumChild(); i++ {
		x, _ := v.ChildAt(i)
		if x.IsZero() || x.Tag() != "x" {
			continue
		}
		if _, ns, _ := canonAttr(x, "xmlns"); ns != nsMUCUser {
			continue
		}
		for j := 0; j < x.NumChild(); j++ {
			if c, _ := x.ChildAt(j); !c.IsZero() && (c.Tag() == "invite" || c.Tag() == "decline") {
				return true
			}
		}
	}
	return false
}

// sortItemsValue is sortItems for a value.
func sortItemsValue(v stanza.Stanza, norm func(string) string) stanza.Stanza {
	kids := children(v)
	var slots []int
	type keyed struct {
		el  stanza.Stanza
		key string
	}
	var items []keyed
	onlyStatus := true
	for i := 0; i < v.NumChild(); i++ {
		if el, _ := v.ChildAt(i); !el.IsZero() && el.Tag() != "status" {
			onlyStatus = false
		}
	}
	for i := 0; i < v.NumChild(); i++ {
		if el, _ := v.ChildAt(i); !el.IsZero() && (el.Tag() == "item" || onlyStatus) {
			slots = append(slots, i)
			items = append(items, keyed{el, norm(el.Canonical())})
		}
	}
	if len(items) < 2 {
		return v
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].key < items[j].key })
	for k, i := range slots {
		kids[i] = stanza.Elem(items[k].el)
	}
	return stanza.New(v.Space(), v.Tag(), v.Attrs(), kids...)
}

// hasAttr says whether v has an attribute named key (any prefix).
func hasAttr(v stanza.Stanza, key string) bool {
	_, _, ok := canonAttr(v, key)
	return ok
}
