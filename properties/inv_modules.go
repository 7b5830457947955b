package properties

import (
	"fmt"
)

// The invariants of Prosody 13's modules (actions_modules.go): blocking
// (XEP-0191 §3.3) across the paths the modules add — PEP notifications
// and last items (XEP-0163), archive queries (XEP-0313) — and what an
// account removal (XEP-0077 §3.2) leaves of the blocklist. They hold
// vacuously under profiles without the modules (nothing draws their
// stanzas).

// moduleInvariants are the invariants still checked after an account
// removal (invState.check).
var moduleInvariants = map[string]bool{"sc52": true, "sc53": true, "sc54": true}

// sc52MAMNoRefusedMessage: a MAM query result never forwards a message
// that the archive owner's server refused for a block: a message the
// owner's blocklist matched (its sender) before and after it was sent is
// not delivered (XEP-0191 §3.3), so it was never received and is not in
// the owner's archive (XEP-0313 §4: the archive holds the messages the
// user sent and received; mod_mam's archive hook runs after
// mod_blocklist's bounce, the rule mod_mam.go documents).
//
// The refused messages are remembered by recipient and id (the machine's
// ids are unique in a run) in the trace's invState.
func sc52MAMNoRefusedMessage(c *Ctx) error {
	if c.inv.refused == nil {
		c.inv.refused = map[[2]string]bool{}
	}
	if c.send != nil && c.send.tag == "message" && c.send.id != "" {
		if to := c.sendTo(); isLocalUser(to) && bareOf(to) != c.senderBare() && c.blockedThroughout(bareOf(to), c.senderFull()) {
			c.inv.refused[[2]string{bareOf(to), c.send.id}] = true
		}
	}
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "message" || e.el.IsZero() {
			continue
		}
		res := vChild(e.el, "result")
		if res.IsZero() || vAttrOr(res, "xmlns") != nsMAM {
			continue
		}
		for _, m := range vDescendants(res, "message") {
			id := vAttrOr(m, "id")
			if bareOf(vAttrOr(m, "to")) == e.user && c.inv.refused[[2]string{e.user, id}] {
				return fmt.Errorf("%s's archive query returned message %s from %s, refused for %s's block", e.user, id, vAttrOr(m, "from"), e.user)
			}
		}
	}
	return nil
}

// sc53NoPEPNotificationAcrossBlock: no PEP notification or last item
// (a message with a pubsub#event payload, from the publisher's bare JID)
// reaches a user who blocks the publisher, before and after the step
// (XEP-0191 §3.3: no stanza from a blocked entity is delivered; XEP-0163
// §4.3 sends the notifications as messages from the account). The other
// direction — a publisher who blocks the recipient — XEP-0191 §3.3 forbids
// too (the blocking user sends nothing to the blocked one), but Prosody's
// mod_pep does not check the publisher's blocklist (mod_pep.go), so only
// Config.Strict demands it.
func sc53NoPEPNotificationAcrossBlock(c *Ctx) error {
	for _, e := range c.evs {
		if !delivered(e) || e.tag != "message" || e.el.IsZero() || e.from == "" || e.user == "" {
			continue
		}
		if !isPEPEvent(e) {
			continue
		}
		pub := bareOf(e.from)
		if pub == e.user {
			continue
		}
		if c.blockedThroughout(e.user, e.from) {
			return fmt.Errorf("%s (%s) received a PEP notification from %s, whom it blocks: %s", e.Client, e.user, e.from, e.Canonical())
		}
		if c.h.strictOn("D7") && isLocalUser(pub) && c.blockedThroughout(pub, e.JID.String()) {
			return fmt.Errorf("%s (%s) received a PEP notification from %s, who blocks it: %s", e.Client, e.user, e.from, e.Canonical())
		}
	}
	return nil
}

// sc54RemovedAccountBlocklistEmpty: after an account removal answered with
// a result (XEP-0077 §3.2: the server deletes the account and its data),
// the account, created again under the same name, has an empty blocklist
// and an empty roster (XEP-0191 §3.2's list is the new account's; Prosody
// bug 3c9b6a4a8 kept the old one).
func sc54RemovedAccountBlocklistEmpty(c *Ctx) error {
	u := c.removedAccount()
	if u == "" {
		return nil
	}
	if bl := c.after.bl[userOf(u)]; len(bl) > 0 {
		return fmt.Errorf("%s removed its account, yet the account has the blocklist %v", u, bl)
	}
	if c.prof.RosterCacheSurvivesDeletion && !c.h.strict {
		return nil // D11: Prosody's roster cache outlives the deletion
	}
	for k, ct := range c.after.contacts.all() {
		if k[0] == userOf(u) && ct.InRoster {
			return fmt.Errorf("%s removed its account, yet its roster holds %s", u, k[1])
		}
	}
	return nil
}

// removedAccount returns the bare JID of the step's sender when the step
// is an account removal (XEP-0077 §3.2) answered with a result, else "".
func (c *Ctx) removedAccount() string {
	if c.send == nil || c.send.tag != "iq" || c.send.typ != "set" || c.send.el.IsZero() {
		return ""
	}
	q := vFirst(c.send.el)
	if q.IsZero() || q.Tag() != "query" || vAttrOr(q, "xmlns") != nsRegister || vChild(q, "remove").IsZero() {
		return ""
	}
	if !c.answeredWith("result") {
		return ""
	}
	return c.senderBare()
}

// mamQuery: the step is a MAM query (XEP-0313 §4) answered with a result.
func (c *Ctx) mamQuery() bool {
	if c.send == nil || c.send.tag != "iq" || c.send.typ != "set" || c.send.el.IsZero() {
		return false
	}
	q := vFirst(c.send.el)
	return !q.IsZero() && q.Tag() == "query" && vAttrOr(q, "xmlns") == nsMAM && c.answeredWith("result")
}

// isPEPEvent: e is a message with a pubsub#event payload (XEP-0163 §4.3).
func isPEPEvent(e *ev) bool {
	if e.tag != "message" || e.el.IsZero() {
		return false
	}
	x := vChild(e.el, "event")
	return !x.IsZero() && vAttrOr(x, "xmlns") == nsPubSubEvent
}
