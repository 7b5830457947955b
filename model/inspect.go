package model

// Contact is a read-only view of one user's state towards a contact, as
// §4.6 represents RFC 6121's states.
type Contact struct {
	InRoster     bool   // an item exists
	Subscription string // none, to, from, both ("none" without an item)
	Ask          bool   // pending out
	Approved     bool   // pre-approved
	PendingIn    bool   // a stored inbound request
}

// State returns the RFC 6121 state name ("None", "None+PO", "To+PI", ...).
func (c Contact) State() string {
	name := map[string]string{"none": "None", "to": "To", "from": "From", "both": "Both"}[c.Subscription]
	switch {
	case c.Ask && c.PendingIn:
		name += "+PO/PI"
	case c.Ask:
		name += "+PO"
	case c.PendingIn:
		name += "+PI"
	}
	return name
}

// ContactOf returns user's state towards contact (both bare JID strings
// or localparts of this host).
func (s *Server) ContactOf(userJID, contactJID string) Contact {
	u := s.accountByJID(userJID)
	c := Contact{Subscription: "none"}
	if u == nil {
		return c
	}
	cj := s.normalise(contactJID)
	if it := u.roster[cj]; it != nil {
		c.InRoster, c.Subscription, c.Ask, c.Approved = true, it.sub, it.ask, it.approved
	}
	c.PendingIn = u.hasPending(cj)
	return c
}

// Blocklist returns the user's blocklist, sorted.
func (s *Server) Blocklist(userJID string) []string {
	if u := s.accountByJID(userJID); u != nil {
		return sortedKeys(u.blocklist)
	}
	return nil
}

// RosterVersion returns the version clients are told (§4.1).
func (s *Server) RosterVersion(userJID string) int {
	if u := s.accountByJID(userJID); u != nil {
		return u.reportedVersion()
	}
	return 1
}

// OfflineCount returns how many messages are stored for the user.
func (s *Server) OfflineCount(userJID string) int {
	if u := s.accountByJID(userJID); u != nil {
		return len(u.offline)
	}
	return 0
}

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
