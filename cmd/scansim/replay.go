package main

import (
	"fmt"
	"io"
	"os"

	"github.com/scansim/scansim/suite"
)

var replayCommand = &command{
	name:    "replay",
	summary: "replay .scs scripts (files or directories) against the server model",
	help: `Usage: scansim replay [flags] PATH...

Replays scansion scripts against the in-memory server. PATH is a .scs file
or a directory searched recursively for *.scs files (sorted).

Text output (the default): one line per script, PASS/FAIL/ERROR, the path
and the time; a failure shows the action's file:line, the path to the first
difference, the expected and received stanzas and a diff. The last line is
"N passed, M failed" (M counts failed and erroneous scripts). PASS is green
and FAIL/ERROR red when stdout is a terminal and NO_COLOR is not set.

JSON output (--format json): one object per script per line, nothing else:
  {"name","path","title","tags","result":"pass|fail|error|skip","time_ms",
   "error","failure":{"file","line","action","client","message","expected",
   "received","path","diff"},"discarded":[{"action","file","line","client",
   "stanza","seq"}],"leftover":[...]}

Tags (the "##" lines of a script) select scripts: a term matches a tag by
its whole "name: value" text or by its name alone ("status" matches
"## status: stable"). Lists are comma-separated, flags repeatable. A script
runs if it has a tag matching --only-tags (when given) and none matching
--skip-tags. Skipped scripts show with -v, in JSON and in JUnit.

Exit status: 0 all passed, 1 a script failed, 2 usage or script errors (a
missing path, a directory without scripts, a malformed script, an unknown
client or variable, an unknown profile or mutant) and, with --server, a
transport failure (the server unreachable, a login refused, a wait past
--timeout, a connection lost, a shutdown): the run stops there, since
nothing after it is the server's behaviour.

With --server (docs/real-server.md) each client logs in with its script's
password (--password for those without one), over --tls starttls or
direct when asked, with SCRAM-SHA-256, SCRAM-SHA-1 or PLAIN, whichever the
server offers first in that order; connect_host and connect_port are
honoured. Every run gets fresh accounts with a random prefix (a server
with insecure authentication creates them; --register creates them by
in-band registration); --no-prefix uses the script's accounts as they
are, created beforehand.

Examples:
  scansim replay scenarios/testdata/blocking.scs
  scansim replay --profile prosody-0.12 ../shared/scansion
  scansim replay -v --seed 7 --latency 20ms my.scs
  scansim replay --only-tags "status: stable" --skip-tags slow scenarios/testdata
  scansim replay --format json scenarios/testdata | jq -r 'select(.result!="pass").path'
  scansim replay -q --junit report.xml --fail-fast scenarios/testdata
  scansim replay --mutant no-unavailable-on-block scenarios/testdata/blocking.scs
  scansim replay --server 127.0.0.1:25222 --profile prosody-0.12 scenarios/testdata/blocking.scs
  scansim replay --server 127.0.0.1:5222 --tls starttls --ca cert.pem --no-prefix my.scs
`,
	run: replayCmd,
}

// replayOpts are replay's flags; runFlags holds those shared with trace.
type replayOpts struct {
	runFlags
	verbose  bool
	quiet    bool
	failFast bool
	format   string
	junit    string
	only     listFlag
	skip     listFlag
}

func replayCmd(c *command, args []string, stdout, stderr io.Writer) int {
	var o replayOpts
	fs := newFlags(c, stderr)
	o.runFlags.register(fs)
	fs.BoolVar(&o.verbose, "v", false, "verbose: print each script's trace, discarded stanzas and skipped scripts")
	fs.BoolVar(&o.quiet, "q", false, "quiet: print the summary line only (text format)")
	fs.BoolVar(&o.failFast, "fail-fast", false, "stop after the first script that fails or errs")
	fs.StringVar(&o.format, "format", "text", "output format: text or json (one object per script per line)")
	fs.StringVar(&o.junit, "junit", "", "also write a JUnit XML report to `FILE`")
	fs.Var(&o.only, "only-tags", "run only scripts with one of these `tags` (comma-separated, repeatable)")
	fs.Var(&o.skip, "skip-tags", "skip scripts with one of these `tags` (comma-separated, repeatable)")
	paths, code, ok := parseFlags(c, fs, args, stdout, stderr)
	if !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "scansim replay:", err)
		return exitUsage
	}
	if o.format != "text" && o.format != "json" {
		return fail(fmt.Errorf("unknown --format %q (text or json)", o.format))
	}
	if len(paths) == 0 {
		return fail(fmt.Errorf("no script or directory given (run \"scansim help replay\")"))
	}
	opts, _, err := o.options()
	if err != nil {
		return fail(err)
	}
	scripts, err := suite.Collect(paths)
	if err != nil {
		return fail(err)
	}
	filter := suite.TagFilter{Only: o.only.vals, Skip: o.skip.vals}
	text := &suite.Text{W: stdout, Color: useColor(stdout), Verbose: o.verbose, Quiet: o.quiet}

	var recs []*suite.Record
	passed, failed, errored := 0, 0, 0
	for _, path := range scripts {
		rec := suite.RunFile(path, filter, opts)
		recs = append(recs, rec)
		if o.format == "json" {
			if err := suite.WriteJSON(stdout, rec); err != nil {
				return fail(err)
			}
		} else {
			text.Record(rec)
		}
		if rec.Result != nil && rec.Result.Transport != nil {
			// Not the server's behaviour, and the next script would meet
			// the same broken server: stop here.
			fmt.Fprintf(stderr, "scansim replay: stopped after %d of %d scripts: %s\n", len(recs), len(scripts), oneLineMsg(rec.Result.Err.Error()))
			return exitUsage
		}
		switch rec.Outcome {
		case suite.Pass:
			passed++
		case suite.Fail:
			failed++
		case suite.Error:
			errored++
		}
		if o.failFast && (rec.Outcome == suite.Fail || rec.Outcome == suite.Error) {
			break
		}
	}
	if o.format == "text" {
		text.Summary(passed, failed+errored)
	}
	if o.junit != "" {
		if err := writeJUnit(o.junit, recs); err != nil {
			return fail(err)
		}
	}
	switch {
	case errored > 0:
		return exitUsage
	case failed > 0:
		return exitFailed
	}
	return exitOK
}

func writeJUnit(path string, recs []*suite.Record) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := suite.WriteJUnit(f, "scansim replay", recs); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
