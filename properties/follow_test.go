package properties

import (
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
)

// lastFirstDriver is a server that reads concurrent stanzas in another
// order than the clients wrote them: every stanza written is held until
// the next synchronisation (or connect, wait, close), then handed to the
// server (inner) connection by connection, the connection that wrote
// last first, each connection's stanzas in its own order. A stanza on
// its own, and one session's burst, reach the server as written; two
// sessions' concurrent stanzas reach it in the order the model did not
// draw (unless the draw put the later writer first).
type lastFirstDriver struct{ inner driver.Driver }

func (d lastFirstDriver) Open(host string) (driver.Network, error) {
	n, err := d.inner.Open(host)
	if err != nil {
		return nil, err
	}
	return &lastFirstNet{Network: n}, nil
}

type lastFirstNet struct {
	driver.Network
	held []heldSend
}

type heldSend struct {
	ep *lastFirstEP
	el *etree.Element
}

type lastFirstEP struct {
	driver.Endpoint
	n *lastFirstNet
}

func (e *lastFirstEP) Send(el *etree.Element) error {
	e.n.held = append(e.n.held, heldSend{e, el})
	return nil
}
func (e *lastFirstEP) Disconnect() error { e.n.flush(); return e.Endpoint.Disconnect() }
func (e *lastFirstEP) Drop() error       { e.n.flush(); return e.Endpoint.Drop() }

// flush hands the held stanzas to the server, the last writer's first.
func (n *lastFirstNet) flush() {
	var writers []*lastFirstEP
	for _, h := range n.held {
		found := false
		for _, w := range writers {
			found = found || w == h.ep
		}
		if !found {
			writers = append([]*lastFirstEP{h.ep}, writers...)
		}
	}
	held := n.held
	n.held = nil
	for _, w := range writers {
		for _, h := range held {
			if h.ep == w {
				_ = w.Endpoint.Send(h.el)
			}
		}
	}
}

func unwrapEP(ep driver.Endpoint) driver.Endpoint {
	if e, ok := ep.(*lastFirstEP); ok {
		return e.Endpoint
	}
	return ep
}

func (n *lastFirstNet) Connect(name, user, resource string, login driver.Login) (driver.Endpoint, error) {
	n.flush()
	ep, err := n.Network.Connect(name, user, resource, login)
	if err != nil {
		return nil, err
	}
	return &lastFirstEP{Endpoint: ep, n: n}, nil
}

func (n *lastFirstNet) Quiesce(last driver.Endpoint) error {
	n.flush()
	return n.Network.Quiesce(unwrapEP(last))
}

func (n *lastFirstNet) Wait(ep driver.Endpoint, d time.Duration) time.Duration {
	n.flush()
	return n.Network.Wait(unwrapEP(ep), d)
}

// concurrentBlockSubscribe: u1 (available) blocks u2 while u2 asks to
// subscribe to u1, the model drawing u1's block first; then u2 messages
// u1's session. Read block first, u2's request is dropped at u1's
// inbound check (XEP-0191 §3.3); read request first, u1's session
// receives it before the block. The message is blocked either way.
func concurrentBlockSubscribe() []Op {
	return []Op{
		{Name: "a1Connect", Kind: OpConnect, Slot: "u1a", Res: "a"},
		{Name: "a1Connect", Kind: OpConnect, Slot: "u2a", Res: "a"},
		{Name: "b1Presence", Kind: OpSend, Slot: "u1a", Stanza: "<presence/>"},
		{Name: "j2Concurrent", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='set' id='b4'><block xmlns='urn:xmpp:blocking'><item jid='u2@localhost'/></block></iq>"},
		{Name: "j2Concurrent", Kind: OpSend, Slot: "u2a", Stanza: "<presence type='subscribe' to='u1@localhost'/>", Pipe: true},
		{Name: "d1Message", Kind: OpSend, Slot: "u2a", Stanza: "<message to='{full:u1a}' type='chat' id='m6'><body>hi</body></message>"},
	}
}

// TestFollowServerOrder: a server that reads a concurrent action in the
// order the model did not draw is followed, and the step after it is
// judged on the server — here, a bug of that server's in the next step
// (a blocked JID's message to a full JID is delivered) is found.
// Before the model followed the server, the sequence went on on the
// model alone from the concurrent action, and the bug went unseen.
func TestFollowServerOrder(t *testing.T) {
	p := model.ProsodyTrunk()
	ops := concurrentBlockSubscribe()
	for _, tc := range []struct {
		mutants []string
		fails   bool
	}{{nil, false}, {[]string{"blocked-message-to-full-delivered"}, true}} {
		srv := lastFirstDriver{&driver.SimDriver{Options: driver.Options{Profile: &p, Mutants: tc.mutants}, Prefix: "f-"}}
		cfg := Config{Options: driver.Options{Profile: &p}, Server: srv}
		prof, spec := cfg.profiles()
		h, failed := replay(ops, 2, prof, spec, nil, cfg.options())
		if h.transport != nil {
			t.Fatal(h.transport)
		}
		if h.real.followed != 1 || h.real.otherOrder {
			t.Fatalf("server %v: followed %d concurrent actions (want 1), cut short %v", tc.mutants, h.real.followed, h.real.otherOrder)
		}
		// the model took the server's order: u2's request, then u1's block
		if h.ops[3].Slot != "u2a" || h.ops[4].Slot != "u1a" || h.ops[3].Pipe || !h.ops[4].Pipe {
			t.Fatalf("the model's ops are not in the server's order: %v", h.ops[3:5])
		}
		// ... whose run delivered the request to u1a
		if got := observed(h.sim.Trace()[h.steps[3].from:h.steps[4].to])["u1a"]; !strings.Contains(strings.Join(got, " "), "subscribe") {
			t.Fatalf("the model's run of the server's order did not deliver u2's request to u1a: %v", got)
		}
		switch {
		case tc.fails && failed != 5:
			t.Fatalf("the server's bug in the step after the concurrent action was not found (failed step %d)", failed+1)
		case tc.fails && !strings.HasPrefix(h.steps[5].fail, "server:"):
			t.Fatalf("step 6 failed, not on the server: %s", h.steps[5].fail)
		case !tc.fails && failed >= 0:
			t.Fatalf("the same model as the server fails at step %d: %s", failed+1, h.steps[failed].fail)
		}
	}
}

// TestFollowServerOrderExplore: the race actions against a server that
// reads every concurrent action last writer first: no run is cut short,
// the server's orders are followed, nothing fails, and the same seed
// gives the same report.
func TestFollowServerOrderExplore(t *testing.T) {
	p := model.ProsodyTrunk()
	run := func() Report {
		srv := lastFirstDriver{&driver.SimDriver{Options: driver.Options{Profile: &p}, Prefix: "f-"}}
		return Explore(Config{Options: driver.Options{Profile: &p, Seed: 3}, Checks: 100, ActionSet: RaceActions, Server: srv, OutDir: t.TempDir()})
	}
	r := run()
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if r.Failure != nil {
		t.Fatalf("the same model as the server, reading concurrent stanzas last writer first, fails:\n%s\n%s", r.Failure.Message, r.Failure.Script)
	}
	if r.ServerFollowed == 0 {
		t.Fatal("no concurrent action was followed")
	}
	t.Logf("%d checks, %d actions, %d server stanzas, %d concurrent actions followed, %d runs cut short", r.Checks, r.Actions, r.ServerStanzas, r.ServerFollowed, r.ServerCutShort)
	r2 := run()
	if r2.Checks != r.Checks || r2.Actions != r.Actions || r2.ServerStanzas != r.ServerStanzas || r2.ServerFollowed != r.ServerFollowed || r2.ServerCutShort != r.ServerCutShort {
		t.Fatalf("the same seed gave another report: %+v, then %+v", r, r2)
	}
}

// undecidedBlockSubscribe: u1 (not available) blocks u2 while u2 asks to
// subscribe to u1, the model drawing u1's block first. Neither order
// shows to the clients (u1's session gets its result, nobody else
// anything), but they leave different states: read request first, the
// request is stored before the block, which then removes it (XEP-0191
// §3.3.4), so u1's roster changed twice: its version is 2, not 1. The
// tail follows.
func undecidedBlockSubscribe(tail ...Op) []Op {
	return append([]Op{
		{Name: "a1Connect", Kind: OpConnect, Slot: "u1a", Res: "a"},
		{Name: "a1Connect", Kind: OpConnect, Slot: "u2a", Res: "a"},
		{Name: "j2Concurrent", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='set' id='b3'><block xmlns='urn:xmpp:blocking'><item jid='u2@localhost'/></block></iq>"},
		{Name: "j2Concurrent", Kind: OpSend, Slot: "u2a", Stanza: "<presence type='subscribe' to='u1@localhost'/>", Pipe: true},
	}, tail...)
}

// TestSettleUndecidedOrder: a concurrent action whose two orders the
// clients cannot tell apart but which leave different states stays
// undecided; when a later step of the server's contradicts the model's
// choice (u1 fetches its roster: version 2), the other order is tried
// and kept, and nothing fails. A server whose later step neither order
// explains (u2's presence lacks its vcard hint) diverges.
func TestSettleUndecidedOrder(t *testing.T) {
	p := model.ProsodyTrunk()
	for _, tc := range []struct {
		mutants []string
		tail    Op
		fails   bool
	}{
		{nil, Op{Name: "f1Roster", Kind: OpSend, Slot: "u1a", Stanza: "<iq type='get' id='r5'><query xmlns='jabber:iq:roster'/></iq>"}, false},
		{[]string{"no-vcard-hint"}, Op{Name: "b1Presence", Kind: OpSend, Slot: "u2a", Stanza: "<presence/>"}, true},
	} {
		srv := lastFirstDriver{&driver.SimDriver{Options: driver.Options{Profile: &p, Mutants: tc.mutants}, Prefix: "f-"}}
		cfg := Config{Options: driver.Options{Profile: &p}, Server: srv}
		prof, spec := cfg.profiles()
		h, failed := replay(undecidedBlockSubscribe(tc.tail), 2, prof, spec, nil, cfg.options())
		if h.transport != nil {
			t.Fatal(h.transport)
		}
		if h.real.otherOrder {
			t.Fatalf("server %v: cut short", tc.mutants)
		}
		if tc.fails {
			if failed != 4 || !strings.Contains(h.steps[4].fail, "none of them explains") {
				t.Fatalf("server %v: want step 5 to diverge with neither order explaining it, got step %d: %q", tc.mutants, failed+1, h.steps[failed].fail)
			}
			continue
		}
		if failed >= 0 {
			t.Fatalf("the same model as the server fails at step %d: %s", failed+1, h.steps[failed].fail)
		}
		if h.real.followed != 1 || h.real.undecided != nil {
			t.Fatalf("followed %d (want 1), undecided %v", h.real.followed, h.real.undecided)
		}
		if h.ops[2].Slot != "u2a" || h.ops[3].Slot != "u1a" {
			t.Fatalf("the model's ops are not in the server's order: %v", h.ops[2:4])
		}
		if got := observed(h.sim.Trace()[h.steps[4].from:h.steps[4].to])["u1a"]; !strings.Contains(strings.Join(got, " "), "ver='2'") {
			t.Fatalf("the model's run of the server's order did not give u1's roster version 2: %v", got)
		}
	}
}

// undecidedArchiveOrder: u3 turns its archive on (mam_smart_enable: its
// first query) and goes offline; then u1 and u2 each send u3 a message
// at the same time, the model drawing u1's first. Neither order shows to
// the clients (both messages are stored offline and archived; the
// senders get nothing), and both leave the same contacts, blocklists,
// offline counts and roster versions — but u3's archive holds the
// messages in the order the server read them. u3 then queries its
// archive (before its initial presence, so no offline message reaches
// it): the query's results come in archive order.
func undecidedArchiveOrder() []Op {
	return []Op{
		{Name: "a1Connect", Kind: OpConnect, Slot: "u1a", Res: "a"},
		{Name: "a1Connect", Kind: OpConnect, Slot: "u2a", Res: "a"},
		{Name: "a1Connect", Kind: OpConnect, Slot: "u3a", Res: "a"},
		{Name: "i3MAM", Kind: OpSend, Slot: "u3a", Stanza: "<iq type='set' id='a4'><query xmlns='urn:xmpp:mam:2' queryid='fa4'/></iq>"},
		{Name: "a2Disconnect", Kind: OpDisconnect, Slot: "u3a"},
		{Name: "j2Concurrent", Kind: OpSend, Slot: "u1a", Stanza: "<message to='u3@localhost' type='chat' id='m6'><body>one</body></message>"},
		{Name: "j2Concurrent", Kind: OpSend, Slot: "u2a", Stanza: "<message to='u3@localhost' type='chat' id='m7'><body>two</body></message>", Pipe: true},
		{Name: "a1Connect", Kind: OpConnect, Slot: "u3b", Res: "b"},
		{Name: "i3MAM", Kind: OpSend, Slot: "u3b", Stanza: "<iq type='set' id='a9'><query xmlns='urn:xmpp:mam:2' queryid='fa9'/></iq>"},
	}
}

// TestSettleUndecidedArchiveOrder: the order in which an account's
// archive holds what it holds is state that tells two orders apart. The
// server (reading u2's message first) answers u3's archive query with
// u2's message first; the model, which drew u1's first, keeps the other
// order undecided and settles on it at the query, and nothing fails.
// Before archives were part of the state, both orders counted as one
// and the query diverged (found against Prosody 0.12.3, seed 12).
func TestSettleUndecidedArchiveOrder(t *testing.T) {
	for _, p := range []model.Profile{model.Prosody13(), model.Prosody012()} {
		srv := lastFirstDriver{&driver.SimDriver{Options: driver.Options{Profile: &p}, Prefix: "f-"}}
		cfg := Config{Options: driver.Options{Profile: &p}, Server: srv}
		prof, spec := cfg.profiles()
		h, failed := replay(undecidedArchiveOrder(), 3, prof, spec, nil, cfg.options())
		if h.transport != nil {
			t.Fatal(h.transport)
		}
		if failed >= 0 {
			t.Fatalf("%s: the same model as the server fails at step %d: %s", p.Name, failed+1, h.steps[failed].fail)
		}
		if h.real.followed != 1 || h.real.undecided != nil || h.real.otherOrder {
			t.Fatalf("%s: followed %d (want 1), undecided %v, cut short %v", p.Name, h.real.followed, h.real.undecided, h.real.otherOrder)
		}
		if h.ops[5].Slot != "u2a" || h.ops[6].Slot != "u1a" {
			t.Fatalf("%s: the model's ops are not in the server's order: %v", p.Name, h.ops[5:7])
		}
		got := strings.Join(observed(h.sim.Trace()[h.steps[8].from:h.steps[8].to])["u3b"], "\n")
		if i, j := strings.Index(got, "two"), strings.Index(got, "one"); i < 0 || j < 0 || i > j {
			t.Fatalf("%s: the model's run of the server's order does not give u2's message first:\n%s", p.Name, got)
		}
	}
}
