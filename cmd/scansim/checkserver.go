package main

import (
	"fmt"
	"io"
	"time"

	"github.com/scansim/scansim/cmd/scansim/internal/suite"
	"github.com/scansim/scansim/differential"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
)

// checkServer is "scansim check --server": a differential run of random
// sequences on the model and the real server (package differential).
func checkServer(o checkOpts, prof *model.Profile, stdout, stderr io.Writer) int {
	start := time.Now()
	progress := newProgress(stderr, o.verbose)
	users := o.users
	if users > 3 {
		users = 3
	}
	out := o.out
	if out == "" {
		out = "testdata/failures"
	}
	rep := differential.Run(differential.Config{
		Server:    &scenarios.ServerDriver{Addr: o.server, Timeout: o.timeout},
		Profile:   prof,
		Seed:      o.seed,
		Sequences: o.checks,
		Actions:   o.steps,
		Users:     users,
		Timeout:   o.timeout,
		OutDir:    out,
		Progress:  func(done, total int) { progress.update(done, total, 0, start) },
	})
	progress.done()
	rate := actionRate(rep.Actions, time.Since(start))
	d := rep.Divergence
	if d == nil {
		fmt.Fprintf(stdout, "ok: %d sequences, %d actions (%s), %d stanzas compared, no divergence from the model\n",
			rep.Sequences, rep.Actions, rate, rep.Stanzas)
		return exitOK
	}
	fmt.Fprintf(stdout, "DIVERGENCE in sequence %d (seed %d), shrunk from %d to %d actions:\n", d.Index, d.Seed, d.Original, d.Shrunk)
	fmt.Fprintln(stdout, suite.Indent(d.Detail))
	if d.Path != "" {
		fmt.Fprintf(stdout, "    script: %s\n", d.Path)
		fmt.Fprintf(stdout, "    reproduce: scansim diff --server %s --profile %s %s\n", o.server, o.profile, d.Path)
	} else {
		fmt.Fprintln(stdout, suite.Indent(d.Script))
	}
	fmt.Fprintf(stdout, "%d sequences, %d actions (%s), 1 divergence\n", rep.Sequences, rep.Actions, rate)
	return exitFailed
}
