package model

// Deferred work: what a session's own process does later, in its turn.
//
// A real server does not always finish a stanza's effects before it reads
// the next stanza of the same stream. ejabberd's c2s process learns of
// its own privacy list through a message routed back to itself (the iq
// result of the edit, PR 2651); Prosody's timers run after the batch of
// stanzas one read brought. Stanzas the client pipelined — already
// received when the work was queued — are handled first; stanzas sent
// after the client saw the answer come after it.
//
// The model itself defers nothing: only a handler that stands for such a
// design (a mutant, or a profile of a server built that way) queues work
// with deferToSession. The network around the model gives the session a
// turn for each queued item (TakeDeferred, then RunDeferred): the
// simulation queues the turn behind everything that has already reached
// the server, so a pipelined stanza — on the link at the same instant —
// is processed before it, and a stanza sent after the client read the
// answer after it.

// deferredWork is one queued item: fn runs in sess's turn.
type deferredWork struct {
	sess *session
	fn   func()
}

// deferToSession queues fn to run in a later turn of sess (see above).
// Work for a session that has ended by then is dropped with it.
func (s *Server) deferToSession(sess *session, fn func()) {
	s.deferQ = append(s.deferQ, deferredWork{sess: sess, fn: fn})
	s.deferNew = append(s.deferNew, sess.id)
}

// TakeDeferred returns the sessions that queued work since the last call,
// one entry per item, in the order queued (nil when none: the model's own
// modules never defer). The caller owes each entry a RunDeferred call, in
// the session's turn.
func (s *Server) TakeDeferred() []SessionID {
	if len(s.deferNew) == 0 {
		return nil
	}
	ids := s.deferNew
	s.deferNew = nil
	return ids
}

// RunDeferred runs session id's oldest queued item and returns its
// events. An item of a session that ended meanwhile (or before a restart)
// is dropped: the process that would have run it is gone.
func (s *Server) RunDeferred(id SessionID) []Event {
	for i, w := range s.deferQ {
		if w.sess.id != id {
			continue
		}
		s.deferQ = append(s.deferQ[:i:i], s.deferQ[i+1:]...)
		if w.sess.bound {
			w.fn()
		}
		return s.flush()
	}
	return nil
}

// hasDeferred reports whether session id has queued work on s.
func (s *Server) hasDeferred(id SessionID) bool {
	for _, w := range s.deferQ {
		if w.sess.id == id {
			return true
		}
	}
	return false
}
