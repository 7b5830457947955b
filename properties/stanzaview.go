package properties

// Reading trace stanzas: the invariants, the accounting and the
// reference comparison read the stanza value every trace event carries
// (sim.TraceEvent.Value) instead of parsing its canonical string. The
// queries below answer what etree's did on a parsed copy (SelectAttr,
// SelectElement, Text) with the same matching rules, so that the
// judgement does not change: an unprefixed name matches whatever the
// prefix, as etree's does.

import (
	"sort"

	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
)

// eventValue is the stanza of trace event e. Events of the simulation
// carry their value; a real server's (driver's server network) carry only
// the canonical string, which is parsed here — the one place a trace
// string is parsed. The zero Stanza when e has none or it does not parse.
func eventValue(e *sim.TraceEvent) stanza.Stanza {
	if !e.Value.IsZero() || e.Canonical() == "" {
		return e.Value
	}
	v, err := parseValue(e.Canonical())
	if err != nil {
		return stanza.Stanza{}
	}
	return v
}

// vAttr returns the value of s's first attribute named k (any prefix,
// as etree's SelectAttr of an unprefixed key).
func vAttr(s stanza.Stanza, k string) (string, bool) {
	for _, a := range s.Attrs() {
		if a.Key == k {
			return a.Value, true
		}
	}
	return "", false
}

// vAttrOr is vAttr's value ("" when absent).
func vAttrOr(s stanza.Stanza, k string) string {
	v, _ := vAttr(s, k)
	return v
}

// vHas reports whether s has an attribute named k.
func vHas(s stanza.Stanza, k string) bool {
	_, ok := vAttr(s, k)
	return ok
}

// vFirst returns s's first child element (zero if none).
func vFirst(s stanza.Stanza) stanza.Stanza {
	for i := 0; i < s.NumChild(); i++ {
		if c, _ := s.ChildAt(i); !c.IsZero() {
			return c
		}
	}
	return stanza.Stanza{}
}

// vChild returns s's first child element with local name tag (any
// prefix, as etree's SelectElement), zero if none.
func vChild(s stanza.Stanza, tag string) stanza.Stanza {
	for i := 0; i < s.NumChild(); i++ {
		if c, _ := s.ChildAt(i); !c.IsZero() && c.Tag() == tag {
			return c
		}
	}
	return stanza.Stanza{}
}

// vChildren returns s's child elements with local name tag, in order.
func vChildren(s stanza.Stanza, tag string) []stanza.Stanza {
	var out []stanza.Stanza
	for i := 0; i < s.NumChild(); i++ {
		if c, _ := s.ChildAt(i); !c.IsZero() && c.Tag() == tag {
			out = append(out, c)
		}
	}
	return out
}

// vDescendants returns the elements below s with local name tag, in
// document order (etree's FindElements(".//tag")).
func vDescendants(s stanza.Stanza, tag string) []stanza.Stanza {
	var out []stanza.Stanza
	var walk func(stanza.Stanza)
	walk = func(e stanza.Stanza) {
		for i := 0; i < e.NumChild(); i++ {
			c, _ := e.ChildAt(i)
			if c.IsZero() {
				continue
			}
			if c.Tag() == tag {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(s)
	return out
}

// vText returns the text before s's first child element (etree's Text).
func vText(s stanza.Stanza) string {
	t := ""
	for i := 0; i < s.NumChild(); i++ {
		c, text := s.ChildAt(i)
		if !c.IsZero() {
			break
		}
		t += text
	}
	return t
}

// vPriority is priorityOf for a stanza value.
func vPriority(p stanza.Stanza) int {
	c := vChild(p, "priority")
	if c.IsZero() {
		return 0
	}
	return parsePriority(vText(c))
}

// sigValue is sig for a stanza of the trace: the same normalisation
// (roster push ids, service answers' payload, item order), built as a
// derived value that shares what it does not change. Stanzas it does not
// normalise render as their cached canonical form.
func sigValue(v stanza.Stanza) string {
	if v.Tag() != "iq" {
		return v.Canonical()
	}
	typ := vAttrOr(v, "type")
	var kids, tail []stanza.Child
	changed, setID := false, false
	for i := 0; i < v.NumChild(); i++ {
		c, text := v.ChildAt(i)
		if c.IsZero() {
			kids = append(kids, stanza.Text(text))
			continue
		}
		ns := vAttrOr(c, "xmlns")
		switch {
		case typ == "set" && ns == nsRoster:
			setID = true
			kids = append(kids, stanza.Elem(c))
		case typ == "result" && (ns == nsDiscoInfo || ns == nsVersion || ns == nsLast):
			// moved to the end, emptied (sig's RemoveChild + CreateElement)
			tail = append(tail, stanza.Elem(stanza.New("", c.Tag(), []stanza.Attr{{Key: "xmlns", Value: ns}})))
			changed = true
		case ns == nsRoster || ns == nsBlocking:
			kids = append(kids, stanza.Elem(sortedItems(c)))
			changed = true
		default:
			kids = append(kids, stanza.Elem(c))
		}
	}
	if !changed && !setID {
		return v.Canonical()
	}
	out := v
	if changed {
		out = stanza.New(v.Space(), v.Tag(), v.Attrs(), append(kids, tail...)...)
	}
	if setID {
		out = out.WithAttr("", "id", "*")
	}
	return out.Canonical()
}

// sortedItems returns c with its child elements sorted by canonical form
// (stable) after its other children, as sig reorders them.
func sortedItems(c stanza.Stanza) stanza.Stanza {
	var kids []stanza.Child
	var items []stanza.Stanza
	for i := 0; i < c.NumChild(); i++ {
		e, text := c.ChildAt(i)
		if e.IsZero() {
			kids = append(kids, stanza.Text(text))
			continue
		}
		items = append(items, e)
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Canonical() < items[j].Canonical() })
	for _, it := range items {
		kids = append(kids, stanza.Elem(it))
	}
	return stanza.New(c.Space(), c.Tag(), c.Attrs(), kids...)
}
