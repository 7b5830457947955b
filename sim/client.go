package sim

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/jid"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/stanza"
)

// Received is one stanza that reached a client's inbox.
type Received struct {
	Seq    uint64         // trace Seq of the delivery event that put it here
	At     time.Time      // virtual arrival time
	Stanza *etree.Element // as the server produced it; owned by the receiver (nil under Config.ValuesOnly)
	// Value is the stanza as it was when the server sent it: the trace
	// event's Value, immutable and shared (its canonical form is cached).
	// Edits to Stanza do not show in it.
	Value stanza.Stanza
}

// Client is a virtual client: one authenticated, bound session with its
// own pair of links and an inbox. Clients are created by Sim.Connect and
// live inside one Sim; they are not safe for concurrent use (nothing in
// the simulation is — it runs on the caller's goroutine by design).
//
// Connected and Ended differ because the two ends of a connection learn
// about its end at different times:
//
//   - after Disconnect, the client can no longer send (Connected is false)
//     but still receives until its close reaches the server (then Ended);
//   - after a server-side close, the client does not know yet: it stays
//     Connected, and what it sends is lost, until the server's end of
//     stream reaches it (then Ended);
//   - after Drop, it is Ended at once.
//
// Once Ended, anything still arriving for it is lost ("connection-lost").
// Its name is free for a new client as soon as Connected is false, so a
// trace can hold two clients of one name; their JIDs and the event order
// tell them apart, and Sim.Client returns the newer.
type Client struct {
	sim  *Sim
	name string
	id   model.SessionID
	jid  jid.JID

	open      bool // may send: neither Disconnect nor Drop called, no server close seen
	srvClosed bool // the server has destroyed the session: no more Process/Close calls
	ended     bool // TraceDisconnect recorded: the inbox accepts nothing more

	up, down link // client-to-server, server-to-client
	inbox    []Received
}

// ErrNotConnected is returned by Send and Disconnect on a client that can
// no longer send, and by Drop on a client whose session has ended.
var ErrNotConnected = errors.New("sim: client not connected")

// Name returns the name the client was created with.
func (c *Client) Name() string { return c.name }

// JID returns the full JID the session bound.
func (c *Client) JID() jid.JID { return c.jid }

// Session returns the server's id for the session.
func (c *Client) Session() model.SessionID { return c.id }

// Connected reports whether the client may still send: false once
// Disconnect or Drop was called, or a server-side close reached it.
func (c *Client) Connected() bool { return c.open }

// Ended reports whether the session is over from the client's point of
// view (its TraceDisconnect was recorded). A client can be neither
// Connected nor Ended while its clean close is still travelling.
func (c *Client) Ended() bool { return c.ended }

// Send writes st to the client's link and records a TraceSend now; the
// server processes it after the client-to-server latency. Send takes
// ownership of st: the server may modify it. The trace records st as it
// is at the time of the call.
func (c *Client) Send(st *etree.Element) error {
	if st == nil {
		return fmt.Errorf("sim: %s: send of a nil stanza", c.name)
	}
	if !c.open {
		return fmt.Errorf("%w: %s cannot send", ErrNotConnected, c.name)
	}
	return c.send(st, c.sim.arena.FromElement(st))
}

// SendValue is Send of v: the server gets v (a ValueBackend) or a fresh
// element built from v (its to own and modify), and the trace records v itself, whose
// canonical form may already be cached — a script's stanza without
// variables is rendered once however often it is sent.
func (c *Client) SendValue(v stanza.Stanza) error {
	if v.IsZero() {
		return fmt.Errorf("sim: %s: send of a nil stanza", c.name)
	}
	if !c.open {
		return fmt.Errorf("%w: %s cannot send", ErrNotConnected, c.name)
	}
	if c.sim.byValue != nil {
		return c.send(nil, v)
	}
	return c.send(v.Element(), v)
}

func (c *Client) send(st *etree.Element, v stanza.Stanza) error {
	s := c.sim
	reason := ""
	if c.pipelined() {
		reason = ReasonPipelined
	}
	seq := s.record(TraceSend, c, c.jid, v, reason, 0)
	f := s.q.alloc()
	f.kind = upStanza
	f.client = c
	f.st = st
	f.val = v
	f.cause = seq
	s.schedule(&c.up, f)
	return nil
}

// Disconnect closes the client's stream cleanly. The close travels on the
// client-to-server link behind the stanzas already sent, so the server
// processes all of them first; then the session ends (TraceDisconnect,
// reason "clean") and the server's Close(id, false) runs. Stanzas still
// travelling towards the client at that moment are lost.
func (c *Client) Disconnect() error {
	if !c.open {
		return fmt.Errorf("%w: %s cannot disconnect", ErrNotConnected, c.name)
	}
	c.open = false
	s := c.sim
	f := s.q.alloc()
	f.kind = upClose
	f.client = c
	s.schedule(&c.up, f)
	return nil
}

// Drop cuts the client's connection at once, as a dead TCP connection
// would: every stanza in flight on either of its links is lost (each
// recorded as TraceDrop "connection-lost", oldest first, with the Cause it
// would have had), then the session ends (TraceDisconnect, reason
// "abrupt") and the server's Close(id, true) runs, unless the server had
// already closed the session. Drop works on a closing client too; it fails
// only once the session has ended.
func (c *Client) Drop() error {
	if c.ended {
		return fmt.Errorf("%w: %s already ended", ErrNotConnected, c.name)
	}
	s := c.sim
	c.open = false
	// Drops are recorded in the order the items were put on the wire.
	for _, f := range mergeFlights(c.up.cut(), c.down.cut()) {
		if f.kind == upStanza || f.kind == downStanza {
			s.record(TraceDrop, c, c.jid, f.val, ReasonConnectionLost, f.cause)
		}
	}
	c.ended = true
	seq := s.record(TraceDisconnect, c, c.jid, stanza.Stanza{}, ReasonAbrupt, 0)
	if !c.srvClosed {
		c.srvClosed = true
		s.apply(s.backend.Close(c.id, true), seq, c.id)
	}
	return nil
}

// Inbox returns a copy of the stanzas received and not yet taken, oldest
// first.
func (c *Client) Inbox() []Received { return slices.Clone(c.inbox) }

// Take removes and returns the n oldest received stanzas (fewer if the
// inbox holds fewer).
func (c *Client) Take(n int) []Received {
	if n <= 0 || len(c.inbox) == 0 {
		return nil
	}
	n = min(n, len(c.inbox))
	out := slices.Clone(c.inbox[:n])
	rest := copy(c.inbox, c.inbox[n:])
	clear(c.inbox[rest:])
	c.inbox = c.inbox[:rest]
	return out
}

// TakeAll removes and returns everything in the inbox.
func (c *Client) TakeAll() []Received {
	out := c.inbox
	c.inbox = nil
	return out
}

// TakeAppend removes everything in the inbox and appends it to dst,
// oldest first, returning the extended slice. Unlike TakeAll it hands
// nothing over: the inbox keeps its room for the stanzas that arrive
// next, so a consumer that drains the inbox after every step into its
// own reused buffer (the script runner) allocates no inbox per step.
func (c *Client) TakeAppend(dst []Received) []Received {
	dst = append(dst, c.inbox...)
	clear(c.inbox)
	c.inbox = c.inbox[:0]
	return dst
}

// Next removes and returns the oldest received stanza, if any.
func (c *Client) Next() (Received, bool) {
	r := c.Take(1)
	if len(r) == 0 {
		return Received{}, false
	}
	return r[0], true
}
