package scenarios

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
)

// NewRunPrefix returns a fresh node prefix for one run against a real
// server, "r" and 8 random hex digits and "-" (for example
// "r3f9c01ab-"), from crypto/rand. Runs against one long-lived server
// then use accounts no earlier run touched.
func NewRunPrefix() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("scenarios: crypto/rand failed: " + err.Error())
	}
	return "r" + hex.EncodeToString(b[:]) + "-"
}

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
// s itself is not modified; positions are kept.
//
// With an empty prefix PrefixNodes returns s.
func PrefixNodes(s *Script, host, prefix string, keep ...string) *Script {
	if prefix == "" || s == nil {
		return s
	}
	p := &prefixer{host: host, prefix: prefix, keep: keep}
	out := *s
	out.Clients = make([]*Client, len(s.Clients))
	for i, c := range s.Clients {
		nc := *c
		nc.Props = make([]Property, len(c.Props))
		for j, pr := range c.Props {
			if pr.Key == PropJID {
				pr.Value = p.value(pr.Value)
			}
			nc.Props[j] = pr
		}
		out.Clients[i] = &nc
	}
	out.Actions = make([]*Action, len(s.Actions))
	for i, a := range s.Actions {
		na := *a
		if len(a.Stanzas) > 0 {
			na.Stanzas = p.stanzas(a.Stanzas)
		}
		out.Actions[i] = &na
	}
	return &out
}

// PrefixElement rewrites el in place the way PrefixNodes rewrites a
// script's stanzas: every attribute value and every text that is exactly
// one JID with a node on host gets prefix in front of its node, except
// the nodes in keep. It is what a driver that builds stanzas itself (a
// property run against a real server) needs to keep its runs apart.
func PrefixElement(el *etree.Element, host, prefix string, keep ...string) {
	if prefix == "" || el == nil {
		return
	}
	(&prefixer{host: host, prefix: prefix, keep: keep}).element(el)
}

type prefixer struct {
	host, prefix string
	keep         []string
}

// stanzas copies a block's stanzas with their wrapper (which declares
// the namespaces, see Stanza) and rewrites the copies.
func (p *prefixer) stanzas(in []*Stanza) []*Stanza {
	out := make([]*Stanza, len(in))
	copies := make(map[*etree.Element]*etree.Element)
	for i, st := range in {
		ns := *st
		wrapper := st.Elem.Parent()
		if wrapper == nil {
			ns.Elem = st.Elem.Copy()
		} else {
			wc, ok := copies[wrapper]
			if !ok {
				wc = wrapper.Copy()
				copies[wrapper] = wc
			}
			ns.Elem = wc.Child[st.Elem.Index()].(*etree.Element)
		}
		p.element(ns.Elem)
		out[i] = &ns
	}
	return out
}

func (p *prefixer) element(el *etree.Element) {
	for i := range el.Attr {
		el.Attr[i].Value = p.value(el.Attr[i].Value)
	}
	for _, t := range el.Child {
		switch c := t.(type) {
		case *etree.Element:
			p.element(c)
		case *etree.CharData:
			if trimmed := strings.TrimSpace(c.Data); trimmed != "" {
				if nv := p.value(trimmed); nv != trimmed {
					c.Data = strings.Replace(c.Data, trimmed, nv, 1)
				}
			}
		}
	}
}

// value prefixes v when it is exactly one JID with a node on p.host.
func (p *prefixer) value(v string) string {
	if strings.Contains(v, "${") || strings.Contains(v, "{scansion:") {
		return v
	}
	j, err := model.ParseJID(v)
	if err != nil || j.Node == "" || !strings.EqualFold(j.Domain, p.host) {
		return v
	}
	for _, k := range p.keep {
		if strings.EqualFold(k, j.Node) {
			return v
		}
	}
	return p.prefix + v
}

// UnprefixNodes removes prefix from the front of every node that carries
// it in s (a canonical stanza, a trace line): the inverse of PrefixNodes
// for comparing a real-server run with the simulation.
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
