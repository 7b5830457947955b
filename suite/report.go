package suite

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/scansim/scansim/sim"
)

// ANSI colours for the text report.
const (
	green = "\x1b[32m"
	red   = "\x1b[31m"
	amber = "\x1b[33m"
	reset = "\x1b[0m"
)

// Text writes the human-readable report: one line per script, details
// under failures, and the summary line.
type Text struct {
	W       io.Writer
	Color   bool // colour PASS green and FAIL/ERROR red
	Verbose bool // show SKIP lines, discarded stanzas of passing scripts, traces
	Quiet   bool // name failing scripts and print the summary line only
}

// Record prints one script's lines:
//
//	PASS  path (time)
//	FAIL  path (time)      followed by the failure report, indented
//	ERROR file:line: message
//	SKIP  path (reason)    only when Verbose
//
// Every parser warning follows as "    warning: file:line: message".
// Quiet keeps the FAIL and ERROR lines alone, without details: the names
// of what went wrong.
func (t *Text) Record(r *Record) {
	w := t.W
	if t.Quiet {
		switch r.Outcome {
		case Fail:
			fmt.Fprintf(w, "%s  %s\n", t.paint(red, "FAIL"), r.Path)
		case Error:
			fmt.Fprintf(w, "%s %s\n", t.paint(red, "ERROR"), r.Err)
		}
		return
	}
	switch r.Outcome {
	case Pass:
		fmt.Fprintf(w, "%s  %s (%s)\n", t.paint(green, "PASS"), r.Path, Duration(r.Elapsed))
	case Fail:
		fmt.Fprintf(w, "%s  %s (%s)\n", t.paint(red, "FAIL"), r.Path, Duration(r.Elapsed))
		if f := r.Failure(); f != nil {
			fmt.Fprintln(w, Indent(f.Report()))
		}
	case Error:
		fmt.Fprintf(w, "%s %s\n", t.paint(red, "ERROR"), r.Err)
		for _, e := range r.MoreErrors {
			fmt.Fprintf(w, "      %s\n", e)
		}
	case Skip:
		if t.Verbose {
			fmt.Fprintf(w, "%s  %s (%s)\n", t.paint(amber, "SKIP"), r.Path, r.Err)
		}
		return
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "    warning: %s\n", warn)
	}
	if t.Verbose || r.Outcome == Fail {
		for _, d := range r.Discarded() {
			fmt.Fprintf(w, "    discarded by action %d (%s): %s\n", d.Action, d.Pos, d.Canonical())
		}
	}
	if t.Verbose && r.Result != nil {
		for _, n := range r.Result.Notes {
			fmt.Fprintf(w, "    note: %s\n", n)
		}
		var b strings.Builder
		_ = sim.WriteTrace(&b, r.Result.Trace)
		if s := strings.TrimRight(b.String(), "\n"); s != "" {
			fmt.Fprintln(w, Indent(s))
		}
	}
}

// Summary prints the last line, Counts.String: "N passed, M failed",
// then ", E errors" and ", S skipped" when there are any.
func (t *Text) Summary(c Counts) {
	fmt.Fprintln(t.W, c.String())
}

func (t *Text) paint(colour, s string) string {
	if !t.Color {
		return s
	}
	return colour + s + reset
}

// Indent indents every line of s by four spaces, trailing line breaks
// dropped: a block to print under a heading line.
func Indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// Duration formats a wall time briefly: 330µs, 1.2ms, 2s.
func Duration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return d.Round(time.Millisecond).String()
}

// JSONRecord is the JSON form of a Record: one object per script, written
// on one line by WriteJSON.
type JSONRecord struct {
	Name      string        `json:"name"`
	Path      string        `json:"path"`
	Title     string        `json:"title"`
	Tags      []string      `json:"tags"`
	Result    Outcome       `json:"result"`
	TimeMS    float64       `json:"time_ms"`
	Error     string        `json:"error,omitempty"`
	Errors    []string      `json:"more_errors,omitempty"`
	Warnings  []string      `json:"warnings,omitempty"`
	Failure   *JSONFailure  `json:"failure,omitempty"`
	Discarded []JSONDiscard `json:"discarded"`
	Leftover  []JSONDiscard `json:"leftover,omitempty"`
}

// JSONFailure is a failure in JSON.
type JSONFailure struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Action   int    `json:"action"`
	Client   string `json:"client"`
	Message  string `json:"message"`
	Expected string `json:"expected"`
	Received string `json:"received"`
	Path     string `json:"path"`
	Diff     string `json:"diff"`
	// Closest is, for a timeout, the discarded stanza nearest to the
	// expected one (Path and Diff then describe it).
	Closest     string `json:"closest,omitempty"`
	ClosestNote string `json:"closest_note,omitempty"`
	Reason      string `json:"closest_reason,omitempty"`
}

// JSONDiscard is a discarded (or left-over) stanza in JSON.
type JSONDiscard struct {
	Action int    `json:"action,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Client string `json:"client"`
	Stanza string `json:"stanza"`
	Seq    uint64 `json:"seq"`
}

// JSON converts r to its JSON form.
func (r *Record) JSON() JSONRecord {
	j := JSONRecord{
		Name: r.Name, Path: r.Path, Title: r.Title, Tags: r.Tags,
		Result:    r.Outcome,
		TimeMS:    float64(r.Elapsed.Microseconds()) / 1000,
		Error:     r.Err,
		Errors:    r.MoreErrors,
		Warnings:  r.Warnings,
		Discarded: []JSONDiscard{},
	}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	if f := r.Failure(); f != nil {
		j.Failure = &JSONFailure{
			File: f.Pos.File, Line: f.Pos.Line, Action: f.Action, Client: f.Client,
			Message: f.Message, Expected: f.Expected, Received: f.Received,
			Path: f.Path, Diff: f.Diff,
			Closest: f.Closest, ClosestNote: f.ClosestNote, Reason: f.ClosestReason,
		}
	}
	for _, d := range r.Discarded() {
		j.Discarded = append(j.Discarded, JSONDiscard{
			Action: d.Action, File: d.Pos.File, Line: d.Pos.Line,
			Client: d.Client, Stanza: d.Canonical(), Seq: d.Seq,
		})
	}
	if r.Result != nil {
		for _, q := range r.Result.Leftover {
			j.Leftover = append(j.Leftover, JSONDiscard{Client: q.Client, Stanza: q.Canonical(), Seq: q.Seq})
		}
	}
	return j
}

// WriteJSON writes r as one JSON object on one line.
func WriteJSON(w io.Writer, r *Record) error {
	// Stanzas stay readable: no \u003c for "<".
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(r.JSON())
}

// JUnit XML (the schema Jenkins, GitLab and GitHub test reporters read).
type junitSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	Name    string   `xml:"name,attr"`
	junitTotals
	Suites []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name string `xml:"name,attr"`
	junitTotals
	Cases []junitCase `xml:"testcase"`
}

// junitTotals are the counts and time both <testsuites> and <testsuite>
// carry.
type junitTotals struct {
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Errors   int    `xml:"errors,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Time     string `xml:"time,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitProblem `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes recs as a JUnit XML report: one <testsuite> named
// suite, one <testcase> per script (name: the file name without .scs;
// classname: its directory), with <failure> (the failure report),
// <error> (the one-line error) or <skipped> (the filter that left it
// out), and the discarded stanzas in <system-out>.
func WriteJUnit(w io.Writer, suite string, recs []*Record) error {
	s := junitSuite{Name: suite}
	var total time.Duration
	for _, r := range recs {
		total += r.Elapsed
		c := junitCase{
			Name:      r.Name,
			Classname: filepath.ToSlash(filepath.Dir(r.Path)),
			File:      filepath.ToSlash(r.Path),
			Time:      seconds(r.Elapsed),
		}
		s.Tests++
		switch r.Outcome {
		case Fail:
			s.Failures++
			p := &junitProblem{Type: "mismatch"}
			if f := r.Failure(); f != nil {
				p.Message = f.Error()
				p.Text = f.Report()
			}
			c.Failure = p
		case Error:
			s.Errors++
			c.Error = &junitProblem{Message: r.Err, Type: "script-error", Text: r.Err}
		case Skip:
			s.Skipped++
			c.Skipped = &junitProblem{Message: r.Err}
		}
		var out strings.Builder
		for _, w := range r.Warnings {
			fmt.Fprintf(&out, "warning: %s\n", w)
		}
		for _, d := range r.Discarded() {
			fmt.Fprintf(&out, "discarded by action %d (%s): %s\n", d.Action, d.Pos, d.Canonical())
		}
		c.SystemOut = out.String()
		s.Cases = append(s.Cases, c)
	}
	s.Time = seconds(total)
	doc := junitSuites{Name: "scansim", junitTotals: s.junitTotals, Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.6f", d.Seconds())
}
