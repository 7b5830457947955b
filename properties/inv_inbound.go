package properties

// invariants.md A.7 "Inbound (blocked JID → A)": invariants 12–16.

import (
	"errors"
	"fmt"

	"github.com/scansim/scansim/sim"
)

// inv12NoDeliveryFromBlocked: no stanza from a JID matched by BL(A) (for
// the whole step) is delivered to A's resources; A's own resources are
// left to inv 20. Offline messages and stored requests flushed without a
// re-check are allowed only when Profile.RecheckBlocklistOnOfflineFlush is
// false (Prosody, §5.5, §7.7) (XEP-0191 §3.3; X10; inv 12).
func inv12NoDeliveryFromBlocked(c *Ctx) error {
	for _, e := range c.evs {
		if !delivered(e) || e.from == "" || e.user == "" || bareOf(e.from) == e.user {
			continue
		}
		if !c.blockedThroughout(e.user, e.from) {
			continue
		}
		if c.prof.HostExemptFromBlocking && e.from == "localhost" {
			continue // E6: the server itself is never blocked
		}
		if c.aboutOwnOutbound(e) {
			continue // inv 18, 19
		}
		if !c.prof.RecheckBlocklistOnOfflineFlush && (e.Kind == sim.TraceFlush || (e.tag == "presence" && e.typ == "subscribe" && c.initialPresence())) {
			continue
		}
		return fmt.Errorf("%s (%s) received from blocked %s: %s", e.Client, e.user, e.from, e.Canonical())
	}
	return nil
}

// aboutOwnOutbound: e is an error about its recipient's own outbound
// traffic: one to the step's sender, or a blocked not-acceptable.
func (c *Ctx) aboutOwnOutbound(e *ev) bool {
	if e.Kind != sim.TraceError {
		return false
	}
	_, cond, blk := errorCond(e)
	// (ejabberd's privacy bounce has no <blocked/>: PrivacyBounceForBlocked)
	return e.Client == c.sender || cond == "not-acceptable" && (blk || c.prof.PrivacyBounceForBlocked)
}

// bareIQAnswer: e answers the step's iq get or set to a local user's
// bare JID, which a server with Profile.BareIQIgnoresBlocklist (ejabberd)
// answers on the user's behalf whatever the user blocks (finding E9).
func (c *Ctx) bareIQAnswer(e *ev) bool {
	if !c.prof.BareIQIgnoresBlocklist || c.send == nil || c.send.tag != "iq" || (c.send.typ != "get" && c.send.typ != "set") {
		return false
	}
	to := c.sendTo()
	return e.Client == c.sender && e.tag == "iq" && e.id == c.send.id && isLocalUser(to) && to == bareOf(to) && e.from == to
}

// blockedSend: the step is a stanza from j's client to a local user A who
// blocks j (throughout) while j does not block A.
func (c *Ctx) blockedSend(tag string) (a string, ok bool) {
	if c.send == nil || c.send.tag != tag {
		return "", false
	}
	to := c.sendTo()
	if !isLocalUser(to) || bareOf(to) == c.senderBare() {
		return "", false
	}
	a = bareOf(to)
	from := c.senderFull()
	if tag == "presence" {
		switch c.send.typ {
		case "subscribe", "subscribed", "unsubscribe", "unsubscribed":
			from = c.senderBare() // routed from the bare JID (§4.4)
		}
	}
	if !c.blockedThroughout(a, from) || c.blockedEver(c.senderBare(), to) {
		return "", false
	}
	return a, true
}

// inv13SilenceTowardsBlockedPresence: inbound presence of any type from a
// blocked j causes no stanza from A to j: no error, probe answer,
// automatic subscribed or acknowledging unavailable (XEP-0191 §3.3; X11;
// inv 13).
func inv13SilenceTowardsBlockedPresence(c *Ctx) error {
	a, ok := c.blockedSend("presence")
	if !ok {
		return nil
	}
	for _, e := range c.evs {
		if delivered(e) && e.user == c.senderBare() && bareOf(e.from) == a {
			return fmt.Errorf("blocked %s got %s from %s", e.Client, e.Canonical(), a)
		}
	}
	return nil
}

// inv14InboundSubscriptionImmunity: a subscription stanza from a blocked j
// changes nothing in A's roster and pushes nothing to A (XEP-0016 §2.2 via
// XEP-0191 §5; inv 14).
func inv14InboundSubscriptionImmunity(c *Ctx) error {
	a, ok := c.blockedSend("presence")
	if !ok || c.send.typ == "" || c.send.typ == "unavailable" || c.send.typ == "error" {
		return nil
	}
	if b, f := contactOf(c.before, a, c.senderBare()), contactOf(c.after, a, c.senderBare()); b != f {
		return fmt.Errorf("%s's state towards blocked %s changed %s -> %s", a, c.senderBare(), b.State(), f.State())
	}
	for _, e := range c.evs {
		if e.user == a && isRosterPush(e) {
			return fmt.Errorf("%s got a roster push: %s", e.Client, e.Canonical())
		}
	}
	return nil
}

// inv15InboundMessageHandling: a chat/normal message from a blocked j is
// not delivered and, under BounceBlockedMessages, answered with exactly
// one cancel/service-unavailable (Prosody drops it when addressed to a
// bound full JID, issue #690, §7.7; ejabberd bounces it once per session
// it reached, BlockedBouncePerSession, finding E10); headline, groupchat and error are
// dropped silently and nothing is stored (XEP-0191 §3.3; X12; inv 15).
func inv15InboundMessageHandling(c *Ctx) error {
	a, ok := c.blockedSend("message")
	if !ok {
		return nil
	}
	errs := 0
	for _, e := range c.evs {
		if delivered(e) && e.user == a {
			return fmt.Errorf("blocked message delivered to %s: %s", e.Client, e.Canonical())
		}
		if e.Kind == sim.TraceStore {
			return errors.New("blocked message stored offline: " + e.Canonical())
		}
		if delivered(e) && e.Client == c.sender && e.typ == "error" && e.tag == "message" {
			if t, cond, _ := errorCond(e); t != "cancel" || cond != "service-unavailable" {
				return fmt.Errorf("bounce is %s/%s, want cancel/service-unavailable", t, cond)
			}
			errs++
		}
	}
	to := c.sendTo()
	_, _, res := splitJID(to)
	boundFull := res != "" && c.sessByFull(c.preSess, to)
	switch c.send.typ {
	case "chat", "normal", "":
		switch {
		case boundFull && errs <= 1:
		case c.prof.BlockedBouncePerSession && errs >= 1 && errs <= max(1, len(c.sessionsOfMemo(&c.preBy, c.preSess, a))):
			// E10: one bounce per session the message was routed to
		case c.prof.BounceBlockedMessages && errs != 1:
			return fmt.Errorf("%d errors for a blocked %q message, want 1", errs, c.send.typ)
		case !c.prof.BounceBlockedMessages && errs != 0:
			return fmt.Errorf("%d errors for a blocked message, want a silent drop", errs)
		}
	case "headline":
		// BlockedBouncePerSession (ejabberd, E10): a headline to a bare
		// JID without a resource to take it is refused by the session
		// manager, with one bounce; every session drops it silently
		if errs != 0 && !(c.prof.BlockedBouncePerSession && res == "" && errs == 1) {
			return fmt.Errorf("%d errors for a blocked %s message, want a silent drop", errs, c.send.typ)
		}
	case "groupchat":
		// GroupchatToBareBounced (ejabberd): a groupchat to a bare JID
		// (or an absent resource) is refused by the routing before any
		// list applies
		if errs != 0 && !(c.prof.GroupchatToBareBounced && !boundFull && errs == 1) {
			return fmt.Errorf("%d errors for a blocked %s message, want a silent drop", errs, c.send.typ)
		}
	default:
		if errs != 0 {
			return fmt.Errorf("%d errors for a blocked %s message, want a silent drop", errs, c.send.typ)
		}
	}
	return nil
}

// inv16InboundIQHandling: an iq get/set from a blocked j gets exactly one
// error (service-unavailable) and is not delivered; result/error are
// dropped silently (XEP-0191 §3.3; X13; inv 16).
func inv16InboundIQHandling(c *Ctx) error {
	a, ok := c.blockedSend("iq")
	if !ok {
		return nil
	}
	for _, e := range c.evs {
		if delivered(e) && e.user == a {
			return fmt.Errorf("iq from blocked %s delivered to %s", c.senderBare(), e.Client)
		}
	}
	ans, n := c.answer()
	if (c.send.typ == "get" || c.send.typ == "set") && c.prof.BareIQIgnoresBlocklist && c.sendTo() == a {
		// E9: answered on A's behalf as if nothing were blocked
		if n != 1 {
			return fmt.Errorf("%d answers to an iq to %s's bare JID, want one", n, a)
		}
		return nil
	}
	if c.send.typ == "get" || c.send.typ == "set" {
		if n != 1 || ans.typ != "error" {
			return fmt.Errorf("%d answers to a blocked iq, want one error", n)
		}
		if _, cond, _ := errorCond(ans); cond != "service-unavailable" {
			return errors.New("blocked iq answered with " + cond)
		}
	} else if n != 0 {
		return errors.New("a blocked iq result/error was answered")
	}
	return nil
}
