package properties

import (
	"bytes"
	cryptorand "crypto/rand"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	"pgregory.net/rapid"
)

// Config configures Explore.
type Config struct {
	// Options are the simulation's options, with two differences: Seed
	// is rapid's seed, which draws the action sequences (0: a random one;
	// the report gives the seed that failed), as the simulation itself
	// always uses seed 1; and MaxLatency must be 0 (Explore reports an
	// error otherwise), as every check runs without latency. Profile is
	// the model's profile (nil: driver.DefaultProfile), Mutants are passed
	// to the model (model.Mutants()).
	driver.Options
	// Checks is the number of random action sequences (default 100).
	Checks int
	// Steps is the average number of actions per sequence (default 30).
	Steps int
	// Users is the number of accounts u1..uN (2–4); 0 draws it per check.
	Users int
	// Spec is the profile the checks demand (nil: Profile). Demanding a
	// stricter profile than the model runs shows where they differ.
	Spec *model.Profile
	// OutDir receives the failing script (default testdata/failures, or
	// $SCANSIM_FAILURES).
	OutDir string
	// ShrinkTime bounds rapid's minimisation (default 10s).
	ShrinkTime time.Duration
	// Progress, when set, is called after every check with the number of
	// checks done and of actions applied so far.
	Progress func(done, actions int)
	// Shrinking, when set, is called after every run rapid makes while
	// shrinking a failure, with the number of such runs so far. They are
	// not checks: Progress is not called for them, and Report.Checks
	// does not count them.
	Shrinking func(runs int)
	// NoReference switches off the comparison with the reference
	// (state and predicted stanzas): only the invariants are checked.
	NoReference bool
	// Invariants, when non-empty, restricts the invariants checked to
	// these names (see Invariants()).
	Invariants []string
	// Strict drops the relaxations the invariants make for Prosody
	// behaviour that no profile field selects (docs/findings.md F1, F2,
	// F3, F4, F7): inv30 on every pair, inv19 without the exemptions for the
	// re-block unavailable and for stored requests and messages, inv23
	// judging every pair (domain and full items, lost subscriptions).
	Strict bool
	// Accept lists findings of docs/findings.md that a Strict or spec
	// run keeps relaxed, as a user who has triaged them would: P1–P4
	// keep the model profile's value of their field in Spec, F1–F4, F7,
	// D6 and D7 keep their Strict relaxation (see AcceptFinding).
	Accept []string
	// Coverage counts, over the checks run, which coverage points
	// (CoveragePoints: XEP-0191's requirements, RFC 6121 Appendix A's
	// cells, the model's rules) the steps hit, and by which action
	// (Report.Coverage). Counting stops at the first failing step.
	Coverage bool
	// NoFaults removes the fault actions: abrupt drops (a2Disconnect only
	// closes cleanly) and server restarts (h1Restart). Resource conflicts
	// (a1Connect binding another session's resource, RFC 6120 §7.7.2.2)
	// are protocol behaviour, not faults, and stay. `go test` reads
	// $SCANSIM_FAULTS=0 (TestProperty), `scansim check` --no-faults.
	NoFaults bool
	// NoRooms removes the room actions (actions_muc.go) of a profile
	// with a MUC component: the sequences are those of its modules
	// alone.
	NoRooms bool
	// Actions are custom rapid actions added to the built-in ones (see
	// Action, Ctx); names must differ from the built-in ones (doc.go,
	// Actions) and sort where the shrinker should prefer them (rapid
	// prefers earlier names).
	Actions map[string]Action
	// CustomInvariants are checked after every step, after the built-in
	// checks. Config.Invariants, when non-empty, restricts them by Name too.
	CustomInvariants []Invariant
	// Server, when set, is a real XMPP server (usually a
	// *driver.ServerDriver) driven beside the model: every sequence
	// runs on both, on fresh accounts; the invariants are checked on the
	// server's trace too, and what each client receives from the server
	// is compared with what it receives from the model, the oracle (see
	// wire.go). Server restarts are not drawn (a client cannot restart
	// the server); abrupt drops are, unless NoFaults. Profile should be
	// the server's (prosody-0.12 for Debian's Prosody 0.12.3). A failure
	// on the server is written as a script the model passes and the
	// server fails (Failure.ReplayServerFails).
	Server driver.Driver
	// ActionSet selects the vocabulary drawn: AllActions (the default)
	// or ScansionActions, what a scansion script can express.
	ActionSet ActionSet
	// Workers runs the checks on this many goroutines at once (0 or 1:
	// one). Which checks run does not depend on it: check k of the run
	// (0-based) is one rapid run from CheckSeed(Seed, k), the sequence
	// check k of a single rapid run from Seed draws, and the workers take
	// the run's (or the shard's) checks in order (shard.go). Against a
	// Server every sequence has fresh accounts already, so the workers
	// share the server. The failure reported is the one of the lowest
	// failing check, as with one worker: a failure stops the checks after
	// it, and lets those before it (running on other workers) finish.
	Workers int
	// Shard and Shards split one run over several processes or machines
	// (scansim check --shard i/n): with Shards > 1, this Explore runs only
	// the checks k of the run with k % Shards == Shard-1 (Shard is
	// 1-based). The shards of a run together run exactly its checks, each
	// from its own seed (CheckSeed), so they find the failures one
	// unsharded run would; Report.Failure.FirstCheck counts in the whole
	// run. 0 and 1 Shards: no sharding.
	Shard, Shards int
	// from is the first check (0-based) the run runs: the checks
	// before it count as run already (a search that goes on past a
	// failure, confirm.go). Failure.FirstCheck counts in the whole run.
	from int
	// specPred: the failure's script expects, at the failing step, what
	// the reference predicts under Spec, even when the reference is off
	// (confirm.go), rather than what the model did.
	specPred bool
}

// ActionSet selects which built-in actions the property engine draws.
type ActionSet int

const (
	// AllActions draws every built-in action: connects, sends, clean
	// disconnects and, unless Config.NoFaults, abrupt drops and server
	// restarts (restarts never against a Config.Server).
	AllActions ActionSet = iota
	// ScansionActions draws only what a scansion script can express:
	// connects, sends and clean disconnects — no abrupt drops, no server
	// restarts, whatever NoFaults says — and no groups of stanzas
	// written without waiting (docs/races.md): a script replays a
	// concurrent action in one interleaving only, and against a server
	// a group is judged by the comparison alone, where the differential
	// run and scansim conform name the invariant a step breaks. Against a Config.Server it is the
	// differential run of `scansim check --server --engine scansion`:
	// every step is comparable action by action with a replay of the
	// written script (`scansim diff`), with the same shrinker, invariants
	// and tolerances as the full set.
	ScansionActions
	// RaceActions draws the group actions — bursts of one session and
	// concurrent bursts of two (group.go, actions_groups.go) — and only
	// the actions that set up what they race on: connects, clean
	// disconnects, presence, subscriptions, blocks. No faults.
	RaceActions
)

// options are the harness switches a Config sets.
type options struct {
	noRef    bool
	only     map[string]bool
	strict   bool
	accepted map[string]bool // findings whose strict relaxation stays (Config.Accept)
	cov      *covRecorder    // counts spec coverage (Config.Coverage); nil: off
	noFaults bool
	noRooms  bool
	races    bool // RaceActions
	noGroups bool // ScansionActions
	actions  map[string]Action
	custom   []Invariant
	server   driver.Driver
	// specPred: a failure's script expects the reference's prediction
	// at the failing step (Config.specPred)
	specPred bool
}

func (c Config) options() options {
	o := options{noRef: c.NoReference, strict: c.Strict, noFaults: c.NoFaults || c.ActionSet == ScansionActions || c.ActionSet == RaceActions,
		races: c.ActionSet == RaceActions, noGroups: c.ActionSet == ScansionActions,
		actions: c.Actions, custom: c.CustomInvariants, server: c.Server, noRooms: c.NoRooms, specPred: c.specPred}
	if len(c.Accept) > 0 {
		o.accepted = map[string]bool{}
		for _, id := range c.Accept {
			o.accepted[id] = true
		}
	}
	if len(c.Invariants) > 0 {
		o.only = map[string]bool{}
		for _, n := range c.Invariants {
			o.only[n] = true
		}
	}
	return o
}

func (o options) apply(h *harness) {
	h.noRef, h.strict, h.noFaults = o.noRef, o.strict, o.noFaults
	h.setOnly(o.only)
	h.accepted, h.cov = o.accepted, o.cov
	h.extActions, h.custom = o.actions, o.custom
	h.muc = h.muc && !o.noRooms
	h.races, h.noGroups = o.races, o.noGroups
}

// Report is the outcome of Explore.
type Report struct {
	Checks int // sequences checked, up to and including the first failing one
	// ShrinkRuns counts the runs rapid made while shrinking a failure.
	ShrinkRuns int
	Actions    int // actions applied in all runs, shrinking included
	// Seed is the rapid seed the exploration started from: Config.Seed,
	// or the one drawn when it was 0. Config.Seed = Seed runs the same
	// checks again.
	Seed uint64
	// ServerStanzas counts the stanzas a Config.Server delivered that were
	// compared with the model's: evidence the comparison was not empty.
	ServerStanzas int
	// ServerKnownBugs counts the steps whose comparison needed a known
	// server bug's allowance (Profile.ResentRequestsShareStanza).
	ServerKnownBugs int
	// ServerCutShort counts the runs (shrinking's included) whose server
	// comparison stopped early: the server's stanzas of a concurrent
	// action matched several orders that leave different states, so the
	// model could not tell which to follow and the rest of that sequence
	// ran on the model alone (docs/races.md).
	ServerCutShort int
	// ServerFollowed counts the concurrent actions (shrinking's runs
	// included) the server read in another order than the one drawn,
	// which the model then took to judge the rest of the sequence.
	ServerFollowed int
	Failure        *Failure
	// Coverage is the run's spec coverage (Config.Coverage; else nil).
	Coverage *Coverage
	// Err: the run could not start (Config.Server unreachable, or it
	// refused a login; or a Config.MaxLatency was set), or it stopped on
	// a transport failure of Config.Server (driver.IsTransport: a lost
	// connection, a deadline passed, a shutdown), during the sequences
	// or the shrinking. No failure is reported and no script written:
	// nothing after a transport failure is the server's behaviour.
	Err error
}

// Failure describes the first property violation, after shrinking.
type Failure struct {
	Seed       uint64 // rapid seed that reproduces it (-rapid.seed)
	Message    string // the violation
	FirstCheck int    // 1-based check that first failed, before shrinking
	ShrunkLen  int    // ops in the shrunk sequence (the steps of its script)
	// ShrunkActions is the number of rapid actions the shrunk ops came
	// from (a subscription handshake is one action of up to four ops);
	// ops not from an action (witnesses) count one each.
	ShrunkActions int
	// OriginalLen is the number of actions of the first failing
	// sequence, before shrinking.
	OriginalLen int
	Ops         []Op   // the shrunk sequence
	ScriptPath  string // the .scs written, "" if none could be written
	WriteErr    error  // why the script could not be written (ScriptPath is "")
	Script      string // its text
	Trace       string // the shrunk run's trace (sim.WriteTrace)
	// ReplayFails / ReplayPassesCorrect: running Script with
	// scenarios.Run fails under the configured model and passes on the
	// correct one (the same profile without mutants).
	ReplayFails, ReplayPassesCorrect bool
	// ReplayStrict: the difference shows only in strict mode
	// (scansim replay --strict), e.g. an extra stanza at the end of a
	// client's queue, which scansion's default mode ignores.
	ReplayStrict bool
	ReplayNote   string
	// With Config.Server, for a failure on the server: the server's
	// trace of the shrunk run (in the model's terms: prefix removed,
	// generated resources renamed), and whether replaying Script on the
	// server fails (ReplayPassesCorrect then says the model passes it).
	ServerTrace       string
	ReplayServerFails bool
	// users is the number of accounts of the failing sequence.
	users int
}

// recorder collects what a property run saw: counts and the last failure
// (rapid's last failing run is the minimised one).
type recorder struct {
	mu        sync.Mutex
	checks    int
	shrinks   int // runs after the first failure: rapid shrinking it
	actions   int
	stanzas   int // compared server deliveries
	knownBugs int // server steps that needed a known bug's allowance
	cutShort  int // sequences the server was judged on only in part (otherOrder)
	followed  int // concurrent actions whose server order the model took
	firstFail int
	firstLen  int // actions of the first failing sequence, before shrinking
	lastOps   []Op
	lastMsg   string
	lastUsers int
	progress  func(done, actions int)
	shrinking func(runs int)
	crew      *crew // the workers this recorder's run is one of
	// indexed: the recorder's worker runs one rapid check at a time
	// (runWorkers), cur being its index in the run, 0-based; a failure's
	// firstFail is then cur+1, not the worker's own count. failTB is the
	// rapid TB stand-in of the check that failed.
	indexed bool
	cur     int
	failTB  *exploreTB
}

// crew is what the workers of one Explore share: the totals for the
// progress line, the first transport failure, and the worker whose
// failing check comes first in the run (the lowest check index: see
// shard.go; the others then stop).
type crew struct {
	mu        sync.Mutex
	checks    int
	actions   int
	transport error
	failer    *recorder
	failK     int // failer's firstFail (c.mu)
	progress  func(done, actions int)
}

func newCrew(progress func(done, actions int)) *crew { return &crew{progress: progress} }

// stopped reports whether r's worker should run no more of its current
// check: the server's transport failed, or another worker found a
// failure in a check that comes before r's (a worker that found one
// after r's own lets r finish: r's may be the run's first).
func (c *crew) stopped(r *recorder) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.transport != nil || (c.failer != nil && c.failer != r && c.failK <= r.cur)
}

func (r *recorder) setTransport(err error) {
	r.mu.Lock()
	shrinking := r.firstFail != 0
	r.mu.Unlock()
	c := r.crew
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.transport == nil {
		c.transport = err
		if shrinking {
			// rapid was shrinking a failure
			c.transport = fmt.Errorf("while shrinking a failure: %w", err)
		}
	}
}

func (r *recorder) transportErr() error {
	r.crew.mu.Lock()
	defer r.crew.mu.Unlock()
	return r.crew.transport
}

// Property is the property: a rapid state machine over a fresh harness.
// It is what `go test` checks (rapid.Check(t, prop)) and what Explore
// drives outside the test runner.
func property(users int, prof, spec model.Profile, mutants []string, opt options, rec *recorder) func(*rapid.T) {
	return func(t *rapid.T) {
		u := users
		if u == 0 {
			u = intRange(2, 4).Draw(t, "users")
		}
		if rec != nil && rec.crew == nil {
			rec.crew = newCrew(rec.progress) // a recorder of its own (tests)
		}
		if rec != nil && rec.crew.stopped(rec) {
			// the server's transport failed (every remaining check is
			// void) or another worker failed: stop quickly
			t.Skip("stopped")
		}
		h := newHarness(u, prof, spec, mutants, 1)
		defer h.release() // last: the deferred accounting below reads h.ops
		opt.apply(h)
		if err := h.attach(opt.server); err != nil {
			if driver.IsTransport(err) && rec != nil {
				rec.setTransport(err)
				t.Skip("the server's transport failed")
			}
			t.Fatalf("server: %v", err)
		}
		defer h.real.close()
		m := &machine{h: h}
		if rec != nil {
			m.onTransport = rec.setTransport
			rec.mu.Lock()
			// Once a check has failed, every further run is rapid
			// shrinking it: not a check.
			shrinkRun := rec.firstFail != 0
			if shrinkRun {
				rec.shrinks++
			} else {
				rec.checks++
			}
			rec.mu.Unlock()
			m.onFail = func(h *harness, msg string) {
				rec.mu.Lock()
				defer rec.mu.Unlock()
				if rec.firstFail == 0 {
					// run-wide: the check's index in the run (shard.go),
					// whichever worker or shard ran it
					rec.firstFail = rec.checks
					if rec.indexed {
						rec.firstFail = rec.cur + 1
					}
					rec.firstLen = len(h.ops)
					rec.crew.mu.Lock()
					if c := rec.crew; c.failer == nil || c.failK > rec.firstFail {
						c.failer, c.failK = rec, rec.firstFail
					}
					rec.crew.mu.Unlock()
				}
				rec.lastOps = append([]Op(nil), h.ops...)
				rec.lastMsg = msg
				rec.lastUsers = h.users
			}
			defer func() {
				rec.mu.Lock()
				rec.actions += len(h.ops)
				if h.real != nil {
					rec.stanzas += h.real.compared
					rec.knownBugs += h.real.tolerated
					if h.real.otherOrder {
						rec.cutShort++
					}
					rec.followed += h.real.followed
				}
				sh, sp := rec.shrinks, rec.shrinking
				rec.mu.Unlock()
				c := rec.crew
				c.mu.Lock()
				if !shrinkRun {
					c.checks++
				}
				c.actions += len(h.ops)
				d, a, p := c.checks, c.actions, c.progress
				c.mu.Unlock()
				switch {
				case !shrinkRun && p != nil:
					p(d, a)
				case shrinkRun && sp != nil:
					sp(sh)
				}
			}()
		}
		t.Repeat(m.actions())
		if msg := h.finishReal(); msg != "" {
			if m.onFail != nil {
				m.onFail(h, msg)
			}
			t.Fatalf("after the last step: %s", msg)
		}
		m.verdict(t) // a transport failure at the final barrier
	}
}

// exploreTB is the testing.TB stand-in rapid.Check reports to outside
// `go test`. FailNow ends the checking goroutine, as testing.T does; with
// abort set, it panics with tbAbort instead, for the caller to recover
// (runCheck). Explore always sets abort (runCheck runs each check on its
// worker's goroutine); the Goexit form is for the tests that run a
// stand-in on a goroutine of their own (gotest_test.go, options_test.go).
type exploreTB struct {
	mu     sync.Mutex
	failed bool
	abort  bool
	log    bytes.Buffer
}

// tbAbort is the panic with which an exploreTB with abort set ends a
// check.
type tbAbort struct{}

// stop ends the check: runtime.Goexit, or the tbAbort panic.
func (e *exploreTB) stop() {
	if e.abort {
		panic(tbAbort{})
	}
	runtime.Goexit()
}

func (e *exploreTB) Helper()      {}
func (e *exploreTB) Name() string { return "Explore" }
func (e *exploreTB) Logf(f string, a ...any) {
	e.mu.Lock()
	fmt.Fprintf(&e.log, f+"\n", a...)
	e.mu.Unlock()
}
func (e *exploreTB) Log(a ...any)             { e.Logf("%s", fmt.Sprint(a...)) }
func (e *exploreTB) Skipf(f string, a ...any) { e.Logf(f, a...); e.stop() }
func (e *exploreTB) Skip(a ...any)            { e.Log(a...); e.stop() }
func (e *exploreTB) SkipNow()                 { e.stop() }
func (e *exploreTB) Errorf(f string, a ...any) {
	e.Logf(f, a...)
	e.Fail()
}
func (e *exploreTB) Error(a ...any)            { e.Log(a...); e.Fail() }
func (e *exploreTB) Fatalf(f string, a ...any) { e.Errorf(f, a...); e.stop() }
func (e *exploreTB) Fatal(a ...any)            { e.Error(a...); e.stop() }
func (e *exploreTB) FailNow()                  { e.Fail(); e.stop() }
func (e *exploreTB) Fail() {
	e.mu.Lock()
	e.failed = true
	e.mu.Unlock()
}
func (e *exploreTB) Failed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.failed
}

var exploreMu sync.Mutex

// exploreGCPercent is the GC target Explore runs with (see Explore).
const exploreGCPercent = 400

// Explore runs the property outside `go test` and reports the first
// violation, shrunk, with a replayable script.
//
// rapid only exposes rapid.Check, whose knobs are its command-line flags,
// so Explore sets -rapid.checks, -rapid.steps, -rapid.seed,
// -rapid.shrinktime and -rapid.nofailfile (and -test.short=false, under
// which rapid would run a fifth of the checks) on flag.CommandLine for the
// duration of the call (restoring them after), calls testing.Init (and
// marks flag.CommandLine parsed if nobody did) so that rapid may ask
// testing.Short, and runs rapid.Check on each worker's own goroutine with
// a testing.TB stand-in whose FailNow ends the check with a panic the
// worker recovers. Calls are serialised. Unless $GOGC is set, it runs with the
// garbage collector's target raised to 400% (debug.SetGCPercent),
// restored after.
func Explore(cfg Config) Report {
	exploreMu.Lock()
	defer exploreMu.Unlock()
	testing.Init()
	// rapid asks testing.Short, which panics unless flag.CommandLine was
	// parsed; a program with its own flag sets has not parsed it.
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse(nil)
	}
	if cfg.Checks <= 0 {
		cfg.Checks = 100
	}
	if cfg.Steps <= 0 {
		cfg.Steps = 30
	}
	if cfg.ShrinkTime <= 0 {
		cfg.ShrinkTime = 10 * time.Second
	}
	prof, spec := cfg.profiles()
	if cfg.Seed == 0 {
		cfg.Seed = NewSeed()
	}
	restore := setFlags(map[string]string{
		"rapid.checks":     "1", // one rapid run per check: runWorkers
		"rapid.steps":      strconv.Itoa(cfg.Steps),
		"rapid.seed":       strconv.FormatUint(cfg.Seed, 10),
		"rapid.shrinktime": cfg.ShrinkTime.String(),
		"rapid.nofailfile": "true",
		"rapid.v":          "false",
		"rapid.log":        "false",
		// rapid runs a fifth of the checks under -short; Explore's
		// count is explicit
		"test.short": "false",
	})
	defer restore()

	// The checks allocate many short-lived stanzas and maps over a small
	// live heap (a few MB per run): collecting less often trades a little
	// memory for about a fifth of the CPU time. An explicit $GOGC wins.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(exploreGCPercent))
	}

	if err := cfg.checkLatency(); err != nil {
		return Report{Err: err}
	}
	if cfg.Server != nil {
		// A session of the driver's own keeps the server from acting on
		// its last session's end before, between and inside the
		// sequences (driver.ServerDriver.Hold: Prosody 13's
		// mod_debug_reset), from before the preflight's close on.
		if h, ok := cfg.Server.(driver.Holder); ok {
			release, err := h.Hold("localhost")
			if err != nil {
				return Report{Err: fmt.Errorf("server: %w", err)}
			}
			defer release()
		}
		if err := preflight(cfg.Server); err != nil {
			return Report{Err: err}
		}
	}
	recs, covs := runWorkers(cfg, prof, spec)
	rep := Report{Seed: cfg.Seed}
	for _, rec := range recs {
		rep.Checks += rec.checks
		rep.ShrinkRuns += rec.shrinks
		rep.Actions += rec.actions
		rep.ServerStanzas += rec.stanzas
		rep.ServerKnownBugs += rec.knownBugs
		rep.ServerCutShort += rec.cutShort
		rep.ServerFollowed += rec.followed
	}
	if covs != nil {
		rep.Coverage = covs.result(prof)
	}
	rec := recs[0]
	if err := rec.transportErr(); err != nil {
		rep.Err = fmt.Errorf("server: %w", err)
		return rep
	}
	rec = rec.crew.failer
	if rec == nil || rec.failTB == nil || !rec.failTB.Failed() || rec.lastOps == nil {
		return rep
	}
	ops, terr := minimize(rec.lastOps, rec.lastUsers, prof, spec, cfg.Mutants, cfg.options(), failureKey(rec.lastMsg))
	if terr != nil {
		rep.Err = fmt.Errorf("server: while shrinking a failure: %w", terr)
		return rep
	}
	f := &Failure{Message: rec.lastMsg, FirstCheck: rec.firstFail, Ops: ops, ShrunkLen: len(ops), ShrunkActions: countActions(ops), OriginalLen: rec.firstLen,
		Seed: CheckSeed(cfg.Seed, rec.firstFail-1), users: rec.lastUsers}
	if terr := writeFailure(f, rec.lastUsers, prof, spec, cfg.Mutants, cfg.options(), cfg.OutDir); terr != nil {
		rep.Err = fmt.Errorf("server: while writing the failure's script: %w", terr)
		return rep
	}
	rep.Failure = f
	return rep
}

// preflight logs one client in to the server and out again, so that a
// server that cannot be reached or refuses logins is reported as such
// rather than as a property violation to shrink.
func preflight(d driver.Driver) error {
	n, err := d.Open("localhost")
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	defer n.Close()
	prefix, _ := n.NodePrefix()
	ep, err := n.Connect("preflight", prefix+"preflight", "", driver.Login{})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if err := ep.Disconnect(); err != nil {
		return fmt.Errorf("server: closing the preflight session: %w", err)
	}
	return nil
}

// Property returns the property as a rapid test function configured by
// cfg, for `go test` users who drive rapid themselves:
//
//	func TestMine(t *testing.T) {
//		rapid.Check(t, properties.Property(properties.Config{Actions: ..., CustomInvariants: ...}))
//	}
//
// Seed, Checks, Steps, ShrinkTime, OutDir and Progress are not used
// (rapid's own flags decide); failures are not minimised further nor
// written as scripts (Explore does both). A MaxLatency fails the test.
func Property(cfg Config) func(*rapid.T) {
	if err := cfg.checkLatency(); err != nil {
		return func(t *rapid.T) { t.Fatal(err) }
	}
	prof, spec := cfg.profiles()
	return property(cfg.Users, prof, spec, cfg.Mutants, cfg.options(), nil)
}

// checkLatency refuses a latency rather than ignore it: the harness
// delivers every stanza at once.
func (c Config) checkLatency() error {
	if c.MaxLatency != 0 {
		return fmt.Errorf("properties: MaxLatency %v: the property engine runs without latency", c.MaxLatency)
	}
	return nil
}

// profiles returns the model's profile and the demanded one, defaults
// applied (driver.Options.ProfileValue).
func (c Config) profiles() (prof, spec model.Profile) {
	prof = c.ProfileValue()
	spec = prof
	if c.Spec != nil {
		spec = *c.Spec
		for _, id := range c.Accept {
			if f := findingFields[id]; f != "" {
				acceptField(&spec, prof, f)
			}
		}
	}
	return prof, spec
}

func setFlags(vals map[string]string) func() {
	old := map[string]string{}
	for k, v := range vals {
		fl := flag.CommandLine.Lookup(k)
		if fl == nil {
			continue
		}
		old[k] = fl.Value.String()
		_ = fl.Value.Set(v)
	}
	return func() {
		for k, v := range old {
			_ = flag.CommandLine.Lookup(k).Value.Set(v)
		}
	}
}

// replay applies ops to a fresh harness and returns it with the index of
// the first failing step (-1 if none).
func replay(ops []Op, users int, prof, spec model.Profile, mutants []string, opt options) (*harness, int) {
	h := newHarness(users, prof, spec, mutants, 1)
	opt.apply(h)
	if err := h.attach(opt.server); err != nil {
		if driver.IsTransport(err) {
			h.transport = err
		}
		return h, -1
	}
	defer h.real.close()
	last := -1
	for i := 0; i < len(ops); {
		next, failed, _, applied := h.applyAt(ops, i)
		if failed >= 0 {
			return h, failed
		}
		if applied >= 0 {
			last = applied
		}
		i = next
	}
	if msg := h.finishReal(); msg != "" {
		return h, last
	}
	return h, -1
}

// traceText renders a harness's trace.
func traceText(h *harness) string {
	var b bytes.Buffer
	_ = sim.WriteTrace(&b, h.sim.Trace())
	return b.String()
}

// failuresDir is where scripts go by default.
func failuresDir(dir string) string {
	if dir != "" {
		return dir
	}
	if d := os.Getenv("SCANSIM_FAILURES"); d != "" {
		return d
	}
	return filepath.Join("testdata", "failures")
}

func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(s))
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

// applicable: op's precondition holds in h.
func applicable(h *harness, op Op) bool {
	switch op.Kind {
	case OpRestart:
		return true
	case OpConnect:
		return !h.connected(op.Slot)
	}
	return h.connected(op.Slot)
}

// replayAll applies every applicable op, ignoring violations (inv40 and
// golden runs).
func replayAll(ops []Op, users int, prof, spec model.Profile, mutants []string) *harness {
	h := newHarness(users, prof, spec, mutants, 1)
	h.noRef = true
	h.setOnly(map[string]bool{})
	for i := 0; i < len(ops); {
		i, _, _, _ = h.applyAt(ops, i)
	}
	return h
}

// failureKey classifies a violation so that minimisation keeps the same
// failure: the invariant's name, or the kind of reference mismatch.
func failureKey(msg string) string {
	if k := customKey(msg); k != "" {
		return k
	}
	if m := invName.FindString(msg); m != "" {
		return m
	}
	if i := strings.IndexAny(msg, ":\n"); i >= 0 {
		return msg[:i]
	}
	return msg
}

// minimize shortens a failing sequence further than rapid's shrinker
// (which works on its bit stream, within a time budget): it removes
// chunks of ops, then single ops, as long as the replay still fails with
// the same kind of failure (delta debugging); ops whose precondition no
// longer holds are skipped by the replay and dropped. Abrupt drops are
// turned into clean disconnects and restarts removed when the failure
// survives it, because a scansion script can express neither.
//
// A transport failure of the server during a replay ends the shrinking:
// it returns the error, and the caller reports no failure.
func minimize(ops []Op, users int, prof, spec model.Profile, mutants []string, opt options, key string) ([]Op, error) {
	var terr error
	fails := func(c []Op) ([]Op, bool) {
		if terr != nil {
			return nil, false // every further try is void: unwind
		}
		h, idx := replay(c, users, prof, spec, mutants, opt)
		if h.transport != nil {
			terr = h.transport
			return nil, false
		}
		if idx < 0 || failureKey(h.steps[len(h.steps)-1].fail) != key {
			return nil, false
		}
		applied := make([]Op, 0, len(h.steps))
		for _, st := range h.steps {
			applied = append(applied, st.op)
		}
		return applied, true
	}
	cur, ok := fails(ops)
	if !ok {
		return ops, terr
	}
	for n := len(cur) / 2; n >= 1; n /= 2 {
		for i := 0; i+n <= len(cur); {
			try := append(append([]Op(nil), cur[:i]...), cur[i+n:]...)
			if got, ok := fails(try); ok {
				cur = got
				continue
			}
			i++
		}
	}
	// merge sessions of one user: do X's actions on Y's session
	for changed := true; changed; {
		changed = false
		used := map[string]bool{}
		for _, op := range cur {
			if op.Slot != "" {
				used[op.Slot] = true
			}
		}
		slots := sortedSet(used)
	merge:
		for _, x := range slots {
			for _, y := range slots {
				if x == y || slotUser(x) != slotUser(y) {
					continue
				}
				try := make([]Op, len(cur))
				for i, op := range cur {
					if op.Slot == x {
						op.Slot = y
					}
					op.Stanza = strings.ReplaceAll(op.Stanza, "{full:"+x+"}", "{full:"+y+"}")
					try[i] = op
				}
				if got, ok := fails(try); ok && len(got) < len(cur) {
					cur, changed = got, true
					break merge
				}
			}
		}
	}
	for i := 0; i < len(cur); i++ {
		if cur[i].Kind != OpRestart {
			continue
		}
		// a restart as clean disconnects of every session then bound
		pre := replayAll(cur[:i], users, prof, spec, mutants)
		var discs []Op
		for _, sl := range pre.allSlots() {
			if pre.connected(sl) {
				discs = append(discs, Op{Name: "a2Disconnect", Kind: OpDisconnect, Slot: sl})
			}
		}
		try := append(append(append([]Op(nil), cur[:i]...), discs...), cur[i+1:]...)
		if got, ok := fails(try); ok {
			cur = got
		}
	}
	for i := range cur {
		if cur[i].Kind == OpDrop {
			try := append([]Op(nil), cur...)
			try[i].Kind = OpDisconnect
			if got, ok := fails(try); ok {
				cur = got
			}
		}
	}
	return cur, terr
}

// NewSeed draws a non-zero seed for an exploration whose user gave none.
// It is the one place a check's randomness is not a given seed, and it is
// reported (Report.Seed) so that the run can be repeated.
func NewSeed() uint64 {
	var b [8]byte
	for {
		if _, err := cryptorand.Read(b[:]); err != nil {
			panic("properties: no random source: " + err.Error())
		}
		if s := binary.LittleEndian.Uint64(b[:]) >> 1; s != 0 { // < 2^63: fits flags that parse int64 too
			return s
		}
	}
}

// countActions counts the rapid actions ops came from (Op.act).
func countActions(ops []Op) int {
	seen := map[int]bool{}
	n := 0
	for _, o := range ops {
		if o.act == 0 || !seen[o.act] {
			n++
		}
		seen[o.act] = true
	}
	return n
}
