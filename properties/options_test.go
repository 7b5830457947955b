package properties

import (
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"pgregory.net/rapid"
)

// The harness delivers every stanza at once, so a latency in Config's
// options cannot be honoured: Explore must refuse it before checking
// anything rather than report a run it did not make.
func TestExploreRefusesLatency(t *testing.T) {
	r := Explore(Config{Options: driver.Options{Seed: 1, MaxLatency: time.Millisecond}, Checks: 5, OutDir: t.TempDir()})
	if r.Err == nil || r.Checks != 0 || r.Failure != nil {
		t.Fatalf("want an error and no checks, got err %v, %d checks, failure %v", r.Err, r.Checks, r.Failure)
	}
}

// Property, driven by rapid directly, fails the test instead.
func TestPropertyRefusesLatency(t *testing.T) {
	prop := Property(Config{Options: driver.Options{MaxLatency: time.Millisecond}})
	// no failure file: it would be replayed by every later Explore
	defer setFlags(map[string]string{"rapid.nofailfile": "true", "rapid.checks": "1", "test.short": "false"})()
	// (test.short off: under -short rapid runs a fifth of one check, none.)
	ft := &exploreTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rapid.Check(ft, prop)
	}()
	<-done
	if !ft.Failed() {
		t.Fatal("a property with a latency passed")
	}
}
