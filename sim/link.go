package sim

// link is one direction of a client's connection. It is FIFO, like the TCP
// stream it stands for: an item never arrives before one sent earlier on
// the same link, whatever latency the seed drew. Different links are
// independent, which is where the seed's interleavings come from.
type link struct {
	base int64 // base latency in nanoseconds, drawn when the client is created
	last int64 // arrival time of the latest item; later items arrive no earlier
	// pending holds the items in flight, oldest first. Arrivals pop the
	// front (FIFO plus the (time, seq) heap order guarantee it is the
	// front); Drop walks it to record what the cut loses.
	pending []*flight
}

// popFront removes f, which must be the oldest item in flight.
func (l *link) popFront(f *flight) {
	if len(l.pending) == 0 || l.pending[0] != f {
		// Unreachable while links are FIFO; failing loudly beats a
		// silently corrupted simulation.
		panic("sim: link arrival out of FIFO order")
	}
	l.pending[0] = nil
	l.pending = l.pending[1:]
}

// cut empties the link, marking everything in flight cancelled, and returns
// the lost items oldest first.
func (l *link) cut() []*flight {
	lost := l.pending
	for _, f := range lost {
		f.cancelled = true
	}
	l.pending = nil
	return lost
}
