package scenarios_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
)

// The real-server tests run only when SCANSIM_SERVER=host:port names a
// server set up like testdata/prosody (see docs/real-server.md):
//
//	.ci/prosody-start && SCANSIM_SERVER=127.0.0.1:25222 go test ./scenarios -run RealServer -v

// realServer returns SCANSIM_SERVER or skips the test.
func realServer(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("SCANSIM_SERVER")
	if addr == "" {
		t.Skip("SCANSIM_SERVER not set: no real server to test against (see docs/real-server.md)")
	}
	return addr
}

// knownDifference documents a script whose run on Prosody 0.12.3 does
// not match its run on the simulation with the prosody-0.12 profile.
// Each entry is explained in docs/real-server.md.
type knownDifference struct {
	server string // the expected server outcome (scenarios.Outcome)
	sim    string // the expected simulation outcome
	why    string
}

// Empty since the model follows Prosody 0.12.3 where the behaviour doc
// did not (an empty <group/> is kept; account disco#info lists neither
// disco feature on 0.12.3; an unknown node's error has no text there).
var knownDifferences = map[string]knownDifference{}

// expectedOnBoth lists scripts that fail identically on both sides
// because they assert trunk behaviour that 0.12.3 (and the
// prosody-0.12 profile) lack.
var expectedOnBoth = map[string]string{
	"disco_self.scs":            "fail at ../../shared/scansion/disco_self.scs:16", // §9.1: 0.12.3 lists no disco features on accounts
	"services_disco.scs":        "fail at testdata/services_disco.scs:48",          // §9.1, the same
	"services_version_time.scs": "fail at testdata/services_version_time.scs:84",   // §8.6: 0.12 answers jabber:iq:time
}

func compareOnServer(t *testing.T, addr, file string) *scenarios.Comparison {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenarios.Parse(file, src)
	if err != nil {
		t.Fatal(err)
	}
	p := model.Prosody012() // Debian's Prosody 0.12.3, what .ci/prosody-start runs
	return scenarios.Compare(s, scenarios.CompareOptions{
		Server:       &driver.ServerDriver{Addr: addr},
		Options:      driver.Options{Profile: &p},
		Timeout:      3 * time.Second,
		NothingGrace: 200 * time.Millisecond,
	})
}

func checkAgainstServer(t *testing.T, addr string, files []string) {
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".scs"), func(t *testing.T) {
			start := time.Now()
			c := compareOnServer(t, addr, f)
			srv, sm := scenarios.Outcome(c.Server), scenarios.Outcome(c.Sim)
			t.Logf("server %s, simulation %s (%v on the server)", srv, sm, time.Since(start).Round(time.Millisecond))
			if kd, ok := knownDifferences[name]; ok {
				if srv != kd.server || sm != kd.sim {
					t.Errorf("known difference changed (%s):\nwant server %s, simulation %s\n%s", kd.why, kd.server, kd.sim, c)
				} else {
					t.Logf("known difference: %s\n%s", kd.why, c)
				}
				return
			}
			if want, ok := expectedOnBoth[name]; ok && (srv != want || sm != want) {
				t.Errorf("want %s on both sides\n%s", want, c)
				return
			}
			// Here the outcomes must agree and every client must have
			// received the same (masked) stanzas.
			if !c.Same() {
				t.Errorf("the server and the simulation differ:\n%s", c)
			}
		})
	}
}

// TestRealServerSharedCorpus replays ../shared/scansion against the
// server: every script passes except disco_self (§9.1).
func TestRealServerSharedCorpus(t *testing.T) {
	addr := realServer(t)
	checkAgainstServer(t, addr, sharedScripts(t))
}

// TestRealServerProsody012 replays the scripts of behaviour found on
// Prosody 0.12.3 (../testdata/prosody-0.12, docs/findings.md D4–D5):
// they pass on the server and on the simulation, with the same stanzas.
func TestRealServerProsody012(t *testing.T) {
	addr := realServer(t)
	files, err := filepath.Glob("../testdata/prosody-0.12/*.scs")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in ../testdata/prosody-0.12 (%v)", err)
	}
	checkAgainstServer(t, addr, files)
	for _, f := range files {
		t.Run("pass/"+strings.TrimSuffix(filepath.Base(f), ".scs"), func(t *testing.T) {
			if c := compareOnServer(t, addr, f); !c.Server.Passed {
				t.Errorf("fails on the server:\n%s", c)
			}
		})
	}
}

// TestRealServerTestdata replays the project's own scripts against the
// server with the simulation (prosody-0.12) as the oracle.
func TestRealServerTestdata(t *testing.T) {
	addr := realServer(t)
	checkAgainstServer(t, addr, scripts(t, "testdata"))
}

// BenchmarkReplayBlockingRealServer runs testdata/blocking.scs against
// the server (compare BenchmarkReplayBlockingParsed on the simulation):
//
//	SCANSIM_SERVER=127.0.0.1:25222 go test -run '^$' -bench ReplayBlocking ./scenarios
func BenchmarkReplayBlockingRealServer(b *testing.B) {
	addr := os.Getenv("SCANSIM_SERVER")
	if addr == "" {
		b.Skip("SCANSIM_SERVER not set")
	}
	s, err := scenarios.Parse("blocking.scs", blockingSource(b))
	if err != nil {
		b.Fatal(err)
	}
	d := &driver.ServerDriver{Addr: addr}
	for b.Loop() {
		if res := scenarios.Run(s, scenarios.RunOptions{Driver: d}); !res.Passed {
			b.Fatal(report(res))
		}
	}
}

// TestRealServerStrictMode: in strict mode basic_message fails at the
// same action on the server and on the simulation (the laptop's queue
// holds the phone's presence before the expected message, Appendix B of
// the behaviour reference), which checks that ping quiescence gives the
// same arrival order, and so the same §5.2 stamps, as the simulation.
func TestRealServerStrictMode(t *testing.T) {
	addr := realServer(t)
	f := filepath.Join("..", "..", "shared", "scansion", "basic_message.scs")
	src, err := os.ReadFile(f)
	if os.IsNotExist(err) {
		t.Skip("../shared/scansion is absent")
	} else if err != nil {
		t.Fatal(err)
	}
	s, err := scenarios.Parse(f, src)
	if err != nil {
		t.Fatal(err)
	}
	p := model.Prosody012()
	c := scenarios.Compare(s, scenarios.CompareOptions{Server: &driver.ServerDriver{Addr: addr}, Options: driver.Options{Profile: &p}, Strict: true, Timeout: 3 * time.Second})
	if c.Server.Passed || !c.Same() {
		t.Errorf("strict basic_message: want the same failure on both sides\n%s", c)
	}
}

// TestRealServerAbruptClose drops a connection (no scansion verb does)
// and compares the unavailable the user's other resource receives with
// the simulation's: on 0.12.3 it carries no <status> (§2.7, §9.4;
// profile field AbruptCloseReason "").
func TestRealServerAbruptClose(t *testing.T) {
	addr := realServer(t)
	user := driver.NewRunPrefix() + "dropper"
	presence := func() *etree.Element { return etree.NewElement("presence") }

	// The server.
	n, err := (&driver.ServerDriver{Addr: addr}).Open("localhost")
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	a, err := n.Connect("A", user, "a", driver.Login{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := n.Connect("B", user, "b", driver.Login{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ep := range []driver.Endpoint{a, b} {
		if err := ep.Send(presence()); err != nil {
			t.Fatal(err)
		}
		if err := n.Quiesce(ep); err != nil {
			t.Fatal(err)
		}
	}
	b.TakeAll()
	if err := a.Drop(); err != nil {
		t.Fatal(err)
	}
	// The server learns of a drop asynchronously: wait for its effect.
	var got []string
	for left := 3 * time.Second; left > 0 && len(got) == 0; {
		left -= n.Wait(b, left)
		for _, r := range b.TakeAll() {
			got = append(got, model.Canonical(r.Stanza))
		}
	}

	// The simulation, prosody-0.12.
	prof := model.Prosody012()
	s := sim.New(sim.Config{Profile: &prof})
	sa, _ := s.Connect("A", user, "a")
	sb, _ := s.Connect("B", user, "b")
	for _, c := range []*sim.Client{sa, sb} {
		if err := c.Send(presence()); err != nil {
			t.Fatal(err)
		}
		s.RunUntilQuiet()
	}
	sb.TakeAll()
	if err := sa.Drop(); err != nil {
		t.Fatal(err)
	}
	s.RunUntilQuiet()
	var want []string
	for _, r := range sb.TakeAll() {
		want = append(want, model.Canonical(r.Stanza))
	}
	if len(want) != 1 || !strings.Contains(want[0], "type='unavailable'") {
		t.Fatalf("the simulation gave %v, want one unavailable", want)
	}
	t.Logf("B received %v", got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after A drops, B received\n server:     %v\n simulation: %v", got, want)
	}
	if r := a.EndReason(); r != "abrupt" {
		t.Errorf("A's end reason %q", r)
	}
}
