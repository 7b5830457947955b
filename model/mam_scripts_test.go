package model_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
)

// mamProfile is prosody-13, which archives as the upstream test
// configuration has it (mod_mam, mam_smart_enable).
func mamProfile() *model.Profile {
	p := model.Prosody13()
	return &p
}

// mam012Profile is prosody-0.12: archiving as 0.12.3 does it under the
// same configuration (whole-second archive times).
func mam012Profile() *model.Profile {
	p := model.Prosody012()
	return &p
}

// runScript runs one scansion script in the simulation under p.
func runScript(t *testing.T, path string, p *model.Profile, latency time.Duration) *scenarios.Result {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenarios.Parse(path, src)
	if err != nil {
		t.Fatal(err)
	}
	return scenarios.Run(s, scenarios.RunOptions{Options: driver.Options{Profile: p, Seed: 1, MaxLatency: latency}})
}

// TestMAMScripts: the project's MAM scripts (testdata/mam, written from
// XEP-0313 and each checked on Prosody 13.0.1) pass in the simulation with
// archiving on, with and without latency, as 13.0.1 and as 0.12.3 (both
// real servers pass them).
func TestMAMScripts(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "mam", "*.scs"))
	if len(files) == 0 {
		t.Fatal("no scripts in testdata/mam")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			for _, p := range []*model.Profile{mamProfile(), mam012Profile()} {
				for _, lat := range []time.Duration{0, 20 * time.Millisecond} {
					if r := runScript(t, f, p, lat); !r.Passed {
						t.Errorf("%s, latency %v: %v %+v", p.Name, lat, r.Err, r.Failure)
					}
				}
			}
			// Without archiving the model fails every one of them: the
			// scripts test MAM, not something the model did before.
			trunk := model.ProsodyTrunk()
			if r := runScript(t, f, &trunk, 0); r.Passed {
				t.Error("passes without MAMOptions.Archive")
			}
		})
	}
}

// TestMAMUpstreamScripts: Prosody's own mam_prefs_prep and mam_extended
// (../shared/scansion-upstream) pass in the simulation with archiving on.
// mam_extended expects both messages in one instant, which the
// simulation's clock gives (the real 13.0.1 fails it: its clock moves).
func TestMAMUpstreamScripts(t *testing.T) {
	for _, name := range []string{"mam_prefs_prep.scs", "mam_extended.scs"} {
		f := filepath.Join("..", "..", "shared", "scansion-upstream", name)
		if _, err := os.Stat(f); err != nil {
			t.Skipf("%s: %v", f, err)
		}
		t.Run(name, func(t *testing.T) {
			for _, p := range []*model.Profile{mamProfile(), mam012Profile()} {
				if r := runScript(t, f, p, 0); !r.Passed {
					t.Errorf("%s: %v %+v", p.Name, r.Err, r.Failure)
				}
			}
		})
	}
}
