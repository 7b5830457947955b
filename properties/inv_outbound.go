package properties

// invariants.md A.7 "Outbound (A → blocked JID)": invariants 17–20.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/scansim/scansim/sim"
)

// outboundBlocked: the step is A's client addressing j with m(BL(A), j).
// exempt reports Prosody's subscription presences to a bare JID, which
// mod_presence routes before the blocklist sees them (§4.4, §7.6) — the
// profile's LocalRosterChangeOnBlockedOutboundSub.
func (c *Ctx) outboundBlocked() (j string, ok, exempt bool) {
	if c.send == nil {
		return "", false, false
	}
	j = c.sendTo()
	// to the own bare JID = to self: never blocked outbound (§1.2, §7.5)
	if j == "" || j == c.senderBare() || !c.blockedThroughout(c.senderBare(), j) {
		return "", false, false
	}
	if c.prof.HostExemptFromBlocking && j == "localhost" {
		return "", false, false // E6: the server itself is never blocked
	}
	_, _, res := splitJID(j)
	// (ejabberd, BlockedSubscriptionBounced: a full 'to' changes the
	// item of its bare JID all the same)
	if c.send.tag == "presence" && (res == "" || c.prof.BlockedSubscriptionBounced) {
		switch c.send.typ {
		case "subscribe", "subscribed", "unsubscribe", "unsubscribed":
			exempt = c.prof.LocalRosterChangeOnBlockedOutboundSub
		}
	}
	return j, true, exempt
}

// inv17NoRoutingToBlocked: nothing A's client addresses to a blocked j
// reaches j (XEP-0191 §3.3; X15; inv 17).
func inv17NoRoutingToBlocked(c *Ctx) error {
	j, ok, exempt := c.outboundBlocked()
	if !ok || exempt || !isLocalUser(j) || bareOf(j) == c.senderBare() {
		return nil
	}
	for _, e := range c.evs {
		if delivered(e) && e.user == bareOf(j) && bareOf(e.from) == c.senderBare() {
			return fmt.Errorf("%s received %s although its sender blocked it", e.Client, e.Canonical())
		}
	}
	return nil
}

// inv18BlockedErrorToSender: each such stanza (not an error, not an iq
// result) gets exactly one cancel/not-acceptable with <blocked/> back to
// the sending resource, and nothing else (XEP-0191 §3.3; X15; inv 18).
func inv18BlockedErrorToSender(c *Ctx) error {
	_, ok, exempt := c.outboundBlocked()
	if !ok || exempt {
		return nil
	}
	n := 0
	for _, e := range c.evs {
		if delivered(e) && e.Client == c.sender && e.typ == "error" && e.tag == c.send.tag {
			t, cond, blocked := errorCond(e)
			if c.prof.PrivacyBounceForBlocked && t == "modify" && cond == "not-acceptable" {
				// ejabberd's privacy-list bounce (E3): its type, no <blocked/>
				t, blocked = "cancel", true
			}
			if t != "cancel" || cond != "not-acceptable" || !blocked {
				return fmt.Errorf("error to a blocked-outbound stanza is %s/%s blocked=%v: %s", t, cond, blocked, e.Canonical())
			}
			if e.id != c.send.id {
				return errors.New("error id " + e.id + " differs from the stanza's " + c.send.id)
			}
			n++
		}
	}
	silent := c.send.typ == "error" || (c.send.tag == "iq" && c.send.typ == "result")
	switch {
	case silent && n != 0:
		return errors.New("an error/result to a blocked JID was answered with an error")
	case !silent && n != 1:
		return fmt.Errorf("%d blocked errors for one stanza, want 1", n)
	}
	return nil
}

// inv19GeneratedTrafficSuppressed: no stanza from A reaches a j that A
// blocks for the whole step (broadcasts, probe answers, probes, re-sent
// requests, unbind unavailable); the block-time unavailable happens in the
// step that blocks j and is not covered. The suppression sends no error
// to A's resources unless Profile.ErrorOnBlockedBroadcast (Prosody,
// §7.6): then only not-acceptable errors are tolerated (inv 19).
func inv19GeneratedTrafficSuppressed(c *Ctx) error {
	if _, ok, exempt := c.outboundBlocked(); ok && exempt {
		return nil
	}
	for _, e := range c.evs {
		if !delivered(e) || e.from == "" || e.user == "" {
			continue
		}
		a := bareOf(e.from)
		if a == e.user || !isLocalUser(a) {
			continue
		}
		if c.aboutOwnOutbound(e) {
			continue // judged in the second half
		}
		if c.bareIQAnswer(e) {
			continue // E9: answered on the user's behalf (inv16)
		}
		if c.prof.LostFromUnavailableUnchecked && e.tag == "presence" && e.typ == "unavailable" &&
			isFrom(contactOf(c.before, a, e.user).Subscription) && !isFrom(contactOf(c.after, a, e.user).Subscription) {
			continue // E12: the unavailable for a lost "from" is not checked
		}
		if !c.h.strictOn("D7") && isPEPEvent(e) {
			// Prosody's mod_pep does not check the publisher's
			// blocklist (mod_pep.go); sc53 judges it under Strict
			continue
		}
		if c.prof.LocalRosterChangeOnBlockedOutboundSub && e.tag == "presence" && !strings.Contains(c.routedAddr(e), "/") {
			switch e.typ {
			case "subscribe", "subscribed", "unsubscribe", "unsubscribed":
				continue // routed before the blocklist sees it (§4.4)
			}
		}
		if !c.h.strictOn("F4") && (e.Kind == sim.TraceFlush || e.tag == "presence" && e.typ == "subscribe" && c.initialPresence() && e.Client == c.sender) {
			// a request or message stored for j before A's block and
			// delivered at j's login (RFC 6121 §3.1.3, §5.5): j's
			// stored state, not traffic generated on A's behalf
			// (see findings.md)
			continue
		}
		if cmd, items := c.blockingCmd(); !c.h.strictOn("F2") && cmd == "block" && e.tag == "presence" && e.typ == "unavailable" && listed(items, e.user) {
			// Finding F2: Prosody decides the block-time unavailable
			// on the literal item (§7.3 step 5), so a JID already
			// blocked by a domain item gets it when listed itself.
			continue
		}
		addr := c.routedAddr(e)
		if c.blockedThroughout(a, addr) {
			return fmt.Errorf("%s received %s from %s, which blocks it", e.Client, e.Canonical(), a)
		}
	}
	if c.prof.ErrorOnBlockedBroadcast {
		return nil
	}
	direct, _, _ := c.outboundBlocked()
	for _, e := range c.evs {
		if !delivered(e) || e.typ != "error" {
			continue
		}
		if _, cond, blocked := errorCond(e); cond == "not-acceptable" && blocked {
			if e.Client == c.sender && direct != "" && e.tag == c.send.tag {
				continue
			}
			return fmt.Errorf("%s received a blocked error for server-generated traffic: %s", e.Client, e.Canonical())
		}
	}
	return nil
}

// routedAddr is the address e was routed to, which the sender's list is
// tested against (§7.5: outbound checks test `to`): the stanza's 'to', or
// the recipient session's JID without one. A server that writes every
// delivery with the session's full JID as 'to'
// (Profile.DeliverToSessionJID: ejabberd) no longer shows whether the
// stanza was routed to the bare JID (a roster broadcast, a subscription
// notice, the unavailable to a bare directed-presence target, a message
// to the bare JID) or to this resource; ejabberd's privacy check tests
// the routed address (mod_privacy:is_type_match, where a full-JID or
// domain/resource item never matches a bare JID), so the bare JID is
// what is judged: a stanza reaching a resource that only a full-JID item
// blocks is not a violation the trace can show.
func (c *Ctx) routedAddr(e *ev) string {
	addr := e.to
	if addr == "" {
		addr = e.JID.String()
	}
	if c.prof.DeliverToSessionJID {
		addr = bareOf(addr)
	}
	return addr
}

// inv20SelfNeverBlocked: the server's traffic from A's bare JID to A's
// resources is never blocked: a broadcast presence is always reflected to
// its sender, once (XEP-0191 §5 note, X27; RFC 6121 §4.2.2; inv 20). The
// rest of inv 20 (own resources, own domain) Prosody deliberately breaks
// (§7.4) and no profile field selects it, so it is not checked.
func inv20SelfNeverBlocked(c *Ctx) error {
	if c.send == nil || c.send.tag != "presence" || (c.send.typ != "" && c.send.typ != "unavailable") {
		return nil
	}
	if to := c.sendTo(); to != "" && to != c.senderBare() {
		return nil
	}
	if c.prof.SelfBlockable && c.blockedThroughout(c.senderBare(), c.senderFull()) {
		return nil // the user blocks its own JID (E4: ejabberd)
	}
	if c.send.typ == "unavailable" && c.prof.NoUnavailableReflection {
		return nil // E5: ejabberd does not reflect an unavailable
	}
	if c.send.typ == "unavailable" && c.prof.UnavailableNeedsAvailable && !c.preSess[c.sender].avail {
		return nil // ignored by such a server (ejabberd), reflection included
	}
	n := 0
	for _, e := range c.evs {
		// The reflection has no 'to' (RFC 6121 §4.2.2 leaves it out);
		// a server that addresses every delivery to the session
		// (Profile.DeliverToSessionJID: ejabberd) gives it the sender's
		// own full JID.
		if delivered(e) && e.Client == c.sender && e.tag == "presence" && e.from == c.senderFull() &&
			(e.to == "" || c.prof.DeliverToSessionJID && e.to == c.senderFull()) && e.typ == c.send.typ {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("broadcast presence reflected %d times, want 1", n)
	}
	return nil
}
