package properties

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/scansim/scansim/driver"
)

// TestCoverageSeeds (SCANSIM_COVERAGE_SEEDS=1) prints the coverage of
// 1,000-check runs over rapid seeds 1–10 and the points each missed: the
// before/after table of docs/coverage.md.
func TestCoverageSeeds(t *testing.T) {
	if os.Getenv("SCANSIM_COVERAGE_SEEDS") == "" {
		t.Skip("SCANSIM_COVERAGE_SEEDS=1")
	}
	var b strings.Builder
	for seed := uint64(1); seed <= 10; seed++ {
		r := Explore(Config{Options: driver.Options{Seed: seed}, Checks: 1000, Coverage: true, OutDir: t.TempDir()})
		if r.Failure != nil {
			fmt.Fprintf(&b, "seed %2d: failure %s\n", seed, strings.SplitN(r.Failure.Message, "\n", 2)[0])
			continue
		}
		c := r.Coverage
		n, h := c.Reachable()
		var missed []string
		for _, row := range c.Rows {
			if row.Unreachable == "" && row.Hits == 0 {
				missed = append(missed, row.ID)
			}
		}
		fmt.Fprintf(&b, "seed %2d: %d/%d %.1f%% missed %v\n", seed, h, n, c.Percent(), missed)
	}
	t.Logf("\n%s", b.String())
}
