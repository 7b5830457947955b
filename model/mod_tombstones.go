package model

// mod_tombstones (13.0.1): a deleted account leaves a tombstone, kept
// apart from the account's data so that the purge does not remove it,
// and forever (user_tombstone_expiry is unset). A probe to the deleted
// account's bare JID is answered, to the sender's session directly, with
// the error gone ("User deleted") and an unsubscribed; an available or
// unavailable presence with the error and an unsubscribe (presence/bare,
// priority 1: after mod_blocklist, before mod_presence). The tombstone
// stays when the account is created again (every account exists: §0.2),
// and it would refuse in-band registration of the name, which the model
// has no path for. Other stanzas to the JID are not its concern: a
// message is stored offline, a subscription request kept (asked over the
// wire).
//
// 13.0.1's lookup caches "no tombstone" for every name it checks and
// never updates that entry when it writes a tombstone: an account
// whose name was looked up before its deletion (any presence or probe
// to its bare JID) gets no tombstone behaviour until the cache entry is
// evicted (1024 entries; the model never evicts). That is a bug, the
// same kind as the blocklist's stale cache (Prosody 3c9b6a4a8), measured
// on 13.0.1 (testdata/prosody-13/tombstone_stale_cache.scs); the model
// keeps it because the prosody-13 profile is 13.0.1.
var _ = register(&builtin{name: "tombstones", load: func(s *Server, m *ModuleAPI) {
	m.Hook(EventAccountDeleted, 0, func(e *HookEvent) bool {
		e.s.mods.tombstones.graves[e.user.node] = true
		return false
	})
	m.Hook("presence/bare", 1, tombstonePresence)
	// In-band registration (Profile.RegisteredAccounts) asks
	// has_tombstone first (mod_tombstones' user-registering handler), so
	// the lookup cache holds "no tombstone" for every registered name
	// from its registration on — and, the D8 bug, still after the
	// account's deletion writes its tombstone: with real accounts a
	// removed account's JID is never refused (found by check --server
	// --register against 0.12.3, .ci/secure-server; 13.0.1's
	// mod_tombstones is the same code). The model stands the
	// registration at the name's first login; a name whose tombstone is
	// already written cannot be registered (the lookup refuses it), so
	// it is not marked. A restart empties the cache and the logins after
	// it register nothing — check --server draws no restarts.
	m.Hook(EventResourceBind, 0, func(e *HookEvent) bool {
		if t := &e.s.mods.tombstones; e.s.prof.RegisteredAccounts && !t.graves[e.sess.user.node] {
			t.none[e.sess.user.node] = true
		}
		return false
	})
	// The graveyard is a store and outlives a restart; the cache is
	// process memory and does not.
	m.Hook(EventServerRestart, 0, func(e *HookEvent) bool {
		e.s.mods.tombstones.none = map[string]bool{}
		return false
	})
}})

// tombstonesMod is mod_tombstones' per-server state: the graveyard and
// the lookup cache of names known to have no tombstone.
type tombstonesMod struct {
	graves, none map[string]bool
}

func (m *tombstonesMod) newState() {
	m.graves, m.none = map[string]bool{}, map[string]bool{}
}

// has is has_tombstone with 13.0.1's cache.
func (m *tombstonesMod) has(node string) bool {
	if m.none[node] {
		return false
	}
	if m.graves[node] {
		return true
	}
	m.none[node] = true
	return false
}

func tombstonePresence(e *HookEvent) bool {
	st := e.stanza
	node, _, _ := splitJID(attrOr(st, "to"))
	if node == "" {
		return false
	}
	var follow string
	switch attrOr(st, "type") {
	case "probe":
		follow = "unsubscribed"
	case "", "unavailable":
		follow = "unsubscribe"
	default:
		return false
	}
	if !e.s.mods.tombstones.has(node) {
		return false
	}
	// origin.send: to a client's session, its stream; to the host (a
	// presence the server posts for a user, such as mod_presence's
	// "unavailable" acknowledging a subscription request from the
	// re-created account), the router — so the error reaches the user the
	// server spoke for and the follow-up is processed as that user's
	// inbound presence (asked over the wire: 0.12.3, check --server seed
	// 2071).
	send := e.Deliver
	if e.origin.sess == nil {
		send = e.Route
	}
	send(errorReply(st, "cancel", "gone", "User deleted", nil))
	send(newStanza("presence", "type", follow, "to", attrOr(st, "from"), "from", attrOr(st, "to")))
	return true
}
