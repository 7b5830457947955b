package scenarios_test

import (
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/xmpptcp/xmpptcptest"
)

func fakeXMPP(t *testing.T) *xmpptcptest.Server {
	t.Helper()
	s, err := xmpptcptest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

const overTCP = `# Over TCP
[Client] Romeo
	jid: romeo@localhost/balcony
[Client] Juliet
	jid: juliet@localhost/window
[Client] Nurse
	jid: nurse@localhost
-----
Romeo connects
Juliet connects
Romeo sends:
	<message to="${Juliet's full JID}" type="chat"><body>hi</body></message>
Juliet receives:
	<message from="${Romeo's full JID}" type="chat"><body>hi</body></message>
Romeo sends:
	<message to="juliet@localhost/window"><body>literal</body></message>
Juliet receives:
	<message from="romeo@localhost/balcony" to="juliet@localhost/window"><body>literal</body></message>
Romeo receives: nothing
Nurse connects
Nurse sends:
	<iq type="get" id="x1"><query xmlns="jabber:iq:version"/></iq>
Nurse receives:
	<iq type="get" id="x1" from="${Nurse's full JID}"><query xmlns="jabber:iq:version"/></iq>
Romeo disconnects
`

func TestServerDriverOverTCP(t *testing.T) {
	srv := fakeXMPP(t)
	res := scenarios.Run(parse(t, overTCP), scenarios.RunOptions{
		Driver:       &driver.ServerDriver{Addr: srv.Addr(), Timeout: 2 * time.Second},
		Timeout:      2 * time.Second,
		NothingGrace: 50 * time.Millisecond,
	})
	if !res.Passed {
		t.Fatalf("failed: %v %v\n%s", res.Err, res.Failure, traceText(res.Trace))
	}
	if !strings.HasPrefix(res.Prefix, "r") {
		t.Errorf("Prefix = %q", res.Prefix)
	}
	kinds := map[sim.TraceKind]int{}
	for _, ev := range res.Trace {
		kinds[ev.Kind]++
		if ev.Kind == sim.TraceConnect && !strings.HasPrefix(ev.JID.String(), res.Prefix) {
			t.Errorf("%s connected as %s, without the prefix %s", ev.Client, ev.JID, res.Prefix)
		}
		if strings.Contains(ev.Canonical(), "urn:xmpp:ping") {
			t.Errorf("a ping reached the trace: %s", ev.Canonical())
		}
	}
	if kinds[sim.TraceConnect] != 3 || kinds[sim.TraceSend] != 3 || kinds[sim.TraceDeliver] != 3 || kinds[sim.TraceDisconnect] != 3 {
		t.Errorf("trace kinds %v\n%s", kinds, traceText(res.Trace))
	}
	if res.EndSeq == 0 || res.EndSeq > uint64(len(res.Trace)) {
		t.Errorf("EndSeq %d of %d", res.EndSeq, len(res.Trace))
	}
	// The fake forgets a session just after answering its close.
	for deadline := time.Now().Add(2 * time.Second); len(srv.Sessions()) != 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("sessions left open on the server: %v", srv.Sessions())
			break
		}
	}
}

func TestServerDriverTimeoutIsWallTime(t *testing.T) {
	srv := fakeXMPP(t)
	s := parse(t, `[Client] Romeo
	jid: romeo@localhost
-----
Romeo connects
Romeo receives:
	<message><body>never</body></message>
`)
	start := time.Now()
	res := scenarios.Run(s, scenarios.RunOptions{
		Driver:  &driver.ServerDriver{Addr: srv.Addr()},
		Timeout: 150 * time.Millisecond,
	})
	el := time.Since(start)
	if res.Failure == nil || !strings.Contains(res.Failure.Message, "no matching stanza within 150ms") {
		t.Fatalf("want a timeout failure, got %v %v", res.Err, res.Failure)
	}
	if el < 150*time.Millisecond || el > 2*time.Second {
		t.Errorf("the receives waited %v for a 150ms timeout", el)
	}
}

func TestServerDriverErrors(t *testing.T) {
	srv := fakeXMPP(t)
	s := parse(t, `[Client] Bad
	jid: bad@localhost
-----
Bad connects
`)
	// "bad" is refused by the fake server: a script error, not a hang.
	res := scenarios.Run(s, scenarios.RunOptions{Driver: &driver.ServerDriver{Addr: srv.Addr(), NoPrefix: true}})
	if res.Err == nil || !strings.Contains(res.Err.Error(), "authentication of bad failed") {
		t.Errorf("refused login: %v", res.Err)
	}
	res = scenarios.Run(s, scenarios.RunOptions{Driver: &driver.ServerDriver{}})
	if res.Err == nil || !strings.Contains(res.Err.Error(), "no address") {
		t.Errorf("no address: %v", res.Err)
	}
	addr := srv.Addr()
	srv.Close()
	res = scenarios.Run(s, scenarios.RunOptions{Driver: &driver.ServerDriver{Addr: addr, Timeout: time.Second}})
	if res.Err == nil || !strings.Contains(res.Err.Error(), "connect") {
		t.Errorf("closed port: %v", res.Err)
	}
}

func traceText(tr []sim.TraceEvent) string {
	var b strings.Builder
	_ = sim.WriteTrace(&b, tr)
	return b.String()
}
