package main

import (
	"flag"
	"fmt"
	"io"
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

Prints one summary line, "ok: N checks, M actions, no violation", or the
violation: its message, the rapid seed that reproduces it, the shrunk
sequence and the script's path.

Exit status: 0 no violation, 1 a violation, 2 usage errors (and a --server
that cannot be reached or refuses a login).

Examples:
  scansim check
  scansim check --checks 500 --steps 50 --seed 42
  scansim check --mutant no-unavailable-on-block
  scansim check --no-faults
  scansim check --profile prosody-0.12 --spec prosody
  scansim check --list-mutants
  scansim check --list-invariants
  scansim check --server 127.0.0.1:25222 --profile prosody-0.12 --checks 200
  scansim check --server 127.0.0.1:25222 --profile prosody-0.12 --engine scansion --checks 1000

On a terminal a progress line (checks done, actions/s, elapsed time) is
redrawn in place on stderr; when stderr is not a terminal nothing is
printed until the summary (-v prints a plain progress line every 10 checks).

With --server, every sequence runs on the model (the oracle, with
--profile) and on the real server at HOST:PORT, on fresh accounts. After
each action the invariants are checked on the server's trace too, and what
each client received from the server is compared with what it received
from the model (masked: server ids, stamps, generated resources). Abrupt
drops are drawn (--no-faults turns them off); server restarts are not. The
first failure is shrunk against the server and written as a script that
the model passes and the server fails ("scansim replay --server" and
"scansim diff --server" reproduce it).

--engine scansion draws only what a scansion script can express (connects,
sends, clean disconnects; no drops), with the same shrinker, invariants and
comparison, and reports sequences and divergences. See docs/real-server.md.
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
	mutants     listFlag
	out         string
	shrinkTime  time.Duration
	verbose     bool
	listMutants bool
	listInvs    bool
	noFaults    bool
	server      string
	timeout     time.Duration
	engine      string
}

func checkCmd(c *command, args []string, stdout, stderr io.Writer) int {
	var o checkOpts
	fs := newFlags(c, stderr)
	fs.Uint64Var(&o.seed, "seed", 0, "rapid seed (0: a random one; a failure prints the seed that reproduces it)")
	fs.IntVar(&o.checks, "checks", 100, "number of random operation sequences")
	fs.IntVar(&o.steps, "steps", 30, "average number of operations per sequence")
	fs.IntVar(&o.users, "users", 0, "number of accounts, 2 to 4 (0: drawn per sequence)")
	profileFlag(fs, &o.profile, "server profile the model runs")
	fs.StringVar(&o.spec, "spec", "", "profile the checks demand (default: --profile)")
	fs.Var(&o.mutants, "mutant", "switch on a model mutant by name (repeatable or comma-separated)")
	fs.StringVar(&o.out, "out", "", "directory for the failing script (default testdata/failures or $SCANSIM_FAILURES)")
	fs.DurationVar(&o.shrinkTime, "shrink-time", 0, "time limit for rapid's shrinking of a failure (default 10s, 1m with --server, where every try runs on the server)")
	fs.BoolVar(&o.verbose, "v", false, "print progress to stderr and the failing run's trace")
	fs.BoolVar(&o.noFaults, "no-faults", false, "draw no faults (abrupt drops, server restarts)")
	fs.StringVar(&o.server, "server", "", "run the sequences on a real server at HOST:PORT too, with the model (--profile) as the oracle")
	fs.StringVar(&o.engine, "engine", "properties", "with --server: properties (every action, drops included) or scansion (only what a scansion script can express: no drops)")
	fs.DurationVar(&o.timeout, "timeout", 0, "with --server: how long each wait on the server may take (default 5s)")
	fs.BoolVar(&o.listMutants, "list-mutants", false, "print the known mutant names and exit")
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
	}
	if o.checks <= 0 || o.steps <= 0 {
		return fail(fmt.Errorf("--checks and --steps must be positive"))
	}
	if o.users != 0 && (o.users < 2 || o.users > 4) {
		return fail(fmt.Errorf("--users must be 2, 3 or 4 (or 0), got %d", o.users))
	}
	sim, err := driver.NewOptions(o.profile, o.seed, o.mutants.vals, 0)
	if err != nil {
		return fail(err)
	}
	if o.shrinkTime <= 0 {
		o.shrinkTime = 10 * time.Second
		if o.server != "" {
			o.shrinkTime = time.Minute
		}
	}
	cfg := properties.Config{
		Options: sim, Checks: o.checks, Steps: o.steps, Users: o.users,
		OutDir: o.out, ShrinkTime: o.shrinkTime,
		NoFaults: o.noFaults,
	}
	if o.spec != "" {
		spec, err := model.ProfileByName(o.spec)
		if err != nil {
			return fail(err)
		}
		cfg.Spec = &spec
	}
	if o.server != "" {
		if err := driver.CheckAddr(o.server); err != nil {
			return fail(err)
		}
		if len(o.mutants.vals) > 0 {
			return fail(fmt.Errorf("--mutant applies to the model alone, not to --server"))
		}
		cfg.Server = &driver.ServerDriver{Addr: o.server, Timeout: o.timeout, Rounds: driver.BarrierRounds(sim.ProfileValue())}
		switch o.engine {
		case "scansion":
			cfg.ActionSet = properties.ScansionActions
			return checkServer(o, cfg, stdout, stderr)
		case "properties":
		default:
			return fail(fmt.Errorf("--engine must be properties or scansion, got %q", o.engine))
		}
	} else if o.engine != "properties" {
		return fail(fmt.Errorf("--engine applies only with --server"))
	}
	start := time.Now()
	progress := newProgress(stderr, o.verbose)
	cfg.Progress = func(done, actions int) { progress.update(done, o.checks, actions, start) }
	// rapid asks testing.Short, which panics unless flag.CommandLine has
	// been parsed; scansim parses its own flag sets, so mark it parsed.
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse(nil)
	}
	rep := properties.Explore(cfg)
	progress.done()
	if rep.Err != nil {
		// the run never started: not a violation
		fmt.Fprintln(stderr, "scansim check:", rep.Err)
		return exitUsage
	}
	rate := actionRate(rep.Actions, time.Since(start))
	f := rep.Failure
	if f == nil {
		if o.server != "" {
			known := ""
			if rep.ServerKnownBugs > 0 {
				steps := "steps"
				if rep.ServerKnownBugs == 1 {
					steps = "step"
				}
				known = fmt.Sprintf(" (%d %s showed the known 0.12.3 bug D6, allowed by the profile)", rep.ServerKnownBugs, steps)
			}
			fmt.Fprintf(stdout, "ok: %d checks, %d actions (%s), %d server stanzas compared, no violation and no divergence from the model%s\n",
				rep.Checks, rep.Actions, rate, rep.ServerStanzas, known)
			return exitOK
		}
		fmt.Fprintf(stdout, "ok: %d checks, %d actions (%s), no violation\n", rep.Checks, rep.Actions, rate)
		return exitOK
	}
	msg := strings.Split(strings.TrimRight(f.Message, "\n"), "\n")
	fmt.Fprintf(stdout, "FAIL: %s\n", msg[0])
	for _, l := range msg[1:] {
		fmt.Fprintf(stdout, "    %s\n", l)
	}
	fmt.Fprintf(stdout, "    rapid seed %d (reproduce: --seed %d), first failing check %d, shrunk to %d actions:\n",
		f.Seed, f.Seed, f.FirstCheck, f.ShrunkLen)
	for i, op := range f.Ops {
		fmt.Fprintf(stdout, "    %3d  %s\n", i+1, op)
	}
	if f.ScriptPath != "" {
		fmt.Fprintf(stdout, "    script: %s\n", f.ScriptPath)
		// A difference that only an extra stanza shows needs strict mode:
		// scansion's default mode discards stanzas nobody waited for.
		flags := mutantFlags(o.mutants.vals)
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
	fmt.Fprintf(stdout, "%d checks, %d actions (%s), 1 violation\n", rep.Checks, rep.Actions, rate)
	return exitFailed
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
