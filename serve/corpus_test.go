package serve

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/suite"
)

// TestCorpusThroughServe replays every project, shared and upstream
// script twice — in the simulation, and with `replay --server` against a
// fresh `scansim serve` of the same profile — and requires the same
// outcome, at the same action: the transport adds nothing and loses
// nothing. A fresh server per script, because a long-lived one keeps
// what a real one keeps between runs (mod_pep's entity-capabilities
// cache is server-wide, so a second run's client is not asked for its
// caps again, as on a long-lived Prosody 13).
//
// It takes a few minutes of wall time (the real-server driver waits in
// wall time), so it runs only with SCANSIM_SERVE_CORPUS=1
// (.ci/client-libraries sets it). ../shared is skipped when absent.
func TestCorpusThroughServe(t *testing.T) {
	if os.Getenv("SCANSIM_SERVE_CORPUS") == "" {
		t.Skip("set SCANSIM_SERVE_CORPUS=1 to replay the corpora through scansim serve")
	}
	sets := []struct {
		profile string
		dirs    []string
	}{
		{driver.DefaultProfile, []string{"../scenarios/testdata"}},
		{"prosody-0.12", []string{"../testdata/prosody-0.12"}},
		{"prosody-13", []string{"../testdata/prosody-13", "../testdata/mam"}},
		{driver.DefaultProfile, []string{"../../shared/scansion"}},
		{driver.DefaultProfile, []string{"../../shared/scansion-upstream"}},
		{"prosody-0.12", []string{"../../shared/scansion-upstream"}},
		{"prosody-13", []string{"../../shared/scansion-upstream"}},
	}
	total := 0
	for _, set := range sets {
		var dirs []string
		for _, d := range set.dirs {
			if _, err := os.Stat(d); err == nil {
				dirs = append(dirs, d)
			} else {
				t.Logf("%s absent: skipped", d)
			}
		}
		if len(dirs) == 0 {
			continue
		}
		paths, err := suite.Collect(dirs)
		if err != nil {
			t.Fatal(err)
		}
		o, err := driver.NewOptions(set.profile, 0, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		same := 0
		for _, p := range paths {
			inSim := suite.RunFile(p, suite.TagFilter{}, scenarios.RunOptions{Options: o})
			// The clock stands still, as Prosody's scansion configuration
			// pins os.time(): scripts recorded there may rely on it
			// (mam_extended.scs expects two messages sent apart to carry
			// one stamp).
			s, err := Start(Options{Addr: "127.0.0.1:0", Profile: set.profile, Clock: FixedClock})
			if err != nil {
				t.Fatal(err)
			}
			served := suite.RunFile(p, suite.TagFilter{}, scenarios.RunOptions{Driver: &driver.ServerDriver{Addr: s.Addr()}})
			s.Close()
			if a, b := outcome(inSim), outcome(served); a != b {
				t.Errorf("%s (%s): simulation %s, through serve %s", filepath.Base(p), set.profile, a, b)
				continue
			}
			same++
		}
		t.Logf("%s with %s: %d of %d scripts give the same outcome", set.dirs, set.profile, same, len(paths))
		total += len(paths)
	}
	t.Logf("%d runs compared", total)
}

// outcome is a run's outcome and, for a failure, where it failed.
func outcome(r *suite.Record) string {
	if f := r.Failure(); f != nil {
		return fmt.Sprintf("%v at line %d", r.Outcome, f.Line)
	}
	return fmt.Sprint(r.Outcome)
}
