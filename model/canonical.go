package model

import (
	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
)

// Canonical renders el as compact XML with attributes sorted by (prefix,
// name), so that two stanzas that differ only in attribute order render
// identically (Prosody writes attributes in Lua hash order). Children keep
// their order; whitespace-only text between elements is dropped. The form
// is stable across runs and is what traces record; package stanza owns it
// (stanza.CanonicalElement, and Stanza.Canonical for values).
func Canonical(el *etree.Element) string { return stanza.CanonicalElement(el) }
