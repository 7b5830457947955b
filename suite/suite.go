// Package suite runs sets of scansion scripts for the scansim command: it
// finds scripts, filters them by tag, runs each one and reports the results
// as text, JSON lines or JUnit XML. The scansion language itself (parsing,
// matching, running one script) is package scenarios; this package is the
// layer of a test runner above it.
//
// Runner runs scripts (selected by name and tags, several at once, in a
// deterministic report order); RunDir is "replay DIR" for a library
// caller; Counts is the summary line.
package suite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/tracefmt"
)

// Collect expands each argument into script paths: a file is taken as it
// is (whatever its name), a directory is searched recursively for *.scs
// files, sorted. A missing path or a directory without scripts is an error
// naming the path.
func Collect(args []string) ([]string, error) {
	var out []string
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, pathError(arg, err)
		}
		if !info.IsDir() {
			out = append(out, arg)
			continue
		}
		var found []string
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".scs") {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, pathError(arg, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no .scs scripts in directory", arg)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// pathError turns an *fs.PathError into "path: reason" (without the
// operation: "stat", "open").
func pathError(arg string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return fmt.Errorf("%s: %v", arg, err)
}

// Outcome is the result of one script.
type Outcome string

// The outcomes of a script.
const (
	Pass  Outcome = "pass"  // the server met every expectation
	Fail  Outcome = "fail"  // a mismatch, a timeout or an unexpected stanza
	Error Outcome = "error" // the script could not be read, parsed or run
	Skip  Outcome = "skip"  // left out by a tag filter; not run
)

// Record is what happened to one script.
type Record struct {
	Path    string // as given or found
	Name    string // the file name without .scs
	Title   string // the script's title line, if parsed
	Tags    []string
	Outcome Outcome
	Elapsed time.Duration // wall time of the run (0 when it did not run)
	// Err is the one-line reason of an Error ("file:line: message") or of
	// a Skip (which filter left it out).
	Err string
	// Script and Result are set when the script parsed (Script) and ran
	// (Result).
	Script *scenarios.Script
	Result *scenarios.Result
	// Source is the script's text as read (pictures show it).
	Source []byte

	// MoreErrors are the parse errors after the first (which is Err).
	MoreErrors []string
	// Warnings are the parser's warnings (Script.Warnings), each
	// "file:line: message"; reports print every one.
	Warnings []string

	timeout time.Duration // how long a receives waited (virtual time)
}

// Failure returns the run's failure, or nil.
func (r *Record) Failure() *scenarios.Failure {
	if r.Result == nil {
		return nil
	}
	return r.Result.Failure
}

// Discarded returns the stanzas the run discarded (§5.2).
func (r *Record) Discarded() []scenarios.Discard {
	if r.Result == nil {
		return nil
	}
	return r.Result.Discarded
}

// RunFile reads, parses, filters and runs the script at path with the
// defaults of a Runner: Runner{Options: opts, Filter: filter}.File(path).
func RunFile(path string, filter TagFilter, opts scenarios.RunOptions) *Record {
	r := Runner{Options: opts, Filter: filter}
	return r.File(path)
}

// timeoutAfter estimates where in the trace a timeout happened: the
// Failure does not say (scenarios could record the trace length at the
// failure). A timed-out receives waited the whole timeout of virtual time,
// then failed, then the run disconnected every client; so the failure lies
// after the last event at least half a timeout older than the final event,
// and the end-of-run events follow it. 0 (the end) when there is no such
// event, or for failures that name a received stanza.
func timeoutAfter(evs []sim.TraceEvent, f *scenarios.Failure, timeout time.Duration) uint64 {
	if f.Received != "" || len(evs) == 0 {
		return 0
	}
	limit := evs[len(evs)-1].Elapsed - timeout/2
	var after uint64
	for _, ev := range evs {
		if ev.Elapsed <= limit {
			after = ev.Seq
		}
	}
	return after
}

// oneLine keeps the first line of a message.
func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// TraceDoc describes the run of rec for package tracefmt: the title (or the
// path), the given meta lines, the outcome and, for a failure or an error,
// what went wrong and which trace event it concerns.
func TraceDoc(rec *Record, meta []string) *tracefmt.Doc {
	d := &tracefmt.Doc{Title: rec.Title, Outcome: string(rec.Outcome)}
	if d.Title == "" {
		d.Title = rec.Path
	}
	d.Meta = append([]string{"script: " + rec.Path}, meta...)
	if rec.Result == nil {
		return d
	}
	d.Events = rec.Result.Trace
	d.EndSeq = rec.Result.EndSeq
	if rec.Source != nil {
		d.Script = strings.Split(strings.TrimRight(strings.ReplaceAll(string(rec.Source), "\r\n", "\n"), "\n"), "\n")
	}
	if rec.Script != nil {
		for i, after := range rec.Result.ActionSeq {
			if i >= len(rec.Script.Actions) {
				break
			}
			a := rec.Script.Actions[i]
			text := a.Client + " " + a.Verb.String()
			if a.Nothing {
				text += ": nothing"
			}
			d.Actions = append(d.Actions, tracefmt.Action{After: after, Line: a.Pos.Line, Text: text})
		}
	}
	if f := rec.Result.Failure; f != nil {
		d.Failure = &tracefmt.Failure{
			Message:    f.Error(),
			Client:     f.Client,
			Seq:        tracefmt.FindDelivery(d.Events, f.Client, f.Received),
			After:      timeoutAfter(d.Events, f, rec.timeout),
			Expected:   f.Expected,
			Received:   f.Received,
			Diff:       f.Diff,
			Closest:    f.Closest,
			ClosestSeq: f.ClosestSeq,
		}
	} else if rec.Outcome == Error {
		d.Failure = &tracefmt.Failure{Message: rec.Err}
	}
	return d
}
