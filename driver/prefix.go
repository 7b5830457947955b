package driver

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
		panic("driver: crypto/rand failed: " + err.Error())
	}
	return "r" + hex.EncodeToString(b[:]) + "-"
}

// PrefixElement rewrites el in place: every attribute value and every
// text that is exactly one JID with a node on host gets prefix in front
// of its node (PrefixValue). It is what a driver that builds stanzas
// itself (a property run against a real server) needs to keep its runs
// apart, and what scenarios.PrefixNodes does to a script's stanzas.
func PrefixElement(el *etree.Element, host, prefix string, keep ...string) {
	if prefix == "" || el == nil {
		return
	}
	prefixElement(el, host, prefix, keep)
}

func prefixElement(el *etree.Element, host, prefix string, keep []string) {
	for i := range el.Attr {
		el.Attr[i].Value = PrefixValue(el.Attr[i].Value, host, prefix, keep...)
	}
	for _, t := range el.Child {
		switch c := t.(type) {
		case *etree.Element:
			prefixElement(c, host, prefix, keep)
		case *etree.CharData:
			if trimmed := strings.TrimSpace(c.Data); trimmed != "" {
				if nv := PrefixValue(trimmed, host, prefix, keep...); nv != trimmed {
					c.Data = strings.Replace(c.Data, trimmed, nv, 1)
				}
			}
		}
	}
}

// PrefixValue prefixes v when it is exactly one JID with a node on host
// that keep does not list (compared without case): "nurse@localhost"
// becomes prefix+"nurse@localhost". JIDs on other domains, the host
// itself, values that are not a single JID and values holding a scansion
// variable are returned unchanged. Nodes keep their case.
func PrefixValue(v, host, prefix string, keep ...string) string {
	if prefix == "" || strings.Contains(v, "${") || strings.Contains(v, "{scansion:") {
		return v
	}
	j, err := model.ParseJID(v)
	if err != nil || j.Node == "" || !strings.EqualFold(j.Domain, host) {
		return v
	}
	for _, k := range keep {
		if strings.EqualFold(k, j.Node) {
			return v
		}
	}
	return prefix + v
}
