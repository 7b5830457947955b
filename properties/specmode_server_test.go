package properties

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
)

// TestSpecXEPFindsDeparturesOnServer is TestSpecXEPFindsDepartures with a
// real Prosody 0.12.3 beside the model (`scansim check --server ADDR
// --profile prosody-0.12 --spec xep`, rooms off as in the other
// real-server tests): each departure of docs/findings.md must show on
// the server's own trace. It runs only when SCANSIM_SPEC_XEP_SERVER names
// the server (.ci/prosody-upstream-start 0.12); SCANSIM_SPEC_XEP_ONLY
// picks one departure, SCANSIM_SPEC_XEP_SEEDS and SCANSIM_SPEC_XEP_CHECKS
// bound the search (3 seeds of 1,000 checks). A failure that is not the
// departure's (another departure, or a difference between the model and
// the server) is logged and the search goes on with the next seed, as it
// does after a transport failure (a void seed).
// SCANSIM_SPEC_XEP_FROM names the departure to start from.
func TestSpecXEPFindsDeparturesOnServer(t *testing.T) {
	addr := os.Getenv("SCANSIM_SPEC_XEP_SERVER")
	if addr == "" {
		t.Skip("SCANSIM_SPEC_XEP_SERVER not set: no real Prosody 0.12.3 (see docs/spec-mode.md)")
	}
	seeds, checks := envInt(t, "SCANSIM_SPEC_XEP_SEEDS", 3), envInt(t, "SCANSIM_SPEC_XEP_CHECKS", 1000)
	only, from := os.Getenv("SCANSIM_SPEC_XEP_ONLY"), os.Getenv("SCANSIM_SPEC_XEP_FROM")
	prof := model.Prosody012()
	out := failuresOut(t)
	var b strings.Builder
	fmt.Fprintf(&b, "%-3s %-6s %-9s %5s %7s %6s %s\n", "id", "inv", "accept", "seed", "checks", "shrunk", "script")
	for _, d := range departures {
		if only != "" && !strings.Contains(","+only+",", ","+d.id+",") {
			continue
		}
		if from != "" {
			if d.id != from {
				continue
			}
			from = ""
		}
		spent, found := 0, false
		for seed := uint64(1); seed <= uint64(seeds) && !found; seed++ {
			start := time.Now()
			cfg := Config{Options: driver.Options{Profile: &prof, Seed: seed}, Checks: checks, NoReference: true,
				Invariants: []string{d.inv}, Accept: d.accept, OutDir: out, NoRooms: true,
				Server: &driver.ServerDriver{Addr: addr, Timeout: 10 * time.Second}}
			DemandXEP(&cfg)
			r := Explore(cfg)
			if r.Err != nil {
				// a transport failure (a loaded machine's timeouts) is
				// no verdict: the seed is void, the search goes on
				t.Logf("%s seed %d: void: %v", d.id, seed, r.Err)
				continue
			}
			switch f := r.Failure; {
			case f == nil:
				spent += r.Checks
				t.Logf("%s seed %d: clean after %d checks (%v)", d.id, seed, r.Checks, time.Since(start).Round(time.Second))
			case d.is(f):
				found = true
				spent += f.FirstCheck
				fmt.Fprintf(&b, "%-3s %-6s %-9s %5d %7d %6d %s\n", d.id, d.inv, strings.Join(d.accept, ","), seed, spent, f.ShrunkLen, f.ScriptPath)
				t.Logf("%s seed %d: found at check %d (%v): %s\n%s", d.id, seed, f.FirstCheck, time.Since(start).Round(time.Second),
					strings.SplitN(f.Message, "\n", 2)[0], f.Script)
			default:
				spent += f.FirstCheck
				t.Logf("%s seed %d: another failure at check %d: %s\n%s", d.id, seed, f.FirstCheck, strings.SplitN(f.Message, "\n", 2)[0], f.Script)
			}
		}
		if !found {
			fmt.Fprintf(&b, "%-3s %-6s %-9s %5s %7s %6s not found in %d checks\n", d.id, d.inv, strings.Join(d.accept, ","), "-", "-", "-", spent)
		}
	}
	t.Logf("\n%s", b.String())
}

// envInt reads a positive number from the environment (def when unset).
func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}
