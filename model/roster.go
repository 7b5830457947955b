package model

import (
	"fmt"

	"github.com/beevik/etree"
)

// This file is the roster module's store, Prosody's rostermanager: the
// roster items and pending inbound requests of each account, the
// subscription state transitions (§4.4, §4.5) and the subscription
// predicates (§4.3), which mod_presence and mod_blocklist use as Prosody's
// modules use core.rostermanager. mod_roster.go holds the iq protocol.

// rosterAccount is an account's roster state.
type rosterAccount struct {
	roster     map[string]*rosterItem // bare JID -> item
	rosterKeys []string               // sorted roster JIDs; nil when stale
	pending    map[string]*etree.Element
	// pendingRevert: requests that hold their sender's full 'to' only in
	// the loaded roster (PendingKeepsAddressedTo): storage has them bare
	// until the roster is saved again, and they turn bare when the last
	// session ends before that.
	pendingRevert map[string]bool
	// rosterCached: the roster was loaded while the account had no
	// session (an inbound subscription stanza, a refused probe, or a
	// subscription question asked while neither side was online:
	// loadsOfflineRoster, subscribedVia), and
	// Prosody keeps such rosters in memory: from then on its requests
	// keep their addressed 'to' across logouts (PendingKeepsAddressedTo).
	// Not persisted: a restart forgets it.
	rosterCached bool
	rosterVer    int // 0: never saved (clients are told 1)
}

// rosterItem is one roster entry (§4.1).
type rosterItem struct {
	sub      string // none, to, from, both
	ask      bool
	name     string
	groups   map[string]bool
	approved bool
}

func (it *rosterItem) subscribedFrom() bool { return it.sub == "from" || it.sub == "both" }
func (it *rosterItem) subscribedTo() bool   { return it.sub == "to" || it.sub == "both" }

// rosterJIDs returns the roster's JIDs sorted: the fixed order of every
// roster fan-out (Prosody iterates a hash). Cached until the next insert
// or delete; callers must not modify the slice.
func (u *user) rosterJIDs() []string {
	if u.rosterKeys == nil {
		u.rosterKeys = sortedKeys(u.roster)
	}
	return u.rosterKeys
}

func (u *user) hasPending(jid string) bool {
	_, ok := u.pending[jid]
	return ok
}

// save models save_roster: every save bumps the version (§4.1). It
// reports whether the roster was saved.
func (s *Server) save(u *user) bool {
	if u.missing() {
		// save_roster refuses an account that does not exist ("not
		// saving roster ... the user doesn't exist"): the version stays,
		// the loaded roster keeps the change. Found by check --server
		// --register against 0.12.3 (seed 7: a request to a deleted
		// account before it registered again; the version was one less).
		return false
	}
	u.rosterVer++
	// Prosody's memory storage keeps a copy of each save: a request that
	// had its addressed 'to' only in the loaded roster is stored with it
	// from now on (PendingKeepsAddressedTo).
	clear(u.pendingRevert)
	s.touch(u)
	return true
}

// reportedVersion is what clients are told: the stored version, or 1.
func (u *user) reportedVersion() int {
	if u.rosterVer == 0 {
		return 1
	}
	return u.rosterVer
}

// onlineSubscription is _get_online_roster_subscription(a, b): b's
// subscription in a's roster when a has bound sessions ("none" for a
// missing item), or "" when a is offline.
func (s *Server) onlineSubscription(a, b string) string {
	ua := s.onlineUser(a)
	if ua == nil {
		return ""
	}
	if it := ua.roster[b]; it != nil {
		return it.sub
	}
	return "none"
}

// isContactSubscribed: "c is subscribed to u" (u's item c is from/both),
// with the online shortcut of §4.3.
func (s *Server) isContactSubscribed(u *user, c string) bool {
	return s.subscribedVia(u, c, "from", "to")
}

// isUserSubscribed: "u is subscribed to c" (u's item c is to/both), §4.3.
func (s *Server) isUserSubscribed(u *user, c string) bool {
	return s.subscribedVia(u, c, "to", "from")
}

// subscribedVia evaluates a subscription predicate the way rostermanager
// does (§4.3): u's roster if u is online (a missing item is "none"), else
// c's roster read the other way round if c is online, else u's stored
// roster. mine is the direction in u's item ("from" or "to"), theirs the
// same relation seen from c's item; "both" satisfies either.
func (s *Server) subscribedVia(u *user, c, mine, theirs string) bool {
	if s.prof.SubscriptionFromOwnRoster {
		// ejabberd reads u's own stored item, online or not
		it := u.roster[c]
		return it != nil && (it.sub == "both" || it.sub == mine)
	}
	if sub := s.onlineSubscription(u.bareStr, c); sub != "" {
		return sub == "both" || sub == mine
	}
	if sub := s.onlineSubscription(c, u.bareStr); sub != "" {
		return sub == "both" || sub == theirs
	}
	// Neither is online: rostermanager loads u's roster, and keeps a
	// roster loaded for an account without a session in its roster_cache
	// (D11). Found by check --server against 13.0.1 (seed 1001): the
	// deletion of an account's PEP nodes asks each +notify recipient's
	// access after the account's sessions are closed (mod_pep's
	// user-deleted runs after mod_c2s's), so the roster is loaded from
	// storage just before the purge and survives it.
	u.rosterCached = true
	it := u.roster[c]
	return it != nil && (it.sub == "both" || it.sub == mine)
}

func (s *Server) isPreApproved(u *user, c string) bool {
	it := u.roster[c]
	return it != nil && it.approved
}

func (u *user) itemOrNew(jid string) *rosterItem {
	it := u.roster[jid]
	if it == nil {
		it = &rosterItem{sub: "none"}
		u.roster[jid] = it
		u.rosterKeys = nil
	}
	return it
}

// setContactPendingOut: outbound subscribe (§4.4).
func (s *Server) setContactPendingOut(u *user, c string) {
	it := u.roster[c]
	if it != nil && (it.ask || it.subscribedTo()) {
		return
	}
	it = u.itemOrNew(c)
	it.ask = true
	s.save(u)
}

// subscribeChangesItem reports whether an outbound subscribe to c is a
// transition of ejabberd's table (NoPushWithoutChange): from "none" or
// "from" without a pending outbound request, or from "none + pending
// out" alone; not from "to"/"both" nor with pending out beside a pending
// in or "from".
func (s *Server) subscribeChangesItem(u *user, c string) bool {
	it := u.roster[c]
	if it == nil {
		return true
	}
	if it.subscribedTo() {
		return false
	}
	return !it.ask || (it.sub == "none" && !u.hasPending(c))
}

// unsubscribe: outbound unsubscribe; reports whether a push follows.
func (s *Server) unsubscribe(u *user, c string) bool {
	it := u.roster[c]
	if it == nil {
		return false
	}
	if !(it.subscribedTo() || it.ask) {
		// Prosody pushes the unchanged item; ejabberd does not
		// (NoPushWithoutChange).
		return !s.prof.NoPushWithoutChange
	}
	it.ask = false
	switch it.sub {
	case "both":
		it.sub = "from"
	case "to":
		it.sub = "none"
	}
	s.save(u)
	return true
}

// subscribed: outbound subscribed (§4.4 cases a, b, c).
func (s *Server) subscribed(u *user, c string) bool {
	if u.hasPending(c) {
		it := u.itemOrNew(c)
		s.mods.roster.approvePending(it)
		delete(u.pending, c)
		s.save(u)
		return true
	}
	if s.prof.NoPreApproval {
		// ejabberd: no request, nothing to approve — except on top of
		// "to", which its table turns into "both" without a request
		// (mod_roster:out_state_change(to, none, subscribed))
		if it := u.roster[c]; it != nil && it.sub == "to" && !it.ask {
			it.sub = "both"
			s.save(u)
			return true
		}
		return false
	}
	if it := u.roster[c]; it == nil || it.sub == "none" || it.sub == "to" {
		it = u.itemOrNew(c)
		it.approved = true
		s.save(u)
		return true
	}
	return false
}

// unsubscribed: outbound unsubscribed; returns (saved, wasPending, subscriptionChanged).
func (s *Server) unsubscribed(u *user, c string) (bool, bool, bool) {
	pending := u.hasPending(c)
	if pending {
		delete(u.pending, c)
	}
	changed := false
	if it := u.roster[c]; it != nil {
		switch it.sub {
		case "from":
			it.sub, changed = "none", true
		case "both":
			it.sub, changed = "to", true
		}
	}
	if pending || changed {
		// mod_presence routes the unsubscribed only when the roster was
		// saved (rostermanager.unsubscribed's success): for an account
		// that does not exist it is not (check --server --register
		// against 0.12.3, seed 9: a refused probe's answer).
		return s.save(u), pending, changed
	}
	return false, false, false
}

// pendingOnlyItem: under RosterPushOnPendingIn (ejabberd, which keeps a
// pending inbound request on the roster item), u's item for c is
// "none + pending in": no subscription either way, no request sent, a
// request stored.
func (s *Server) pendingOnlyItem(u *user, c string) bool {
	it := u.roster[c]
	return s.prof.RosterPushOnPendingIn && it != nil && it.sub == "none" && !it.ask && u.hasPending(c)
}

// subscriptionPush is the roster push of a change a subscription stanza
// made. ejabberd pushes none of an item that is then only
// "none + pending in" (mod_roster process_subscription: "if NewItem is
// none with ask in: ok"), the item it never shows (E13); the roster's
// change hooks run all the same.
func (s *Server) subscriptionPush(e *HookEvent, u *user, jid string) {
	if s.pendingOnlyItem(u, jid) {
		s.fireLifecycle(e, s.mods.roster.changed.handlers(), func(c *HookEvent) { c.user, c.contact = u, jid })
		return
	}
	s.rosterPush(e, u, jid)
}

// pendingInPush: under RosterPushOnPendingIn, declining a stored request
// (cancelled is whether one was) changes ejabberd's item — pending-in is
// part of its state — and mod_roster pushes the item, unchanged to the
// eye, unless the item is gone (deleteItemSilently). Prosody pushes
// nothing: the roster item did not change.
func (s *Server) pendingInPush(u *user, c string, cancelled bool) bool {
	return s.prof.RosterPushOnPendingIn && cancelled && u.roster[c] != nil
}

// deleteItemSilently removes u's item for c without a push: ejabberd's
// mod_roster deletes an item that a subscription stanza takes from
// "none + pending in" to "none + none" (process_subscription, either
// direction), and pushes nothing.
func (s *Server) deleteItemSilently(u *user, c string) {
	if u.roster[c] == nil {
		return
	}
	delete(u.roster, c)
	u.rosterKeys = nil
	s.save(u)
}

// setContactPendingIn stores the full request stanza (§4.1) in the
// loaded roster; stored reports that, saved that the roster was saved
// too — rostermanager's set_contact_pending_in returns save_roster's
// result, which is nil for an account that does not exist (deleted, not
// registered again: Profile.RegisteredAccounts). The request then lives
// only in the loaded roster (Prosody's roster_cache, D11), and the
// callers' follow-ups that test the result do not run. Found by check
// --server --register against 0.12.3 (seed 3): a subscribe to a deleted
// account that had pre-approved the sender was not answered with
// subscribed, and the re-registered account got the request at its
// initial presence; same code in 13.0.1.
func (s *Server) setContactPendingIn(u *user, c string, st *etree.Element) (stored, saved bool) {
	if it := u.roster[c]; it != nil && it.subscribedFrom() {
		return false, false
	}
	u.pending[c] = s.mods.roster.storeRequest(st)
	return true, s.save(u)
}

func (s *Server) processInboundApproval(u *user, c string) bool {
	it := u.roster[c]
	if it != nil && !it.ask && it.sub == "from" && s.prof.NoPreApproval {
		// ejabberd's table: a subscribed on top of "from" gives "both"
		// without a request (mod_roster:in_state_change(from, none,
		// subscribed))
		it.sub = "both"
		s.save(u)
		return true
	}
	if it == nil || !it.ask {
		return false
	}
	if it.sub == "none" {
		it.sub = "to"
	} else {
		it.sub = "both"
	}
	it.ask = false
	s.save(u)
	return true
}

func (s *Server) processInboundCancellation(u *user, c string) bool {
	it := u.roster[c]
	changed := false
	if it != nil && it.ask {
		it.ask, changed = false, true
	}
	if it != nil {
		switch it.sub {
		case "to":
			it.sub, changed = "none", true
		case "both":
			it.sub, changed = "from", true
		}
	}
	if changed {
		s.save(u)
	}
	return changed
}

func (s *Server) processInboundUnsubscribe(u *user, c string) bool {
	changed := false
	if u.hasPending(c) {
		delete(u.pending, c)
		changed = true
	}
	if it := u.roster[c]; it != nil {
		switch it.sub {
		case "from":
			it.sub, changed = "none", true
		case "both":
			it.sub, changed = "to", true
		}
	}
	if changed {
		s.save(u)
	}
	return changed
}

// revertPending gives the requests of pendingRevert their bare 'to' back:
// the account went offline, and its requests are what storage holds.
func (u *user) revertPending() {
	for jid := range u.pendingRevert {
		if st := u.pending[jid]; st != nil {
			st.CreateAttr("to", u.bare.String())
		}
	}
	clear(u.pendingRevert)
}

// rosterRecord is the roster's part of an account's storage record.
type rosterRecord struct {
	Version int          `json:"version,omitempty"`
	Items   []itemRecord `json:"items,omitempty"`
	Pending []pendingRec `json:"pending,omitempty"`
}

type itemRecord struct {
	JID          string   `json:"jid"`
	Subscription string   `json:"subscription"`
	Ask          bool     `json:"ask,omitempty"`
	Name         string   `json:"name,omitempty"`
	Groups       []string `json:"groups,omitempty"`
	Approved     bool     `json:"approved,omitempty"`
}

type pendingRec struct {
	JID    string `json:"jid"`
	Stanza string `json:"stanza,omitempty"` // empty: a bare marker
}

// saveRoster is the roster's account-save handler.
func saveRoster(e *HookEvent) bool {
	u, r := e.user, e.rec
	r.Version = u.rosterVer
	for _, jid := range u.rosterJIDs() {
		it := u.roster[jid]
		ir := itemRecord{JID: jid, Subscription: it.sub, Ask: it.ask, Name: it.name, Approved: it.approved}
		ir.Groups = sortedKeys(it.groups)
		r.Items = append(r.Items, ir)
	}
	for _, jid := range sortedKeys(u.pending) {
		p := pendingRec{JID: jid}
		if st := u.pending[jid]; st != nil {
			if u.pendingRevert[jid] {
				// storage holds it bare (PendingKeepsAddressedTo)
				st = st.Copy()
				st.CreateAttr("to", u.bare.String())
			}
			p.Stanza = serialise(st)
		}
		r.Pending = append(r.Pending, p)
	}
	return false
}

// loadRoster is the roster's account-load handler.
func loadRoster(e *HookEvent) bool {
	u, r := e.user, e.rec
	u.rosterVer = r.Version
	for _, ir := range r.Items {
		it := &rosterItem{sub: ir.Subscription, ask: ir.Ask, name: ir.Name, approved: ir.Approved, groups: map[string]bool{}}
		for _, g := range ir.Groups {
			it.groups[g] = true
		}
		u.roster[ir.JID] = it
		u.rosterKeys = nil
	}
	for _, p := range r.Pending {
		var st *etree.Element
		if p.Stanza != "" {
			var err error
			if st, err = deserialise(p.Stanza); err != nil {
				r.loadErr = fmt.Errorf("pending request from %s: %v", p.JID, err)
				return true
			}
		}
		u.pending[p.JID] = st
	}
	return false
}

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
