package main

import (
	"fmt"
	"io"

	"github.com/scansim/scansim/conform"
	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/suite"
)

var conformCommand = &command{
	name:    "conform",
	summary: "a conformance report per XEP-0191 / RFC 6121 rule: scripts and a bounded property run, HTML and JUnit",
	help: `Usage: scansim conform [--server HOST:PORT] --profile NAME (--html FILE | --junit FILE) [flags] [PATH...]

Runs the scripts (files or directories of .scs) and a bounded property run
against one server and writes one report, arranged by specification rule:
XEP-0191 and RFC 6121 sections first, then the other standards and the
behaviour reference. A rule fails when one of its checks fails: an
invariant of the catalogue citing it (scansim check --list-invariants), or
a script whose "## spec:" tags (comma-separated citations), or else whose
title and description, cite it. Each failure is shown with the violation
and the shrunk script that reproduces it. This is what a server's CI runs.

With --server, each script must behave on the server as on the model of
--profile (scansim diff), and the property run is check --server's with
the scansion action set (every shrunk failure is a replayable script), in
up to --rounds rounds: a round that breaks invariants is followed by one
without them, so that one failure does not hide the next. Invariants that
judge what a server decides inside are reported as model-only. Without
--server everything runs on the model (with --mutant, a mutated one).

The report is deterministic for a seed (counts only, no times; the
shrinking is bounded by --shrink-time, which a slow machine can reach) and
each file is written atomically.

Against a server without insecure authentication, --password, --tls,
--ca and --insecure-skip-verify say how to log in, --no-prefix uses the
scripts' accounts as they are and --register creates fresh ones by
in-band registration (replay's flags); --max-stanza-bytes and --max-depth
bound what is accepted from the server.

Exit status: 0 every check passed, 1 a check failed, 2 usage, a bad script
or a transport failure (no report is written then).

Examples:
  scansim conform --profile prosody-0.12 --html conform.html --junit conform.xml scenarios/testdata
  .ci/prosody-start    # Debian's Prosody 0.12.3 on 127.0.0.1:25222
  scansim conform --server 127.0.0.1:25222 --profile prosody-0.12 --html prosody.html --junit prosody.xml scenarios/testdata
`,
	run: conformRun,
}

func conformRun(c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	var sf serverFlags
	sf.add(fs, "the server under test, HOST:PORT (default: the model alone)", "with --server: how long each wait on the server may take (default 5s)")
	var profile string
	profileFlag(fs, &profile, "the server's profile")
	html := fs.String("html", "", "write the HTML report to `FILE`")
	junit := fs.String("junit", "", "write the JUnit XML report to `FILE`")
	checks := fs.Int("checks", 100, "property sequences per round (0: no property run)")
	steps := fs.Int("steps", 30, "average actions per sequence")
	rounds := fs.Int("rounds", 3, "property rounds at most")
	seed := fs.Uint64("seed", 1, "rapid seed of the property run")
	shrink := fs.Duration("shrink-time", 0, "time limit for shrinking each failure (default 1m; the report is reproducible when shrinking ends before it)")
	var mutants listFlag
	fs.Var(&mutants, "mutant", "without --server: run a mutated model (scansim check --list-mutants)")
	paths, code, ok := parseFlags(c, fs, args, stdout, stderr)
	if !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "scansim conform:", err)
		return exitUsage
	}
	switch {
	case *html == "" && *junit == "":
		return fail(fmt.Errorf("needs --html FILE or --junit FILE (or both)"))
	case *checks < 0 || *steps <= 0 || *rounds <= 0:
		return fail(fmt.Errorf("--checks must not be negative, --steps and --rounds must be positive"))
	case *seed == 0:
		return fail(fmt.Errorf("--seed must not be 0 (the report must be reproducible)"))
	case sf.server != "" && len(mutants.vals) > 0:
		return fail(fmt.Errorf("--mutant applies to the model alone, not to --server"))
	}
	// Report files are checked before the run: a long run must not end in
	// "cannot write the report".
	for _, f := range []struct{ flag, path string }{{"--html", *html}, {"--junit", *junit}} {
		if f.path != "" {
			if err := scenarios.CheckWritable(f.path); err != nil {
				return fail(fmt.Errorf("%s: %v", f.flag, err))
			}
		}
	}
	opts, err := driver.NewOptions(profile, *seed, mutants.vals, 0)
	if err != nil {
		return fail(err)
	}
	cfg := conform.Config{Options: opts, ProfileName: profile, Checks: *checks, Steps: *steps, Rounds: *rounds,
		Timeout: sf.timeout, ShrinkTime: *shrink}
	if *checks == 0 {
		cfg.Checks = -1
	}
	srv, err := sf.driver()
	if err != nil {
		return fail(err)
	}
	if srv != nil {
		srv.Rounds = driver.BarrierRounds(opts.ProfileValue())
		cfg.Server = srv
		cfg.ServerName = sf.server
	}
	if len(paths) > 0 {
		if cfg.Scripts, err = suite.Collect(paths); err != nil {
			return fail(err)
		}
	}
	rep, err := conform.Run(cfg)
	if err != nil {
		return fail(err)
	}
	if *html != "" {
		if err := conform.WriteFile(*html, rep.WriteHTML); err != nil {
			return fail(err)
		}
	}
	if *junit != "" {
		if err := conform.WriteFile(*junit, rep.WriteJUnit); err != nil {
			return fail(err)
		}
	}
	if err := rep.WriteSummary(stdout); err != nil {
		return fail(err)
	}
	if rep.Failures() {
		return exitFailed
	}
	return exitOK
}
