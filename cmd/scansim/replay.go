package main

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/scansim/scansim/scenarios"

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
	list     bool
	format   string
	junit    string
	json     string
	names    string
	parallel int
	only     listFlag
	skip     listFlag
}

func replayCmd(c *command, args []string, stdout, stderr io.Writer) int {
	var o replayOpts
	fs := newFlags(c, stderr)
	o.runFlags.register(fs)
	fs.BoolVar(&o.verbose, "v", false, "verbose: print each script's trace, discarded stanzas and skipped scripts")
	fs.BoolVar(&o.quiet, "q", false, "quiet: name failing scripts and print the summary line only (text format)")
	fs.BoolVar(&o.failFast, "fail-fast", false, "stop after the first script that fails or errs")
	fs.BoolVar(&o.list, "list", false, "list the selected scripts and their tags; run nothing")
	fs.StringVar(&o.format, "format", "text", "output format: text or json (one object per script per line)")
	fs.StringVar(&o.junit, "junit", "", "also write a JUnit XML report to `FILE`")
	fs.StringVar(&o.json, "json", "", "also write the JSON lines to `FILE`")
	fs.StringVar(&o.names, "run", "", "run only scripts whose name (file name without .scs) matches `REGEXP`")
	fs.IntVar(&o.parallel, "p", 1, "run `N` scripts at once (output keeps the order of the paths)")
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
	if o.parallel < 1 {
		return fail(fmt.Errorf("-p must be at least 1, got %d", o.parallel))
	}
	if o.parallel > 1 && o.server != "" {
		// Scripts on one real server share its accounts and its load:
		// results could differ from a sequential run for reasons that are
		// not the server's behaviour.
		return fail(fmt.Errorf("-p applies to the model, not to --server"))
	}
	opts, _, err := o.options()
	if err != nil {
		return fail(err)
	}
	// Report files are checked before anything runs: a long run must not
	// end in "cannot write the report".
	for _, f := range []struct{ flag, path string }{{"--junit", o.junit}, {"--json", o.json}} {
		if f.path != "" {
			if err := scenarios.CheckWritable(f.path); err != nil {
				return fail(fmt.Errorf("%s: %v", f.flag, err))
			}
		}
	}
	r := suite.Runner{
		Options:    opts,
		Filter:     suite.TagFilter{Only: o.only.vals, Skip: o.skip.vals},
		AllowEmpty: o.allowEmpty,
		Parallel:   o.parallel,
	}
	if o.names != "" {
		re, err := regexp.Compile(o.names)
		if err != nil {
			return fail(fmt.Errorf("-run: %v", err))
		}
		r.Names = re
	}
	scripts, err := r.Select(paths)
	if err != nil {
		return fail(err)
	}
	if o.list {
		return listScripts(scripts, r.Filter, stdout, stderr)
	}
	text := &suite.Text{W: stdout, Color: useColor(stdout), Verbose: o.verbose, Quiet: o.quiet}
	var counts suite.Counts
	var jsonLines bytes.Buffer
	var writeErr, transport error
	recs := r.Run(scripts, func(rec *suite.Record) bool {
		if o.format == "json" {
			if err := suite.WriteJSON(stdout, rec); err != nil && writeErr == nil {
				writeErr = err
			}
		} else {
			text.Record(rec)
		}
		if o.json != "" {
			_ = suite.WriteJSON(&jsonLines, rec)
		}
		if rec.Result != nil && rec.Result.Transport != nil {
			// Not the server's behaviour, and the next script would meet
			// the same broken server: stop here.
			transport = rec.Result.Err
			return false
		}
		counts.Add(rec)
		return !(o.failFast && (rec.Outcome == suite.Fail || rec.Outcome == suite.Error))
	})
	if writeErr != nil {
		return fail(writeErr)
	}
	if transport != nil {
		fmt.Fprintf(stderr, "scansim replay: stopped after %d of %d scripts: %s\n", len(recs), len(scripts), oneLineMsg(transport.Error()))
		return exitUsage
	}
	if err := suite.NothingSelected(r.Filter, recs); err != nil {
		return fail(err)
	}
	if o.format == "text" {
		text.Summary(counts)
	}
	if o.junit != "" {
		if err := writeJUnit(o.junit, recs); err != nil {
			return fail(err)
		}
	}
	if o.json != "" {
		if err := scenarios.WriteFileAtomic(o.json, jsonLines.Bytes(), 0o644); err != nil {
			return fail(err)
		}
	}
	switch {
	case counts.Errors > 0:
		return exitUsage
	case counts.Failed > 0:
		return exitFailed
	}
	return exitOK
}

// listScripts prints each script that the tag filter lets through, with
// its tags: "path  [tag] [tag]".
func listScripts(scripts []string, f suite.TagFilter, stdout, stderr io.Writer) int {
	var recs []*suite.Record
	status := exitOK
	for _, path := range scripts {
		rec := suite.Inspect(path, f)
		recs = append(recs, rec)
		switch rec.Outcome {
		case suite.Skip:
			continue
		case suite.Error:
			fmt.Fprintln(stderr, "scansim replay:", rec.Err)
			status = exitUsage
			continue
		}
		var b strings.Builder
		b.WriteString(path)
		for _, t := range rec.Tags {
			b.WriteString("  [" + t + "]")
		}
		fmt.Fprintln(stdout, b.String())
	}
	if err := suite.NothingSelected(f, recs); err != nil {
		fmt.Fprintln(stderr, "scansim replay:", err)
		return exitUsage
	}
	return status
}

func writeJUnit(path string, recs []*suite.Record) error {
	var b bytes.Buffer
	if err := suite.WriteJUnit(&b, "scansim replay", recs); err != nil {
		return err
	}
	return scenarios.WriteFileAtomic(path, b.Bytes(), 0o644)
}
