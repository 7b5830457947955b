package model

// The inspection API (ContactOf, Blocklist, RosterVersion, OfflineCount)
// sits in the files of the modules whose state it reads; these are its
// shared helpers.

// normalise returns j prepped, or as given when it is not a JID.
func (s *Server) normalise(j string) string {
	if p, err := ParseJID(j); err == nil {
		return p.String()
	}
	return j
}

// accountByJID accepts "node" or "node@host" and returns the account
// without creating it.
func (s *Server) accountByJID(j string) *user {
	node := j
	if p, err := ParseJID(j); err == nil && p.Node != "" {
		if p.Domain != s.host {
			return nil
		}
		node = p.Node
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
