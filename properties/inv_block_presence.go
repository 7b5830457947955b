package properties

// invariants.md A.7 "Presence at block/unblock": invariants 21–24.

import (
	"fmt"
	"slices"
	"strings"
)

// inv21UnavailableOnBlock: when j becomes blocked, is allowed A's presence
// (A has from/both) and A has an available resource, each available
// resource of j receives unavailable from A — one per available full JID
// of A under UnavailableSenderIsFullJID, else one from A's bare JID;
// otherwise j receives no presence from A (XEP-0191 §3.3; X9; inv 21).
func inv21UnavailableOnBlock(c *Ctx) error {
	cmd, items := c.blockingCmd()
	if cmd != "block" || c.prof.NoPresenceOnBlock { // E2: ejabberd sends none
		return nil
	}
	if !c.answeredWith("result") {
		return nil
	}
	A := c.senderBare()
	avail := c.availableFulls(A)
	for _, raw := range items {
		j, _ := prep(raw)
		if !isLocalUser(j) || strings.Contains(j, "/") || j == A {
			continue
		}
		if matchesList(c.prof, c.before.bl[userOf(A)], j) {
			continue // inv 24
		}
		allowed := isFrom(contactOf(c.before, A, j).Subscription)
		for _, s := range c.sessionsOfMemo(&c.preBy, c.preSess, j) {
			if !s.avail {
				continue
			}
			got := map[string]int{}
			for _, e := range c.evs {
				if delivered(e) && e.Client == s.name && e.tag == "presence" && bareOf(e.from) == A {
					if e.typ != "unavailable" {
						return fmt.Errorf("%s got %s at block time", s.name, e.Canonical())
					}
					got[e.from]++
				}
			}
			want := map[string]int{}
			if allowed && len(avail) > 0 {
				if c.prof.UnavailableSenderIsFullJID {
					for _, f := range avail {
						if !c.blockedEver(j, f) {
							want[f] = 1
						}
					}
				} else if !c.blockedEver(j, A) {
					want[A] = 1
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Errorf("%s (allowed=%v) got unavailables %v at block time, want %v", s.name, allowed, got, want)
			}
		}
	}
	return nil
}

// inv22PresenceOnUnblock: when j stops being blocked and is allowed A's
// presence, each available resource of j receives A's current presence
// (one per available resource of A, or one unavailable from A's bare JID);
// a j that is not allowed receives nothing. Unblock-all is covered only
// under PresenceOnUnblockAll (Prosody sends nothing, §7.3) (XEP-0191 §3.4,
// §3.5; X18, X22; inv 22).
func inv22PresenceOnUnblock(c *Ctx) error {
	cmd, items := c.blockingCmd()
	if cmd != "unblock" && cmd != "unblock-all" || c.prof.NoPresenceOnUnblock { // E2
		return nil
	}
	if !c.answeredWith("result") {
		return nil
	}
	if cmd == "unblock-all" {
		if !c.prof.PresenceOnUnblockAll {
			return nil
		}
		items = c.before.bl[userOf(c.senderBare())]
	}
	A := c.senderBare()
	avail := c.availableFulls(A)
	for _, raw := range items {
		j, _ := prep(raw)
		if !isLocalUser(j) || strings.Contains(j, "/") || j == A {
			continue
		}
		if !matchesList(c.prof, c.before.bl[userOf(A)], j) || matchesList(c.prof, c.after.bl[userOf(A)], j) {
			continue // not unblocked by this command
		}
		allowed := isFrom(contactOf(c.before, A, j).Subscription)
		for _, s := range c.sessionsOfMemo(&c.preBy, c.preSess, j) {
			if !s.avail || c.listsUsed(j) {
				continue // j's own list would filter some of A's presences
			}
			avails, unavs := 0, 0
			for _, e := range c.evs {
				if delivered(e) && e.Client == s.name && e.tag == "presence" && bareOf(e.from) == A {
					if e.typ == "" {
						avails++
					} else if e.typ == "unavailable" && e.from == A {
						unavs++
					}
				}
			}
			switch {
			case !allowed && avails+unavs > 0:
				return fmt.Errorf("%s is not subscribed to %s but got its presence on unblock", s.name, A)
			case allowed && len(avail) > 0 && avails != len(avail):
				return fmt.Errorf("%s got %d presences from %s on unblock, want %d", s.name, avails, A, len(avail))
			case allowed && len(avail) == 0 && unavs != 1:
				return fmt.Errorf("%s got %d unavailables from offline %s on unblock, want 1", s.name, unavs, A)
			}
		}
	}
	return nil
}

// track updates inv23's view of who saw which presence, and the pairs it
// stops judging, before the step's invariants run.
func (s *invState) track(c *Ctx) {
	if c.rec.op.Kind == OpRestart {
		s.restarted = true
	}
	if c.initialPresence() {
		for k := range s.last {
			if k[0] == c.sender {
				delete(s.last, k)
			}
		}
	}
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "presence" || (e.typ != "" && e.typ != "unavailable") || e.from == "" {
			continue
		}
		if !strings.Contains(e.from, "/") {
			for k := range s.last {
				if k[0] == e.Client && bareOf(k[1]) == e.from {
					s.last[k] = "unavailable"
				}
			}
			continue
		}
		s.last[[2]string{e.Client, e.from}] = e.typ
	}
	us := c.h.userNames()
	// A's from/both towards j lost in this step: Prosody sends A's
	// unavailable only when A cancels (§4.4 unsubscribed), not when j
	// unsubscribes or removes A (§4.5, §4.7), so j's view of A goes
	// stale (finding F7)
	if !c.h.strictOn("F7") {
		for k, b := range c.before.contacts.all() {
			if isFrom(b.Subscription) && !isFrom(c.after.contacts.get(k).Subscription) {
				s.staleViews(c, userBare(k[1]), userBare(k[0]))
			}
		}
	}
	// directed presence between two users
	if c.send != nil && c.send.tag == "presence" && (c.send.typ == "" || c.send.typ == "unavailable") {
		if to := c.sendTo(); to != "" && bareOf(to) != c.senderBare() {
			s.staleViews(c, bareOf(to), c.senderBare())
		}
	}
	for _, a := range us {
		A := userBare(a)
		b, f := c.before.bl[a], c.after.bl[a]
		if slices.Equal(b, f) {
			continue
		}
		for _, j := range us {
			J := userBare(j)
			// j's own list changed: j's view of A is not refreshed
			s.staleViews(c, A, J)
			if c.h.strictOn("F2") {
				continue
			}
			// A's list changed through an item other than j's bare JID
			// (domain, full, domain/resource: Prosody signals only
			// literal bare items, F2), or through unblock-all without
			// PresenceOnUnblockAll
			for _, l := range [2][]string{b, f} {
				for _, it := range l {
					if it != J && (bareOf(it) == J || matchesOne(c.prof, it, J, "x")) {
						s.stale[[2]string{J, A}] = true
					}
				}
			}
			if cmd, _ := c.blockingCmd(); cmd == "unblock-all" && !c.prof.PresenceOnUnblockAll && c.senderBare() == A {
				s.stale[[2]string{J, A}] = true
			}
		}
	}
}

// staleViews stops inv23 judging viewer's current sessions' view of A:
// something left it out of date that no rule refreshes while they last.
// A session of viewer that binds later builds its view afresh (its
// initial presence probes its contacts), so it is judged: these views
// are stale per session, where the F2 and P3 relaxations (stale) are per
// user, as the departure they accept outlives any session. (Per user,
// the staleness of a user's every view after any change of its own list,
// or after a contact's F7 unsubscription, ended inv23's judging of the
// pair for the rest of the sequence: --spec xep never found F7.)
func (s *invState) staleViews(c *Ctx, viewer, A string) {
	if s.staleSess == nil {
		s.staleSess = map[[2]string]bool{}
	}
	for _, m := range []map[string]sessInfo{c.preSess, c.postSess} {
		for name, si := range m {
			if si.user == viewer {
				s.staleSess[[2]string{name, A}] = true
			}
		}
	}
}

// inv23PresenceCoherence: for every contact j with from/both on A (and A
// with to/both on j's side, so that j probes), as long as neither list
// changed in a way Prosody does not signal: if A blocks j, the last
// presence each available resource of j received from each resource of A
// is unavailable or none; otherwise it is available exactly for A's
// available resources (RFC 6121 §4; XEP-0191 §3.3–3.4; inv 23).
func inv23PresenceCoherence(c *Ctx) error {
	s := c.inv
	if s.restarted || c.prof.NoPresenceOnBlock || c.prof.NoPresenceOnUnblock {
		// without presence at block and unblock (E2) a contact keeps
		// what it last saw: nothing to be coherent with
		return nil
	}
	us := c.h.userNames()
	for ai, a := range us {
		for ji, j := range us {
			if a == j {
				continue
			}
			A, J := c.h.bares[ai], c.h.bares[ji]
			if s.stale[[2]string{J, A}] {
				continue
			}
			if !isFrom(contactOf(c.after, A, J).Subscription) || !isTo(contactOf(c.after, J, A).Subscription) {
				continue
			}
			if len(c.after.bl[j]) > 0 {
				continue
			}
			blocked := c.blFor(c.after, A)[J]
			if c.h.strictOn("F2") {
				blocked = matchesList(c.prof, c.after.bl[userOf(A)], J)
			}
			senders := c.sessionsOfMemo(&c.postBy, c.postSess, A)
			for _, rs := range c.sessionsOfMemo(&c.postBy, c.postSess, J) {
				if !rs.avail || s.staleSess[[2]string{rs.name, A}] {
					continue
				}
				bound := map[string]bool{}
				for _, r := range senders {
					bound[r.full] = true
					v, seen := s.last[[2]string{rs.name, r.full}]
					avail := seen && v == ""
					switch {
					case blocked && avail:
						return fmt.Errorf("%s still sees %s available although %s blocks %s", rs.name, r.full, A, J)
					case !blocked && r.avail && !avail:
						return fmt.Errorf("%s does not see available %s (last %q, seen %v)", rs.name, r.full, v, seen)
					case !blocked && !r.avail && avail:
						return fmt.Errorf("%s still sees unavailable %s as available", rs.name, r.full)
					}
				}
				// the first such resource in JID order: map order must
				// not reach the message (the same seed, the same report)
				ended := ""
				for k, v := range s.last {
					if k[0] == rs.name && bareOf(k[1]) == A && !bound[k[1]] && v == "" && (ended == "" || k[1] < ended) {
						ended = k[1]
					}
				}
				if ended != "" {
					return fmt.Errorf("%s still sees %s available after it ended", rs.name, ended)
				}
			}
		}
	}
	return nil
}

// inv24NoDoubleSignal: re-blocking only already blocked JIDs sends no
// presence at all (§7.3 step 7; inv 24).
func inv24NoDoubleSignal(c *Ctx) error {
	cmd, items := c.blockingCmd()
	if cmd != "block" || len(items) == 0 {
		return nil
	}
	bl := c.blFor(c.before, c.senderBare())
	for _, raw := range items {
		j, ok := prep(raw)
		if !ok || !bl[j] {
			return nil
		}
	}
	if n := presenceCount(c, func(*ev) bool { return true }); n > 0 {
		return fmt.Errorf("re-block sent %d presences", n)
	}
	return nil
}
