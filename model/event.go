package model

import (
	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
)

// SessionID identifies one bound session for the lifetime of a Server.
// IDs are assigned in bind order, starting at 1, and never reused, so a
// session that replaced another with the same full JID has a new ID.
type SessionID uint64

// EventKind classifies what the server did with a stanza.
type EventKind uint8

const (
	// Deliver: Stanza was written to session Session (full JID To).
	Deliver EventKind = iota + 1
	// Drop: Stanza was discarded; Reason says why (e.g. "blocked-inbound",
	// "no-session", "error-to-error", "offline-target").
	Drop
	// Store: Stanza (a message) was put into the offline store of To (bare).
	Store
	// StreamError: Session was sent a stream error (Stanza is the
	// <stream:error> element) and is being closed by the server.
	StreamError
	// Closed: Session was destroyed (Reason: "" for a clean close,
	// the transport error text for a drop, or the stream error text).
	Closed
)

func (k EventKind) String() string {
	switch k {
	case Deliver:
		return "deliver"
	case Drop:
		return "drop"
	case Store:
		return "store"
	case StreamError:
		return "stream-error"
	case Closed:
		return "closed"
	}
	return "unknown"
}

// Event is one observable effect of a server call, in the order the server
// produced it. Within one session the order of Deliver events is the order
// of the session's stream; events for different sessions may be reordered
// by the network but the model emits them in a fixed, deterministic order.
//
// Ownership of Stanza: each event owns its root element — its name, its
// attributes and its list of children — so a receiver may keep it, set or
// remove its attributes and append children. The existing children and
// everything below them may be shared with other events (a broadcast
// delivers one presence to every contact) and with the server's own state
// (the stored presence): they are read-only for everyone, the server
// included once it has delivered them. Their Parent is not the event's
// root, so etree's RemoveChild must not be used on them; to change them,
// work on a Copy. The server never changes a descendant of a stanza it
// has delivered; the root, which it does change ('to' of a broadcast, the
// delay of a stored presence), is copied for each event.
type Event struct {
	Kind    EventKind
	Session SessionID // recipient (Deliver, StreamError, Closed); 0 when none
	To      JID       // recipient full JID (Deliver), or owner (Store)
	Stanza  *etree.Element
	// Value is the stanza as an immutable value, instead of Stanza, when
	// the server was built with Options.Values (Stanza is then nil). Its
	// canonical form is rendered on first use. Values of one call's
	// deliveries share the children of the stanza they deliver.
	Value stanza.Stanza
	// Reason: for Drop, why; for Deliver, a tag of the path: "" (routed),
	// "error" (a server-generated error reply), "offline" (flushed from
	// offline storage), "push" (roster or blocklist push), "result" (iq
	// answered by the server itself).
	Reason string
}
