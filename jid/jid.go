// Package jid holds XMPP addresses (RFC 7622, prepared as the model
// prepares them): parsing, preparation and rendering. It is a leaf package
// — it imports nothing of scansim's — so that the model, the simulator,
// the script language, the trace formatter and the TCP client share one
// JID type without depending on each other.
package jid

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// JID is a parsed, prepared XMPP address. The zero value is the empty JID.
//
// Node and domain are lower-cased (the model's stand-in for nodeprep and
// nameprep); the resource is kept as written. Node and resource lose the
// code points stringprep maps to nothing (table B.1). Unicode normalisation (NFKC)
// is not applied: it would need golang.org/x/text, which is outside the
// project's dependency set, and every JID the scripts use is ASCII.
type JID struct {
	Node, Domain, Resource string
}

// ErrMalformed is returned by Parse for addresses that do not prep.
var ErrMalformed = errors.New("malformed JID")

// nodeProhibited are the characters RFC 6122 Appendix A forbids in a node.
const nodeProhibited = "\"&'/:<>@"

// domainProhibited are the characters a domain may not hold.
const domainProhibited = "@/<>&'\""

// Parse splits and preps s. It fails for an empty domain, an empty node
// or resource where a separator is present, characters nodeprep forbids,
// control characters, or parts longer than 1023 bytes.
func Parse(s string) (JID, error) {
	if s == "" || !utf8.ValidString(s) {
		return JID{}, ErrMalformed
	}
	var j JID
	rest := s
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		j.Resource = rest[i+1:]
		rest = rest[:i]
		if j.Resource == "" {
			return JID{}, ErrMalformed
		}
	}
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		j.Node = rest[:i]
		rest = rest[i+1:]
		if j.Node == "" {
			return JID{}, ErrMalformed
		}
	}
	j.Domain = rest
	if j.Domain == "" {
		return JID{}, ErrMalformed
	}
	var ok bool
	if j.Node != "" {
		if j.Node, ok = prepNode(j.Node); !ok {
			return JID{}, ErrMalformed
		}
	}
	if j.Domain, ok = prepDomain(j.Domain); !ok {
		return JID{}, ErrMalformed
	}
	if j.Resource != "" {
		if j.Resource, ok = prepResource(j.Resource); !ok {
			return JID{}, ErrMalformed
		}
	}
	return j, nil
}

// MustParse parses s and panics if it is malformed. For constants in
// tests and examples only.
func MustParse(s string) JID {
	j, err := Parse(s)
	if err != nil {
		panic("jid.MustParse(" + s + "): " + err.Error())
	}
	return j
}

func prepNode(s string) (string, bool) {
	if c := scan(s); c&(wide|upper) == 0 {
		if s == "" || len(s) > 1023 || c&nodeBad != 0 {
			return "", false
		}
		return s, true
	}
	return prepNodeFull(s)
}

// prepNodeFull is prepNode for any string (prepNode's own path covers
// ASCII without capitals, where mapping and lower-casing change nothing).
func prepNodeFull(s string) (string, bool) {
	s = strings.ToLower(mapToNothing(s))
	if s == "" || len(s) > 1023 {
		return "", false
	}
	for _, r := range s {
		if strings.ContainsRune(nodeProhibited, r) || unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", false
		}
	}
	return s, true
}

func prepDomain(s string) (string, bool) {
	if c := scan(s); c&(wide|upper) == 0 {
		s = strings.TrimSuffix(s, ".")
		if s == "" || len(s) > 1023 {
			return "", false
		}
		if s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") || c&domainBad != 0 {
			return "", false
		}
		return s, true
	}
	return prepDomainFull(s)
}

// prepDomainFull is prepDomain for any string.
func prepDomainFull(s string) (string, bool) {
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	if s == "" || len(s) > 1023 {
		return "", false
	}
	// No empty label (what splitting at "." would find).
	if s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return "", false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(domainProhibited, r) {
			return "", false
		}
	}
	return s, true
}

func prepResource(s string) (string, bool) {
	if c := scan(s); c&wide == 0 {
		if s == "" || len(s) > 1023 || c&resourceBad != 0 {
			return "", false
		}
		return s, true
	}
	return prepResourceFull(s)
}

// prepResourceFull is prepResource for any string.
func prepResourceFull(s string) (string, bool) {
	s = mapToNothing(s)
	if s == "" || len(s) > 1023 {
		return "", false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", false
		}
	}
	return s, true
}

// mapToNothing applies stringprep's table B.1 (RFC 3454), the "commonly
// mapped to nothing" code points that nodeprep and resourceprep both
// remove: soft hyphen, combining grapheme joiner, Mongolian variation
// selectors, zero-width space and joiners, word joiner, the variation
// selectors U+FE00–FE0F and the BOM. Prosody prepares "🤖️" (robot face
// and VS16) to "🤖" this way (muc_nickname_robotface.scs's error comes
// from the prepared nick).
func mapToNothing(s string) string {
	if !strings.ContainsFunc(s, mappedToNothing) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if mappedToNothing(r) {
			return -1
		}
		return r
	}, s)
}

func mappedToNothing(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x1806, r >= 0x180B && r <= 0x180D,
		r >= 0x200B && r <= 0x200D, r == 0x2060, r >= 0xFE00 && r <= 0xFE0F, r == 0xFEFF:
		return true
	}
	return false
}

// Is reports whether s is j.String(), without building it (the router
// compares every stanza's raw to/from with the JID it parsed).
func (j JID) Is(s string) bool {
	if j.Node != "" {
		if len(s) <= len(j.Node) || s[:len(j.Node)] != j.Node || s[len(j.Node)] != '@' {
			return false
		}
		s = s[len(j.Node)+1:]
	}
	if len(s) < len(j.Domain) || s[:len(j.Domain)] != j.Domain {
		return false
	}
	s = s[len(j.Domain):]
	if j.Resource == "" {
		return s == ""
	}
	return len(s) == len(j.Resource)+1 && s[0] == '/' && s[1:] == j.Resource
}

// String renders the JID in its canonical textual form.
func (j JID) String() string {
	var b strings.Builder
	b.Grow(len(j.Node) + len(j.Domain) + len(j.Resource) + 2)
	if j.Node != "" {
		b.WriteString(j.Node)
		b.WriteByte('@')
	}
	b.WriteString(j.Domain)
	if j.Resource != "" {
		b.WriteByte('/')
		b.WriteString(j.Resource)
	}
	return b.String()
}

// Bare returns the JID without its resource.
func (j JID) Bare() JID { return JID{Node: j.Node, Domain: j.Domain} }

// IsZero reports whether j is the empty JID.
func (j JID) IsZero() bool { return j.Domain == "" }

// IsFull reports whether j has a node and a resource.
func (j JID) IsFull() bool { return j.Node != "" && j.Resource != "" }

// IsBare reports whether j has a node and no resource.
func (j JID) IsBare() bool { return j.Node != "" && j.Resource == "" }

// IsHost reports whether j has no node (a domain, optionally with a resource).
func (j JID) IsHost() bool { return j.Node == "" && j.Domain != "" }
