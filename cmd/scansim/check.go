package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/properties"
	"github.com/scansim/scansim/suite"
)

// checkCommand wires the property engine (properties.Explore): random
// operation sequences run on the model and checked against the invariants
// after every step; the first violation is shrunk and written as a
// replayable .scs script.
var checkCommand = &command{
	name:    "check",
	summary: "property-test the server model with random operation sequences",
	help: `Usage: scansim check [flags]

Explores the server model with random operation sequences (connects,
disconnects, drops, stanzas between a few accounts) and checks the
invariants after every step, comparing the model with a reference of the
behaviour document. The first violation is shrunk to a short sequence and
written as a .scs script that "scansim replay" and "scansim trace" take.

Prints one summary line, "ok: N checks, M actions (rate), no violation;
seed S", or the violation: its message, the seed (--seed S repeats the
run), the shrunk sequence and the script's path. Shrinking runs are not
counted as checks. Ctrl-C prints the partial summary and the seed.

Exit status: 0 no violation, 1 a violation (or coverage below
--min-coverage), 2 usage errors and, with --server, a transport failure
(the server unreachable, a login refused, a wait past --timeout, a
connection lost, a shutdown), before or during the sequences or the
shrinking: the run stops with one line saying why and writes no script,
since nothing after it is the server's behaviour.

Examples:
  scansim check
  scansim check --checks 500 --steps 50 --seed 42
  scansim check --mutant no-unavailable-on-block
  scansim check --no-faults
  scansim check --profile prosody-0.12 --spec prosody
  scansim check --profile prosody-0.12 --spec xep
  scansim check --profile prosody-0.12 --spec xep --no-reference --invariant inv22
  scansim check --profile prosody-0.12 --spec xep --no-reference --invariant inv30 --accept F1
  scansim check --checks 1000 --coverage
  scansim check --checks 1000 --min-coverage 95
  scansim check --list-mutants
  scansim check --list-profiles
  scansim check --list-invariants
  scansim check --server 127.0.0.1:25222 --profile prosody-0.12 --checks 200
  scansim check --server 127.0.0.1:25222 --profile prosody-0.12 --engine scansion --checks 1000

On a terminal a progress line (checks done, actions/s, elapsed time; then
the shrinking phase) is redrawn in place on stderr, cut to the terminal's
width; when stderr is not a terminal nothing is printed until the summary
(-v prints a plain progress line every 10 checks and one when shrinking
starts).

Spreading a run: check k of a run (0-based) draws its sequence from its
own seed, --seed S plus k(k+1)/2 (the sequence rapid would give it), so
--workers N runs the same checks N at a time, reports the same failure
(the lowest failing check, numbered in the run) and differs only in speed.
--shard i/n runs only the checks k with k % n == i-1: the n shards of one
--seed and --checks (on other cores or CI machines) run exactly the run's
checks between them, and the lowest "first failing check" over the shards
is the unsharded run's. A failure names its check's own seed: --seed that
--checks 1 runs it alone.
  scansim check --seed 42 --checks 4000 --shard 1/4     # on machine 1 of 4
  scansim check --seed 42 --checks 4000 --workers 2     # both cores

With --server, every sequence runs on the model (the oracle, with
--profile) and on the real server at HOST:PORT, on fresh accounts. After
each action the invariants are checked on the server's trace too, and what
each client received from the server is compared with what it received
from the model (masked: server ids, stamps, generated resources). Abrupt
drops are drawn (--no-faults turns them off); server restarts are not. The
first failure is shrunk against the server and written as a script that
the model passes and the server fails ("scansim replay --server" and
"scansim diff --server" reproduce it).

Against a server without insecure authentication, --register creates each
sequence's fresh accounts by in-band registration (XEP-0077); --password,
--tls, --ca and --insecure-skip-verify say how to log in (replay's flags).

--engine scansion draws only what a scansion script can express (connects,
sends, clean disconnects; no drops), with the same shrinker, invariants and
comparison, and reports sequences and divergences. See docs/real-server.md.

--server with --spec xep searches on the model and confirms on the server:
the model (--profile, which carries the profile's departures from the
specification) runs the checks alone; each failure, shrunk, is replayed on
the server with its failing step, and is reported as found only when the
server's own trace of that step breaks the same invariant and the server's
state after it (every user's roster and blocklist) is the model's. One the
server does not confirm is printed with why, refuted (the server's own
trace of the failing step breaks no invariant) or inconclusive (the step
never reached the server, or the server differed before it), and the
search goes on with the next check (at most 20 confirmations). The summary
gives the checks to find it (model checks) and the confirmations made.
Exit 1: a failure confirmed, or one refuted (the model departs where the
server does not); exit 2: only inconclusive ones (no verdict on the
server), as for a transport failure. Only the confirmed failure's script
is written to --out. Only the shrunk failing
sequences run on the server: --server without --spec xep is the search for
differences between the model and the server. See docs/spec-mode.md.
  scansim check --server 127.0.0.1:25222 --profile prosody-0.12 --spec xep --no-reference --invariant inv22 --checks 20000
`,
	run: checkCmd,
}

type checkOpts struct {
	seed        uint64
	checks      int
	steps       int
	users       int
	profile     string
	spec        string
	invariants  listFlag
	accept      listFlag
	coverage    bool
	minCoverage float64
	noRef       bool
	mutants     listFlag
	out         string
	shrinkTime  time.Duration
	verbose     bool
	listMutants bool
	listProfs   bool
	listInvs    bool
	noFaults    bool
	noRooms     bool
	workers     int
	shard       string
	serverFlags
	engine string
}

func checkCmd(c *command, args []string, stdout, stderr io.Writer) int {
	var o checkOpts
	fs := newFlags(c, stderr)
	fs.Uint64Var(&o.seed, "seed", 0, "rapid seed (0: draw one); every summary prints the seed, and --seed with it repeats the run")
	fs.IntVar(&o.checks, "checks", 100, "number of random operation sequences")
	fs.IntVar(&o.steps, "steps", 30, "average number of operations per sequence")
	fs.IntVar(&o.users, "users", 0, "number of accounts, 2 to 4 (0: drawn per sequence)")
	profileFlag(fs, &o.profile, "server profile the model runs")
	fs.StringVar(&o.spec, "spec", "", "profile the checks demand (default: --profile), or xep: XEP-0191's and RFC 6121's values everywhere, no relaxation of --profile's")
	fs.Var(&o.invariants, "invariant", "check only these invariants, by ID or name (repeatable or comma-separated; list: --list-invariants)")
	fs.Var(&o.accept, "accept", "findings of docs/findings.md to keep relaxed under --spec (P1–P4, F1–F4, F7, D6, D7, D9; repeatable or comma-separated)")
	fs.BoolVar(&o.coverage, "coverage", false, "print the spec coverage of the run: XEP-0191's requirements, RFC 6121 App. A's cells, the model's rules (hits, by which action; unreachable ones with the reason)")
	fs.Float64Var(&o.minCoverage, "min-coverage", 0, "fail the run (exit 1) when it covers less than this percentage of the reachable points (implies counting; the table is printed with --coverage)")
	fs.BoolVar(&o.noRef, "no-reference", false, "skip the comparison with the reference: only the invariants judge")
	fs.Var(&o.mutants, "mutant", "switch on a model mutant by name (repeatable or comma-separated)")
	fs.StringVar(&o.out, "out", "", "directory for the failing script (default testdata/failures or $SCANSIM_FAILURES)")
	fs.DurationVar(&o.shrinkTime, "shrink-time", 0, "time limit for rapid's shrinking of a failure (default 10s; 1m with --server, where every try runs on the server, except with --spec xep, where the shrinking runs on the model)")
	fs.BoolVar(&o.verbose, "v", false, "print progress to stderr and the failing run's trace")
	fs.BoolVar(&o.noFaults, "no-faults", false, "draw no faults (abrupt drops, server restarts)")
	fs.BoolVar(&o.noRooms, "no-rooms", false, "draw no MUC room actions (for a server without the profile's conference service)")
	o.serverFlags.add(fs, "run the sequences on a real server at HOST:PORT too, with the model (--profile) as the oracle",
		"with --server: the deadline of each wait on the server (default 5s)")
	fs.StringVar(&o.engine, "engine", "properties", "properties (every action, drops included); with --server, scansion (only what a scansion script can express: no drops); races (pipelined bursts and concurrent actions, and what sets them up; docs/races.md)")
	fs.IntVar(&o.workers, "workers", 1, "run N checks at once (the same checks, failure and numbering as one worker; with --server fresh accounts per sequence as always)")
	fs.StringVar(&o.shard, "shard", "", "run only shard i of n of the run's checks, `i/n` (check k when k % n == i-1): the n shards of one --seed and --checks run exactly its checks")
	fs.BoolVar(&o.listMutants, "list-mutants", false, "print the known mutant names and exit")
	fs.BoolVar(&o.listProfs, "list-profiles", false, "print the known profiles (which is the default, what each models) and exit")
	fs.BoolVar(&o.listInvs, "list-invariants", false, "print the invariants checked and exit")
	pos, code, ok := parseFlags(c, fs, args, stdout, stderr)
	if !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "scansim check:", err)
		return exitUsage
	}
	if len(pos) > 0 {
		return fail(fmt.Errorf("takes no arguments, got %q", pos[0]))
	}
	switch {
	case o.listMutants:
		_ = properties.WriteMutantList(stdout)
		return exitOK
	case o.listInvs:
		_ = properties.WriteInvariantList(stdout)
		return exitOK
	case o.listProfs:
		_ = driver.WriteProfileList(stdout)
		return exitOK
	}
	if o.checks <= 0 || o.steps <= 0 {
		return fail(fmt.Errorf("--checks and --steps must be positive"))
	}
	if o.workers < 1 || o.workers > 64 {
		return fail(fmt.Errorf("--workers must be 1 to 64, got %d", o.workers))
	}
	var shard, shards int
	if o.shard != "" {
		var err error
		if shard, shards, err = properties.ParseShard(o.shard); err != nil {
			return fail(err)
		}
	}
	if o.users != 0 && (o.users < 2 || o.users > 4) {
		return fail(fmt.Errorf("--users must be 2, 3 or 4 (or 0), got %d", o.users))
	}
	if o.out != "" {
		// Refuse a file where a directory is wanted before running, not
		// after a long exploration found something to write.
		if info, err := os.Stat(o.out); err == nil && !info.IsDir() {
			return fail(fmt.Errorf("--out %s: not a directory", o.out))
		}
	}
	if o.seed == 0 {
		// Drawn here, not inside the exploration, so that an interrupted
		// run can say it too.
		o.seed = properties.NewSeed()
	}
	sim, err := driver.NewOptions(o.profile, o.seed, o.mutants.vals, 0)
	if err != nil {
		return fail(err)
	}
	if o.shrinkTime <= 0 {
		o.shrinkTime = 10 * time.Second
		if o.server != "" && o.spec != properties.SpecXEP {
			// (with --spec xep the shrinking runs on the model:
			// checkConfirmed)
			o.shrinkTime = time.Minute
		}
	}
	cfg := properties.Config{
		Options: sim, Checks: o.checks, Steps: o.steps, Users: o.users,
		OutDir: o.out, ShrinkTime: o.shrinkTime,
		NoFaults: o.noFaults, NoRooms: o.noRooms, Workers: o.workers,
		Shard: shard, Shards: shards,
	}
	switch o.spec {
	case "":
	case properties.SpecXEP:
		properties.DemandXEP(&cfg)
	default:
		spec, err := model.ProfileByName(o.spec)
		if err != nil {
			return fail(err)
		}
		cfg.Spec = &spec
	}
	if len(o.invariants.vals) > 0 {
		if err := properties.CheckInvariantNames(o.invariants.vals); err != nil {
			return fail(err)
		}
		cfg.Invariants = o.invariants.vals
	}
	if len(o.accept.vals) > 0 {
		if err := properties.CheckAccept(o.accept.vals); err != nil {
			return fail(err)
		}
		cfg.Accept = o.accept.vals
	}
	cfg.NoReference = o.noRef
	if o.minCoverage < 0 || o.minCoverage > 100 {
		return fail(fmt.Errorf("--min-coverage must be a percentage, 0 to 100, got %g", o.minCoverage))
	}
	cfg.Coverage = o.coverage || o.minCoverage > 0
	srv, err := o.serverFlags.driver()
	if err != nil {
		return fail(err)
	}
	if srv != nil {
		if len(o.mutants.vals) > 0 {
			return fail(fmt.Errorf("--mutant applies to the model alone, not to --server"))
		}
		if srv.NoPrefix {
			return fail(fmt.Errorf("--no-prefix: every sequence needs fresh accounts (the model starts empty); use --register on a server without insecure authentication"))
		}
		cfg.Server = srv
		cfg.Options.ForServer(srv)
		srv.Rounds = driver.BarrierRounds(sim.ProfileValue())
		switch o.engine {
		case "scansion":
			cfg.ActionSet = properties.ScansionActions
			return checkServer(o, cfg, stdout, stderr)
		case "races":
			cfg.ActionSet = properties.RaceActions
		case "properties":
			if o.spec == properties.SpecXEP {
				return checkConfirmed(o, cfg, stdout, stderr)
			}
		default:
			return fail(fmt.Errorf("--engine must be properties, scansion or races, got %q", o.engine))
		}
	} else if o.engine == "races" {
		cfg.ActionSet = properties.RaceActions
	} else if o.engine != "properties" {
		return fail(fmt.Errorf("--engine scansion applies only with --server"))
	}
	progress, start, stop := startCheck(o, &cfg, stdout, stderr)
	defer stop()
	rep := properties.Explore(cfg)
	progress.done()
	if rep.Err != nil {
		// the run never started: not a violation
		fmt.Fprintln(stderr, "scansim check:", oneLineMsg(rep.Err.Error()))
		return exitUsage
	}
	rate := actionRate(rep.Actions, time.Since(start))
	f := rep.Failure
	if o.coverage && rep.Coverage != nil {
		_ = rep.Coverage.Write(stdout)
	}
	if f == nil && rep.Coverage != nil && rep.Coverage.Percent() < o.minCoverage {
		n, h := rep.Coverage.Reachable()
		fmt.Fprintf(stdout, "FAIL: coverage %.1f%% (%d of %d reachable points) is below --min-coverage %g%%\n", rep.Coverage.Percent(), h, n, o.minCoverage)
		fmt.Fprintf(stdout, "%d checks, %d actions (%s), no violation\n", rep.Checks, rep.Actions, rate)
		return exitFailed
	}
	if f == nil {
		if o.server != "" {
			known := ""
			if rep.ServerKnownBugs > 0 {
				steps := "steps"
				if rep.ServerKnownBugs == 1 {
					steps = "step"
				}
				known = fmt.Sprintf(" (%d %s showed the known Prosody bug D6, allowed by the profile)", rep.ServerKnownBugs, steps)
			}
			fmt.Fprintf(stdout, "ok: %d checks, %d actions (%s), %d server stanzas compared, no violation and no divergence from the model%s%s; %s\n",
				rep.Checks, rep.Actions, rate, rep.ServerStanzas, known, orderText(rep), o.seedText())
			return exitOK
		}
		fmt.Fprintf(stdout, "ok: %d checks, %d actions (%s), no violation; %s\n", rep.Checks, rep.Actions, rate, o.seedText())
		return exitOK
	}
	printFail(stdout, "FAIL: ", f.Message)
	starts := o.startsWith(f.Seed)
	fmt.Fprintf(stdout, "    %s (%s repeats the run), first failing check %d%s, shrunk from %d to %d actions:\n",
		o.seedText(), o.repeatFlags(), f.FirstCheck, starts, f.OriginalLen, f.ShrunkLen)
	for i, op := range f.Ops {
		fmt.Fprintf(stdout, "    %3d  %s\n", i+1, op)
	}
	if f.ScriptPath != "" {
		fmt.Fprintf(stdout, "    script: %s\n", f.ScriptPath)
		// A difference that only an extra stanza shows needs strict mode:
		// scansion's default mode discards stanzas nobody waited for.
		flags := mutantFlags(o.mutants.vals)
		if p := sim.ProfileValue(); p.Name != model.DefaultProfileName {
			// the script passes or fails under the profile it was found
			// with; the default model would tell something else
			flags = " --profile " + p.Name + flags
		}
		if f.ReplayStrict {
			flags = " --strict" + flags
		}
		if o.server != "" {
			// the model passes the script; the server is what fails it
			fmt.Fprintf(stdout, "    replay: scansim replay --server %s%s %s\n", o.server, flags, f.ScriptPath)
			fmt.Fprintf(stdout, "    diff:   scansim diff --server %s --profile %s %s\n", o.server, o.profile, f.ScriptPath)
		} else {
			fmt.Fprintf(stdout, "    replay: scansim replay%s %s\n", flags, f.ScriptPath)
		}
		fmt.Fprintf(stdout, "    draw:   scansim trace%s %s -o failure.html\n", flags, f.ScriptPath)
	}
	if f.WriteErr != nil {
		// The script is the run's one artefact: not writing it is an
		// error, whatever the violation.
		fmt.Fprintf(stdout, "%s, 1 violation; %s\n", checkTotals(rep, rate), o.seedText())
		fmt.Fprintln(stderr, "scansim check: the failing script could not be written:", f.WriteErr)
		return exitUsage
	}
	if f.ReplayNote != "" {
		fmt.Fprintf(stdout, "    %s\n", oneLineMsg(f.ReplayNote))
	}
	if o.verbose && f.Trace != "" {
		fmt.Fprintln(stdout, "    trace of the shrunk run (model):")
		fmt.Fprintln(stdout, suite.Indent(f.Trace))
	}
	if o.verbose && f.ServerTrace != "" {
		fmt.Fprintln(stdout, "    the server's trace of the shrunk run (prefix removed, resources as on the model):")
		fmt.Fprintln(stdout, suite.Indent(f.ServerTrace))
	}
	fmt.Fprintf(stdout, "%s, 1 violation; %s\n", checkTotals(rep, rate), o.seedText())
	return exitFailed
}

// seedText names the run for its summary: "seed S", and the shard.
// printFail writes a failure's message: its first line after prefix,
// the others indented under it.
func printFail(w io.Writer, prefix, message string) {
	msg := strings.Split(strings.TrimRight(message, "\n"), "\n")
	fmt.Fprintf(w, "%s%s\n", prefix, msg[0])
	for _, l := range msg[1:] {
		fmt.Fprintf(w, "    %s\n", l)
	}
}

// startsWith is the note that the failing check's own rapid seed
// reaches it at the first check ("" when that is the run's seed: --seed
// N repeats the whole run).
func (o checkOpts) startsWith(seed uint64) string {
	if seed == o.seed {
		return ""
	}
	return fmt.Sprintf(" (--seed %d starts with it)", seed)
}

func (o checkOpts) seedText() string {
	if o.shard != "" {
		return fmt.Sprintf("seed %d, shard %s", o.seed, o.shard)
	}
	return fmt.Sprintf("seed %d", o.seed)
}

// repeatFlags are the flags that repeat the run (with its --checks).
func (o checkOpts) repeatFlags() string {
	if o.shard != "" {
		return fmt.Sprintf("--seed %d --shard %s", o.seed, o.shard)
	}
	return fmt.Sprintf("--seed %d", o.seed)
}

// checkTotals is "N checks, M actions (rate)", with the runs spent
// shrinking when there were any: they are not checks.
func checkTotals(rep properties.Report, rate string) string {
	checks := "checks"
	if rep.Checks == 1 {
		checks = "check"
	}
	s := fmt.Sprintf("%d %s, %d actions (%s)", rep.Checks, checks, rep.Actions, rate)
	if rep.ShrinkRuns > 0 {
		s += fmt.Sprintf(", %d runs shrinking", rep.ShrinkRuns)
	}
	return s
}

func mutantFlags(ms []string) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(" --mutant " + m)
	}
	return b.String()
}

func oneLineMsg(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", " / ")
}
