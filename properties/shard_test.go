package properties

import (
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"pgregory.net/rapid"
)

// TestCheckSeedIsRapidsSequence: check k run alone from CheckSeed(S, k)
// draws what check k of one rapid run from S draws (rapid's own
// sequence, which the partition relies on).
func TestCheckSeedIsRapidsSequence(t *testing.T) {
	const seed, checks = 11, 25
	draw := func(t *rapid.T) uint64 { return rapid.Uint64().Draw(t, "x") }
	var inRun []uint64
	restore := setFlags(map[string]string{"rapid.checks": "25", "rapid.seed": "11", "rapid.nofailfile": "true", "test.short": "false"})
	rapid.Check(t, func(t *rapid.T) { inRun = append(inRun, draw(t)) })
	defer restore()
	if len(inRun) != checks {
		t.Fatalf("rapid ran %d checks, want %d", len(inRun), checks)
	}
	for k := range checks {
		var alone uint64
		tb := runCheck(CheckSeed(seed, k), func(t *rapid.T) { alone = draw(t) })
		if tb.Failed() || alone != inRun[k] {
			t.Fatalf("check %d alone from seed %d drew %d, in the run %d", k, CheckSeed(seed, k), alone, inRun[k])
		}
	}
}

// TestShardsPartitionChecks: the shards of a run take every check index
// exactly once, whatever the number of shards.
func TestShardsPartitionChecks(t *testing.T) {
	for _, checks := range []int{0, 1, 7, 100} {
		for n := 1; n <= 9; n++ {
			seen := make([]int, checks)
			for i := 1; i <= n; i++ {
				for _, k := range ShardChecks(checks, i, n) {
					if k%n != i-1 {
						t.Fatalf("shard %d/%d took check %d", i, n, k)
					}
					seen[k]++
				}
			}
			for i := 1; i <= n; i++ {
				if l := ShardLen(checks, i, n); l != len(ShardChecks(checks, i, n)) {
					t.Fatalf("ShardLen(%d, %d, %d) = %d, want %d", checks, i, n, l, len(ShardChecks(checks, i, n)))
				}
			}
			for k, c := range seen {
				if c != 1 {
					t.Fatalf("%d checks, %d shards: check %d taken %d times", checks, n, k, c)
				}
			}
		}
	}
	for _, bad := range []string{"", "1", "0/3", "4/3", "1/0", "a/b", "-1/2", "1/2/3"} {
		if _, _, err := ParseShard(bad); err == nil {
			t.Errorf("--shard %q accepted", bad)
		}
	}
	if i, n, err := ParseShard("2/4"); err != nil || i != 2 || n != 4 {
		t.Errorf("--shard 2/4: %d/%d %v", i, n, err)
	}
}

// TestShardsFindWhatOneRunFinds: a mutant's first failing check in one
// run is found, with the same number, seed and message, by the shard
// that holds it (with two workers), and no shard fails before it; the
// shards together run every check up to their failures.
func TestShardsFindWhatOneRunFinds(t *testing.T) {
	mut := []string{"no-unavailable-on-block"}
	cfg := func(shard, shards, workers int) Config {
		return Config{Options: driver.Options{Seed: 5, Mutants: mut}, Checks: 300, Steps: 20,
			OutDir: t.TempDir(), ShrinkTime: 200 * time.Millisecond, Shard: shard, Shards: shards, Workers: workers}
	}
	one := Explore(cfg(0, 0, 1))
	if one.Err != nil || one.Failure == nil {
		t.Fatalf("one run: err %v, failure %v", one.Err, one.Failure)
	}
	first := one.Failure.FirstCheck
	if one.Failure.Seed != CheckSeed(5, first-1) {
		t.Errorf("failure seed %d, want CheckSeed(5, %d) = %d", one.Failure.Seed, first-1, CheckSeed(5, first-1))
	}
	const n = 3
	for i := 1; i <= n; i++ {
		r := Explore(cfg(i, n, 2))
		if r.Err != nil {
			t.Fatalf("shard %d/%d: %v", i, n, r.Err)
		}
		f := r.Failure
		if f == nil {
			if (first-1)%n == i-1 {
				t.Fatalf("shard %d/%d, which holds the run's failing check %d, found nothing", i, n, first)
			}
			if r.Checks != len(ShardChecks(300, i, n)) {
				t.Errorf("shard %d/%d ran %d checks, want %d", i, n, r.Checks, len(ShardChecks(300, i, n)))
			}
			continue
		}
		if (f.FirstCheck-1)%n != i-1 {
			t.Errorf("shard %d/%d reports check %d, not one of its own", i, n, f.FirstCheck)
		}
		if f.FirstCheck < first {
			t.Errorf("shard %d/%d fails at check %d, before the run's first failure %d", i, n, f.FirstCheck, first)
		}
		if (first-1)%n == i-1 {
			if f.FirstCheck != first || f.Seed != one.Failure.Seed || failureKey(f.Message) != failureKey(one.Failure.Message) {
				t.Errorf("shard %d/%d: check %d seed %d %q; one run: check %d seed %d %q", i, n,
					f.FirstCheck, f.Seed, failureKey(f.Message), first, one.Failure.Seed, failureKey(one.Failure.Message))
			}
		}
	}
}

// TestWorkersNumberFailuresRunWide: with several workers the failure
// reported is the run's lowest failing check, numbered in the run, as
// with one worker (it used to count within the failing worker).
func TestWorkersNumberFailuresRunWide(t *testing.T) {
	mut := []string{"no-unavailable-on-block"}
	run := func(workers int) *Failure {
		r := Explore(Config{Options: driver.Options{Seed: 5, Mutants: mut}, Checks: 300, Steps: 20,
			OutDir: t.TempDir(), ShrinkTime: 200 * time.Millisecond, Workers: workers})
		if r.Err != nil || r.Failure == nil {
			t.Fatalf("%d workers: err %v, failure %v", workers, r.Err, r.Failure)
		}
		return r.Failure
	}
	one := run(1)
	for _, w := range []int{2, 4} {
		f := run(w)
		if f.FirstCheck != one.FirstCheck || f.Seed != one.Seed || f.OriginalLen != one.OriginalLen {
			t.Errorf("%d workers: check %d seed %d (%d actions); one worker: check %d seed %d (%d actions)",
				w, f.FirstCheck, f.Seed, f.OriginalLen, one.FirstCheck, one.Seed, one.OriginalLen)
		}
	}
}
