package sim

// link is one direction of a client's connection. It is FIFO, like the TCP
// stream it stands for: an item never arrives before one sent earlier on
// the same link, whatever latency the seed drew. Different links are
// independent, which is where the seed's interleavings come from.
type link struct {
	base int64 // base latency in nanoseconds, drawn when the client is created
	last int64 // arrival time of the latest item; later items arrive no earlier
	// pending[head:] holds the items in flight, oldest first. Arrivals pop
	// the front (FIFO plus the (time, seq) heap order guarantee it is the
	// front); Drop walks it to record what the cut loses. Popping advances
	// head, and an emptied link starts again at the front of the same
	// array: most links hold one item at a time, so they never allocate
	// after the first.
	pending []*flight
	head    int
}

// push appends f to the items in flight. A full array whose front has
// been popped is compacted first rather than grown, so a link that never
// empties does not keep its popped prefix.
func (l *link) push(f *flight) {
	if l.head > 0 && len(l.pending) == cap(l.pending) {
		n := copy(l.pending, l.pending[l.head:])
		clear(l.pending[n:])
		l.pending, l.head = l.pending[:n], 0
	}
	l.pending = append(l.pending, f)
}

// popFront removes f, which must be the oldest item in flight.
func (l *link) popFront(f *flight) {
	if l.head >= len(l.pending) || l.pending[l.head] != f {
		// Unreachable while links are FIFO; failing loudly beats a
		// silently corrupted simulation.
		panic("sim: link arrival out of FIFO order")
	}
	l.pending[l.head] = nil
	l.head++
	if l.head == len(l.pending) {
		l.pending, l.head = l.pending[:0], 0
	}
}

// cut empties the link, marking everything in flight cancelled, and returns
// the lost items oldest first.
func (l *link) cut() []*flight {
	lost := l.pending[l.head:]
	for _, f := range lost {
		f.cancelled = true
	}
	l.pending, l.head = nil, 0
	return lost
}
