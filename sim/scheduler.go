package sim

import (
	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/stanza"
)

// flightKind says what a scheduled flight carries.
type flightKind uint8

const (
	// upStanza: a stanza on a client-to-server link; on arrival the server
	// processes it.
	upStanza flightKind = iota + 1
	// upClose: the client's end of stream, queued behind its stanzas so
	// that a clean close never overtakes them.
	upClose
	// downStanza: server output (stanza or stream error) on a
	// server-to-client link; on arrival it lands in the inbox.
	downStanza
	// downClose: the server's end of stream after a server-side close,
	// queued behind whatever the server wrote before closing (typically
	// the stream error) so the client sees that first.
	downClose
	// serverTurn: a session's turn to run work its server deferred
	// (turns.go); on no link.
	serverTurn
)

// flight is one item travelling on a link. It is also the scheduler's
// queue entry: every event the simulation processes is the arrival of
// something that was put on a link, so one type serves both.
type flight struct {
	at        int64  // arrival, nanoseconds since start
	seq       uint64 // insertion order; breaks ties at equal times
	kind      flightKind
	cancelled bool // the link was cut; skip when popped
	client    *Client
	st        *etree.Element
	val       stanza.Stanza   // st as it was when it entered the link (what the trace records)
	traceKind TraceKind       // downStanza: how to record the arrival
	reason    string          // downStanza: the model's path tag; downClose: the close reason
	cause     uint64          // trace Seq of the event that put this on the link
	turn      model.SessionID // serverTurn: the session whose deferred work runs
}

// queue is a binary min-heap of flights ordered by (at, seq). A hand-rolled
// heap rather than container/heap avoids the interface boxing on every push
// and pop; ordering on the insertion sequence makes equal-time events pop
// in the order they were scheduled, which is what makes ties deterministic
// (and, with zero latency, causal).
type queue struct {
	items []*flight
	free  []*flight // recycled flights; the hot path allocates none in steady state
}

func less(a, b *flight) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

func (q *queue) push(f *flight) {
	q.items = append(q.items, f)
	i := len(q.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !less(q.items[i], q.items[p]) {
			break
		}
		q.items[i], q.items[p] = q.items[p], q.items[i]
		i = p
	}
}

func (q *queue) peek() *flight {
	if len(q.items) == 0 {
		return nil
	}
	return q.items[0]
}

func (q *queue) pop() *flight {
	n := len(q.items)
	if n == 0 {
		return nil
	}
	top := q.items[0]
	n--
	q.items[0] = q.items[n]
	q.items[n] = nil
	q.items = q.items[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && less(q.items[r], q.items[l]) {
			m = r
		}
		if !less(q.items[m], q.items[i]) {
			break
		}
		q.items[i], q.items[m] = q.items[m], q.items[i]
		i = m
	}
	return top
}

// alloc returns a zeroed flight, recycled when possible.
func (q *queue) alloc() *flight {
	if n := len(q.free); n > 0 {
		f := q.free[n-1]
		q.free = q.free[:n-1]
		return f
	}
	return new(flight)
}

// release recycles f. Only flights that have left the heap may be
// released: a cancelled flight stays in the heap until it is popped.
func (q *queue) release(f *flight) {
	*f = flight{}
	q.free = append(q.free, f)
}
