package properties_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/properties"
	"github.com/scansim/scansim/scenarios"
)

// The server mode (Config.Server) tested without a real server: the
// "server" is the model itself behind scenarios.SimDriver, with a node
// prefix, so that driving, prefixing, JID translation, masking and the
// invariants on the server's trace all run.

// The model against itself: nothing may diverge, and the comparison must
// not be empty.
func TestServerModeAgreesWithItself(t *testing.T) {
	p := model.Prosody012()
	rep := properties.Explore(properties.Config{
		Seed:    7,
		Checks:  60,
		Profile: &p,
		Server:  &scenarios.SimDriver{Profile: &p, Prefix: "p7-"},
		OutDir:  t.TempDir(),
	})
	if f := rep.Failure; f != nil {
		t.Fatalf("the model diverges from itself (rapid seed %d):\n%s\n%s", f.Seed, f.Message, f.Script)
	}
	t.Logf("%d checks, %d actions, %d server stanzas compared", rep.Checks, rep.Actions, rep.ServerStanzas)
	if rep.ServerStanzas < rep.Actions/4 {
		t.Fatalf("only %d server stanzas compared over %d actions", rep.ServerStanzas, rep.Actions)
	}
}

// A buggy server (the model with a mutant) is caught on the server's side:
// the failure says so, the script is the model's own behaviour, the model
// passes it and the server fails it.
func TestServerModeCatchesBuggyServer(t *testing.T) {
	p := model.Prosody012()
	// each mutant breaks an invariant, which must fire on the server's
	// trace (the model's own trace is correct)
	for _, c := range []struct{ mutant, inv string }{
		{"no-unavailable-on-block", "inv21UnavailableOnBlock"},
		{"inbound-presence-from-blocked", "inv12NoDeliveryFromBlocked"},
	} {
		mutant, inv := c.mutant, c.inv
		t.Run(mutant, func(t *testing.T) {
			rep := properties.Explore(properties.Config{
				Seed:       3,
				Checks:     400,
				Profile:    &p,
				Server:     &scenarios.SimDriver{Profile: &p, Prefix: "bug-", Mutants: []string{mutant}},
				OutDir:     t.TempDir(),
				ShrinkTime: 2 * time.Second,
			})
			f := rep.Failure
			if f == nil {
				t.Fatalf("a server with mutant %s passed %d checks", mutant, rep.Checks)
			}
			if !strings.HasPrefix(f.Message, "server: on the server's trace: invariant violated: ") || !strings.Contains(f.Message, inv) {
				t.Fatalf("want %s to fire on the server's trace, got:\n%s", inv, f.Message)
			}
			if !f.ReplayPassesCorrect || !f.ReplayServerFails {
				t.Fatalf("script: model passes %v, server fails %v (%s)\n%s", f.ReplayPassesCorrect, f.ReplayServerFails, f.ReplayNote, f.Script)
			}
			if f.ServerTrace == "" || strings.Contains(f.ServerTrace, "bug-") {
				t.Fatalf("the server's trace is missing or still carries the run prefix:\n%s", f.ServerTrace)
			}
			t.Logf("caught in check %d, shrunk to %d actions: %s", f.FirstCheck, f.ShrunkLen, strings.SplitN(f.Message, "\n", 2)[0])
			if f.ShrunkLen > 12 {
				t.Errorf("shrunk to %d actions, want a short sequence", f.ShrunkLen)
			}
		})
	}
}

// A server that cannot be reached stops the run before it starts, with an
// error naming it: not a violation to shrink, not a hang, not a panic.
func TestServerModeUnreachable(t *testing.T) {
	p := model.Prosody012()
	rep := properties.Explore(properties.Config{
		Seed:    1,
		Checks:  3,
		Profile: &p,
		Server:  &scenarios.ServerDriver{Addr: "127.0.0.1:1", Timeout: 200e6},
		OutDir:  t.TempDir(),
	})
	if rep.Failure != nil || rep.Err == nil || !strings.Contains(rep.Err.Error(), "127.0.0.1:1") || rep.Checks != 0 {
		t.Fatalf("want Err naming the server and no check run, got %+v", rep)
	}
	t.Log(rep.Err)
}

// Every model mutant, as a buggy server: the server mode must catch each
// one that its actions can reach (restarts are not drawn against a
// server, so offline-lost-on-restart cannot show), and each script must
// pass on the model and fail on the "server". About 25 s, so it runs
// when SCANSIM_MUTANT_SERVERS=1 (.ci/run sets it).
func TestServerModeAllMutants(t *testing.T) {
	if os.Getenv("SCANSIM_MUTANT_SERVERS") != "1" {
		t.Skip("SCANSIM_MUTANT_SERVERS=1 runs it (about 25 s)")
	}
	p := model.Prosody012()
	unreachable := map[string]bool{"offline-lost-on-restart": true}
	for _, m := range model.Mutants() {
		rep := properties.Explore(properties.Config{Seed: 5, Checks: 300, Profile: &p,
			Server: &scenarios.SimDriver{Profile: &p, Prefix: "x-", Mutants: []string{m}},
			OutDir: t.TempDir(), ShrinkTime: time.Second})
		f := rep.Failure
		switch {
		case unreachable[m]:
			if f != nil {
				t.Errorf("%s: caught although no restart is drawn against a server: %s", m, f.Message)
			}
		case f == nil:
			t.Errorf("%s: not caught in %d checks", m, rep.Checks)
		case !strings.HasPrefix(f.Message, "server: ") || !f.ReplayPassesCorrect || !f.ReplayServerFails:
			t.Errorf("%s: message %q, model passes %v, server fails %v (%s)", m, f.Message, f.ReplayPassesCorrect, f.ReplayServerFails, f.ReplayNote)
		default:
			t.Logf("%-36s %2d actions  %s", m, f.ShrunkLen, strings.SplitN(f.Message, "\n", 2)[0])
		}
	}
}
