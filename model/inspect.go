package model

// The inspection API (ContactOf, Blocklist, RosterVersion, OfflineCount)
// sits in the files of the modules whose state it reads; these are its
// shared helpers.

// normalise returns j prepped, or as given when it is not a JID.
func (s *Server) normalise(j string) string {
	if p := s.parseInspected(j); p.ok {
		return p.str
	}
	return j
}

// accountByJID accepts "node" or "node@host" and returns the account
// without creating it.
func (s *Server) accountByJID(j string) *user {
	node := j
	if p := s.parseInspected(j); p.ok && p.node != "" {
		if p.domain != s.host {
			return nil
		}
		node = p.node
	}
	if u, ok := s.users[node]; ok {
		return u
	}
	if s.store != nil { // after a restart: read the stored account
		if _, ok := s.store.Get(node); ok {
			return s.account(node)
		}
	}
	return nil
}

// inspectedJID is what the inspection API needs of a parsed JID string.
type inspectedJID struct {
	ok                bool // the string is a JID
	str, node, domain string
}

// maxInspected bounds the inspection API's parse cache; past it the
// cache starts over.
const maxInspected = 1024

// parseInspected is ParseJID for the inspection API, memoised: a property
// check asks ContactOf and the others about the same few JIDs after
// every action, and stringprep of each was about a twentieth of its
// time. Parsing depends on the string alone, so the cache never goes
// stale.
func (s *Server) parseInspected(j string) inspectedJID {
	if p, ok := s.inspected[j]; ok {
		return p
	}
	var r inspectedJID
	if p, err := ParseJID(j); err == nil {
		r = inspectedJID{ok: true, str: p.String(), node: p.Node, domain: p.Domain}
	}
	if s.inspected == nil || len(s.inspected) >= maxInspected {
		s.inspected = make(map[string]inspectedJID)
	}
	s.inspected[j] = r
	return r
}
