package properties

// scansim's own invariants on message routing by presence priority
// (RFC 6121 §8.5.2.1.1 and Prosody's choices within it,
// prosody-c2s-behaviour.md §2.5–§2.6, §3.1 step 5f, §5.2–§5.5). The
// reference used to be their only judge.

import (
	"fmt"

	"github.com/scansim/scansim/sim"
)

// bareRouted reports the account whose bare JID routes the step's message
// (RFC 6121 §8.5.2): a message to a local user's bare JID, to a full JID
// with no bound session (Prosody §5.2 treats it as addressed to the bare
// JID), or without 'to' (to the sender's own bare JID, Prosody §1.2). ok
// is false for anything else (a bound full JID gets the message whatever
// its priority, §5.4), and when the sender and the account block each
// other in either direction (inv12–inv18 judge those).
func (c *Ctx) bareRouted() (user string, ok bool) {
	if c.send == nil || c.send.tag != "message" || c.send.el.IsZero() {
		return "", false
	}
	addr := c.senderBare()
	if !vHas(c.send.el, "to") {
		user = c.senderBare()
	} else {
		to := c.sendTo()
		addr = to
		if to == "" || !isLocalUser(to) {
			return "", false // malformed, the host, or remote
		}
		if _, _, res := splitJID(to); res != "" && c.sessByFull(c.preSess, to) {
			return "", false
		}
		user = bareOf(to)
	}
	// the sender's list is tested against the address it wrote (§7.5)
	if c.blockedEver(user, c.senderFull()) || c.blockedEver(c.senderBare(), addr) {
		return "", false
	}
	return user, true
}

// messageCopies counts, per client of user, the deliveries of the step's
// message: from the sender's full JID with its type and id (nothing else
// a user's session receives in the sender's step looks like that; error
// bounces come from the recipient).
func (c *Ctx) messageCopies(user string) map[string]int {
	var got map[string]int
	for _, e := range c.evs {
		if e.Kind != sim.TraceDeliver || e.tag != "message" || e.user != user || e.from != c.senderFull() || msgType(e.typ) != msgType(c.send.typ) || e.id != c.send.id {
			continue
		}
		if got == nil {
			got = map[string]int{}
		}
		got[e.Client]++
	}
	return got
}

// msgType is a message's type with the default made explicit: a message
// without a type is of type normal (RFC 6121 §5.2.2), so a server that
// writes no type for a normal message (ejabberd's codec) delivers the
// same message.
func msgType(t string) string {
	if t == "" {
		return "normal"
	}
	return t
}

// sc46BareMessageNotToNegativePriority: a message routed by the bare JID
// is never delivered to a session that is unavailable or has a negative
// priority ("the server MUST NOT deliver the stanza to an available
// resource with a negative priority", RFC 6121 §8.5.2.1.1; Prosody §2.6,
// §5.3); a chat, normal or untyped one is delivered to at least one
// available session with a non-negative priority when there is one
// (§8.5.2.1.1: it MUST be delivered to the most available resource or
// resources, or to all non-negative ones).
func sc46BareMessageNotToNegativePriority(c *Ctx) error {
	u, ok := c.bareRouted()
	if !ok {
		return nil
	}
	got := c.messageCopies(u)
	eligible := 0
	for _, s := range c.sessionsOfMemo(&c.preBy, c.preSess, u) {
		switch {
		case s.avail && s.prio >= 0:
			eligible++
		case got[s.name] > 0 && !s.avail:
			return fmt.Errorf("message to %s's bare JID delivered to %s, which is not available", u, s.name)
		case got[s.name] > 0:
			return fmt.Errorf("message to %s's bare JID delivered to %s, whose priority is %d", u, s.name, s.prio)
		}
	}
	switch c.send.typ {
	case "chat", "normal", "":
		if eligible > 0 && len(got) == 0 {
			return fmt.Errorf("message to %s's bare JID reached none of its %d available sessions with a non-negative priority", u, eligible)
		}
	}
	return nil
}

// sc47BareMessageToEveryTopResource: Prosody's choice among RFC 6121
// §8.5.2.1.1's options: a chat, normal or untyped message routed by the
// bare JID goes to every top resource — the available sessions with the
// highest priority, if it is at least 0, ties all included — once each,
// and to no other session (Prosody §2.6, §5.3; §5.4: phone at 0 and
// laptop at −1 → only the phone; laptop at 0 → both).
func sc47BareMessageToEveryTopResource(c *Ctx) error {
	u, ok := c.bareRouted()
	if !ok {
		return nil
	}
	switch c.send.typ {
	case "chat", "normal", "":
	default:
		return nil
	}
	sess := c.sessionsOfMemo(&c.preBy, c.preSess, u)
	best := -1
	for _, s := range sess {
		if s.avail && s.prio > best {
			best = s.prio
		}
	}
	got := c.messageCopies(u)
	for _, s := range sess {
		top := best >= 0 && s.avail && s.prio == best
		switch n := got[s.name]; {
		case top && n != 1:
			return fmt.Errorf("top resource %s (priority %d) received a message to %s's bare JID %d times, want 1", s.name, best, u, n)
		case !top && n != 0:
			return fmt.Errorf("%s (not a top resource: priority %d, top %d) received a message to %s's bare JID", s.name, s.prio, best, u)
		}
	}
	return nil
}

// sc48NoOfflineFlushAtNegativePriority: an initial presence with a
// negative priority flushes no offline message to its session; they stay
// stored until an initial presence with priority ≥ 0 (Prosody §3.1 step
// 5f, §5.5; RFC 6121 §8.5.2.1.1: a negative priority says the resource
// does not want messages to the bare JID; XEP-0160 §2). In the sender's
// own initial-presence step no other message can reach it, so any
// message it receives is a flushed one (which makes this checkable on a
// real server's trace).
func sc48NoOfflineFlushAtNegativePriority(c *Ctx) error {
	if !c.initialPresence() || c.send.el.IsZero() || vPriority(c.send.el) >= 0 {
		return nil
	}
	for _, e := range c.evs {
		if delivered(e) && e.Client == c.sender && e.tag == "message" {
			return fmt.Errorf("initial presence with priority %d got a message: %s", vPriority(c.send.el), e.Canonical())
		}
	}
	return nil
}
