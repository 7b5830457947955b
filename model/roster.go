package model

import (
	"sort"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

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

// save models save_roster: every save bumps the version (§4.1).
func (s *Server) save(u *user) {
	u.rosterVer++
	// Prosody's memory storage keeps a copy of each save: a request that
	// had its addressed 'to' only in the loaded roster is stored with it
	// from now on (PendingKeepsAddressedTo).
	clear(u.pendingRevert)
	s.touch(u)
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
	if sub := s.onlineSubscription(u.bareStr, c); sub != "" {
		return sub == "both" || sub == mine
	}
	if sub := s.onlineSubscription(c, u.bareStr); sub != "" {
		return sub == "both" || sub == theirs
	}
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

// unsubscribe: outbound unsubscribe; reports whether a push follows.
func (s *Server) unsubscribe(u *user, c string) bool {
	it := u.roster[c]
	if it == nil {
		return false
	}
	if !(it.subscribedTo() || it.ask) {
		return true
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
		if it.sub == "none" {
			it.sub = "from"
		} else if s.mut.has(mutSubscribedFromToPI) && it.sub == "to" {
			it.sub = "from" // mutant: wrong transition row (To+PI -> From)
		} else {
			it.sub = "both"
		}
		delete(u.pending, c)
		s.save(u)
		return true
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
		s.save(u)
		return true, pending, changed
	}
	return false, false, false
}

// setContactPendingIn stores the full request stanza (§4.1).
func (s *Server) setContactPendingIn(u *user, c string, st *etree.Element) bool {
	if it := u.roster[c]; it != nil && it.subscribedFrom() {
		return false
	}
	stored := st.Copy()
	if s.mut.has(mutPendingLosesExtensions) {
		stored = nil
	}
	u.pending[c] = stored
	s.save(u)
	return true
}

func (s *Server) processInboundApproval(u *user, c string) bool {
	it := u.roster[c]
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

// rosterPush sends the item as it is now to u's interested sessions (§4.2).
// Only an online user gets pushes; a missing item reads subscription='remove'.
func (s *Server) rosterPush(u *user, jid string) {
	if !u.online() {
		return
	}
	var targets []*session
	for _, sess := range u.sessions {
		if sess.interested || s.mut.has(mutRosterPushToAll) {
			targets = append(targets, sess)
		}
	}
	if len(targets) == 0 {
		return
	}
	push := newStanza("iq", "type", "set", "id", s.randomID())
	q := newNS(push, "query", nsRoster)
	q.CreateAttr("ver", strconv.Itoa(u.reportedVersion()))
	q.AddChild(itemElement(jid, u.roster[jid]))
	for _, sess := range targets {
		s.deliver(sess, push, "push")
	}
}

func itemElement(jid string, it *rosterItem) *etree.Element {
	el := etree.NewElement("item")
	el.CreateAttr("jid", jid)
	if it == nil {
		el.CreateAttr("subscription", "remove")
		return el
	}
	el.CreateAttr("subscription", it.sub)
	if it.ask {
		el.CreateAttr("ask", "subscribe")
	}
	if it.name != "" {
		el.CreateAttr("name", it.name)
	}
	groups := make([]string, 0, len(it.groups))
	for g := range it.groups {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		el.CreateElement("group").SetText(g)
	}
	return el
}

// rosterIQ is mod_roster's iq/self/jabber:iq:roster:query handler (§4.2).
func (s *Server) rosterIQ(sess *session, st *etree.Element, q *etree.Element) {
	u := sess.user
	if attrOr(st, "type") == "get" {
		r := reply(st)
		if cv, ok := attr(q, "ver"); !ok || !numericEqual(cv, u.reportedVersion()) {
			rq := newNS(r, "query", nsRoster)
			for _, jid := range u.rosterJIDs() {
				rq.AddChild(itemElement(jid, u.roster[jid]))
			}
			rq.CreateAttr("ver", strconv.Itoa(u.reportedVersion()))
		}
		s.deliver(sess, r, "result")
		sess.interested = true
		return
	}
	items := childElements(q)
	if len(items) != 1 || items[0].Tag != "item" || ns(items[0]) != nsRoster || selectAttr(items[0], "jid") == nil {
		s.deliver(sess, errorReply(st, "modify", "bad-request", "", nil), "error")
		return
	}
	item := items[0]
	j, err := ParseJID(attrOr(item, "jid"))
	if err != nil || j.Resource != "" {
		s.deliver(sess, errorReply(st, "modify", "bad-request", "", nil), "error")
		return
	}
	jid := j.String()
	if jid == u.bareStr {
		s.deliver(sess, errorReply(st, "cancel", "not-allowed", "", nil), "error")
		return
	}
	if attrOr(item, "subscription") == "remove" {
		old := u.roster[jid]
		if old == nil {
			s.deliver(sess, errorReply(st, "modify", "item-not-found", "", nil), "error")
			return
		}
		s.rosterItemRemoved(sess, jid, old)
		delete(u.roster, jid)
		u.rosterKeys = nil
		s.save(u)
		s.deliver(sess, reply(st), "result")
		s.rosterPush(u, jid)
		return
	}
	nit := &rosterItem{sub: "none", name: attrOr(item, "name"), groups: map[string]bool{}}
	if old := u.roster[jid]; old != nil {
		nit.sub, nit.ask = old.sub, old.ask
	}
	for _, g := range childElements(item) {
		if g.Tag == "group" && ns(g) == nsRoster {
			// An empty <group/> is kept as the group "": mod_roster's
			// get_text() returns "", which Lua treats as true. Verified
			// on Prosody 0.12.3 (the behaviour doc's §4.2 says otherwise).
			nit.groups[g.Text()] = true
		}
	}
	u.roster[jid] = nit
	u.rosterKeys = nil
	s.save(u)
	s.deliver(sess, reply(st), "result")
	s.rosterPush(u, jid)
}

// rosterItemRemoved is mod_presence's roster-item-removed hook (§4.7).
func (s *Server) rosterItemRemoved(sess *session, jid string, it *rosterItem) {
	u := sess.user
	if it.subscribedFrom() || u.hasPending(jid) {
		s.post(origin{sess}, newStanza("presence", "type", "unsubscribed", "from", sess.fullStr, "to", jid), false)
	}
	if it.subscribedTo() || it.ask {
		s.sendPresenceOfAvailable(u, jid, newStanza("presence", "type", "unavailable"))
		s.post(origin{sess}, newStanza("presence", "type", "unsubscribe", "from", sess.fullStr, "to", jid), false)
	}
}

// numericEqual mirrors tonumber(client_ver) == server_ver.
func numericEqual(s string, n int) bool {
	v, err := strconv.Atoi(strings.TrimPrefix(s, "+"))
	return err == nil && v == n
}
