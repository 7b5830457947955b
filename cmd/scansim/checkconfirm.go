package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/scansim/scansim/properties"
	"github.com/scansim/scansim/suite"
)

// checkConfirmed is `scansim check --server ADDR --spec xep`: the search
// on the model with each failure confirmed on the server
// (properties.SearchOnServer). It prints each confirmation as it is
// made, then the confirmed failure (exit 1) or the summary.
func checkConfirmed(o checkOpts, cfg properties.Config, stdout, stderr io.Writer) int {
	if cfg.Coverage {
		// the search runs in rounds, each cut at a failure: no one
		// run's coverage to report
		fmt.Fprintln(stderr, "scansim check: --coverage and --min-coverage do not apply to --server with --spec xep (the search on the model stops at each failure to confirm it)")
		return exitUsage
	}
	progress, start, stop := startCheck(o, &cfg, stdout, stderr)
	defer stop()
	s := properties.SearchOnServer(cfg, properties.ConfirmOptions{OnConfirm: func(c properties.Confirmation) {
		progress.done()
		f := c.Failure
		verdict := "inconclusive: "
		switch {
		case c.Confirmed:
			verdict = "confirmed on the server's trace: "
		case c.Refuted:
			verdict = "refuted: "
		}
		fmt.Fprintf(stdout, "model: check %d, shrunk to %d actions: %s\n    server: %s%s\n",
			f.FirstCheck, f.ShrunkLen, firstLine(f.Message), verdict, firstLine(c.Server))
	}})
	progress.done()
	if s.Err != nil {
		fmt.Fprintln(stderr, "scansim check:", oneLineMsg(s.Err.Error()))
		return exitUsage
	}
	rate := actionRate(s.Actions, time.Since(start))
	confirms := fmt.Sprintf("%d server confirmations", len(s.Confirmations))
	if len(s.Confirmations) == 1 {
		confirms = "1 server confirmation"
	}
	if s.Found == nil {
		if len(s.Confirmations) == 0 {
			fmt.Fprintf(stdout, "ok: %d checks on the model, %d actions (%s), no violation; nothing to confirm on the server; %s\n", s.Checks, s.Actions, rate, o.seedText())
			return exitOK
		}
		refuted := s.Refuted()
		inconclusive := len(s.Confirmations) - refuted
		capped := ""
		if len(s.Confirmations) >= properties.MaxConfirmations && s.Checks < o.checks {
			capped = fmt.Sprintf(" (the search stops at %d confirmations)", properties.MaxConfirmations)
		}
		summary := fmt.Sprintf("%d checks on the model, %d actions (%s), %s%s; %s\n", s.Checks, s.Actions, rate, confirms, capped, o.seedText())
		if refuted == 0 {
			// nothing shown of what the server does at a failing step
			// (a restart, no recurrence, a difference before the step,
			// the cap): no verdict on the server, as after a transport
			// failure
			fmt.Fprintf(stdout, "inconclusive: none of the model's %d failures (above) could be confirmed or refuted on the server; nothing is shown of what the server does at the failing steps\n", inconclusive)
			fmt.Fprint(stdout, summary)
			return exitUsage
		}
		// the server ran the failing step and its trace breaks no
		// invariant: the model departs where the server does not, the
		// model is not the server's
		fmt.Fprintf(stdout, "FAIL: the server refuted %d of the model's %d failures (above; its own trace of the failing step breaks no invariant, %d inconclusive): where the model departs from the specification the server does not\n", refuted, len(s.Confirmations), inconclusive)
		fmt.Fprint(stdout, summary)
		return exitFailed
	}
	f := s.Failure
	printFail(stdout, "FAIL: on the server: ", s.Found.Server)
	starts := o.startsWith(f.Seed)
	fmt.Fprintf(stdout, "    found on the model at check %d%s, confirmed on the server by its own trace of the failing step (%s); %s (%s repeats the run); shrunk from %d to %d actions:\n",
		f.FirstCheck, starts, confirms, o.seedText(), o.repeatFlags(), f.OriginalLen, f.ShrunkLen)
	for i, op := range f.Ops {
		fmt.Fprintf(stdout, "    %3d  %s\n", i+1, op)
	}
	if f.ScriptPath != "" {
		// the script expects, at the failing step, what the reference
		// predicts under the demanded profile
		strict := ""
		if f.ReplayStrict {
			strict = " --strict"
		}
		if o.profile != "" {
			// the replay's model is the search's: under another
			// profile the script would be judged by other expectations
			strict += " --profile " + o.profile
		}
		fmt.Fprintf(stdout, "    script: %s (at the failing step, what the specification's reference predicts)\n", f.ScriptPath)
		if s.Found.ScriptServerFails {
			fmt.Fprintf(stdout, "    replay: scansim replay%s --server %s %s   # fails: %s\n", strict, o.server, f.ScriptPath, oneLineMsg(s.Found.ScriptNote))
		} else {
			fmt.Fprintf(stdout, "    replay: scansim replay%s --server %s %s   # %s\n", strict, o.server, f.ScriptPath, oneLineMsg(s.Found.ScriptNote))
		}
		fmt.Fprintf(stdout, "    draw:   scansim trace --profile %s %s -o failure.html\n", o.profile, f.ScriptPath)
	}
	if f.WriteErr != nil {
		fmt.Fprintf(stdout, "%d checks to find on the model, %s, 1 violation; %s\n", s.Checks, confirms, o.seedText())
		fmt.Fprintln(stderr, "scansim check: the failing script could not be written:", f.WriteErr)
		return exitUsage
	}
	if o.verbose {
		fmt.Fprintln(stdout, "    the server's trace of the confirmation (prefix removed, resources as on the model):")
		fmt.Fprintln(stdout, suite.Indent(s.Found.ServerTrace))
	}
	fmt.Fprintf(stdout, "%d checks to find on the model, %d actions (%s), %s, 1 violation; %s\n", s.Checks, s.Actions, rate, confirms, o.seedText())
	return exitFailed
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }
