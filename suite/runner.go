package suite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/scansim/scansim/scenarios"
)

// Runner runs scripts: the options every script runs with, which scripts
// to run and how many at once. The zero value runs every script, one at a
// time, with scenarios' defaults.
type Runner struct {
	Options scenarios.RunOptions
	Filter  TagFilter
	// Names, when set, selects scripts by name (the file name without
	// .scs), as go test -run does: scripts it does not match are left
	// out of the run and of the report.
	Names *regexp.Regexp
	// AllowEmpty runs scripts without actions (they pass). By default
	// such a script is an error: an empty file, a title alone or a file
	// whose lines all parse as comments tests nothing, and a green result
	// for it would be a pass by mistake.
	AllowEmpty bool
	// Parallel is how many scripts run at once (≤1: one at a time).
	// Each run has its own simulation, so results do not depend on it;
	// reports keep the order of the paths.
	Parallel int
}

// File reads, parses, filters and runs the script at path.
func (r *Runner) File(path string) *Record {
	opts := r.Options
	rec := &Record{Path: path, Name: strings.TrimSuffix(filepath.Base(path), ".scs")}
	src, err := os.ReadFile(path)
	if err != nil {
		rec.Outcome, rec.Err = Error, pathError(path, err).Error()
		return rec
	}
	script, err := scenarios.Parse(path, src)
	if err != nil {
		parseError(rec, err)
		return rec
	}
	rec.Script, rec.Source = script, src
	rec.Title = script.Title
	for _, t := range script.Tags {
		rec.Tags = append(rec.Tags, t.String())
	}
	for _, w := range script.Warnings {
		rec.Warnings = append(rec.Warnings, w.Error())
	}
	if ok, why := r.Filter.Allows(script.Tags); !ok {
		rec.Outcome, rec.Err = Skip, why
		return rec
	}
	if len(script.Actions) == 0 && !r.AllowEmpty {
		rec.Outcome = Error
		rec.Err = path + ": script has no actions: it tests nothing (--allow-empty runs it)"
		rec.Warnings = nil // the error says what the one warning would
		for _, w := range script.Warnings {
			if w.Pos.Line > 0 {
				rec.Warnings = append(rec.Warnings, w.Error())
			}
		}
		return rec
	}
	rec.timeout = opts.Timeout
	if rec.timeout <= 0 {
		rec.timeout = scenarios.DefaultTimeout
	}
	start := time.Now()
	res := scenarios.Run(script, opts)
	rec.Elapsed = time.Since(start)
	rec.Result = res
	switch {
	case res.Err != nil:
		rec.Outcome = Error
		msg := oneLine(res.Err.Error())
		if !strings.HasPrefix(msg, path) {
			msg = path + ": " + msg
		}
		rec.Err = msg
	case !res.Passed:
		rec.Outcome = Fail
	default:
		rec.Outcome = Pass
	}
	return rec
}

// Select returns the scripts of paths (files, or directories searched as
// Collect does) whose names Names matches.
func (r *Runner) Select(paths []string) ([]string, error) {
	scripts, err := Collect(paths)
	if err != nil {
		return nil, err
	}
	if r.Names == nil {
		return scripts, nil
	}
	var out []string
	for _, p := range scripts {
		if r.Names.MatchString(strings.TrimSuffix(filepath.Base(p), ".scs")) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-run %q matches no script name among %d scripts", r.Names, len(scripts))
	}
	return out, nil
}

// Run runs scripts (paths as Select returns them), up to Parallel at a
// time, and calls each with every record in the order of scripts, as soon
// as it and those before it are done. When each returns false no further
// script is started (a fail-fast stop); Run returns the records handed to
// each.
func (r *Runner) Run(scripts []string, each func(*Record) bool) []*Record {
	n := r.Parallel
	if n < 1 {
		n = 1
	}
	recs := make([]*Record, len(scripts))
	done := make([]chan struct{}, len(scripts))
	for i := range done {
		done[i] = make(chan struct{})
	}
	var (
		mu   sync.Mutex
		stop bool
		next int
		wg   sync.WaitGroup
	)
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if stop || next == len(scripts) {
					mu.Unlock()
					return
				}
				i := next
				next++
				mu.Unlock()
				recs[i] = r.File(scripts[i])
				close(done[i])
			}
		}()
	}
	var out []*Record
	for i := range scripts {
		mu.Lock()
		started := i < next
		mu.Unlock()
		if !started && stop {
			break
		}
		<-done[i]
		out = append(out, recs[i])
		if each != nil && !each(recs[i]) {
			mu.Lock()
			stop = true
			mu.Unlock()
			break
		}
	}
	mu.Lock()
	stop = true
	mu.Unlock()
	wg.Wait()
	return out
}

// RunDir runs every script under dir (recursively, sorted) with opts and
// returns their records: the library form of "scansim replay DIR".
func RunDir(dir string, opts scenarios.RunOptions) ([]*Record, error) {
	r := Runner{Options: opts}
	scripts, err := r.Select([]string{dir})
	if err != nil {
		return nil, err
	}
	return r.Run(scripts, nil), nil
}

// Counts are a run's totals by outcome.
type Counts struct{ Passed, Failed, Errors, Skipped int }

// Add counts rec.
func (c *Counts) Add(rec *Record) {
	switch rec.Outcome {
	case Pass:
		c.Passed++
	case Fail:
		c.Failed++
	case Error:
		c.Errors++
	case Skip:
		c.Skipped++
	}
}

// String is the summary line: "N passed, M failed", then ", E errors"
// and ", S skipped" when there are any.
func (c Counts) String() string {
	s := fmt.Sprintf("%d passed, %d failed", c.Passed, c.Failed)
	if c.Errors > 0 {
		s += fmt.Sprintf(", %d %s", c.Errors, plural(c.Errors, "error", "errors"))
	}
	if c.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", c.Skipped)
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// NothingSelected reports, for records of a run with an Only filter,
// the error that no script was selected, naming the tags the scripts do
// have; nil when some script was selected (or none was asked for).
func NothingSelected(f TagFilter, recs []*Record) error {
	if len(f.Only) == 0 || len(recs) == 0 {
		return nil
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if r.Outcome != Skip {
			return nil
		}
		for _, t := range r.Tags {
			seen[t] = true
		}
	}
	tags := make([]string, 0, len(seen))
	for t := range seen {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	have := "the scripts have no tags"
	if len(tags) > 0 {
		have = "tags in these scripts: " + strings.Join(tags, "; ")
	}
	return fmt.Errorf("--only-tags %s selects none of the %d scripts (tags match exactly and case-sensitively); %s",
		strings.Join(f.Only, ", "), len(recs), have)
}

// Inspect reads and parses the script at path and applies the tag filter,
// without running it: the Record is Skip, Error (it does not read or
// parse) or, when it would run, Pass with no Result.
func Inspect(path string, f TagFilter) *Record {
	rec := &Record{Path: path, Name: strings.TrimSuffix(filepath.Base(path), ".scs"), Outcome: Pass}
	script, err := scenarios.ParseFile(path)
	if err != nil {
		parseError(rec, err)
		return rec
	}
	rec.Script, rec.Title = script, script.Title
	for _, t := range script.Tags {
		rec.Tags = append(rec.Tags, t.String())
	}
	if ok, why := f.Allows(script.Tags); !ok {
		rec.Outcome, rec.Err = Skip, why
	}
	return rec
}

// parseError records a parse failure: the first error in Err, every
// further one in MoreErrors (a report lists them all, not "and 29 more").
func parseError(rec *Record, err error) {
	rec.Outcome = Error
	var list scenarios.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		rec.Err = oneLine(list[0].Error())
		for _, e := range list[1:] {
			rec.MoreErrors = append(rec.MoreErrors, oneLine(e.Error()))
		}
		return
	}
	rec.Err = oneLine(err.Error())
}
