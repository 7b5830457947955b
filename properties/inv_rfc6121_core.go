package properties

// invariants.md A.7 "RFC 6121 core (so that blocking is checked against a
// correct baseline)": invariants 29–35.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/scansim/scansim/stanza"
)

// inv29ValidSubscriptionStates: every roster state is one of RFC 6121's
// nine (no ask with to/both, no pending-in with from/both), and approved
// is only newly set on items without from (RFC 6121 App. A, §3.4; inv 29;
// the transition tables themselves are checked by the reference).
func inv29ValidSubscriptionStates(c *Ctx) error {
	for k, f := range c.after.contacts.all() {
		switch f.Subscription {
		case "none", "to", "from", "both":
		default:
			return fmt.Errorf("%s->%s subscription %q", k[0], k[1], f.Subscription)
		}
		if f.Ask && isTo(f.Subscription) {
			return fmt.Errorf("%s->%s is %s (pending out with a subscription to)", k[0], k[1], f.State())
		}
		if f.PendingIn && isFrom(f.Subscription) {
			return fmt.Errorf("%s->%s is %s (pending in with a subscription from)", k[0], k[1], f.State())
		}
		if (f.Approved || f.Ask) && !f.InRoster {
			return fmt.Errorf("%s->%s has approved/ask without an item", k[0], k[1])
		}
		if b := c.before.contacts.get(k); f.Approved && !b.Approved && isFrom(b.Subscription) {
			return fmt.Errorf("%s->%s pre-approved although it already has %s", k[0], k[1], b.Subscription)
		}
	}
	return nil
}

// inv30CrossRosterConsistency: while no blocklist was ever used, A has
// to/both towards B iff B has from/both towards A, and A pending out
// implies B pending in or from (RFC 6121 §3; inv 30).
func inv30CrossRosterConsistency(c *Ctx) error {
	if c.inv.everBlocked {
		return nil
	}
	for k, ab := range c.after.contacts.all() {
		ba := c.after.contacts.get([2]string{k[1], k[0]})
		if !c.h.strictOn("F1") && (c.inv.approved[k] || c.inv.approved[[2]string{k[1], k[0]}]) ||
			!c.h.strictOn("F3") && (c.inv.removed[k] || c.inv.removed[[2]string{k[1], k[0]}]) {
			// Findings F1 and F3 (findings.md): a pre-approval consumed
			// while the approver is offline is not routed back (§4.3
			// shortcut), and a pending request that survives a roster
			// removal (§4.7) can be approved after the requester's ask
			// was cleared. Config.Strict checks these pairs too.
			continue
		}
		if c.prof.RemovalPresenceByItem && (c.stepRemoves(k[0], k[1]) || c.stepRemoves(k[1], k[0])) {
			// ejabberd deletes a stored request with the item and tells
			// the requester nothing (finding E8); later steps are F3's
			continue
		}
		if isTo(ab.Subscription) != isFrom(ba.Subscription) {
			return fmt.Errorf("%s is %s towards %s but %s is %s towards %s", k[0], ab.State(), k[1], k[1], ba.State(), k[0])
		}
		if ab.Ask && !(ba.PendingIn || isFrom(ba.Subscription)) {
			return fmt.Errorf("%s has a pending request to %s (%s) that %s does not hold (%s)", k[0], k[1], ab.State(), k[1], ba.State())
		}
	}
	return nil
}

// inv31RosterPushOnChange: roster pushes go only to interested resources;
// a changed item is pushed to every interested resource with its new
// state; an inbound stanza that changes nothing pushes nothing (RFC 6121
// §2.1.6, §3; §4.2; inv 31). Prosody pushes on some outbound no-ops
// (§4.4), so no-op pushes are allowed to the acting user.
func inv31RosterPushOnChange(c *Ctx) error {
	last := map[string]map[string]stanza.Stanza{} // client -> jid -> item
	for _, e := range c.evs {
		if !isRosterPush(e) {
			continue
		}
		s, ok := c.postSess[e.Client]
		if !ok {
			s = c.preSess[e.Client]
		}
		if !s.interested {
			return fmt.Errorf("roster push to %s, which never fetched the roster", e.Client)
		}
		for _, it := range vChildren(vFirst(e.el), "item") {
			if last[e.Client] == nil {
				last[e.Client] = map[string]stanza.Stanza{}
			}
			last[e.Client][vAttrOr(it, "jid")] = it
		}
	}
	actor := c.senderBare()
	for k, f := range c.after.contacts.all() {
		b := c.before.contacts.get(k)
		changed := b.InRoster != f.InRoster || b.Subscription != f.Subscription || b.Ask != f.Ask
		if changed && c.prof.RosterPushOnPendingIn && b.InRoster && !f.InRoster && b.Subscription == "none" && !b.Ask && b.PendingIn && !f.PendingIn {
			// ejabberd deletes an item that a subscription stanza
			// takes from "none + pending in" to "none", and pushes
			// nothing (mod_roster process_subscription; finding E14)
			continue
		}
		if changed && c.prof.RosterPushOnPendingIn && f.Subscription == "none" && !f.Ask && f.PendingIn {
			// nor does it push an item that a change leaves
			// "none + pending in", which it never shows (E13)
			continue
		}
		if !changed && len(last) == 0 {
			continue // no push to judge, none owed
		}
		u, jid := userBare(k[0]), userBare(k[1])
		for _, s := range c.sessionsOfMemo(&c.postBy, c.postSess, u) {
			if !s.interested || !c.preSess[s.name].interested {
				continue
			}
			it := last[s.name][jid]
			if changed {
				if it.IsZero() {
					return fmt.Errorf("%s's item %s changed %s -> %s without a push to %s", u, jid, b.State(), f.State(), s.name)
				}
				wantSub := f.Subscription
				if !f.InRoster {
					wantSub = "remove"
				}
				if vAttrOr(it, "subscription") != wantSub || (vAttrOr(it, "ask") == "subscribe") != f.Ask {
					return fmt.Errorf("push to %s shows %s, state is %s", s.name, it.Canonical(), f.State())
				}
			} else if !it.IsZero() && u != actor && b == f {
				return fmt.Errorf("%s got a push for %s although nothing changed (%s)", s.name, jid, f.State())
			}
		}
	}
	return nil
}

// inv32PresenceAuthorisation: an available presence of A reaches j only if
// j has from/both on A or holds directed presence from A, and neither
// blocks the other (RFC 6121 §4.4, §4.6; XEP-0191 §3.3; inv 32).
func inv32PresenceAuthorisation(c *Ctx) error {
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "presence" || e.typ != "" || e.from == "" || e.user == "" {
			continue
		}
		a, j := bareOf(e.from), e.user
		if a == j || !isLocalUser(a) {
			continue
		}
		sub := isFrom(contactOf(c.before, a, j).Subscription) || isFrom(contactOf(c.after, a, j).Subscription) ||
			isTo(contactOf(c.before, j, a).Subscription) || isTo(contactOf(c.after, j, a).Subscription)
		dir := c.inv.directed[e.from][j] || (c.send != nil && c.senderFull() == e.from && bareOf(c.sendTo()) == j)
		if !sub && !dir {
			return fmt.Errorf("%s received available presence from %s without a subscription or directed presence", e.Client, e.from)
		}
		if c.blockedThroughout(a, c.routedAddr(e)) || c.blockedThroughout(j, e.from) {
			return fmt.Errorf("%s received available presence from %s across a block", e.Client, e.from)
		}
	}
	return nil
}

// inv33ProbeSemantics: a probe from j to A (no blocks either way) is
// answered with A's presence iff j has from/both on A — one per available
// resource of A, or one unavailable from A's bare JID; otherwise j gets no
// presence from A but possibly an unsubscribed (RFC 6121 §4.3.2; §3.5;
// inv 33).
func inv33ProbeSemantics(c *Ctx) error {
	if c.send == nil || c.send.tag != "presence" || c.send.typ != "probe" {
		return nil
	}
	a := c.sendTo()
	if !isLocalUser(a) || strings.Contains(a, "/") || a == c.senderBare() || c.inv.removedAccts[a] {
		return nil // a removed account's tombstone answers (mod_tombstones)
	}
	j := c.senderBare()
	if c.blockedEver(a, c.senderFull()) || c.listsUsed(j) {
		return nil // j's own list may filter some of A's answers
	}
	// §4.3: A's roster if A is online, else j's inverted (j is online).
	var sub bool
	if len(c.sessionsOfMemo(&c.preBy, c.preSess, a)) > 0 {
		sub = isFrom(contactOf(c.before, a, j).Subscription)
	} else {
		sub = isTo(contactOf(c.before, j, a).Subscription)
	}
	n := 0
	for _, s := range c.sessionsOfMemo(&c.preBy, c.preSess, a) {
		if s.avail {
			n++
		}
	}
	avails, unavs, other := 0, 0, 0
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "presence" || bareOf(e.from) != a || e.user != j {
			continue
		}
		switch {
		case e.Client == c.sender && e.typ == "":
			avails++
		case e.Client == c.sender && e.typ == "unavailable" && e.from == a:
			unavs++
		case e.typ == "unsubscribed":
		default:
			other++
		}
	}
	switch {
	case other > 0:
		return errors.New("unexpected presence in answer to a probe")
	case sub && n > 0 && (avails != n || unavs != 0):
		return fmt.Errorf("probe answered with %d presences and %d unavailables, want %d presences", avails, unavs, n)
	case sub && n == 0 && (avails != 0 || unavs != 1) && !(c.prof.NoUnavailableProbeAnswer && avails+unavs == 0):
		// RFC 6121 §4.3.2 allows no answer at all (NoUnavailableProbeAnswer: ejabberd)
		return fmt.Errorf("probe to offline contact answered with %d presences and %d unavailables, want one unavailable", avails, unavs)
	case !sub && avails+unavs > 0:
		return fmt.Errorf("probe from an unsubscribed JID revealed presence (%d available, %d unavailable)", avails, unavs)
	}
	return nil
}

// inv34ApprovalAndCancelPresence: an outbound subscribed that gives j
// from/both sends A's current presence from each available resource to j;
// an outbound unsubscribed that removes it sends unavailable from each
// (RFC 6121 §3.1.5, §3.2.2; inv 34).
func inv34ApprovalAndCancelPresence(c *Ctx) error {
	if c.send == nil || c.send.tag != "presence" || (c.send.typ != "subscribed" && c.send.typ != "unsubscribed") {
		return nil
	}
	j := bareOf(c.sendTo())
	A := c.senderBare()
	if !isLocalUser(j) || j == A || c.blockedEver(A, j) || c.blockedEver(j, A) {
		return nil
	}
	b, f := contactOf(c.before, A, j), contactOf(c.after, A, j)
	var wantType string
	switch {
	case c.send.typ == "subscribed" && !isFrom(b.Subscription) && isFrom(f.Subscription):
		wantType = ""
	case c.send.typ == "unsubscribed" && isFrom(b.Subscription) && !isFrom(f.Subscription):
		wantType = "unavailable"
	default:
		return nil
	}
	avail := c.availableFulls(A)
	for _, s := range c.sessionsOfMemo(&c.preBy, c.preSess, j) {
		if !s.avail {
			continue
		}
		got := map[string]int{}
		for _, e := range c.evs {
			if delivered(e) && e.Client == s.name && e.tag == "presence" && bareOf(e.from) == A && e.typ == wantType && e.from != A {
				got[e.from]++
			}
		}
		for _, f := range avail {
			if got[f] < 1 && !c.blockedEver(j, f) {
				return fmt.Errorf("%s did not receive %q presence from %s after %s", s.name, wantType, f, c.send.typ)
			}
		}
	}
	return nil
}

// inv35StoredRequestDelivery: at an initial presence the resource receives
// each stored subscription request once (unless the requester is blocked
// and the profile re-checks), and no other request (RFC 6121 §3.1.3; §3.1
// step 5d; inv 35).
func inv35StoredRequestDelivery(c *Ctx) error {
	if !c.initialPresence() {
		return nil
	}
	A := c.senderBare()
	want := map[string]int{}
	if c.prof.StoredRequestNeedsPriority && c.postSess[c.sender].prio < 0 {
		// ejabberd keeps the requests for an initial presence with a
		// non-negative priority (mod_roster c2s_self_presence)
		return nil
	}
	for k, b := range c.before.contacts.all() {
		if userBare(k[0]) == A && b.PendingIn {
			if c.prof.RecheckBlocklistOnOfflineFlush && c.blockedEver(A, userBare(k[1])) {
				continue
			}
			want[userBare(k[1])] = 1
		}
	}
	got := map[string]int{}
	for _, e := range c.evs {
		if delivered(e) && e.Client == c.sender && e.tag == "presence" && e.typ == "subscribe" {
			got[bareOf(e.from)]++
		}
	}
	for j := range want {
		if got[j] != 1 {
			return fmt.Errorf("stored request from %s delivered %d times at initial presence, want 1", j, got[j])
		}
	}
	for j := range got {
		// a re-sent request may have been stored during the step
		if want[j] == 0 && !contactOf(c.after, A, j).PendingIn {
			return fmt.Errorf("request from %s delivered at initial presence but none was stored", j)
		}
	}
	return nil
}
