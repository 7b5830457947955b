package properties

// Accounting invariants (issue 5): what happens to every message a client
// sends, to the offline store across restarts, and to blocks across faults
// (abrupt drops, server restarts). They read the sim trace kinds and their
// Cause links only (TraceSend, TraceDeliver, TraceError, TraceStore,
// TraceFlush, TraceDrop with its Reason), plus the model's OfflineCount,
// so they hold without the reference (Config.NoReference).

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/scansim/scansim/sim"
)

// dropReasons are the documented reasons for discarding a message: the
// model's drops (prosody-c2s-behaviour.md §5, XEP-0191 §3.5/§3.6, RFC 6120
// §8.3/§10, RFC 6121 §8.5) and the simulation's connection losses. Any
// other reason (e.g. sim.ReasonUnknownSession, a server bug) or none is a
// silent loss.
var dropReasons = map[string]bool{
	"blocked-inbound":         true, // XEP-0191 §3.6: the recipient blocks the sender
	"blocked-outbound":        true, // XEP-0191 §3.5: the sender blocks the recipient
	"blocked-offline":         true, // RecheckBlocklistOnOfflineFlush (§5.5)
	"blocked-inviter":         true, // XEP-0191 §3.6 for a mediated invitation's inviter (BlockMediatedInviter)
	"blocked-on-arrival":      true, // XEP-0191 §3.6, applied when the session takes the stanza in (ListAppliedAtDelivery)
	"no-session":              true, // full JID without a session and no bare fallback (RFC 6121 §8.5.3.2)
	"no-recipient":            true, // no to and no session (§5.2)
	"error-to-bare":           true, // type=error is never bounced (RFC 6120 §8.3.1)
	"headline-no-recipient":   true, // headline to an account without eligible resources (RFC 6121 §8.5.2.1.1)
	"malformed-to":            true, // RFC 6120 §8.1.1.1
	"routing-loop":            true,
	"remote-domain":           true, // no s2s in the simulation
	"unhandled":               true,
	"error-without-condition": true,
	"unsupported-stanza-type": true,
	"host-response":           true,
	"session-closed":          true, // the target session ended (§2.3)
	sim.ReasonConnectionLost:  true, // in flight when the connection was cut
}

// msgOutcome classifies what the trace says happened to one sent message.
type msgOutcome struct {
	delivered map[string]int // client -> deliveries
	dupes     []string       // clients that got the same stanza twice
	stored    int
	bounced   int // errors to the sender
	dropped   []string
}

// accountSend collects the events caused by send.
func accountSend(c *Ctx, send *ev) msgOutcome {
	o := msgOutcome{delivered: map[string]int{}}
	seen := map[string]bool{}
	for _, e := range c.evs {
		if e.Cause != send.Seq || e.Seq == send.Seq {
			continue
		}
		switch e.Kind {
		case sim.TraceDeliver:
			if e.tag != "message" {
				continue
			}
			if e.typ == "error" && send.typ != "error" && e.Client == send.Client {
				o.bounced++
				continue
			}
			k := e.Client + "\x00" + e.Canonical()
			if seen[k] {
				o.dupes = append(o.dupes, e.Client)
			}
			seen[k] = true
			o.delivered[e.Client]++
		case sim.TraceError:
			if e.Client == send.Client {
				o.bounced++
			}
		case sim.TraceStore:
			o.stored++
		case sim.TraceDrop:
			if e.tag == "message" || e.el.IsZero() {
				o.dropped = append(o.dropped, e.Reason)
			}
		}
	}
	return o
}

// inv41MessageAccounted: every message a client sends is, by the end of
// its step, exactly one of delivered (to one or more sessions, never twice
// the same stanza to the same session), stored offline, or refused —
// bounced with an error to the sender and/or dropped for a documented
// reason (dropReasons) — and never silently lost (RFC 6120 §10: the
// server delivers, stores or returns an error; RFC 6121 §8.5; XEP-0160
// §3; XEP-0191 §3.5–3.6 for the blocked cases). A bounce may accompany a
// drop (an outbound block records the drop and returns <blocked/>), never
// a delivery or a store.
func inv41MessageAccounted(c *Ctx) error {
	if c.send == nil || c.send.tag != "message" {
		return nil
	}
	if roomOf(c.sendTo()) != "" {
		// A message to a room or an occupant is the room's to relay
		// (XEP-0045: to every occupant, an invitation, a notice): not
		// one message between users.
		return nil
	}
	o := accountSend(c, c.send)
	if len(o.dupes) > 0 {
		return fmt.Errorf("message %s delivered twice to %s", c.send.Canonical(), strings.Join(o.dupes, ", "))
	}
	for _, r := range o.dropped {
		if !dropReasons[r] {
			return fmt.Errorf("message %s dropped for an undocumented reason %q", c.send.Canonical(), r)
		}
	}
	d := len(o.delivered) > 0
	// A session that refuses the message when it takes it in
	// (model.Profile.ListAppliedAtDelivery: its user's list changed by a
	// stanza pipelined behind this one) is one recipient's outcome, as a
	// delivery to another session is.
	onArrival := 0
	for _, r := range o.dropped {
		if r == "blocked-on-arrival" {
			onArrival++
		}
	}
	// (each such refusal may bounce: ejabberd_c2s answers a refused
	// chat message with an error)
	refused := o.bounced > min(o.bounced, onArrival) || len(o.dropped) > onArrival || (onArrival > 0 && !d)
	n := 0
	for _, b := range []bool{d, o.stored > 0, refused} {
		if b {
			n++
		}
	}
	switch {
	case n == 0:
		return fmt.Errorf("message %s silently lost: neither delivered, stored, bounced nor dropped", c.send.Canonical())
	case n > 1:
		return fmt.Errorf("message %s has several outcomes: delivered to %d sessions, stored %d, bounced %d, dropped %v", c.send.Canonical(), len(o.delivered), o.stored, o.bounced, o.dropped)
	case o.stored > 1:
		return fmt.Errorf("message %s stored %d times", c.send.Canonical(), o.stored)
	}
	return nil
}

// offlineKey identifies a stored message across store and flush (the
// flush adds a <delay/>): sender and id.
func offlineKey(e *ev) string { return bareOf(e.from) + "|" + e.from + "|" + e.id }

// account updates the offline ledger (what the trace says each account's
// offline store holds) with one step and returns the problems inv42
// reports.
func (s *invState) account(c *Ctx) string {
	if s.ledger == nil {
		s.ledger = map[string][]string{}
	}
	var bad []string
	take := func(user, k, what string) {
		l := s.ledger[user]
		for i, x := range l {
			if x == k {
				s.ledger[user] = append(l[:i:i], l[i+1:]...)
				return
			}
		}
		bad = append(bad, fmt.Sprintf("%s for %s of a message never stored or already flushed (%s)", what, user, k))
	}
	if u := c.removedAccount(); u != "" {
		delete(s.ledger, u) // XEP-0077 §3.2: the account's data goes with it
	}
	if c.mamQuery() {
		if s.mamQueried == nil {
			s.mamQueried = map[string]bool{}
		}
		s.mamQueried[c.sender] = true
	}
	for _, e := range c.evs {
		switch {
		case e.Kind == sim.TraceStore && !e.el.IsZero():
			u := e.JID.Bare().String()
			s.ledger[u] = append(s.ledger[u], offlineKey(e))
		case e.Kind == sim.TraceFlush && !e.el.IsZero():
			take(e.user, offlineKey(e), "flush to "+e.Client)
		case e.Kind == sim.TraceDrop && e.Reason == "blocked-offline" && !e.el.IsZero():
			// dropped from the store of the account whose session is
			// being flushed: this step's sender
			take(c.senderBare(), offlineKey(e), "blocked-offline drop")
		}
	}
	// an initial presence with priority >= 0 flushes everything stored
	// (except to a session that queried its archive: mod_mam.go)
	if c.initialPresence() && !c.send.el.IsZero() && vPriority(c.send.el) >= 0 && !s.mamQueried[c.sender] {
		if l := s.ledger[c.senderBare()]; len(l) > 0 {
			bad = append(bad, fmt.Sprintf("initial presence of %s (priority >= 0) left %d stored messages unflushed: %v", c.sender, len(l), l))
		}
	}
	for _, u := range c.h.userNames() {
		if s.ignoreOfflineCount {
			break
		}
		if got, want := c.after.offline[u], len(s.ledger[userBare(u)]); got != want {
			what := ""
			if c.rec.op.Kind == OpRestart {
				what = " after a server restart"
			}
			bad = append(bad, fmt.Sprintf("offline store of %s holds %d messages%s, the trace stored and did not flush %d", u, got, what, want))
		}
	}
	sort.Strings(bad)
	return strings.Join(bad, "; ")
}

// inv42OfflineLedger: the offline store holds exactly the messages stored
// (TraceStore) and neither flushed (TraceFlush) nor dropped at flush time
// ("blocked-offline", RecheckBlocklistOnOfflineFlush): stored messages
// survive server restarts (§0.8 storage: mod_offline's store is
// persistent; XEP-0160 §3), are flushed to the first available resource
// with non-negative priority and then deleted (§5.5, XEP-0160 §4: "the
// server MUST NOT deliver the message again"), and nothing is flushed
// that was not stored or was flushed before.
func inv42OfflineLedger(c *Ctx) error {
	if c.ledgerErr != "" {
		return errors.New(c.ledgerErr)
	}
	return nil
}

// inv43BlocksSurviveFaults: a fault (abrupt drop of a session, server
// restart) changes no blocklist and no roster relation (XEP-0191 §3.2:
// the blocklist is server-side persistent state; RFC 6121 §2.1.1 for the
// roster), and after any fault nothing reaches an account from a JID its
// blocklist matches (XEP-0191 §3.6), nor does anything it sends reach a
// JID it blocks (§3.5) — the messages and presence delivered after a
// reconnect included.
func inv43BlocksSurviveFaults(c *Ctx) error {
	k := c.rec.op.Kind
	if k == OpRestart || k == OpDrop {
		for _, u := range c.h.userNames() {
			if !slices.Equal(c.before.bl[u], c.after.bl[u]) {
				return fmt.Errorf("%v changed the blocklist of %s: %v -> %v", c.rec.op, u, c.before.bl[u], c.after.bl[u])
			}
		}
		for key, b := range c.before.contacts.all() {
			if a := c.after.contacts.get(key); a != b {
				return fmt.Errorf("%v changed %s's roster entry for %s: %s -> %s", c.rec.op, key[0], key[1], b.State(), a.State())
			}
		}
		c.inv.faulted = true
	}
	if !c.inv.faulted {
		return nil
	}
	for _, e := range c.evs {
		if e.Kind != sim.TraceDeliver && e.Kind != sim.TraceFlush || e.from == "" || e.user == "" || bareOf(e.from) == e.user || !isLocalUser(e.from) {
			continue
		}
		if e.tag != "message" && !(e.tag == "presence" && (e.typ == "" || e.typ == "subscribe")) {
			continue
		}
		if e.Kind == sim.TraceFlush && !c.prof.RecheckBlocklistOnOfflineFlush {
			continue // stored before the block, Prosody flushes anyway (inv 12)
		}
		if e.tag == "presence" && e.typ == "subscribe" && !c.prof.RecheckBlocklistOnOfflineFlush && c.initialPresence() {
			continue // a stored request re-sent at initial presence (inv 12, F4)
		}
		if c.blockedThroughout(e.user, e.from) {
			return fmt.Errorf("after a fault, %s (%s) received from blocked %s: %s", e.Client, e.user, e.from, e.Canonical())
		}
		if e.Kind == sim.TraceFlush && !c.h.strictOn("F4") {
			continue // stored before the sender blocked the recipient (F4)
		}
		if !c.h.strictOn("D7") && isPEPEvent(e) {
			continue // mod_pep ignores the publisher's block (sc53)
		}
		if c.blockedThroughout(bareOf(e.from), e.user) && e.tag == "message" {
			return fmt.Errorf("after a fault, %s's message reached %s, whom it blocks: %s", e.from, e.Client, e.Canonical())
		}
	}
	return nil
}

// inv44StatePersisted: every change to an account's persistent state
// (roster, pending requests, pre-approvals, blocklist, offline messages,
// roster version) is written to storage by the end of the input that made
// it (§0.8 storage; model.Storage), so that a restart loses nothing. The
// harness snapshots only the accounts written in a step; every
// fullSnapEvery steps it takes a full snapshot and compares.
func inv44StatePersisted(c *Ctx) error {
	msg := c.h.persistErr
	c.h.persistErr = ""
	if msg != "" {
		return errors.New(msg)
	}
	return nil
}

// inv45AddressedToRecipient: every stanza a client receives is addressed
// to it — no 'to', or a 'to' whose bare JID is the client's account (its
// full JID, its bare JID, or another resource of it, as for a message to
// an unavailable resource or a stored request addressed to one). A server
// delivers a stanza to the entity its 'to' names (RFC 6120 §8.1.1.1,
// §10.5); a stanza that names another account reached the wrong client,
// and reveals what was sent to someone else (RFC 6121 §2.1: a roster is
// private). Under ResentRequestsShareStanza (Prosody 0.12.3, D6) a
// subscription request is exempt unless Config.Strict.
func inv45AddressedToRecipient(c *Ctx) error {
	for _, e := range c.evs {
		if !delivered(e) || e.el.IsZero() || e.to == "" || e.user == "" {
			continue
		}
		if bareOf(e.to) == e.user {
			continue
		}
		if e.tag == "presence" && e.typ == "subscribe" && c.prof.ResentRequestsShareStanza && !c.h.strictOn("D6") {
			continue
		}
		return fmt.Errorf("%s (%s) received a stanza addressed to %s: %s", e.Client, e.user, e.to, e.Canonical())
	}
	return nil
}
