package main

import (
	"fmt"
	"io"
	"strings"
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
			rep.Checks, rep.Actions, rate, rep.ServerStanzas, orderText(rep), o.seedText())
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

// orderText says how many concurrent actions the server read in another
// order than the one drawn, which the model then followed, and how many
// runs the server was compared on only in part ("" when neither): a
// summary must not claim more than was compared.
func orderText(rep properties.Report) string {
	var parts []string
	if n := rep.ServerFollowed; n > 0 {
		parts = append(parts, fmt.Sprintf("%d concurrent %s read by the server in another order than drawn, followed by the model", n, plural(n, "action", "actions")))
	}
	if n := rep.ServerCutShort; n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s compared only up to a concurrent action whose stanzas match orders that leave different states", n, plural(n, "run", "runs")))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ": docs/races.md)"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
