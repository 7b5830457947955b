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

// TestSpecXEPFindsDeparturesOnServer: `scansim check --server ADDR
// --profile prosody-0.12 --spec xep` (SearchOnServer: the search on the
// model, each failure confirmed on the server) finds each departure of
// docs/findings.md on a real Prosody 0.12.3's own trace, rooms off as in
// the other real-server tests. It runs only when SCANSIM_SPEC_XEP_SERVER
// names the server (.ci/prosody-upstream-start 0.12; .ci/spec-xep-server
// in CI). Each departure is one run from seed 1 of at most
// SCANSIM_SPEC_XEP_CHECKS model checks (default 30,000), only the
// departure's invariant, with the --accept list of docs/spec-mode.md; a
// failure that is not the departure's, or that the server does not
// confirm, is logged and the search goes on. SCANSIM_SPEC_XEP_ONLY picks
// departures (comma-separated).
func TestSpecXEPFindsDeparturesOnServer(t *testing.T) {
	addr := os.Getenv("SCANSIM_SPEC_XEP_SERVER")
	if addr == "" {
		t.Skip("SCANSIM_SPEC_XEP_SERVER not set: no real Prosody 0.12.3 (see docs/spec-mode.md)")
	}
	checks := envInt(t, "SCANSIM_SPEC_XEP_CHECKS", 30000)
	only := os.Getenv("SCANSIM_SPEC_XEP_ONLY")
	prof := model.Prosody012()
	out := failuresOut(t)
	var b strings.Builder
	fmt.Fprintf(&b, "%-3s %-6s %-9s %7s %8s %6s %7s %-11s %s\n", "id", "inv", "accept", "checks", "confirms", "shrunk", "wall", "script", "reproduce")
	for _, d := range departures {
		if only != "" && !strings.Contains(","+only+",", ","+d.id+",") {
			continue
		}
		start := time.Now()
		cfg := Config{Options: driver.Options{Profile: &prof, Seed: 1}, Checks: checks, NoReference: true,
			Invariants: []string{d.inv}, Accept: d.accept, OutDir: out, NoRooms: true, ShrinkTime: 2 * time.Second,
			Server: &driver.ServerDriver{Addr: addr, Timeout: 10 * time.Second}}
		DemandXEP(&cfg)
		s := SearchOnServer(cfg, ConfirmOptions{Want: d.is, OnConfirm: func(c Confirmation) {
			f := c.Failure
			t.Logf("%s: check %d (%d ops): %s\n  server: confirmed=%v: %s", d.id, f.FirstCheck, f.ShrunkLen,
				firstLine(f.Message), c.Confirmed, firstLine(c.Server))
		}})
		wall := time.Since(start).Round(time.Second)
		if s.Err != nil {
			t.Errorf("%s: %v", d.id, s.Err)
			continue
		}
		if s.Found == nil {
			fmt.Fprintf(&b, "%-3s %-6s %-9s %7d %8d %6s %7v not found\n", d.id, d.inv, strings.Join(d.accept, ","), s.Checks, len(s.Confirmations), "-", wall)
			t.Errorf("%s (%s) not found on the server in %d model checks and %d confirmations", d.id, d.inv, s.Checks, len(s.Confirmations))
			continue
		}
		f := s.Failure
		// the server's own violation is the departure's too
		if !d.is(&Failure{Message: s.Found.Server, Ops: f.Ops}) {
			t.Errorf("%s: the server's violation is not the departure's: %s", d.id, s.Found.Server)
		}
		if f.ShrunkLen > 12 {
			t.Errorf("%s shrunk to %d actions", d.id, f.ShrunkLen)
		}
		// the script expects the spec's behaviour at the failing step
		// (the reference under the demanded profile): the server, which
		// departs, fails it, unless the departure is in state only or
		// the reference follows Prosody's rules there (the F-series:
		// no profile field, so the reference predicts what the model
		// does)
		if findingFields[d.id] != "" && !s.Found.ScriptServerFails {
			// a departure a profile field selects: the reference
			// follows the spec's value, the server does not
			t.Errorf("%s: the script does not fail on the server: %s", d.id, s.Found.ScriptNote)
		}
		script := "passes"
		if s.Found.ScriptServerFails {
			script = "srv fails"
			if f.ReplayStrict {
				script += " -s"
			}
		}
		fmt.Fprintf(&b, "%-3s %-6s %-9s %7d %8d %6d %7v %-11s --seed %d --checks 1\n", d.id, d.inv, strings.Join(d.accept, ","), s.Checks, len(s.Confirmations), f.ShrunkLen, wall, script, f.Seed)
		t.Logf("%s: found at check %d, %d confirmations (%v): %s\nscript on the server: %s\n%s\nserver's trace:\n%s", d.id, s.Checks, len(s.Confirmations), wall,
			firstLine(s.Found.Server), firstLine(s.Found.ScriptNote), f.Script, s.Found.ServerTrace)
	}
	t.Logf("\n%s", b.String())
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

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
