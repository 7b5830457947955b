package sim_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

func newSim(t testing.TB, seed uint64, maxLat time.Duration) (*sim.Sim, *relay) {
	t.Helper()
	r := newRelay()
	return sim.New(sim.Config{Seed: seed, MaxLatency: maxLat, Backend: r}), r
}

func connect(t testing.TB, s *sim.Sim, name, user, res string) *sim.Client {
	t.Helper()
	c, err := s.Connect(name, user, res)
	if err != nil {
		t.Fatalf("Connect(%q, %q, %q): %v", name, user, res, err)
	}
	return c
}

func send(t testing.TB, c *sim.Client, st *etree.Element) {
	t.Helper()
	if err := c.Send(st); err != nil {
		t.Fatalf("%s.Send: %v", c.Name(), err)
	}
}

func withAttr(tag, key, val string) *etree.Element {
	e := etree.NewElement(tag)
	e.CreateAttr(key, val)
	return e
}

func traceText(t testing.TB, s *sim.Sim) string {
	t.Helper()
	var b bytes.Buffer
	if err := sim.WriteTrace(&b, s.Trace()); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// kinds returns "kind client [reason]" for each event: a compact view.
func kinds(evs []sim.TraceEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Kind.String() + " " + e.Client
		if e.Reason != "" {
			out[i] += " [" + e.Reason + "]"
		}
	}
	return out
}

func TestGoldenZeroLatency(t *testing.T) {
	s, _ := newSim(t, 0, 0)
	alice := connect(t, s, "alice", "alice", "a")
	bob := connect(t, s, "bob", "bob", "b")
	send(t, alice, msg(bob.JID(), "hi"))
	send(t, alice, msg(model.MustJID("nobody@localhost/x"), "lost"))
	send(t, alice, el("drop"))
	send(t, alice, withAttr("store", "to", "carol@localhost"))
	send(t, alice, el("offline"))
	s.RunUntilQuiet()
	if err := bob.Disconnect(); err != nil {
		t.Fatal(err)
	}
	s.RunUntilQuiet()
	want := `1  +0s  connect  alice(alice@localhost/a)
2  +0s  connect  bob(bob@localhost/b)
3  +0s  send  alice(alice@localhost/a)  <message to='bob@localhost/b'><body>hi</body></message>
4  +0s  send  alice(alice@localhost/a)  [pipelined]  <message to='nobody@localhost/x'><body>lost</body></message>
5  +0s  send  alice(alice@localhost/a)  [pipelined]  <drop/>
6  +0s  send  alice(alice@localhost/a)  [pipelined]  <store to='carol@localhost'/>
7  +0s  send  alice(alice@localhost/a)  [pipelined]  <offline/>
8  +0s  drop  (alice@localhost/a)  [test-drop]  <drop/>  (cause #5)
9  +0s  store  (carol@localhost)  <store to='carol@localhost'/>  (cause #6)
10  +0s  deliver  bob(bob@localhost/b)  <message from='alice@localhost/a' to='bob@localhost/b'><body>hi</body></message>  (cause #3)
11  +0s  error  alice(alice@localhost/a)  [error]  <message to='alice@localhost/a' type='error'><error><item-not-found/></error></message>  (cause #4)
12  +0s  flush  alice(alice@localhost/a)  [offline]  <offline/>  (cause #7)
13  +0s  disconnect  bob(bob@localhost/b)  [clean]
14  +0s  deliver  alice(alice@localhost/a)  <gone jid='bob@localhost/b'/>  (cause #13)
`
	if got := traceText(t, s); got != want {
		t.Errorf("trace:\n%s\nwant:\n%s", got, want)
	}
	if got := bodies(bob.Inbox()); !slices.Equal(got, []string{"hi"}) {
		t.Errorf("bob's bodies = %q", got)
	}
	in := alice.Inbox()
	if len(in) != 3 || in[0].Seq != 11 || in[1].Seq != 12 || in[2].Seq != 14 {
		t.Errorf("alice's inbox seqs wrong: %+v", in)
	}
	if !s.Now().Equal(model.Epoch) {
		t.Errorf("zero latency moved the clock to %v", s.Now())
	}
	if !bob.Ended() || bob.Connected() {
		t.Errorf("bob after clean close: Connected=%v Ended=%v", bob.Connected(), bob.Ended())
	}
}

func TestFIFOPerLinkUnderLatency(t *testing.T) {
	const n = 30
	for seed := range uint64(60) {
		s, r := newSim(t, seed, 10*time.Millisecond)
		alice := connect(t, s, "alice", "alice", "a")
		bob := connect(t, s, "bob", "bob", "b")
		var want []string
		for i := range n {
			want = append(want, fmt.Sprint(i))
			send(t, alice, msg(bob.JID(), fmt.Sprint(i)))
			send(t, bob, msg(alice.JID(), fmt.Sprint(i)))
			if i%7 == 3 {
				s.Advance(time.Duration(i) * 300 * time.Microsecond)
			}
		}
		s.RunUntilQuiet()
		for _, c := range []*sim.Client{alice, bob} {
			in := c.Inbox()
			if got := bodies(in); !slices.Equal(got, want) {
				t.Fatalf("seed %d: %s received %q, want %q", seed, c.Name(), got, want)
			}
			for i := 1; i < len(in); i++ {
				if in[i].At.Before(in[i-1].At) || in[i].Seq <= in[i-1].Seq {
					t.Fatalf("seed %d: %s inbox not FIFO at %d", seed, c.Name(), i)
				}
			}
		}
		// The server saw each client's stanzas in the order they were sent.
		var fromAlice []string
		for _, l := range r.log {
			if strings.HasPrefix(l, "process 1 ") {
				fromAlice = append(fromAlice, l)
			}
		}
		for i, l := range fromAlice {
			if !strings.Contains(l, "<body>"+fmt.Sprint(i)+"</body>") {
				t.Fatalf("seed %d: server saw alice's stanza %d as %s", seed, i, l)
			}
		}
	}
}

// firstSender runs alice and carol each sending to bob at the same instant
// and reports whose message bob got first.
func firstSender(t *testing.T, seed uint64, maxLat time.Duration) string {
	s, _ := newSim(t, seed, maxLat)
	alice := connect(t, s, "alice", "alice", "a")
	carol := connect(t, s, "carol", "carol", "c")
	bob := connect(t, s, "bob", "bob", "b")
	send(t, alice, msg(bob.JID(), "alice"))
	send(t, carol, msg(bob.JID(), "carol"))
	s.RunUntilQuiet()
	got := bodies(bob.Inbox())
	if len(got) != 2 {
		t.Fatalf("seed %d: bob got %q", seed, got)
	}
	return got[0]
}

func TestSeedVariesInterleaving(t *testing.T) {
	seen := map[string]uint64{}
	for seed := range uint64(64) {
		if first := firstSender(t, seed, 10*time.Millisecond); seen[first] == 0 {
			seen[first] = seed + 1
		}
	}
	if len(seen) != 2 {
		t.Fatalf("64 seeds gave only the orders %v", seen)
	}
	t.Logf("alice first with seed %d, carol first with seed %d", seen["alice"]-1, seen["carol"]-1)
	// Zero latency: the order is the send order, whatever the seed.
	for seed := range uint64(16) {
		if got := firstSender(t, seed, 0); got != "alice" {
			t.Fatalf("zero latency, seed %d: %s first", seed, got)
		}
	}
}

// workload exercises every path: relays, errors, drops, stores, a
// conflict, a server kick, a clean and an abrupt close, time advances.
func workload(t *testing.T, seed uint64) []byte {
	s, _ := newSim(t, seed, 5*time.Millisecond)
	a := connect(t, s, "alice", "alice", "a")
	b := connect(t, s, "bob", "bob", "b")
	c := connect(t, s, "carol", "carol", "")
	for i := range 10 {
		send(t, a, msg(b.JID(), fmt.Sprint("a", i)))
		send(t, b, msg(c.JID(), fmt.Sprint("b", i)))
		send(t, c, msg(a.JID(), fmt.Sprint("c", i)))
		if i == 4 {
			send(t, b, el("drop"))
			send(t, c, withAttr("store", "to", "dave@localhost"))
			s.Advance(2 * time.Millisecond)
		}
	}
	send(t, a, msg(model.MustJID("x@localhost/y"), "nowhere"))
	b2 := connect(t, s, "bob2", "bob", "b") // conflict with bob
	send(t, b2, el("shout"))
	s.Advance(3 * time.Millisecond)
	send(t, c, el("kick"))
	if err := a.Disconnect(); err != nil {
		t.Fatal(err)
	}
	s.Step()
	if err := b2.Drop(); err != nil {
		t.Fatal(err)
	}
	s.RunUntilQuiet()
	return []byte(traceText(t, s))
}

func TestSameSeedSameBytes(t *testing.T) {
	distinct := map[string]bool{}
	for seed := range uint64(12) {
		one, two := workload(t, seed), workload(t, seed)
		if !bytes.Equal(one, two) {
			t.Fatalf("seed %d: two runs differ:\n%s\n---\n%s", seed, one, two)
		}
		distinct[string(one)] = true
	}
	if len(distinct) < 2 {
		t.Errorf("12 seeds gave %d distinct traces; latency draws have no effect", len(distinct))
	}
}

func TestDropLosesUpstreamInFlight(t *testing.T) {
	s, r := newSim(t, 0, 0)
	alice := connect(t, s, "alice", "alice", "a")
	bob := connect(t, s, "bob", "bob", "b")
	for i := range 3 {
		send(t, alice, msg(bob.JID(), fmt.Sprint(i)))
	}
	if err := alice.Disconnect(); err != nil { // the close is in flight too
		t.Fatal(err)
	}
	if err := alice.Drop(); err != nil {
		t.Fatal(err)
	}
	if alice.Connected() || !alice.Ended() {
		t.Errorf("after Drop: Connected=%v Ended=%v", alice.Connected(), alice.Ended())
	}
	s.RunUntilQuiet()
	ev := s.Trace()
	want := []string{
		"connect alice", "connect bob",
		"send alice", "send alice [pipelined]", "send alice [pipelined]",
		"drop alice [connection-lost]", "drop alice [connection-lost]", "drop alice [connection-lost]",
		"disconnect alice [abrupt]",
		"deliver bob",
	}
	if got := kinds(ev); !slices.Equal(got, want) {
		t.Fatalf("trace kinds:\n%q\nwant\n%q", got, want)
	}
	for i := range 3 {
		if ev[5+i].Cause != ev[2+i].Seq || ev[5+i].Canonical() != ev[2+i].Canonical() {
			t.Errorf("drop %d does not name its send: %+v", i, ev[5+i])
		}
	}
	if ev[9].Cause != ev[8].Seq || !strings.HasPrefix(ev[9].Canonical(), "<gone") {
		t.Errorf("unbind notification: %+v", ev[9])
	}
	if got := bodies(bob.Inbox()); len(got) != 0 {
		t.Errorf("bob got %q from a dropped connection", got)
	}
	if !slices.Equal(r.log[2:], []string{"close 1 abrupt=true"}) {
		t.Errorf("server calls: %q", r.log)
	}
	if err := alice.Drop(); !errors.Is(err, sim.ErrNotConnected) {
		t.Errorf("second Drop: %v", err)
	}
	if err := alice.Send(el("x")); !errors.Is(err, sim.ErrNotConnected) {
		t.Errorf("Send after Drop: %v", err)
	}
}

func TestDropLosesDownstreamInFlight(t *testing.T) {
	s, _ := newSim(t, 0, 0)
	alice := connect(t, s, "alice", "alice", "a")
	bob := connect(t, s, "bob", "bob", "b")
	send(t, alice, msg(bob.JID(), "hi"))
	if !s.Step() { // the server relays; the delivery is now on bob's link
		t.Fatal("nothing to step")
	}
	if err := bob.Drop(); err != nil {
		t.Fatal(err)
	}
	s.RunUntilQuiet()
	ev := s.Trace()
	want := []string{"connect alice", "connect bob", "send alice", "drop bob [connection-lost]", "disconnect bob [abrupt]", "deliver alice"}
	if got := kinds(ev); !slices.Equal(got, want) {
		t.Fatalf("trace kinds:\n%q\nwant\n%q", got, want)
	}
	if ev[3].Cause != 3 || !strings.Contains(ev[3].Canonical(), "from='alice@localhost/a'") {
		t.Errorf("lost delivery: %+v", ev[3])
	}
	if len(bob.Inbox()) != 0 {
		t.Errorf("bob's inbox: %v", bob.Inbox())
	}
}

// Under latency every stanza sent before a Drop is either processed by the
// server or recorded as lost, never both and never neither.
func TestDropAccountsForEverySend(t *testing.T) {
	mixed := 0 // seeds where the cut fell between the sends
	for seed := range uint64(40) {
		s, r := newSim(t, seed, 10*time.Millisecond)
		alice := connect(t, s, "alice", "alice", "a")
		bob := connect(t, s, "bob", "bob", "b")
		for i := range 8 {
			send(t, alice, msg(bob.JID(), fmt.Sprint(i)))
			s.Advance(time.Millisecond)
		}
		if err := alice.Drop(); err != nil {
			t.Fatal(err)
		}
		s.RunUntilQuiet()
		processed := 0
		for _, l := range r.log {
			if strings.HasPrefix(l, "process 1 ") {
				processed++
			}
		}
		lost := 0
		for _, e := range s.Trace() {
			if e.Kind == sim.TraceDrop && e.Client == "alice" {
				lost++
			}
		}
		if processed+lost != 8 {
			t.Fatalf("seed %d: %d processed + %d lost != 8", seed, processed, lost)
		}
		// What the server processed, bob received: his link is intact.
		if got := len(bodies(bob.Inbox())); got != processed {
			t.Fatalf("seed %d: bob got %d of %d processed", seed, got, processed)
		}
		if processed > 0 && lost > 0 {
			mixed++
		}
	}
	if mixed == 0 {
		t.Error("no seed cut the link mid-stream; the test proves nothing")
	}
	t.Logf("%d of 40 seeds cut mid-stream", mixed)
}

func TestDisconnectIsFIFOBehindSends(t *testing.T) {
	for seed := range uint64(40) {
		s, r := newSim(t, seed, 10*time.Millisecond)
		alice := connect(t, s, "alice", "alice", "a")
		bob := connect(t, s, "bob", "bob", "b")
		var want []string
		for i := range 10 {
			want = append(want, fmt.Sprint(i))
			send(t, alice, msg(bob.JID(), fmt.Sprint(i)))
		}
		if err := alice.Disconnect(); err != nil {
			t.Fatal(err)
		}
		if alice.Connected() || alice.Ended() {
			t.Fatalf("closing client: Connected=%v Ended=%v", alice.Connected(), alice.Ended())
		}
		if err := alice.Send(el("late")); !errors.Is(err, sim.ErrNotConnected) {
			t.Fatalf("Send after Disconnect: %v", err)
		}
		if err := alice.Disconnect(); !errors.Is(err, sim.ErrNotConnected) {
			t.Fatalf("second Disconnect: %v", err)
		}
		s.RunUntilQuiet()
		if got := bodies(bob.Inbox()); !slices.Equal(got, want) {
			t.Fatalf("seed %d: bob got %q", seed, got)
		}
		if last := r.log[len(r.log)-1]; last != "close 1 abrupt=false" || len(r.log) != 13 {
			t.Fatalf("seed %d: server calls %q", seed, r.log)
		}
		if !alice.Ended() {
			t.Fatalf("seed %d: alice not ended", seed)
		}
	}
}

func TestDeliveryAfterCleanCloseIsLost(t *testing.T) {
	s, _ := newSim(t, 0, 0)
	alice := connect(t, s, "alice", "alice", "a")
	bob := connect(t, s, "bob", "bob", "b")
	send(t, alice, msg(bob.JID(), "too late"))
	if err := bob.Disconnect(); err != nil {
		t.Fatal(err)
	}
	s.RunUntilQuiet()
	want := []string{
		"connect alice", "connect bob", "send alice",
		"disconnect bob [clean]",     // bob's close reaches the server ...
		"drop bob [connection-lost]", // ... before the relayed message reaches bob
		"deliver alice",              // <gone/>
	}
	if got := kinds(s.Trace()); !slices.Equal(got, want) {
		t.Fatalf("trace kinds:\n%q\nwant\n%q", got, want)
	}
}

func TestConflictClosesOlderSession(t *testing.T) {
	s, _ := newSim(t, 0, 0)
	old := connect(t, s, "r1", "romeo", "home")
	send(t, old, msg(old.JID(), "in flight")) // reaches a session the server has closed
	fresh := connect(t, s, "r2", "romeo", "home")
	if !old.Connected() {
		t.Fatal("the server's close reached r1 before the simulation ran")
	}
	s.RunUntilQuiet()
	ev := s.Trace()
	want := []string{
		"connect r1", "send r1", "connect r2",
		"drop r1 [connection-lost]",
		"stream-error r1",
		"disconnect r1 [conflict]",
	}
	if got := kinds(ev); !slices.Equal(got, want) {
		t.Fatalf("trace kinds:\n%q\nwant\n%q", got, want)
	}
	if ev[4].Cause != 3 || ev[5].Cause != 3 || ev[4].Canonical() != "<stream:error><conflict/></stream:error>" {
		t.Errorf("conflict events: %+v %+v", ev[4], ev[5])
	}
	if old.Connected() || !old.Ended() || !fresh.Connected() {
		t.Errorf("r1 Connected=%v Ended=%v, r2 Connected=%v", old.Connected(), old.Ended(), fresh.Connected())
	}
	if in := old.Inbox(); len(in) != 1 || in[0].Stanza.FullTag() != "stream:error" || in[0].Seq != 5 {
		t.Errorf("r1 inbox: %+v", in)
	}
	if err := old.Send(el("x")); !errors.Is(err, sim.ErrNotConnected) {
		t.Errorf("Send on a conflicted client: %v", err)
	}
	if err := old.Drop(); !errors.Is(err, sim.ErrNotConnected) {
		t.Errorf("Drop on an ended client: %v", err)
	}
	// The name is free again once its client is gone.
	again := connect(t, s, "r1", "romeo", "work")
	if s.Client("r1") != again || len(s.Clients()) != 3 || s.Clients()[0] != old {
		t.Errorf("Client/Clients after reusing a name")
	}
}

func TestServerKick(t *testing.T) {
	s, r := newSim(t, 3, 4*time.Millisecond)
	alice := connect(t, s, "alice", "alice", "a")
	send(t, alice, el("kick"))
	send(t, alice, el("after")) // arrives after the server closed: lost
	s.RunUntilQuiet()
	got := kinds(s.Trace())
	// <after/> is written while <kick/> is still on its way: pipelined
	want := []string{"connect alice", "send alice", "send alice [pipelined]", "drop alice [connection-lost]", "stream-error alice", "disconnect alice [policy-violation]"}
	// The lost <after/> and the stream error travel on different links:
	// their relative order depends on the latencies.
	if !slices.Equal(got, want) && !slices.Equal(got, []string{want[0], want[1], want[2], want[4], want[3], want[5]}) {
		t.Fatalf("trace kinds %q", got)
	}
	if alice.Connected() || !alice.Ended() {
		t.Errorf("kicked: Connected=%v Ended=%v", alice.Connected(), alice.Ended())
	}
	if len(r.log) != 2 {
		t.Errorf("server calls: %q", r.log)
	}
	// Drop after the server closed but before its close arrived loses the
	// stream error and does not call Close again (the relay would panic).
	s2, _ := newSim(t, 0, 0)
	bob := connect(t, s2, "bob", "bob", "b")
	send(t, bob, el("kick"))
	s2.Step()
	if err := bob.Drop(); err != nil {
		t.Fatal(err)
	}
	s2.RunUntilQuiet()
	if got := kinds(s2.Trace()); !slices.Equal(got, []string{"connect bob", "send bob", "drop bob [connection-lost]", "disconnect bob [abrupt]"}) {
		t.Fatalf("trace kinds %q", got)
	}
}

func TestErrorsNotPanics(t *testing.T) {
	s, _ := newSim(t, 0, 0)
	alice := connect(t, s, "alice", "alice", "a")
	if _, err := s.Connect("alice", "alice", "b"); err == nil {
		t.Error("duplicate client name accepted")
	}
	if _, err := s.Connect("", "bob", "b"); err == nil {
		t.Error("empty client name accepted")
	}
	if _, err := s.Connect("bad", "no@good", ""); err == nil {
		t.Error("invalid user accepted")
	}
	if err := alice.Send(nil); err == nil {
		t.Error("nil stanza accepted")
	}
	if got := len(s.Trace()); got != 1 {
		t.Errorf("failed calls left %d trace events, want 1", got)
	}
	if s.Client("bad") != nil || s.Client("nobody") != nil {
		t.Error("Client returned a client that does not exist")
	}
	if s.Step() {
		t.Error("Step on an empty queue reported an event")
	}
}

func TestGeneratedResourceAndAccessors(t *testing.T) {
	s, _ := newSim(t, 0, 0)
	c := connect(t, s, "x", "xavier", "")
	if c.JID().String() != "xavier@localhost/gen1" || c.Session() != 1 || c.Name() != "x" {
		t.Errorf("client: %s %d %s", c.JID(), c.Session(), c.Name())
	}
}

func TestAliasedDeliveriesAreCopied(t *testing.T) {
	s, _ := newSim(t, 0, 0)
	alice := connect(t, s, "alice", "alice", "a")
	bob := connect(t, s, "bob", "bob", "b")
	send(t, alice, el("shout"))
	s.RunUntilQuiet()
	a, b := alice.TakeAll(), bob.TakeAll()
	if len(a) != 1 || len(b) != 1 || a[0].Stanza == b[0].Stanza {
		t.Fatalf("shout deliveries share an element: %v %v", a, b)
	}
}

func TestInboxTake(t *testing.T) {
	s, _ := newSim(t, 0, 0)
	alice := connect(t, s, "alice", "alice", "a")
	for i := range 5 {
		send(t, alice, msg(alice.JID(), fmt.Sprint(i)))
	}
	s.RunUntilQuiet()
	snap := alice.Inbox()
	if got := bodies(alice.Take(2)); !slices.Equal(got, []string{"0", "1"}) {
		t.Errorf("Take(2) = %q", got)
	}
	if r, ok := alice.Next(); !ok || bodies([]sim.Received{r})[0] != "2" {
		t.Errorf("Next = %v %v", r, ok)
	}
	if got := bodies(alice.TakeAll()); !slices.Equal(got, []string{"3", "4"}) {
		t.Errorf("TakeAll = %q", got)
	}
	if got := bodies(snap); !slices.Equal(got, []string{"0", "1", "2", "3", "4"}) {
		t.Errorf("an earlier Inbox snapshot changed: %q", got)
	}
	if alice.Take(3) != nil || len(alice.Inbox()) != 0 {
		t.Error("inbox not empty")
	}
	if _, ok := alice.Next(); ok {
		t.Error("Next on an empty inbox")
	}
}

func TestClockAndAdvance(t *testing.T) {
	start := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	r := newRelay()
	s := sim.New(sim.Config{Seed: 9, MaxLatency: 10 * time.Millisecond, Start: start, Backend: r})
	if !s.Now().Equal(start) {
		t.Fatalf("Now = %v", s.Now())
	}
	alice := connect(t, s, "alice", "alice", "a")
	send(t, alice, msg(alice.JID(), "echo"))
	s.Advance(0)
	if s.Pending() != 1 || !s.Now().Equal(start) {
		t.Fatalf("Advance(0): pending %d, now %v", s.Pending(), s.Now())
	}
	// Two hops of at most 10ms base + 1.25ms jitter each.
	s.Advance(25 * time.Millisecond)
	if s.Pending() != 0 || len(alice.Inbox()) != 1 {
		t.Fatalf("after Advance: pending %d, inbox %d", s.Pending(), len(alice.Inbox()))
	}
	if want := start.Add(25 * time.Millisecond); !s.Now().Equal(want) {
		t.Fatalf("Now = %v, want %v", s.Now(), want)
	}
	at := alice.Inbox()[0].At
	if at.Before(start) || at.After(s.Now()) {
		t.Errorf("arrival %v outside the advanced window", at)
	}
	for _, e := range s.Trace() {
		if e.Elapsed != e.At.Sub(start) {
			t.Errorf("event %d: Elapsed %v, At-start %v", e.Seq, e.Elapsed, e.At.Sub(start))
		}
	}
	before := s.Now()
	s.RunUntilQuiet()
	s.Advance(-time.Second)
	if !s.Now().Equal(before) {
		t.Errorf("an idle run or a negative advance moved the clock")
	}
	if d := sim.New(sim.Config{Backend: newRelay()}); !d.Now().Equal(model.Epoch) {
		t.Errorf("default start %v", d.Now())
	}
}

func TestDefaultBackendIsModel(t *testing.T) {
	s := sim.New(sim.Config{Seed: 1})
	if _, ok := s.Backend().(*model.Server); !ok {
		t.Fatalf("default backend is %T", s.Backend())
	}
}

func TestTraceKindString(t *testing.T) {
	want := map[sim.TraceKind]string{
		sim.TraceSend: "send", sim.TraceDeliver: "deliver", sim.TraceError: "error",
		sim.TraceFlush: "flush", sim.TraceDrop: "drop", sim.TraceStore: "store",
		sim.TraceConnect: "connect", sim.TraceDisconnect: "disconnect",
		sim.TraceStreamError: "stream-error", 0: "kind(0)", 200: "kind(200)",
	}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("%d.String() = %q, want %q", k, k.String(), s)
		}
	}
}

func TestWriteTraceKeepsOneLinePerEvent(t *testing.T) {
	evs := []sim.TraceEvent{
		{Seq: 1, Elapsed: 1500 * time.Microsecond, Kind: sim.TraceSend, Client: "a", JID: model.MustJID("a@h/r"), Text: "<message><body>two\nlines\r</body></message>"},
		{Seq: 2, Kind: sim.TraceDrop, Reason: "why"},
	}
	var b bytes.Buffer
	if err := sim.WriteTrace(&b, evs); err != nil {
		t.Fatal(err)
	}
	want := "1  +1.5ms  send  a(a@h/r)  <message><body>two&#10;lines&#13;</body></message>\n2  +0s  drop  -  [why]\n"
	if b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteTraceReportsWriteErrors(t *testing.T) {
	if err := sim.WriteTrace(failWriter{}, []sim.TraceEvent{{Seq: 1}}); err == nil {
		t.Error("write error swallowed")
	}
}
