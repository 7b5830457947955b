package properties_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/properties"
	"github.com/scansim/scansim/scenarios"
)

// The server mode (Config.Server) tested without a real server: the
// "server" is the model itself behind driver.SimDriver, with a node
// prefix, so that driving, prefixing, JID translation, masking and the
// invariants on the server's trace all run.

// The model against itself: nothing may diverge, and the comparison must
// not be empty.
func TestServerModeAgreesWithItself(t *testing.T) {
	p := model.Prosody012()
	rep := properties.Explore(properties.Config{
		Options: driver.Options{Profile: &p, Seed: 7},
		Checks:  60,
		Server:  &driver.SimDriver{Options: driver.Options{Profile: &p}, Prefix: "p7-"},
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
	// each mutant breaks an invariant, which fires on the server's trace
	// (the model's own trace is correct); the comparison with the model
	// sees it too. Which of the two the shrunk failure ends on depends on
	// the sequence and on how far the time-bounded shrinker got, so
	// either is accepted, as long as it is the server's.
	for _, c := range []struct{ mutant, inv string }{
		{"no-unavailable-on-block", "inv21UnavailableOnBlock"},
		{"inbound-presence-from-blocked", "inv12NoDeliveryFromBlocked"},
	} {
		mutant, inv := c.mutant, c.inv
		t.Run(mutant, func(t *testing.T) {
			rep := properties.Explore(properties.Config{
				Options:    driver.Options{Profile: &p, Seed: 5},
				Checks:     400,
				Server:     &driver.SimDriver{Options: driver.Options{Profile: &p, Mutants: []string{mutant}}, Prefix: "bug-"},
				OutDir:     t.TempDir(),
				ShrinkTime: 2 * time.Second,
			})
			f := rep.Failure
			if f == nil {
				t.Fatalf("a server with mutant %s passed %d checks", mutant, rep.Checks)
			}
			byInv := strings.HasPrefix(f.Message, "server: on the server's trace: invariant violated: ") && strings.Contains(f.Message, inv)
			byCmp := strings.HasPrefix(f.Message, "server: the server's stanzas differ from the model's")
			if !byInv && !byCmp {
				t.Fatalf("want %s to fire on the server's trace (or the comparison), got:\n%s", inv, f.Message)
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
		Options: driver.Options{Profile: &p, Seed: 1},
		Checks:  3,
		Server:  &driver.ServerDriver{Addr: "127.0.0.1:1", Timeout: 200e6},
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
// pass on the model and fail on the "server" (but see closesSession).
// Up to 1,000 checks each; about 50 s, so it runs when
// SCANSIM_MUTANT_SERVERS=1 (.ci/run sets it).
func TestServerModeAllMutants(t *testing.T) {
	if os.Getenv("SCANSIM_MUTANT_SERVERS") != "1" {
		t.Skip("SCANSIM_MUTANT_SERVERS=1 runs it (about 50 s)")
	}
	p := model.Prosody012()
	unreachable := map[string]bool{"offline-lost-on-restart": true}
	prosody13Only := map[string]bool{"mam-archives-blocked": true, "pep-notifies-blocked": true, "stale-blocklist-after-delete": true,
		"muc-self-presence-first": true, "muc-no-status-110": true, "muc-outcast-joins": true, "muc-leaks-real-jids": true, "muc-invite-from-blocked": true}
	// A session the server closes mid-script is server behaviour the
	// sequence catches (inv11), but the script written from the model's
	// run ends at the failing step, so its replay on the "server" shows
	// nothing (scansion has no "the server closes X's stream" to expect).
	closesSession := map[string]bool{"iq-result-payload-crashes-session": true}
	only := os.Getenv("SCANSIM_MUTANT")
	for _, m := range model.Mutants() {
		if only != "" && !slices.Contains(strings.Split(only, ","), m) {
			continue
		}
		if prosody13Only[m] {
			// Prosody 13's module and room mutants need the prosody-13
			// profile and its module and room actions: the module ones
			// run in TestServerModeModuleMutants; the room ones only on
			// the model (TestMutants).
			continue
		}
		checks := 1000 // the budget per mutant; a caught one stops early
		if unreachable[m] {
			checks = 300
		}
		rep := properties.Explore(properties.Config{Options: driver.Options{Profile: &p, Seed: 5}, Checks: checks,
			Server: &driver.SimDriver{Options: driver.Options{Profile: &p, Mutants: []string{m}}, Prefix: "x-"},
			OutDir: t.TempDir(), ShrinkTime: time.Second})
		f := rep.Failure
		switch {
		case unreachable[m]:
			if f != nil {
				t.Errorf("%s: caught although no restart is drawn against a server: %s", m, f.Message)
			}
		case f == nil:
			t.Errorf("%s: not caught in %d checks", m, rep.Checks)
		case closesSession[m] && strings.HasPrefix(f.Message, "server: ") && f.ReplayPassesCorrect:
			t.Logf("%-36s %2d actions  %s (script replay cannot show a closed session)", m, f.ShrunkLen, strings.SplitN(f.Message, "\n", 2)[0])
		case !strings.HasPrefix(f.Message, "server: ") || !f.ReplayPassesCorrect || !f.ReplayServerFails:
			t.Errorf("%s: message %q, model passes %v, server fails %v (%s)", m, f.Message, f.ReplayPassesCorrect, f.ReplayServerFails, f.ReplayNote)
		default:
			t.Logf("%-36s %2d actions  %s", m, f.ShrunkLen, strings.SplitN(f.Message, "\n", 2)[0])
		}
	}
}

// TestServerModeModuleMutants is TestServerModeAllMutants for the
// mutants of the service modules (mod_mam, mod_pep, mod_register), which
// only the prosody-13 profile's module actions reach: each is caught
// within 1,000 checks against a "server" that is the model with the
// mutant (rooms off, as against the real servers), as a divergence, and
// its script passes on the model and fails on the "server". Runs with
// SCANSIM_MUTANT_SERVERS=1.
func TestServerModeModuleMutants(t *testing.T) {
	if os.Getenv("SCANSIM_MUTANT_SERVERS") != "1" {
		t.Skip("SCANSIM_MUTANT_SERVERS=1 runs it")
	}
	p := model.Prosody13()
	for _, m := range []string{"mam-archives-blocked", "pep-notifies-blocked", "stale-blocklist-after-delete"} {
		rep := properties.Explore(properties.Config{Options: driver.Options{Profile: &p, Seed: 5}, Checks: 1000, NoRooms: true,
			Server: &driver.SimDriver{Options: driver.Options{Profile: &p, Mutants: []string{m}}, Prefix: "x-"},
			OutDir: t.TempDir(), ShrinkTime: time.Second})
		f := rep.Failure
		switch {
		case f == nil:
			t.Errorf("%s: not caught in %d checks", m, rep.Checks)
		case !strings.HasPrefix(f.Message, "server: ") || !f.ReplayPassesCorrect || !f.ReplayServerFails:
			t.Errorf("%s: message %q, model passes %v, server fails %v (%s)", m, f.Message, f.ReplayPassesCorrect, f.ReplayServerFails, f.ReplayNote)
		default:
			t.Logf("%-30s check %4d, %2d actions  %s", m, f.FirstCheck, f.ShrunkLen, strings.SplitN(f.Message, "\n", 2)[0])
		}
	}
}

// The scansion action set (what package differential was): only what a
// scansion script can express, run on the model and on a "server" —
// the model behind a prefixing SimDriver on another seed. Against
// itself nothing diverges, the comparison is not empty, and no action a
// script cannot express (an abrupt drop, a restart) is ever applied.
func TestScansionActionsAgreeWithItself(t *testing.T) {
	p := model.Prosody012()
	rep := properties.Explore(properties.Config{
		Options: driver.Options{Profile: &p, Seed: 1}, Checks: 60, Steps: 30, ActionSet: properties.ScansionActions,
		Server: &driver.SimDriver{Options: driver.Options{Profile: &p, Seed: 99}, Prefix: "rtest-", Keep: []string{"admin"}},
		CustomInvariants: []properties.Invariant{{Name: "scansionExpressible", Check: func(c *properties.Ctx) error {
			for _, op := range c.Ops() {
				if op.Kind == properties.OpDrop || op.Kind == properties.OpRestart {
					return fmt.Errorf("drew %s, which no scansion script can express", op)
				}
			}
			return nil
		}}},
		OutDir: t.TempDir(),
	})
	if f := rep.Failure; f != nil {
		t.Fatalf("the model diverges from itself (rapid seed %d):\n%s\n%s", f.Seed, f.Message, f.Script)
	}
	t.Logf("%d checks, %d actions, %d server stanzas compared", rep.Checks, rep.Actions, rep.ServerStanzas)
	if rep.Checks < 60 || rep.Actions < 60*10 || rep.ServerStanzas < rep.Actions/2 {
		t.Errorf("ran %d checks, %d actions, compared %d stanzas", rep.Checks, rep.Actions, rep.ServerStanzas)
	}
}

// A "server" with a planted bug diverges under the scansion action set;
// the divergence shrinks to a short sequence of scansion actions whose
// script the model passes, the server fails, and `scansim diff`'s
// comparison (scenarios.Compare) also tells apart.
func TestScansionActionsFindAndShrinkDivergence(t *testing.T) {
	p := model.Prosody012()
	for _, mutant := range []string{"no-unavailable-on-block", "priority-tie-one-resource", "pending-kept-on-block"} {
		t.Run(mutant, func(t *testing.T) {
			server := &driver.SimDriver{Options: driver.Options{Profile: &p, Seed: 99, Mutants: []string{mutant}}, Prefix: "rtest-"}
			rep := properties.Explore(properties.Config{
				Options: driver.Options{Profile: &p, Seed: 3}, Checks: 300, Steps: 30, ActionSet: properties.ScansionActions,
				Server: server, OutDir: t.TempDir(), ShrinkTime: 2 * time.Second,
			})
			f := rep.Failure
			if f == nil {
				t.Fatalf("no divergence in %d checks", rep.Checks)
			}
			for _, op := range f.Ops {
				if op.Kind == properties.OpDrop || op.Kind == properties.OpRestart {
					t.Errorf("the shrunk sequence holds %s, which no scansion script can express", op)
				}
			}
			if f.ShrunkLen > 10 {
				t.Errorf("shrunk to %d actions:\n%s", f.ShrunkLen, f.Script)
			}
			if !f.ReplayPassesCorrect || !f.ReplayServerFails {
				t.Errorf("script: model passes %v, server fails %v (%s)\n%s", f.ReplayPassesCorrect, f.ReplayServerFails, f.ReplayNote, f.Script)
			}
			b, err := os.ReadFile(f.ScriptPath)
			if err != nil || string(b) != f.Script {
				t.Fatalf("script not written to %q: %v", f.ScriptPath, err)
			}
			s, err := scenarios.Parse(f.ScriptPath, b)
			if err != nil {
				t.Fatalf("shrunk script does not parse: %v\n%s", err, b)
			}
			if cmp := scenarios.Compare(s, scenarios.CompareOptions{Server: server, Options: driver.Options{Profile: &p}}); cmp.Same() {
				t.Errorf("scansim diff's comparison sees no difference on the shrunk script:\n%s\n%s", f.Script, cmp)
			}
			t.Logf("%s: check %d, shrunk %d -> %d actions: %s", mutant, f.FirstCheck, f.OriginalLen, f.ShrunkLen, strings.SplitN(f.Message, "\n", 2)[0])
		})
	}
}

// The invariants judge the server's trace under the scansion action set
// too, even where the model has no opinion: a "server" whose inbound
// blocking is off delivers presence from blocked JIDs (inv12).
func TestScansionActionsInvariantsOnServer(t *testing.T) {
	p := model.Prosody012()
	rep := properties.Explore(properties.Config{
		Options: driver.Options{Profile: &p, Seed: 5}, Checks: 400, Steps: 30, ActionSet: properties.ScansionActions,
		Server: &driver.SimDriver{Options: driver.Options{Profile: &p, Mutants: []string{"inbound-presence-from-blocked"}}, Prefix: "rtest-"},
		OutDir: t.TempDir(), ShrinkTime: 2 * time.Second,
		// Rooms have nothing to do with inv12. (With them, since the
		// room actions of issue 13's second session, seed 5 meets first,
		// at check 11, a difference between the model and the prefixed
		// model after an account removal: a tombstone's "User deleted"
		// answer on the prefixed side only — the removal divergences of
		// issue 12, left to them.)
		NoRooms: true,
	})
	f := rep.Failure
	if f == nil {
		t.Fatalf("no violation in %d checks", rep.Checks)
	}
	// The presence the mutant lets through is either caught itself
	// (inv12) or by what it sets off: with it the blocker's PEP sees the
	// blocked contact online and sends it a caps disco#info query, which
	// inv19 forbids (generated traffic to a JID the user blocks). Which
	// comes first depends on the drawn sequence.
	if !strings.HasPrefix(f.Message, "server: on the server's trace: invariant violated: ") ||
		!(strings.Contains(f.Message, "inv12") || strings.Contains(f.Message, "inv19")) {
		t.Errorf("want inv12 or inv19 on the server's trace, got:\n%s", f.Message)
	}
}
