package properties

// invariants.md A.7 "Subscription interaction": invariants 25–28.

import (
	"errors"
	"fmt"
)

// inv25PoliteBlocking: block and unblock change no roster item of anyone;
// the one permitted change is dropping the blocker's pending-in requests
// under DropPendingInOnBlock (Prosody #574) (XEP-0191 §4; X23; inv 25).
func inv25PoliteBlocking(c *Ctx) error {
	cmd, _ := c.blockingCmd()
	if cmd == "" || cmd == "get" {
		return nil
	}
	A := userOf(c.senderBare())
	for k, b := range c.before.contacts.all() {
		f := c.after.contacts.get(k)
		if b == f {
			continue
		}
		if k[0] == A && cmd == "block" && c.prof.DropPendingInOnBlock {
			b.PendingIn, f.PendingIn = false, false
			if b == f {
				continue
			}
		}
		return fmt.Errorf("%s changed %s's state towards %s: %s -> %s", cmd, k[0], k[1], b.State(), c.after.contacts.get(k).State())
	}
	return nil
}

// inv26OutboundSubscriptionToBlocked: a subscription stanza A sends to a
// blocked j never changes j's roster. Prosody routes bare-addressed ones
// (LocalRosterChangeOnBlockedOutboundSub, §4.4), so then only full-JID
// targets are checked (XEP-0191 §3.3; inv 26).
func inv26OutboundSubscriptionToBlocked(c *Ctx) error {
	j, ok, exempt := c.outboundBlocked()
	if !ok || exempt || c.send.tag != "presence" || !isLocalUser(j) {
		return nil
	}
	switch c.send.typ {
	case "subscribe", "subscribed", "unsubscribe", "unsubscribed":
	default:
		return nil
	}
	if b, f := contactOf(c.before, bareOf(j), c.senderBare()), contactOf(c.after, bareOf(j), c.senderBare()); b != f {
		return fmt.Errorf("blocked %s's state towards %s changed %s -> %s", bareOf(j), c.senderBare(), b.State(), f.State())
	}
	return nil
}

// inv27PendingRequestsFrozen: a pending subscribe from j never reaches A
// while j is blocked; the re-delivery at initial presence is tolerated
// when RecheckBlocklistOnOfflineFlush is false (Prosody does not re-check
// stored requests, §7.7) (RFC 6121 §3.1.3; inv 27).
func inv27PendingRequestsFrozen(c *Ctx) error {
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "presence" || e.typ != "subscribe" || e.user == "" {
			continue
		}
		if !c.blockedThroughout(e.user, e.from) {
			continue
		}
		if !c.prof.RecheckBlocklistOnOfflineFlush && c.initialPresence() && e.Client == c.sender {
			continue
		}
		return fmt.Errorf("%s received a subscription request from blocked %s", e.Client, e.from)
	}
	return nil
}

// inv28NoAutoApprovalThroughBlock: a subscribe from a blocked j never
// produces an automatic subscribed and never changes A's state (RFC 6121
// §3.4 with XEP-0191 §3.3; inv 28).
func inv28NoAutoApprovalThroughBlock(c *Ctx) error {
	a, ok := c.blockedSend("presence")
	if !ok || c.send.typ != "subscribe" {
		return nil
	}
	for _, e := range c.evs {
		if delivered(e) && e.tag == "presence" && e.typ == "subscribed" && bareOf(e.from) == a {
			return errors.New("automatic subscribed through a block: " + e.Canonical())
		}
	}
	if b, f := contactOf(c.before, a, c.senderBare()), contactOf(c.after, a, c.senderBare()); b != f {
		return fmt.Errorf("%s's state towards blocked %s changed %s -> %s", a, c.senderBare(), b.State(), f.State())
	}
	return nil
}
