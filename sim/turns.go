package sim

import "github.com/scansim/scansim/model"

// Deferrer is a Backend that queues work for a session's later turn
// (model/deferred.go): a stanza's effect that its server applies only
// after the stanzas already received on the same stream. *model.Server
// and *model.Hosts implement it; its own modules never defer, only mutants that stand
// for servers built that way (ejabberd PR 2651).
type Deferrer interface {
	// TakeDeferred returns the sessions that queued work since the
	// last call, one entry per item, in the order queued.
	TakeDeferred() []model.SessionID
	// RunDeferred runs the session's oldest queued item.
	RunDeferred(id model.SessionID) []model.Event
}

// scheduleTurns gives each item the backend queued during its last call
// a turn at the current instant, behind everything already scheduled:
// a stanza already on the session's link and due now (a pipelined one)
// is processed first, one the client sends after reading the answer
// comes after the turn. cause is the trace Seq of what the call handled.
func (s *Sim) scheduleTurns(cause uint64) {
	if s.deferrer == nil {
		return
	}
	for _, id := range s.deferrer.TakeDeferred() {
		f := s.q.alloc()
		f.kind = serverTurn
		f.client = s.sessions[id] // nil: a session the simulation does not know
		f.turn = id
		f.cause = cause
		f.at = s.clock.now
		s.nextSeq++
		f.seq = s.nextSeq
		s.q.push(f)
	}
}

// pipelined reports whether c has stanzas on their way to the server: a
// stanza it sends now is written behind them without waiting for their
// answers (TraceSend's Reason ReasonPipelined).
func (c *Client) pipelined() bool { return c.InFlight() > 0 }

// InFlight returns how many of the stanzas c sent have not reached the
// server yet (the property engine steps a pipelined burst stanza by
// stanza with it).
func (c *Client) InFlight() int {
	n := 0
	for _, f := range c.up.pending[c.up.head:] {
		if f.kind == upStanza {
			n++
		}
	}
	return n
}
