package scenarios

import (
	"github.com/beevik/etree"
	"github.com/scansim/scansim/driver"
)

// PrefixNodes returns a copy of s in which every local JID on host gets
// prefix in front of its node: the clients' jid properties and, in every
// sends and receives stanza, each attribute value and each text whose
// whole (trimmed) content is a JID on host ("nurse@localhost",
// "juliet@localhost/balcony"). Variables need nothing: they resolve to
// the JIDs the prefixed clients bind. JIDs on other domains, the host
// itself ("localhost"), and values that are not a single JID are left
// alone, and so are the nodes listed in keep (compared without case),
// for example the configured admin. Nodes keep their case, so a script
// that checks case folding still does ("R1-BL-Juliet@LocalHost").
// s itself is not modified; positions are kept. (driver.PrefixValue and
// driver.PrefixElement do the rewriting.)
//
// With an empty prefix PrefixNodes returns s.
func PrefixNodes(s *Script, host, prefix string, keep ...string) *Script {
	if prefix == "" || s == nil {
		return s
	}
	out := *s
	out.Clients = make([]*Client, len(s.Clients))
	for i, c := range s.Clients {
		nc := *c
		nc.Props = make([]Property, len(c.Props))
		for j, pr := range c.Props {
			if pr.Key == PropJID {
				pr.Value = driver.PrefixValue(pr.Value, host, prefix, keep...)
			}
			nc.Props[j] = pr
		}
		out.Clients[i] = &nc
	}
	out.Actions = make([]*Action, len(s.Actions))
	for i, a := range s.Actions {
		na := *a
		if len(a.Stanzas) > 0 {
			na.Stanzas = prefixStanzas(a.Stanzas, host, prefix, keep)
		}
		out.Actions[i] = &na
	}
	return &out
}

// prefixStanzas copies a block's stanzas into a copy of their wrapper
// (which declares the namespaces, see Stanza) and rewrites the copies.
// The wrapper is copied without its children: Parse shares one wrapper
// between all the blocks of a script, and copying it whole for each
// block copied the whole script.
func prefixStanzas(in []*Stanza, host, prefix string, keep []string) []*Stanza {
	out := make([]*Stanza, len(in))
	copies := make(map[*etree.Element]*etree.Element)
	for i, st := range in {
		ns := *st
		ns.Elem = st.Elem.Copy()
		if wrapper := st.Elem.Parent(); wrapper != nil {
			wc, ok := copies[wrapper]
			if !ok {
				wc = etree.NewElement(wrapper.Tag)
				wc.Space = wrapper.Space
				for _, a := range wrapper.Attr {
					wc.CreateAttr(a.FullKey(), a.Value)
				}
				copies[wrapper] = wc
			}
			wc.AddChild(ns.Elem)
		}
		driver.PrefixElement(ns.Elem, host, prefix, keep...)
		out[i] = &ns
	}
	return out
}
