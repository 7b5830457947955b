package properties

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/scansim/scansim/model"
	"pgregory.net/rapid"
)

// The seed partition of a run. rapid runs the checks of one rapid.Check
// from seeds S, S+1, S+3, S+6, ...: before check k it adds k to the
// previous seed, so check k draws from S + k(k+1)/2. Explore runs each
// check as a rapid run of its own from that seed (CheckSeed), which draws
// the same sequence, so that
//
//   - a run's checks are the same whatever Config.Workers and
//     Config.Shards are: workers and shards only split the indices
//     0..Checks-1 between them (ShardChecks), and the lowest failing
//     index is the failure a single worker would have found first;
//   - every check can be run alone: `scansim check --seed
//     CheckSeed(S, k) --checks 1` is check k, which is how a failure
//     found by any worker or shard is reproduced (Failure.Seed).

// CheckSeed is the rapid seed of check k (0-based) of a run from seed:
// seed + k(k+1)/2, rapid's own sequence.
func CheckSeed(seed uint64, k int) uint64 {
	u := uint64(k)
	return seed + u*(u+1)/2
}

// ShardChecks returns the indices of the checks of a run of checks that
// shard i of n (1-based) runs: those with k % n == i-1, in order. n <= 1
// is the whole run. Every index of 0..checks-1 belongs to exactly one
// shard.
func ShardChecks(checks, i, n int) []int {
	if n <= 1 {
		n, i = 1, 1
	}
	var ks []int
	for k := i - 1; k < checks; k += n {
		ks = append(ks, k)
	}
	return ks
}

// ShardLen is len(ShardChecks(checks, i, n)), without the list.
func ShardLen(checks, i, n int) int {
	if n <= 1 {
		return max(checks, 0)
	}
	if checks < i {
		return 0
	}
	return (checks-i)/n + 1
}

// CheckShard rejects a shard i of n that does not name one of n shards.
func CheckShard(i, n int) error {
	if n < 1 || i < 1 || i > n {
		return fmt.Errorf("shard %d/%d: expected i/n with 1 <= i <= n", i, n)
	}
	return nil
}

// checkQueue hands a shard's check indices (ShardChecks: next, next+step,
// ... below end) to the workers in order.
type checkQueue struct {
	mu              sync.Mutex
	next, step, end int
}

func (q *checkQueue) take() (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.next >= q.end {
		return 0, false
	}
	k := q.next
	q.next += q.step
	return k, true
}

// rapidFlags serialises the setting of rapid's seed flag (rapid reads
// its flags from flag.CommandLine when a check starts) between workers.
var rapidFlags sync.Mutex

// runWorkers runs the checks of cfg's shard on cfg.Workers goroutines
// (see Config.Workers, Config.Shards) and returns each worker's
// recorder. Each check is one rapid.Check of one check from its own seed
// (CheckSeed): rapid's seed flag is set, and the next check of any
// worker let start, once rapid has called the property (it has read its
// flags then). A worker stops taking checks once a check before its next
// one has failed, or the server's transport failed.
//
// With Config.Coverage each worker counts its own checks' coverage (a
// recorder is not shared between goroutines); the sum is returned (nil
// without Coverage). Only the exploring checks count: minimize's replays
// get cfg.options() without a recorder.
func runWorkers(cfg Config, prof, spec model.Profile) ([]*recorder, *covRecorder) {
	shard, shards := cfg.Shard, cfg.Shards
	if shards <= 1 {
		shard, shards = 1, 1
	}
	q := &checkQueue{next: shard - 1, step: shards, end: cfg.Checks}
	for q.next < cfg.from {
		// a search that goes on after a failure (confirm.go) starts
		// past it: the checks before are the ones already run
		q.next += q.step
	}
	n := max(cfg.Workers, 1)
	if l := ShardLen(cfg.Checks, shard, shards); n > l {
		n = max(l, 1)
	}
	c := newCrew(cfg.Progress)
	recs := make([]*recorder, n)
	var covs []*covRecorder
	var wg sync.WaitGroup
	for i := range recs {
		rec := &recorder{crew: c, shrinking: cfg.Shrinking, indexed: true}
		recs[i] = rec
		opts := cfg.options()
		if cfg.Coverage {
			opts.cov = newCovRecorder()
			covs = append(covs, opts.cov)
		}
		prop := property(cfg.Users, prof, spec, cfg.Mutants, opts, rec)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k, ok := q.take()
				if !ok || c.before(k) {
					return
				}
				rec.cur = k
				tb := runCheck(CheckSeed(cfg.Seed, k), prop)
				if tb.Failed() && rec.failTB == nil && rec.firstFail == k+1 {
					rec.failTB = tb
				}
				if rec.firstFail != 0 {
					return // its shrinking is done; later checks are void
				}
			}
		}()
	}
	wg.Wait()
	if covs == nil {
		return recs, nil
	}
	for _, o := range covs[1:] {
		covs[0].add(o)
	}
	return recs, covs[0]
}

// before reports whether the run has no use for check k: the server's
// transport failed, or a check before k failed.
func (c *crew) before(k int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.transport != nil || (c.failer != nil && c.failK <= k)
}

// runCheck runs prop as one rapid check from seed (setting rapid's
// checks flag to 1; Explore restores the flags it sets) and returns the TB
// stand-in it reported to. rapid's seed flag is held from before the
// check starts until rapid has called prop (it has read its flags then).
//
// The check runs on the caller's goroutine: the stand-in ends a check
// that rapid stops (FailNow after a failure, SkipNow) with a panic that
// runCheck recovers, rather than with runtime.Goexit as testing.T does,
// which would need a goroutine per check. rapid calls those outside the
// property and recovers nothing on the way out of rapid.Check. A
// goroutine per check grew its stack anew every check and woke another
// thread to hand the check over and back (about 3% of a check's CPU).
func runCheck(seed uint64, prop func(*rapid.T)) (tb *exploreTB) {
	tb = &exploreTB{abort: true}
	rapidFlags.Lock()
	_ = flag.CommandLine.Lookup("rapid.checks").Value.Set("1")
	_ = flag.CommandLine.Lookup("rapid.seed").Value.Set(strconv.FormatUint(seed, 10))
	var once sync.Once
	release := func() { once.Do(rapidFlags.Unlock) }
	defer release()
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(tbAbort); !ok {
				panic(r)
			}
		}
	}()
	rapid.Check(tb, func(t *rapid.T) {
		release()
		prop(t)
	})
	return tb
}

// ParseShard reads "i/n" (scansim check --shard): shard i of n, 1-based.
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("--shard %q: expected i/n, e.g. 2/4 (the second of four shards)", s)
	}
	if err := CheckShard(i, n); err != nil {
		return 0, 0, fmt.Errorf("--shard %q: expected i/n with 1 <= i <= n", s)
	}
	return i, n, nil
}
