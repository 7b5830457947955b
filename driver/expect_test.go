package driver_test

import (
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/serve"
	"github.com/scansim/scansim/serve/servetest"
	"github.com/scansim/scansim/sim"
)

func message(to, body string) *etree.Element {
	d := etree.NewDocument()
	if err := d.ReadFromString("<message type='chat' to='" + to + "'><body>" + body + "</body></message>"); err != nil {
		panic(err)
	}
	return d.Root()
}

func delivered(tr []sim.TraceEvent, from int, client string) int {
	n := 0
	for _, e := range tr[from:] {
		if e.Kind == sim.TraceDeliver && e.Client == client {
			n++
		}
	}
	return n
}

// TestQuiesceExpect: after one ping round trip on the sender, the
// barrier waits for the stanzas expected at the receiver instead of
// pinging it; when fewer come than expected it pings the receiver after
// the grace and returns with what came (the comparison judges it).
func TestQuiesceExpect(t *testing.T) {
	srv := servetest.Start(t, serve.Options{})
	d := &driver.ServerDriver{Addr: srv.Addr, Timeout: 5 * time.Second}
	n, err := d.Open("localhost")
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	p, _ := n.NodePrefix()
	a, err := n.Connect("a", p+"u1", "a", driver.Login{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := n.Connect("b", p+"u2", "b", driver.Login{})
	if err != nil {
		t.Fatal(err)
	}
	eq := n.(driver.ExpectQuiescer)
	for i, want := range []int{1, 2} {
		from := len(n.Trace())
		if err := a.Send(message(p+"u2@localhost/b", "hi")); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := eq.QuiesceExpect(a, nil, from, map[driver.Endpoint]int{b: want}); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		if got := delivered(n.Trace(), from, "b"); got != 1 {
			t.Errorf("round %d: b received %d stanzas, want the 1 sent", i, got)
		}
		if want == 2 && took < 20*time.Millisecond {
			t.Errorf("expecting 2 of 1: returned after %v, before the grace", took)
		}
		t.Logf("expecting %d: %v", want, took)
	}
}
