package sim

import "testing"

// A link is a FIFO whatever mix of pushes and pops it sees; cut returns
// exactly the items still in flight, oldest first.
func TestLinkFIFO(t *testing.T) {
	var l link
	var fs []*flight
	for i := range 40 {
		fs = append(fs, &flight{seq: uint64(i)})
	}
	next, popped := 0, 0
	// Push two, pop one, repeatedly: the link never empties, so pushes
	// both grow and compact the array.
	for next < 30 {
		l.push(fs[next])
		l.push(fs[next+1])
		next += 2
		l.popFront(fs[popped])
		popped++
	}
	for ; popped < 20; popped++ {
		l.popFront(fs[popped])
	}
	lost := l.cut()
	if len(lost) != next-popped {
		t.Fatalf("cut returned %d items, want %d", len(lost), next-popped)
	}
	for i, f := range lost {
		if f != fs[popped+i] || !f.cancelled {
			t.Errorf("cut item %d is seq %d (cancelled %v), want seq %d", i, f.seq, f.cancelled, popped+i)
		}
	}
	if fs[0].cancelled {
		t.Errorf("an item that arrived was marked cancelled")
	}
	defer func() {
		if recover() == nil {
			t.Errorf("popping an item that is not the oldest did not panic")
		}
	}()
	l.push(fs[35])
	l.popFront(fs[36])
}

// A link that carries one item at a time reuses its array.
func TestLinkReuse(t *testing.T) {
	var l link
	f := &flight{}
	l.push(f)
	l.popFront(f)
	if n := testing.AllocsPerRun(100, func() {
		l.push(f)
		l.popFront(f)
	}); n != 0 {
		t.Errorf("push and pop allocate %v times", n)
	}
}
