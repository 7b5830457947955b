package properties_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/properties"
)

// The real-server property run: the rapid state machine drives a real
// XMPP server beside the model. It runs only when SCANSIM_SERVER names a
// server configured like testdata/prosody (any user and password, plain
// SASL without TLS; docs/real-server.md):
//
//	.ci/prosody-start && SCANSIM_SERVER=127.0.0.1:25222 go test ./properties -run RealServer -v
//
// SCANSIM_PROPERTY_CHECKS sets the number of sequences (default 30),
// SCANSIM_SEED rapid's seed (default: a random one, printed on failure).
func TestPropertyRealServer(t *testing.T) {
	addr := os.Getenv("SCANSIM_SERVER")
	if addr == "" {
		t.Skip("SCANSIM_SERVER not set: no real server to test against (see docs/real-server.md)")
	}
	checks := 30
	if n, err := strconv.Atoi(os.Getenv("SCANSIM_PROPERTY_CHECKS")); err == nil && n > 0 {
		checks = n
	}
	seed, _ := strconv.ParseUint(os.Getenv("SCANSIM_SEED"), 10, 64)
	p := model.Prosody012()
	srv := &driver.ServerDriver{Addr: addr, Timeout: 5 * time.Second}
	rep := properties.Explore(properties.Config{
		Options: driver.Options{Profile: &p, Seed: seed},
		Checks:  checks,
		Server:  srv,
		OutDir:  t.TempDir(),
		// testdata/prosody's configuration has no conference
		// component: rooms are checked against both releases under the
		// upstream configuration (.ci/muc-servers, docs/muc.md).
		NoRooms: true,
	})
	if rep.Err != nil {
		t.Fatal(rep.Err)
	}
	t.Logf("%d sequences, %d actions on the model and on %s, %d server stanzas compared, %d steps allowed as known bug D6",
		rep.Checks, rep.Actions, addr, rep.ServerStanzas, rep.ServerKnownBugs)
	if f := rep.Failure; f != nil {
		t.Fatalf("rapid seed %d (SCANSIM_SEED=%[1]d reruns it), shrunk to %d actions:\n%s\nscript (%s):\n%s\nserver replay fails: %v (%s)\nserver trace:\n%s",
			f.Seed, f.ShrunkLen, f.Message, f.ScriptPath, f.Script, f.ReplayServerFails, f.ReplayNote, f.ServerTrace)
	}
	if rep.Actions == 0 {
		t.Fatal("no action was applied")
	}
}

// The scansion action set against a real server (what package
// differential's run was): only what a scansion script can express, the
// prosody-0.12 profile as the oracle. SCANSIM_DIFF_SEQUENCES,
// SCANSIM_DIFF_ACTIONS and SCANSIM_DIFF_SEED set how many sequences, how
// long on average, and rapid's seed (100, 25, 2026).
func TestScansionActionsRealServer(t *testing.T) {
	addr := os.Getenv("SCANSIM_SERVER")
	if addr == "" {
		t.Skip("SCANSIM_SERVER not set: no real server (see docs/real-server.md)")
	}
	n, actions, seed := 100, 25, 2026
	for _, v := range []struct {
		env string
		dst *int
	}{{"SCANSIM_DIFF_SEQUENCES", &n}, {"SCANSIM_DIFF_ACTIONS", &actions}, {"SCANSIM_DIFF_SEED", &seed}} {
		if s := os.Getenv(v.env); s != "" {
			x, err := strconv.Atoi(s)
			if err != nil || x <= 0 {
				t.Fatalf("%s=%q: want a positive number", v.env, s)
			}
			*v.dst = x
		}
	}
	p := model.Prosody012()
	start := time.Now()
	rep := properties.Explore(properties.Config{
		Options: driver.Options{Profile: &p, Seed: uint64(seed)}, Checks: n, Steps: actions, ActionSet: properties.ScansionActions,
		Server: &driver.ServerDriver{Addr: addr, Timeout: 3 * time.Second}, OutDir: t.TempDir(),
		NoRooms: true, // as in TestPropertyRealServer
	})
	if rep.Err != nil {
		t.Fatal(rep.Err)
	}
	t.Logf("%d sequences, %d actions, %d stanzas compared in %v, %d steps allowed as known bug D6",
		rep.Checks, rep.Actions, rep.ServerStanzas, time.Since(start).Round(time.Millisecond), rep.ServerKnownBugs)
	if rep.ServerStanzas < rep.Actions/4 {
		t.Errorf("only %d stanzas compared for %d actions: is the server answering?", rep.ServerStanzas, rep.Actions)
	}
	if f := rep.Failure; f != nil {
		t.Fatalf("sequence %d (rapid seed %d) diverges, shrunk %d -> %d actions:\n%s\nscript (%s):\n%s",
			f.FirstCheck-1, f.Seed, f.OriginalLen, f.ShrunkLen, f.Message, f.ScriptPath, f.Script)
	}
}
