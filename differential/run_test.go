package differential_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/differential"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
)

// simServer is a stand-in "real server": the model itself, optionally
// with mutants, behind the Driver interface, asking for a run prefix as a
// real server does.
func simServer(p model.Profile, mutants ...string) *scenarios.SimDriver {
	return &scenarios.SimDriver{Profile: &p, Seed: 99, Mutants: mutants, Prefix: "rtest-", Keep: []string{"admin"}}
}

// An identical "server" never diverges: masking (prefix, generated
// resources, ids, stamps) and batching leave nothing spurious.
func TestNoDivergenceAgainstItself(t *testing.T) {
	p := model.Prosody012()
	rep := differential.Run(differential.Config{
		Server: simServer(p), Profile: &p, Seed: 1, Sequences: 60, Actions: 30,
	})
	if rep.Divergence != nil {
		t.Fatalf("the model diverges from itself:\n%s\n%s", rep.Divergence.Detail, rep.Divergence.Script)
	}
	if rep.Sequences != 60 || rep.Actions < 60*20 || rep.Stanzas < rep.Actions/2 {
		t.Errorf("ran %d sequences, %d actions, compared %d stanzas", rep.Sequences, rep.Actions, rep.Stanzas)
	}
}

// A server with a planted bug diverges, and the divergence shrinks to a
// short script that still shows it.
func TestFindsAndShrinksDivergence(t *testing.T) {
	p := model.Prosody012()
	for _, mutant := range []string{"no-unavailable-on-block", "priority-tie-one-resource", "pending-kept-on-block"} {
		t.Run(mutant, func(t *testing.T) {
			dir := t.TempDir()
			rep := differential.Run(differential.Config{
				Server: simServer(p, mutant), Profile: &p,
				Seed: 3, Sequences: 300, Actions: 30, OutDir: dir,
			})
			d := rep.Divergence
			if d == nil {
				t.Fatalf("no divergence in %d sequences", rep.Sequences)
			}
			if d.Shrunk > 10 || d.Shrunk >= d.Original && d.Original > 10 {
				t.Errorf("shrunk from %d to %d actions:\n%s", d.Original, d.Shrunk, d.Script)
			}
			b, err := os.ReadFile(d.Path)
			if err != nil || string(b) != d.Script {
				t.Fatalf("script not written to %q: %v", d.Path, err)
			}
			// The written script parses, and comparing it again still shows
			// the divergence.
			s, err := scenarios.Parse(d.Path, b)
			if err != nil {
				t.Fatalf("shrunk script does not parse: %v\n%s", err, b)
			}
			cmp := scenarios.Compare(s, scenarios.CompareOptions{Server: simServer(p, mutant), Profile: &p})
			if cmp.Same() && !strings.Contains(d.Detail, "after action") {
				t.Errorf("the shrunk script no longer diverges:\n%s", d.Script)
			}
			t.Logf("%s: %d sequences, shrunk %d -> %d actions\n%s", mutant, rep.Sequences, d.Original, d.Shrunk, d.Script)
		})
	}
}

// Against a real server (SCANSIM_SERVER=host:port, e.g. Debian's Prosody
// 0.12.3 from .ci/prosody-start), with the prosody-0.12 profile as the
// oracle. SCANSIM_DIFF_SEQUENCES, SCANSIM_DIFF_ACTIONS and SCANSIM_DIFF_SEED
// set how many sequences, how long, and the seed (100, 25, 2026).
func TestRealServerDifferential(t *testing.T) {
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
			if _, err := fmt.Sscan(s, v.dst); err != nil {
				t.Fatalf("%s=%q: %v", v.env, s, err)
			}
		}
	}
	p := model.Prosody012()
	start := time.Now()
	rep := differential.Run(differential.Config{
		Server:  &scenarios.ServerDriver{Addr: addr, Timeout: 3 * time.Second},
		Profile: &p, Seed: uint64(seed), Sequences: n, Actions: actions, OutDir: t.TempDir(),
	})
	t.Logf("%d sequences, %d actions, %d stanzas compared in %v", rep.Sequences, rep.Actions, rep.Stanzas, time.Since(start).Round(time.Millisecond))
	if rep.Stanzas < rep.Actions/2 {
		t.Errorf("only %d stanzas compared for %d actions: is the server answering?", rep.Stanzas, rep.Actions)
	}
	if d := rep.Divergence; d != nil {
		t.Fatalf("sequence %d (seed %d) diverges, shrunk %d -> %d actions:\n%s", d.Index, d.Seed, d.Original, d.Shrunk, d.Script)
	}
}

// The trace invariants fire on a server that breaks them, even where the
// model has no opinion: a "server" whose inbound blocking is off delivers
// presence from blocked JIDs (inv12), and the run says so.
func TestTraceInvariantsOnServer(t *testing.T) {
	p := model.Prosody012()
	rep := differential.Run(differential.Config{
		Server: simServer(p, "inbound-presence-from-blocked"), Profile: &p,
		Seed: 5, Sequences: 400, Actions: 30,
	})
	d := rep.Divergence
	if d == nil {
		t.Fatalf("no violation in %d sequences", rep.Sequences)
	}
	if !strings.Contains(d.Detail, "invariant violated on the server: inv12") {
		t.Errorf("want an inv12 violation on the server, got:\n%s", d.Detail)
	}
	t.Logf("shrunk %d -> %d actions:\n%s", d.Original, d.Shrunk, d.Script)
}
