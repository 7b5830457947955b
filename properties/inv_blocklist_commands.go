package properties

// invariants.md A.7 "Blocklist state and commands": invariants 1–8.

import (
	"errors"
	"fmt"
	"slices"
	"sort"
)

// inv01BlocklistGetMatchesModel: a successful <blocklist/> get returns
// exactly BL(A), without duplicates (XEP-0191 §3.2; X2; inv 1).
func inv01BlocklistGetMatchesModel(c *Ctx) error {
	if cmd, _ := c.blockingCmd(); cmd != "get" {
		return nil
	}
	a, _ := c.answer()
	if a == nil || a.typ != "result" {
		return errors.New("no result to a blocklist get")
	}
	bl := vChild(a.el, "blocklist")
	if bl.IsZero() {
		return errors.New("blocklist result without <blocklist/>")
	}
	var got []string
	seen := map[string]bool{}
	for _, it := range vChildren(bl, "item") {
		j := vAttrOr(it, "jid")
		if seen[j] && c.prof.BlockDuplicatesKept {
			continue // E7: ejabberd lists a JID blocked twice in one command twice
		}
		if seen[j] {
			return errors.New("duplicate item " + j)
		}
		seen[j] = true
		got = append(got, j)
	}
	sort.Strings(got)
	want := c.after.bl[userOf(c.senderBare())]
	if !slices.Equal(got, want) {
		return fmt.Errorf("blocklist get returned %v, BL(A) is %v", got, want)
	}
	return nil
}

// inv02EmptyBlocklistShape: with BL(A)=∅ the result still carries an empty
// <blocklist xmlns='urn:xmpp:blocking'/> (XEP-0191 §3.2; X3; inv 2).
func inv02EmptyBlocklistShape(c *Ctx) error {
	if cmd, _ := c.blockingCmd(); cmd != "get" {
		return nil
	}
	a, _ := c.answer()
	if a == nil || a.typ != "result" {
		return nil
	}
	bl := vChild(a.el, "blocklist")
	if bl.IsZero() || vAttrOr(bl, "xmlns") != nsBlocking {
		return errors.New("result lacks <blocklist xmlns='urn:xmpp:blocking'/>")
	}
	return nil
}

// inv03EmptyBlockRejected: <block/> without items → modify/bad-request,
// BL unchanged, no push, no presence (XEP-0191 §3.3; X7; inv 3).
func inv03EmptyBlockRejected(c *Ctx) error {
	cmd, items := c.blockingCmd()
	if cmd != "block" || len(items) != 0 {
		return nil
	}
	a, _ := c.answer()
	if a == nil || a.typ != "error" {
		return errors.New("empty <block/> not answered with an error")
	}
	if t, cond, _ := errorCond(a); t != "modify" || cond != "bad-request" {
		return fmt.Errorf("empty <block/> answered %s/%s, want modify/bad-request", t, cond)
	}
	return noEffect(c)
}

func noEffect(c *Ctx) error {
	u := userOf(c.senderBare())
	if !slices.Equal(c.before.bl[u], c.after.bl[u]) {
		return fmt.Errorf("rejected command changed BL from %v to %v", c.before.bl[u], c.after.bl[u])
	}
	if n := c.pushCount(""); n > 0 {
		return fmt.Errorf("rejected command produced %d pushes", n)
	}
	if n := presenceCount(c, func(*ev) bool { return true }); n > 0 {
		return fmt.Errorf("rejected command produced %d presences", n)
	}
	return nil
}

// inv04ErrorMeansNoEffect: a block/unblock answered with an error leaves
// BL unchanged, with no push and no presence (Prosody applies commands
// atomically, §7.3 step 1; inv 4).
func inv04ErrorMeansNoEffect(c *Ctx) error {
	cmd, _ := c.blockingCmd()
	if cmd != "block" && cmd != "unblock" && cmd != "unblock-all" {
		return nil
	}
	if c.answeredWith("error") {
		return noEffect(c)
	}
	return nil
}

// inv05BlocklistPersists: BL(A) changes only through A's own successful
// block/unblock commands; it survives disconnects and reconnects
// (XEP-0191 §3.3, X10; inv 5).
func inv05BlocklistPersists(c *Ctx) error {
	cmd, _ := c.blockingCmd()
	changer := ""
	if cmd == "block" || cmd == "unblock" || cmd == "unblock-all" {
		if c.answeredWith("result") {
			changer = userOf(c.senderBare())
		}
	}
	removed := userOf(c.removedAccount()) // XEP-0077 §3.2 deletes the list
	for u, b := range c.before.bl {
		if u != changer && u != removed && !slices.Equal(b, c.after.bl[u]) {
			return fmt.Errorf("BL(%s) changed from %v to %v without a command of its own", u, b, c.after.bl[u])
		}
	}
	return nil
}

// inv06UnblockAllEmpties: an empty <unblock/> gets a result and leaves
// BL(A)=∅ (XEP-0191 §3.5; X20; inv 6).
func inv06UnblockAllEmpties(c *Ctx) error {
	if cmd, _ := c.blockingCmd(); cmd != "unblock-all" {
		return nil
	}
	a, _ := c.answer()
	if a == nil || a.typ != "result" {
		return errors.New("unblock-all not answered with a result")
	}
	if bl := c.after.bl[userOf(c.senderBare())]; len(bl) > 0 {
		return fmt.Errorf("BL not empty after unblock-all: %v", bl)
	}
	return nil
}

// inv07BlockIdempotent: re-blocking a blocked JID succeeds without a
// duplicate; unblocking an unblocked JID succeeds (inv 7).
func inv07BlockIdempotent(c *Ctx) error {
	cmd, items := c.blockingCmd()
	if (cmd != "block" && cmd != "unblock") || len(items) == 0 {
		return nil
	}
	u := userOf(c.senderBare())
	for _, raw := range items {
		if _, ok := prep(raw); !ok {
			return nil // malformed: not an idempotence case
		}
	}
	a, _ := c.answer()
	if a == nil || a.typ != "result" {
		return fmt.Errorf("%s of well-formed items not answered with a result", cmd)
	}
	seen := map[string]bool{}
	for _, j := range c.after.bl[u] {
		if seen[j] {
			return errors.New("duplicate blocklist entry " + j)
		}
		seen[j] = true
	}
	return nil
}

// inv08DiscoAdvertisesBlocking: disco#info to the server lists
// urn:xmpp:blocking (XEP-0191 §3.1; X1; inv 8).
func inv08DiscoAdvertisesBlocking(c *Ctx) error {
	if c.send == nil || c.send.tag != "iq" || c.send.typ != "get" || c.sendTo() != "localhost" {
		return nil
	}
	q := vFirst(c.send.el)
	if q.IsZero() || vAttrOr(q, "xmlns") != nsDiscoInfo {
		return nil
	}
	a, _ := c.answer()
	if a == nil || a.typ != "result" {
		return nil
	}
	for _, f := range vDescendants(a.el, "feature") {
		if vAttrOr(f, "var") == nsBlocking {
			return nil
		}
	}
	return errors.New("host disco#info does not list urn:xmpp:blocking")
}
