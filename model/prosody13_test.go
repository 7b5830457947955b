package model_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
)

// The prosody-13 profile against scripts written from the XEPs and
// confirmed on Prosody 13.0.1 (../testdata/prosody-13, each says what it
// checks), and against the upstream scripts of the service modules,
// under several seeds and latencies.

func replay13(t *testing.T, file string, opts scenarios.RunOptions) *scenarios.Result {
	t.Helper()
	s, err := scenarios.ParseFile(file)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	p := model.Prosody13()
	opts.Profile = &p
	return scenarios.Run(s, opts)
}

func runs() []scenarios.RunOptions {
	return []scenarios.RunOptions{{}, {Options: driver.Options{Seed: 1, MaxLatency: 20 * time.Millisecond}}, {Options: driver.Options{Seed: 2, MaxLatency: 5 * time.Millisecond}}}
}

func TestProsody13ProjectScripts(t *testing.T) {
	files, err := filepath.Glob("../testdata/prosody-13/*.scs")
	if err != nil || len(files) < 8 {
		t.Fatalf("scripts in ../testdata/prosody-13: %v (%v)", files, err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".scs"), func(t *testing.T) {
			for _, o := range runs() {
				if res := replay13(t, f, o); !res.Passed {
					t.Fatalf("seed %d latency %v: %v %v", o.Seed, o.MaxLatency, res.Failure, res.Err)
				}
			}
		})
	}
}

// TestProsody13UpstreamServices: the upstream scripts of the modules the
// profile adds, which real 13.0.1 passes.
func TestProsody13UpstreamServices(t *testing.T) {
	dir := os.Getenv("SCANSIM_SHARED")
	if dir == "" {
		dir = "../../shared"
	}
	for _, n := range []string{"extdisco", "http_upload", "server_contact_info", "vcard_temp", "version", "disco_self", "tombstones"} {
		f := filepath.Join(dir, "scansion-upstream", n+".scs")
		if _, err := os.Stat(f); err != nil {
			t.Skipf("no upstream scripts: %v", err)
		}
		t.Run(n, func(t *testing.T) {
			for _, o := range runs() {
				if res := replay13(t, f, o); !res.Passed {
					t.Fatalf("seed %d: %v %v", o.Seed, res.Failure, res.Err)
				}
			}
		})
	}
}

// TestProsody13ScriptsFailElsewhere: the project scripts are not
// vacuous — under the trunk profile (no components, no service modules)
// each fails.
func TestProsody13ScriptsFailElsewhere(t *testing.T) {
	files, _ := filepath.Glob("../testdata/prosody-13/*.scs")
	for _, f := range files {
		s, err := scenarios.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p := model.ProsodyTrunk()
		if res := scenarios.Run(s, scenarios.RunOptions{Options: driver.Options{Profile: &p}}); res.Passed {
			t.Errorf("%s passes under the trunk profile", filepath.Base(f))
		}
	}
}
