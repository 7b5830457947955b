package main

import (
	"fmt"
	"io"
	"time"

	"github.com/scansim/scansim/properties"
	"github.com/scansim/scansim/suite"
)

// checkServer is "scansim check --server --engine scansion": the property
// engine with the scansion action set (cfg.ActionSet) on the model and
// the real server, reported as sequences and divergences.
func checkServer(o checkOpts, cfg properties.Config, stdout, stderr io.Writer) int {
	start := time.Now()
	progress := newProgress(stderr, o.verbose)
	total := properties.ShardLen(o.checks, cfg.Shard, cfg.Shards)
	cfg.Progress = func(done, actions int) { progress.update(done, total, actions, start) }
	rep := properties.Explore(cfg)
	progress.done()
	if rep.Err != nil {
		// the run never started: not a divergence
		fmt.Fprintln(stderr, "scansim check:", oneLineMsg(rep.Err.Error()))
		return exitUsage
	}
	rate := actionRate(rep.Actions, time.Since(start))
	f := rep.Failure
	if f == nil {
		fmt.Fprintf(stdout, "ok: %d sequences, %d actions (%s), %d stanzas compared, no divergence from the model%s; %s\n",
			rep.Checks, rep.Actions, rate, rep.ServerStanzas, cutShortText(rep.ServerCutShort), o.seedText())
		return exitOK
	}
	fmt.Fprintf(stdout, "DIVERGENCE in sequence %d (seed %d), shrunk from %d to %d actions:\n", f.FirstCheck-1, f.Seed, f.OriginalLen, f.ShrunkLen)
	fmt.Fprintln(stdout, suite.Indent(f.Message))
	if f.ScriptPath != "" {
		fmt.Fprintf(stdout, "    script: %s\n", f.ScriptPath)
		fmt.Fprintf(stdout, "    reproduce: scansim diff --server %s --profile %s %s\n", o.server, o.profile, f.ScriptPath)
	} else {
		fmt.Fprintln(stdout, suite.Indent(f.Script))
	}
	fmt.Fprintf(stdout, "%d sequences, %d actions (%s), 1 divergence; %s\n", rep.Checks, rep.Actions, rate, o.seedText())
	return exitFailed
}

// cutShortText says how many runs the server was compared on only in
// part ("" when none): a summary must not claim more than was compared.
func cutShortText(n int) string {
	if n == 0 {
		return ""
	}
	runs := "runs"
	if n == 1 {
		runs = "run"
	}
	return fmt.Sprintf(" (%d %s compared only up to a concurrent action the server read in an order the model cannot follow: docs/races.md)", n, runs)
}
