package main

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/suite"
	"github.com/scansim/scansim/tracefmt"
)

var traceCommand = &command{
	name:    "trace",
	summary: "run one script and render its trace (text, mermaid, html)",
	help: `Usage: scansim trace [flags] SCRIPT

Runs SCRIPT on the simulated server and renders the trace of the run:

  text     one line per event: seq, virtual time, from → to, kind [reason],
           a short description of the stanza
  mermaid  a Mermaid sequenceDiagram: clients and Server as participants,
           an arrow per stanza, drops and stores as notes, bounces as --x
  html     one self-contained page (no network, no external files): an SVG
           sequence diagram with a lifeline per client and the server, an
           arrow per stanza (click one to see the stanza in full), drops
           and bounces marked, the failing step highlighted

The format defaults to html when -o names a .html or .htm file, mermaid for
.mmd or .mermaid, text for .txt or no extension (case does not matter); any
other extension is refused unless --format is given. The output depends only on the script and the flags: the
same command writes the same bytes.

Exit status: 0 the script passed, 1 it failed (the trace is still written,
with the failure marked), 2 usage errors, or a script that does not parse or
cannot run.

Examples:
  scansim trace scenarios/testdata/blocking.scs
  scansim trace scenarios/testdata/blocking.scs -o blocking.html
  scansim trace --format mermaid --seed 3 --latency 20ms scenarios/testdata/carbons.scs
  scansim trace --mutant no-unavailable-on-block scenarios/testdata/blocking.scs -o failing.html
`,
	run: traceCmd,
}

type traceOpts struct {
	runFlags
	format string
	out    string
}

// formatFromExt infers trace's format from -o's extension, ignoring case:
// .html/.htm, .mmd/.mermaid, .txt/.text or none for text. Any other
// extension is refused rather than given text the user did not ask for
// (x.svg would otherwise hold a text trace).
func formatFromExt(out string) (string, error) {
	ext := strings.ToLower(filepath.Ext(out))
	switch ext {
	case ".html", ".htm":
		return "html", nil
	case ".mmd", ".mermaid":
		return "mermaid", nil
	case "", ".txt", ".text":
		return "text", nil
	}
	return "", fmt.Errorf("-o %s: cannot tell the format from %q (.html, .mmd or .txt; or give --format)", out, ext)
}

func traceCmd(c *command, args []string, stdout, stderr io.Writer) int {
	var o traceOpts
	fs := newFlags(c, stderr)
	o.runFlags.register(fs)
	fs.StringVar(&o.format, "format", "", "output format: text, mermaid or html (default: from -o's extension, else text)")
	fs.StringVar(&o.out, "o", "", "write to `FILE` instead of stdout")
	pos, code, ok := parseFlags(c, fs, args, stdout, stderr)
	if !ok {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "scansim trace:", err)
		return exitUsage
	}
	if len(pos) != 1 {
		return fail(fmt.Errorf("want exactly one script, got %d (run \"scansim help trace\")", len(pos)))
	}
	format := o.format
	if format == "" {
		f, err := formatFromExt(o.out)
		if err != nil {
			return fail(err)
		}
		format = f
	}
	render := map[string]func(io.Writer, *tracefmt.Doc) error{
		"text": tracefmt.Text, "mermaid": tracefmt.Mermaid, "html": tracefmt.HTML,
	}[format]
	if render == nil {
		return fail(fmt.Errorf("unknown --format %q (text, mermaid or html)", format))
	}
	opts, meta, err := o.options()
	if err != nil {
		return fail(err)
	}
	if o.out != "" {
		if err := scenarios.CheckWritable(o.out); err != nil {
			return fail(fmt.Errorf("-o: %v", err))
		}
	}
	scripts, err := suite.Collect(pos)
	if err != nil {
		return fail(err)
	}
	if len(scripts) != 1 {
		return fail(fmt.Errorf("%s: holds %d scripts; trace draws one", pos[0], len(scripts)))
	}
	runner := suite.Runner{Options: opts, AllowEmpty: o.allowEmpty}
	rec := runner.File(scripts[0])
	for _, w := range rec.Warnings {
		fmt.Fprintln(stderr, "scansim trace: warning:", w)
	}
	if rec.Result == nil { // did not parse or could not be read
		fmt.Fprintln(stderr, "scansim trace:", rec.Err)
		return exitUsage
	}
	var buf bytes.Buffer
	if err := render(&buf, suite.TraceDoc(rec, meta)); err != nil {
		return fail(err)
	}
	if o.out == "" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			return fail(err)
		}
	} else if err := scenarios.WriteFileAtomic(o.out, buf.Bytes(), 0o644); err != nil {
		return fail(err)
	}
	switch rec.Outcome {
	case suite.Fail:
		fmt.Fprintln(stderr, "scansim trace: FAIL", rec.Failure().Error())
		return exitFailed
	case suite.Error:
		fmt.Fprintln(stderr, "scansim trace: ERROR", rec.Err)
		return exitUsage
	}
	return exitOK
}
