package properties

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/scansim/scansim/driver"
)

// coverageRun is a default run of `scansim check --coverage`: 1,000
// checks, rapid seed 1, the default profile.
func coverageRun(t testing.TB, checks int) *Coverage {
	r := Explore(Config{Options: driver.Options{Seed: 1}, Checks: checks, Coverage: true, OutDir: t.TempDir()})
	if r.Failure != nil {
		t.Fatalf("the default run fails: %s", r.Failure.Message)
	}
	if r.Coverage == nil {
		t.Fatal("no coverage")
	}
	return r.Coverage
}

// TestCoverage: a default 1,000-check run covers at least 95% of the
// reachable points (reported as a log line go test -v shows, and as a
// metric by BenchmarkCoverage), and the table is deterministic.
func TestCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	c := coverageRun(t, 1000)
	var b bytes.Buffer
	if err := c.Write(&b); err != nil {
		t.Fatal(err)
	}
	n, h := c.Reachable()
	t.Logf("coverage: %d of %d reachable points (%.1f%%)\n%s", h, n, c.Percent(), b.String())
	if c.Percent() < 95 {
		t.Errorf("coverage %.1f%% < 95%% of reachable points", c.Percent())
	}
	var b2 bytes.Buffer
	_ = coverageRun(t, 1000).Write(&b2)
	if !bytes.Equal(b.Bytes(), b2.Bytes()) {
		t.Error("two runs with the same seed print different tables")
	}
}

// BenchmarkCoverage reports the coverage of a default 1,000-check run as
// a metric (go test -bench Coverage ./properties).
func BenchmarkCoverage(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c := coverageRun(b, 1000)
		b.ReportMetric(c.Percent(), "%covered")
	}
}

// Every drop reason the model's source records is a rule point (or only
// a mutant records it), so the rule points cannot fall behind the model.
func TestCoverageRulesListModel(t *testing.T) {
	var reasons []string
	files, _ := os.ReadDir("../model")
	re := regexp.MustCompile(`s\.drop\([^,]+, "([a-z-]+)"\)`)
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".go") || strings.HasSuffix(f.Name(), "_test.go") {
			continue
		}
		b, err := os.ReadFile("../model/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			reasons = append(reasons, m[1])
		}
	}
	if len(reasons) == 0 {
		t.Fatal("no drop reason found in ../model")
	}
	mutantOnly := map[string]bool{"blocklist-check": true, "crash": true}
	var ids []string
	for _, p := range coveragePoints {
		ids = append(ids, p.ID)
	}
	for _, r := range reasons {
		if !mutantOnly[r] && !slices.Contains(ids, "rule:"+r) {
			t.Errorf("drop reason %q of the model has no coverage point", r)
		}
	}
}
