package properties

// invariants.md A.7 "Pushes": invariants 9–11.

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/scansim/scansim/sim"
)

// inv09PushFanOut: after a successful block/unblock/unblock-all each
// connected interested resource of A receives exactly one push of the same
// kind with the affected (prepped) items, an empty <unblock/> for
// unblock-all; under PushOnlyInterested no other resource gets one
// (XEP-0191 §3.3–3.5; X6, X17, X21; inv 9).
func inv09PushFanOut(c *Ctx) error {
	cmd, items := c.blockingCmd()
	if cmd != "block" && cmd != "unblock" && cmd != "unblock-all" {
		return nil
	}
	if !c.answeredWith("result") {
		return nil
	}
	kind := "block"
	if cmd != "block" {
		kind = "unblock"
	}
	var want []string
	for _, raw := range items {
		p, _ := prep(raw)
		want = append(want, p)
	}
	sort.Strings(want)
	for _, s := range c.sessionsOfMemo(&c.postBy, c.postSess, c.senderBare()) {
		interested := s.interestedBL
		n := 0
		for _, e := range c.evs {
			if e.Client != s.name || !isBlocklistPush(e) {
				continue
			}
			n++
			q := vFirst(e.el)
			if q.Tag() != kind {
				return fmt.Errorf("%s received a <%s/> push for a %s", s.name, q.Tag(), cmd)
			}
			var got []string
			for _, it := range vChildren(q, "item") {
				got = append(got, vAttrOr(it, "jid"))
			}
			sort.Strings(got)
			if !slices.Equal(got, want) {
				return fmt.Errorf("%s push items %v, command items %v", s.name, got, want)
			}
		}
		switch {
		case interested && n != 1:
			return fmt.Errorf("interested %s received %d pushes, want 1", s.name, n)
		case !interested && c.prof.PushOnlyInterested && n != 0:
			return fmt.Errorf("%s never fetched the blocklist but received %d pushes", s.name, n)
		case !interested && !c.prof.PushOnlyInterested && n != 1:
			return fmt.Errorf("%s received %d pushes, want 1 (pushes to all resources)", s.name, n)
		}
	}
	return nil
}

// inv10PushOrder: at each resource pushes follow the order of the
// commands: at most one per command, and the requester sees its result
// before its push (inv 10).
func inv10PushOrder(c *Ctx) error {
	count := map[string]int{}
	resultSeen := false
	for _, e := range c.evs {
		if delivered(e) && e.Client == c.sender && e.tag == "iq" && c.send != nil && e.id == c.send.id {
			resultSeen = true
		}
		if isBlocklistPush(e) {
			count[e.Client]++
			if count[e.Client] > 1 {
				return fmt.Errorf("%s received two blocklist pushes for one command", e.Client)
			}
			// A server that pushes before it answers
			// (BlockPushBeforeResult: ejabberd's mod_blocking) is
			// judged on the count only.
			if e.Client == c.sender && !resultSeen && !c.prof.BlockPushBeforeResult {
				return fmt.Errorf("%s received the push before the result of its command", e.Client)
			}
		}
	}
	return nil
}

// inv11PushRepliesInert: a client's result/error reply to a push changes
// nothing and produces nothing (inv 11; §4.2, §7.3 step 6).
func inv11PushRepliesInert(c *Ctx) error {
	if c.send == nil || c.send.tag != "iq" || (c.send.typ != "result" && c.send.typ != "error") || vHas(c.send.el, "to") {
		return nil
	}
	for _, e := range c.evs {
		if delivered(e) || e.Kind == sim.TraceDisconnect || e.Kind == sim.TraceStreamError {
			return errors.New("a reply to a push produced " + e.Kind.String() + " " + e.Canonical())
		}
	}
	if diffSnaps(c.before, c.after) != "" {
		return errors.New("a reply to a push changed state")
	}
	return nil
}
