package jid

import (
	"strings"
	"unicode"
)

// Every address the router parses is ASCII, most of them many times
// over (each stanza's to and from). For ASCII without capitals the
// preparation changes nothing — table B.1 and lower-casing touch only
// other code points — so one pass over a byte table decides what the
// rune-by-rune checks would; anything else takes the full path.

// Byte classes of the table.
const (
	wide        = 1 << iota // not ASCII: the full path decides
	upper                   // A–Z: node and domain are lower-cased
	nodeBad                 // prepNodeFull rejects it
	domainBad               // prepDomainFull rejects it
	resourceBad             // prepResourceFull rejects it
)

// class is built from the full path's own predicates, so the two agree
// on every ASCII byte by construction.
var class = func() (t [256]uint8) {
	for b := range t {
		if b >= 0x80 {
			t[b] = wide
			continue
		}
		r := rune(b)
		if 'A' <= r && r <= 'Z' {
			t[b] |= upper
		}
		if strings.ContainsRune(nodeProhibited, r) || unicode.IsSpace(r) || unicode.IsControl(r) {
			t[b] |= nodeBad
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(domainProhibited, r) {
			t[b] |= domainBad
		}
		if unicode.IsControl(r) {
			t[b] |= resourceBad
		}
	}
	return t
}()

// scan returns the union of the classes of s's bytes.
func scan(s string) uint8 {
	var c uint8
	for i := 0; i < len(s); i++ {
		c |= class[s[i]]
	}
	return c
}
