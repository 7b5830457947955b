package scenarios_test

import (
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
)

// A real server may end a client's stream because of what the client
// sent (Prosody closes the sessions of an account the client has just
// deleted, after answering the iq). The script can then go on: the
// client's disconnects is a no-op, the stanzas that arrived before the
// end can still be received, and the other clients carry on (the
// upstream tombstones.scs does exactly this).
const closedByServer = `[Client] Romeo
	jid: romeo@localhost/balcony
[Client] Juliet
	jid: juliet@localhost/window
-----
Romeo connects
Juliet connects
Juliet sends:
	<VERB id="bye"/>
Juliet receives:
	<iq type="result" id="bye"/>
Juliet disconnects
Romeo sends:
	<message to="${Romeo's full JID}"><body>still here</body></message>
Romeo receives:
	<message><body>still here</body></message>
`

func TestServerDriverServerEndsStream(t *testing.T) {
	srv := fakeXMPP(t)
	for _, verb := range []string{"kill", "close"} {
		t.Run(verb, func(t *testing.T) {
			res := scenarios.Run(parse(t, strings.Replace(closedByServer, "VERB", verb, 1)), scenarios.RunOptions{
				Driver:  &driver.ServerDriver{Addr: srv.Addr(), Timeout: 2 * time.Second},
				Timeout: 2 * time.Second,
			})
			if !res.Passed {
				t.Fatalf("failed: %v %v\n%s", res.Err, res.Failure, traceText(res.Trace))
			}
			// The end is recorded as the server's: its stream error (for
			// kill) and Juliet's disconnect with the server's reason.
			want := map[string]string{"kill": "not-authorized", "close": "closed-by-server"}[verb]
			var reason string
			streamErrors := 0
			for _, ev := range res.Trace {
				if ev.Client != "Juliet" {
					continue
				}
				switch ev.Kind {
				case sim.TraceDisconnect:
					reason = ev.Reason
				case sim.TraceStreamError:
					streamErrors++
					if !strings.Contains(ev.Canonical(), "Account deleted") {
						t.Errorf("stream error %s", ev.Canonical())
					}
				}
			}
			if reason != want {
				t.Errorf("Juliet's session ended with %q, want %q\n%s", reason, want, traceText(res.Trace))
			}
			if wantErrs := map[string]int{"kill": 1, "close": 0}[verb]; streamErrors != wantErrs {
				t.Errorf("%d stream errors in the trace, want %d", streamErrors, wantErrs)
			}
		})
	}
}

// A socket cut without a stream error or a stream close is a transport
// failure: the run is an error that says so, never a pass or a
// failure of the server.
func TestServerDriverCutIsAnError(t *testing.T) {
	srv := fakeXMPP(t)
	res := scenarios.Run(parse(t, strings.Replace(closedByServer, "VERB", "cut", 1)), scenarios.RunOptions{
		Driver:  &driver.ServerDriver{Addr: srv.Addr(), Timeout: 2 * time.Second},
		Timeout: 2 * time.Second,
	})
	if res.Passed || res.Failure != nil || res.Err == nil {
		t.Fatalf("want a run error, got passed=%v failure=%v err=%v", res.Passed, res.Failure, res.Err)
	}
	if msg := res.Err.Error(); !strings.Contains(msg, "transport failure") || !strings.Contains(msg, "Juliet: xmpptcp: connection lost") {
		t.Errorf("error %q does not say the connection was lost", msg)
	}
	if !driver.IsTransport(res.Transport) {
		t.Errorf("Transport = %v, want the driver's transport failure", res.Transport)
	}
}

// The simulation records a session the server ends as the real-server
// driver does (a stream error, then the disconnect) and the script goes
// on: disconnecting the ended client is a no-op, the others carry on.
func TestSimServerEndsStream(t *testing.T) {
	res := echo(t, twoClients+`Romeo sends:
	<kill/>
Romeo disconnects
Juliet sends:
	<message to="${Juliet's full JID}"><body>still here</body></message>
Juliet receives:
	<message><body>still here</body></message>
`, scenarios.RunOptions{})
	if !res.Passed {
		t.Fatalf("%s\n%s", report(res), traceText(res.Trace))
	}
	var kinds []sim.TraceKind
	for _, ev := range res.Trace {
		if ev.Client == "Romeo" && (ev.Kind == sim.TraceStreamError || ev.Kind == sim.TraceDisconnect) {
			kinds = append(kinds, ev.Kind)
		}
	}
	if len(kinds) != 2 || kinds[0] != sim.TraceStreamError || kinds[1] != sim.TraceDisconnect {
		t.Errorf("Romeo's end in the trace: %v\n%s", kinds, traceText(res.Trace))
	}
}

// A sends block is written as one burst: when its first stanza makes
// the server end the session, the second is already on its way and is
// lost at the closed session (as on a real network), which is no script
// error. A later sends action of the ended client is one, naming the
// server's close.
func TestSendAfterServerEndsStreamInOneAction(t *testing.T) {
	res := echo(t, twoClients+"Romeo sends:\n\t<kill/>\n\t<presence/>\n", scenarios.RunOptions{})
	if res.Err != nil || res.Failure != nil {
		t.Fatalf("the burst: %s", report(res))
	}
	lost := false
	for _, ev := range res.Trace {
		if ev.Kind == sim.TraceDrop && ev.Client == "Romeo" && ev.Reason == sim.ReasonConnectionLost && strings.HasPrefix(ev.Canonical(), "<presence") {
			lost = true
		}
	}
	if !lost {
		t.Errorf("the pipelined <presence/> is not recorded lost at the closed session:\n%s", traceText(res.Trace))
	}
	res = echo(t, twoClients+"Romeo sends:\n\t<kill/>\nRomeo sends:\n\t<presence/>\n", scenarios.RunOptions{})
	if res.Err == nil || !strings.Contains(res.Err.Error(), "Romeo sends, but the server closed its session (killed)") {
		t.Fatalf("want the server's close as the error, got %s", report(res))
	}
}
