package properties

// invariants.md A.7 "Generic stanza semantics (RFC 6120) and the harness
// itself": invariants 36–39 (inv40, determinism, is TestDeterminism and
// TestExploreDeterministic: it needs whole runs, not a step).

import (
	"errors"
	"fmt"

	"github.com/scansim/scansim/sim"
)

// inv36IQAnsweredOnce: every client iq get/set gets exactly one result or
// error with its id, unless it was routed to another client (which then
// owns the answer) (RFC 6120 §8.2.3; inv 36).
func inv36IQAnsweredOnce(c *Ctx) error {
	if c.send == nil || c.send.tag != "iq" || (c.send.typ != "get" && c.send.typ != "set") {
		return nil
	}
	_, n := c.answer()
	routed := 0
	for _, e := range c.evs {
		if delivered(e) && e.tag == "iq" && e.id == c.send.id && e.typ == c.send.typ {
			routed++
		}
	}
	if n == 1 && routed == 0 || n == 0 && routed == 1 {
		return nil
	}
	return fmt.Errorf("iq %s answered %d times and routed %d times", c.send.id, n, routed)
}

// inv37NoErrorForError: a stanza of type error never causes an error in
// reply (RFC 6120 §8.3.1; inv 37).
func inv37NoErrorForError(c *Ctx) error {
	if c.send == nil || c.send.typ != "error" {
		return nil
	}
	for _, e := range c.evs {
		if e.Kind == sim.TraceError {
			return errors.New("error in reply to an error: " + e.Canonical())
		}
	}
	return nil
}

// inv38BlockedNeverStoredOffline: a message from a JID the offline
// recipient blocks is never stored; a stored message from a blocked JID is
// not flushed after the block unless RecheckBlocklistOnOfflineFlush is
// false (Prosody, §5.5) (XEP-0191 §3.3; inv 38).
func inv38BlockedNeverStoredOffline(c *Ctx) error {
	for _, e := range c.evs {
		switch {
		case e.Kind == sim.TraceStore:
			owner := e.JID.Bare().String()
			if bareOf(e.from) != owner && c.blockedEver(owner, e.from) {
				return fmt.Errorf("message from blocked %s stored for %s", e.from, owner)
			}
		case e.Kind == sim.TraceFlush && c.prof.RecheckBlocklistOnOfflineFlush:
			if bareOf(e.from) != e.user && c.blockedEver(e.user, e.from) {
				return fmt.Errorf("offline message from blocked %s flushed to %s", e.from, e.Client)
			}
		}
	}
	return nil
}

// inv39MatchingOracle: every blocklist decision the server records agrees
// with m(BL, j) of XEP-0191 §6 (A.4, with DomainResourceMatchesAnyUser):
// an inbound drop needs the recipient's list to match the sender, an
// outbound one the sender's list to match the target (inv 39; deliveries
// that should have been filtered are inv 12).
func inv39MatchingOracle(c *Ctx) error {
	for _, e := range c.evs {
		if e.Kind != sim.TraceDrop || e.el.IsZero() {
			continue
		}
		switch e.Reason {
		case "blocked-inbound":
			if !c.blockedEver(bareOf(e.to), e.from) {
				return fmt.Errorf("inbound drop of %s, but BL(%s)=%v does not match %s", e.Canonical(), bareOf(e.to), c.before.bl[userOf(bareOf(e.to))], e.from)
			}
		case "blocked-on-arrival":
			// checked when the session took it in, after the stanzas
			// its client had pipelined (ListAppliedAtDelivery): the
			// list may be the one the group left
			if !c.blockedEver(bareOf(e.to), e.from) {
				return fmt.Errorf("drop of %s on arrival, but BL(%s) does not match %s", e.Canonical(), bareOf(e.to), e.from)
			}
		case "blocked-inviter":
			inv := vChild(mucX(e.el), "invite")
			if j := vAttrOr(inv, "from"); !c.prof.BlockMediatedInviter || !c.blockedEver(bareOf(e.to), j) {
				return fmt.Errorf("inbound drop of %s for its inviter, but BL(%s) does not match %q", e.Canonical(), bareOf(e.to), j)
			}
		case "blocked-outbound":
			if !c.blockedEver(bareOf(e.from), e.to) {
				return fmt.Errorf("outbound drop of %s, but BL(%s) does not match %s", e.Canonical(), bareOf(e.from), e.to)
			}
		}
	}
	return nil
}
