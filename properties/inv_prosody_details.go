package properties

// scansim's own invariants on Prosody details the reference used to be the
// only judge of: the vCard avatar hint (prosody-c2s-behaviour.md §0.6),
// pending requests at block time (§7.3, Prosody issue #574) and the
// stored subscription request (§4.1, §3.1 step 5d).

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scansim/scansim/stanza"
)

const nsVCardUpdate = "vcard-temp:x:update"

// sc49VCardHintOnAvailablePresence: every available presence a user's
// session sends passes the outbound stage, where mod_vcard_legacy appends
// <x xmlns='vcard-temp:x:update'><photo/></x> (or adds <photo/> to the
// client's own x); the stored presence keeps it. So every available
// presence a client receives from a user's full JID — broadcast,
// directed, reflected, probe answer, presence of another resource —
// carries that x with a photo (Prosody §0.6, §3.1; XEP-0153).
func sc49VCardHintOnAvailablePresence(c *Ctx) error {
	if c.prof.Modules != nil && !slices.Contains(c.prof.Modules, "vcard_legacy") {
		return nil // no mod_vcard_legacy, no hint (the ejabberd profile)
	}
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "presence" || e.typ != "" || e.el.IsZero() || !isLocalUser(e.from) || !strings.Contains(e.from, "/") {
			continue
		}
		var x stanza.Stanza
		for _, ch := range e.el.Elements() {
			if ch.Tag() == "x" && vAttrOr(ch, "xmlns") == nsVCardUpdate {
				x = ch
				break
			}
		}
		if x.IsZero() || vChild(x, "photo").IsZero() {
			return fmt.Errorf("%s received available presence from %s without the vCard hint <x xmlns='%s'><photo/></x>: %s", e.Client, e.from, nsVCardUpdate, e.Canonical())
		}
	}
	return nil
}

// sc50PendingInDroppedOnBlock: under DropPendingInOnBlock, a successful
// block deletes the blocker's pending subscription request from each JID
// its items name literally (prepped bare JIDs: Prosody keys pending-in by
// the requester's bare JID and compares each item with it), silently
// (Prosody §7.3 steps 1 and 5, issue #574). inv25 allows the deletion;
// this requires it. The spec leaves pending-in at block time open
// (invariants.md B.10), so other profiles are not judged.
func sc50PendingInDroppedOnBlock(c *Ctx) error {
	if !c.prof.DropPendingInOnBlock {
		return nil
	}
	if cmd, _ := c.blockingCmd(); cmd != "block" || !c.answeredWith("result") {
		return nil
	}
	_, items := c.blockingCmd()
	A := c.senderBare()
	for _, raw := range items {
		j, ok := prep(raw)
		if !ok || !isLocalUser(j) || strings.Contains(j, "/") || j == A {
			continue
		}
		b := contactOf(c.before, A, j)
		if b.PendingIn && !isFrom(b.Subscription) && contactOf(c.after, A, j).PendingIn {
			return fmt.Errorf("%s blocked %s but kept its pending subscription request", A, j)
		}
	}
	return nil
}

// request is the subscription request a pending-in entry was stored from
// (sc51): its id and children as the requester sent them.
type request struct {
	id       string
	children string
}

// requestOf is the request of a subscribe stanza el ("" id and children
// for a request the server generated, §3.1 step 5e).
func requestOf(el stanza.Stanza) request {
	if el.IsZero() {
		return request{}
	}
	var b strings.Builder
	for _, ch := range el.Elements() {
		b.WriteString(ch.Canonical())
	}
	return request{id: vAttrOr(el, "id"), children: b.String()}
}

// rememberRequest records the request user k[0]'s new pending-in entry
// for k[1] was stored from: the step's own subscribe when the requester's
// client sent it to the account, else the server's re-sent request (§3.1
// step 5e), which has no id and no children. remember calls it for each
// entry the step created; an entry that already existed keeps its
// request (Prosody §4.5: "If U is already pending: only the
// acknowledgement").
func (s *invState) rememberRequest(c *Ctx, k [2]string) {
	var r request
	if c.send != nil && c.send.tag == "presence" && c.send.typ == "subscribe" && userOf(c.senderBare()) == k[1] && userOf(bareOf(c.sendTo())) == k[0] {
		r = requestOf(c.send.el)
	}
	if s.requests == nil {
		s.requests = map[[2]string]request{}
	}
	s.requests[k] = r
}

// sc51StoredRequestKeepsStanza: a pending request is stored as the full
// stanza received (after inbound normalisation) and re-sent as such to
// each new available session (Prosody §4.1, §3.1 step 5d: "Its to is U's
// bare JID as stored; xml:lang, id and children are as the requester sent
// them"; RFC 6121 §3.1.3: the contact's server delivers the request it
// kept). So each request re-sent at an initial presence has a 'to'
// naming the recipient's account (RFC 6120 §8.1.1.1), and the id and
// children of the subscribe it was stored from. Under
// ResentRequestsShareStanza (Prosody 0.12.3, D6) the 'to' may name
// another contact (not under Config.Strict).
func sc51StoredRequestKeepsStanza(c *Ctx) error {
	if !c.initialPresence() {
		return nil
	}
	A := c.senderBare()
	for _, e := range c.evs {
		if !delivered(e) || e.Client != c.sender || e.tag != "presence" || e.typ != "subscribe" || e.el.IsZero() {
			continue
		}
		j := bareOf(e.from)
		if !isLocalUser(j) || j == A {
			continue
		}
		to, has := vAttr(e.el, "to")
		switch {
		case !has:
			return fmt.Errorf("stored request from %s re-sent to %s without its 'to': %s", j, c.sender, e.Canonical())
		case bareOf(to) != A && !(c.prof.ResentRequestsShareStanza && !c.h.strictOn("D6")):
			return fmt.Errorf("stored request from %s re-sent to %s addressed to %s: %s", j, c.sender, to, e.Canonical())
		}
		want, ok := c.inv.requests[[2]string{userOf(A), userOf(j)}]
		if !ok {
			continue // no record: nothing to compare the children with
		}
		if got := requestOf(e.el); got != want {
			return fmt.Errorf("stored request from %s re-sent with id %q and children %q, sent with id %q and children %q", j, got.id, got.children, want.id, want.children)
		}
	}
	return nil
}
