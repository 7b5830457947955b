package properties

// Queries on the step being judged, shared by the invariants: the step's
// blocking command, the answer to the sender's iq, blocklist matching
// before and after, sessions by user. Several are memoised per step.

import (
	"slices"
	"strings"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

func (c *Ctx) blFor(s snap, bare string) map[string]bool {
	m := map[string]bool{}
	for _, j := range s.bl[userOf(bare)] {
		m[j] = true
	}
	return m
}

// blockedThroughout: bare user u's list matched j before and after the step.
func (c *Ctx) blockedThroughout(u, j string) bool {
	return matchesList(c.prof, c.before.bl[userOf(u)], j) && matchesList(c.prof, c.after.bl[userOf(u)], j)
}

func (c *Ctx) blockedEver(u, j string) bool {
	return matchesList(c.prof, c.before.bl[userOf(u)], j) || matchesList(c.prof, c.after.bl[userOf(u)], j) || c.blockedAtGroupEnd(u, j)
}

// blockedAtGroupEnd: in a group, on a server that applies the list when
// a session takes in what was routed to it
// (model.Profile.ListAppliedAtDelivery), u's list as the whole group left
// it matched j: the stanzas pipelined behind the step's were handled
// before what the step routed back to its own session.
func (c *Ctx) blockedAtGroupEnd(u, j string) bool {
	return c.prof.ListAppliedAtDelivery && c.inv.groupEnd != nil && matchesList(c.prof, c.inv.groupEnd.bl[userOf(u)], j)
}

func delivered(e *ev) bool {
	return e.Kind == sim.TraceDeliver || e.Kind == sim.TraceError || e.Kind == sim.TraceFlush
}

// sendTo returns the prepped `to` of the step's send ("" if none).
func (c *Ctx) sendTo() string {
	if c.memo&memoTo == 0 {
		c.to, c.memo = c.sendToUncached(), c.memo|memoTo
	}
	return c.to
}

func (c *Ctx) sendToUncached() string {
	if c.send == nil || c.send.el.IsZero() {
		return ""
	}
	t, ok := vAttr(c.send.el, "to")
	if !ok {
		return ""
	}
	p, ok := prep(t)
	if !ok {
		return ""
	}
	return p
}

func (c *Ctx) senderFull() string {
	if c.send == nil {
		return ""
	}
	if c.memo&memoFull == 0 {
		c.sFull, c.memo = c.send.JID.String(), c.memo|memoFull
	}
	return c.sFull
}

func (c *Ctx) senderBare() string {
	if c.send == nil {
		return ""
	}
	if c.memo&memoBare == 0 {
		c.sBare, c.memo = bareString(c.send.JID), c.memo|memoBare
	}
	return c.sBare
}

// blockingCmd reports the step's blocking command: "block", "unblock",
// "unblock-all", "get" or "".
// The items are shared between callers: do not modify them.
func (c *Ctx) blockingCmd() (string, []string) {
	if c.memo&memoCmd == 0 {
		c.cmd, c.cmdItems = c.blockingCmdUncached()
		c.memo |= memoCmd
	}
	return c.cmd, c.cmdItems
}

func (c *Ctx) blockingCmdUncached() (string, []string) {
	if c.send == nil || c.send.el.IsZero() || c.send.tag != "iq" || vHas(c.send.el, "to") {
		return "", nil
	}
	q := vFirst(c.send.el)
	if q.IsZero() || vAttrOr(q, "xmlns") != nsBlocking {
		return "", nil
	}
	var items []string
	for _, it := range vChildren(q, "item") {
		items = append(items, vAttrOr(it, "jid"))
	}
	switch {
	case q.Tag() == "blocklist" && c.send.typ == "get":
		return "get", items
	case q.Tag() == "block" && c.send.typ == "set":
		return "block", items
	case q.Tag() == "unblock" && c.send.typ == "set" && len(items) == 0:
		return "unblock-all", nil
	case q.Tag() == "unblock" && c.send.typ == "set":
		return "unblock", items
	}
	return "", nil
}

// answer returns the first result/error the sender got for its iq and
// how many it got (memoised: several invariants ask).
func (c *Ctx) answer() (*ev, int) {
	if c.memo&memoAnswer == 0 {
		c.ans, c.nAns = c.answerUncached()
		c.memo |= memoAnswer
	}
	return c.ans, c.nAns
}

func (c *Ctx) answerUncached() (*ev, int) {
	if c.send == nil {
		return nil, 0
	}
	var a *ev
	n := 0
	for _, e := range c.evs {
		if delivered(e) && e.Client == c.sender && e.tag == "iq" && (e.typ == "result" || e.typ == "error") && e.id == c.send.id {
			if a == nil {
				a = e
			}
			n++
		}
	}
	return a, n
}

// answeredWith: the sender's iq got an answer of type typ (the first).
func (c *Ctx) answeredWith(typ string) bool {
	a, _ := c.answer()
	return a != nil && a.typ == typ
}

func isBlocklistPush(e *ev) bool {
	if !delivered(e) || e.tag != "iq" || e.typ != "set" || e.el.IsZero() {
		return false
	}
	q := vFirst(e.el)
	return !q.IsZero() && vAttrOr(q, "xmlns") == nsBlocking
}

func isRosterPush(e *ev) bool {
	if !delivered(e) || e.tag != "iq" || e.typ != "set" || e.el.IsZero() {
		return false
	}
	q := vFirst(e.el)
	return !q.IsZero() && vAttrOr(q, "xmlns") == nsRoster
}

func errorCond(e *ev) (typ, cond string, blocked bool) {
	er := vChild(e.el, "error")
	if er.IsZero() {
		return
	}
	typ = vAttrOr(er, "type")
	for _, ch := range er.Elements() {
		switch vAttrOr(ch, "xmlns") {
		case nsStanzas:
			if ch.Tag() != "text" {
				cond = ch.Tag()
			}
		case nsBlockErr:
			blocked = ch.Tag() == "blocked"
		}
	}
	return
}

func presenceCount(c *Ctx, f func(e *ev) bool) int {
	n := 0
	for _, e := range c.evs {
		if delivered(e) && e.tag == "presence" && f(e) {
			n++
		}
	}
	return n
}

// sessionsOfMemo is sessionsOf memoised in *memo (the result is shared:
// do not modify it).
func (c *Ctx) sessionsOfMemo(memo *map[string][]sessInfo, m map[string]sessInfo, user string) []sessInfo {
	if *memo == nil {
		*memo = map[string][]sessInfo{}
	}
	if out, ok := (*memo)[user]; ok {
		return out
	}
	out := c.sessionsOf(m, user)
	(*memo)[user] = out
	return out
}

func (c *Ctx) sessionsOf(m map[string]sessInfo, user string) []sessInfo {
	var out []sessInfo
	for _, s := range m {
		if s.user == user {
			out = append(out, s)
		}
	}
	// session names are unique: the stable and unstable sorts agree
	slices.SortFunc(out, func(a, b sessInfo) int { return strings.Compare(a.name, b.name) })
	return out
}

// userOf returns "u1" for "u1@localhost" (the inverse of userBare), the
// key of snap's maps.
func userOf(bare string) string { return strings.TrimSuffix(bare, "@localhost") }

// listsUsed: user bare's blocklist was non-empty before or after the step.
func (c *Ctx) listsUsed(bare string) bool {
	return len(c.before.bl[userOf(bare)])+len(c.after.bl[userOf(bare)]) > 0
}

// availableFulls returns the full JIDs of user's available sessions
// before the step.
func (c *Ctx) availableFulls(user string) []string {
	var avail []string
	for _, s := range c.sessionsOfMemo(&c.preBy, c.preSess, user) {
		if s.avail {
			avail = append(avail, s.full)
		}
	}
	return avail
}

func contactOf(s snap, a, b string) model.Contact {
	return s.contacts.get([2]string{userOf(a), userOf(b)})
}

func isLocalUser(j string) bool {
	n, d, _ := splitJID(j)
	return n != "" && d == "localhost"
}

func (c *Ctx) pushCount(kind string) int {
	n := 0
	for _, e := range c.evs {
		if isBlocklistPush(e) && (kind == "" || vFirst(e.el).Tag() == kind) {
			n++
		}
	}
	return n
}

func listed(items []string, j string) bool {
	for _, raw := range items {
		if p, ok := prep(raw); ok && p == j {
			return true
		}
	}
	return false
}

// initialPresence reports whether the step is an initial presence.
func (c *Ctx) initialPresence() bool {
	if c.send == nil || c.send.tag != "presence" || c.send.typ != "" || c.sendTo() != "" && c.sendTo() != c.senderBare() {
		return false
	}
	return !c.preSess[c.sender].avail
}

func (c *Ctx) sessByFull(m map[string]sessInfo, full string) bool {
	for _, s := range m {
		if s.full == full {
			return true
		}
	}
	return false
}
