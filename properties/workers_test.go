package properties

import (
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
)

// TestWorkersPartitionChecks: four workers run exactly the checks asked
// for between them, on the model, and find the mutant's violation as one
// worker does (run with -race to see the workers share nothing).
func TestWorkersPartitionChecks(t *testing.T) {
	rep := Explore(Config{Options: driver.Options{Seed: 3}, Checks: 10, Steps: 10, Workers: 4})
	if rep.Err != nil || rep.Failure != nil {
		t.Fatalf("err %v, failure %v", rep.Err, rep.Failure)
	}
	if rep.Checks != 10 {
		t.Errorf("%d checks run, want 10", rep.Checks)
	}
	rep = Explore(Config{Options: driver.Options{Seed: 5, Mutants: []string{"no-unavailable-on-block"}}, Checks: 1000, Workers: 3,
		OutDir: t.TempDir(), ShrinkTime: time.Second})
	if rep.Failure == nil {
		t.Fatal("three workers missed the mutant")
	}
	if rep.Failure.ScriptPath == "" {
		t.Error("no script written for the failure")
	}
}
