package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

func stanza(t *testing.T, xml string) *etree.Element {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromString(xml); err != nil {
		t.Fatal(err)
	}
	return d.Root()
}

// TestRestartServer: a restart cuts every link (in-flight stanzas are lost
// and traced), sessions end, and persistent state — here an offline
// message and a blocklist — survives into the reconnected sessions.
func TestRestartServer(t *testing.T) {
	s := sim.New(sim.Config{Storage: &model.MemStorage{}, MaxLatency: 10 * time.Millisecond, Seed: 3})
	a, _ := s.Connect("a", "alice", "r")
	b, _ := s.Connect("b", "bob", "r")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.Send(stanza(t, `<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='eve@localhost'/></block></iq>`)))
	must(b.Send(stanza(t, `<message to='carol@localhost' type='chat'><body>stored</body></message>`)))
	s.RunUntilQuiet()
	must(b.Send(stanza(t, `<message to='alice@localhost/r' type='chat'><body>in flight</body></message>`)))
	must(s.RestartServer())
	s.RunUntilQuiet()
	if a.Connected() || b.Connected() {
		t.Fatal("clients still connected after restart")
	}
	var lost, restarts int
	for _, ev := range s.Trace() {
		if ev.Kind == sim.TraceDrop && ev.Reason == sim.ReasonConnectionLost && strings.Contains(ev.Canonical(), "in flight") {
			lost++
		}
		if ev.Kind == sim.TraceDisconnect && ev.Reason == sim.ReasonServerRestart && ev.Client != "" {
			restarts++
		}
	}
	if lost != 1 || restarts != 2 {
		t.Fatalf("in-flight losses %d (want 1), client restart disconnects %d (want 2)", lost, restarts)
	}
	c, err := s.Connect("c", "carol", "r")
	must(err)
	must(c.Send(stanza(t, `<presence/>`)))
	a2, err := s.Connect("a", "alice", "r") // the name is free again
	must(err)
	must(a2.Send(stanza(t, `<iq type='get' id='g'><blocklist xmlns='urn:xmpp:blocking'/></iq>`)))
	s.RunUntilQuiet()
	var got []string
	for _, r := range c.TakeAll() {
		got = append(got, model.Canonical(r.Stanza))
	}
	if !strings.Contains(strings.Join(got, "\n"), "<body>stored</body><delay") {
		t.Errorf("offline message did not survive the restart; carol got:\n%s", strings.Join(got, "\n"))
	}
	bl := a2.TakeAll()
	if len(bl) != 1 || !strings.Contains(model.Canonical(bl[0].Stanza), "<item jid='eve@localhost'/>") {
		t.Errorf("blocklist after restart: %v", bl)
	}
}

func TestRestartUnsupported(t *testing.T) {
	s := sim.New(sim.Config{Backend: nopBackend{}})
	if err := s.RestartServer(); err != sim.ErrNoRestart {
		t.Fatalf("RestartServer on a backend without Restart: %v", err)
	}
}

type nopBackend struct{}

func (nopBackend) Bind(u, r string) (model.SessionID, model.JID, []model.Event, error) {
	return 1, model.JID{Node: u, Domain: "localhost", Resource: r}, nil, nil
}
func (nopBackend) Process(model.SessionID, *etree.Element) []model.Event { return nil }
func (nopBackend) Close(model.SessionID, bool) []model.Event             { return nil }
