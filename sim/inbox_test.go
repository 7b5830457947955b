package sim_test

import (
	"fmt"
	"testing"

	"github.com/scansim/scansim/sim"
)

// Inboxes are cut from a slab shared by every client: what TakeAll
// handed over belongs to the caller, so neither later arrivals (at the
// same client or another) nor the caller's appends may change another
// inbox.
func TestInboxesAreIndependent(t *testing.T) {
	s := sim.New(sim.Config{})
	a, _ := s.Connect("a", "alice", "r")
	b, _ := s.Connect("b", "bob", "r")
	c, _ := s.Connect("c", "carol", "r")
	send := func(from *sim.Client, to string, n int, tag string) {
		for i := range n {
			if err := from.Send(stanza(t, fmt.Sprintf(`<message to='%s@localhost/r' id='%s%d'><body>x</body></message>`, to, tag, i))); err != nil {
				t.Fatal(err)
			}
		}
		s.RunUntilQuiet()
	}
	var taken [][]sim.Received
	var want []string
	for round := range 5 {
		for _, pair := range []struct {
			from *sim.Client
			to   string
			n    int
		}{{a, "bob", 1 + round%3}, {c, "bob", 2}, {b, "carol", 3 + round}, {a, "carol", 1}} {
			send(pair.from, pair.to, pair.n, fmt.Sprintf("r%d%s", round, pair.from.Name()))
		}
		for _, cl := range []*sim.Client{b, c} {
			got := cl.TakeAll()
			want = append(want, receivedIDs(got))
			// The caller appends to what it took, within its room.
			got = append(got, got[0])
			taken = append(taken, got[:len(got)-1])
		}
	}
	for i, got := range taken {
		if receivedIDs(got) != want[i] {
			t.Errorf("inbox %d changed after it was taken: %s, want %s", i, receivedIDs(got), want[i])
		}
	}
}

func attrOf(r sim.Received, key string) string {
	v, _ := r.Value.Attr("", key)
	return v
}

// TakeAppend takes what TakeAll would, in order, into the caller's
// buffer; the inbox is then empty and the next arrivals land in it
// without touching what was taken.
func TestTakeAppend(t *testing.T) {
	s := sim.New(sim.Config{})
	a, _ := s.Connect("a", "alice", "r")
	b, _ := s.Connect("b", "bob", "r")
	send := func(ids ...string) {
		for _, id := range ids {
			if err := a.Send(stanza(t, `<message to='bob@localhost/r' id='`+id+`'><body>x</body></message>`)); err != nil {
				t.Fatal(err)
			}
		}
		s.RunUntilQuiet()
	}
	send("1", "2", "3")
	buf := []sim.Received{{Seq: 999}}
	buf = b.TakeAppend(buf)
	if got := receivedIDs(buf[1:]); got != "1 2 3 " || buf[0].Seq != 999 {
		t.Fatalf("TakeAppend gave %q after %d, want 1 2 3 after 999", got, buf[0].Seq)
	}
	if n := len(b.Inbox()); n != 0 {
		t.Fatalf("inbox holds %d stanzas after TakeAppend", n)
	}
	send("4")
	if got := receivedIDs(buf[1:]); got != "1 2 3 " {
		t.Errorf("a later arrival changed what was taken: %q", got)
	}
	if got := receivedIDs(b.TakeAppend(nil)); got != "4 " {
		t.Errorf("second TakeAppend gave %q, want 4", got)
	}
}

// receivedIDs lists the ids of rs, each followed by a space.
func receivedIDs(rs []sim.Received) string {
	out := ""
	for _, r := range rs {
		out += attrOf(r, "id") + " "
	}
	return out
}
