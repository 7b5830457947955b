package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
)

const replayHelp = `Usage: scansim replay [flags] PATH...

Replays scansion scripts against the in-memory server. PATH is a .scs file
or a directory searched recursively for *.scs files.

Prints one line per script (PASS/FAIL, name, time), the first mismatch of a
failing script with its file:line and a diff, and finally "N passed, M failed".
Exit status: 0 all passed, 1 a script failed, 2 usage or script errors.

Examples:
  scansim replay scenarios/testdata/blocking.scs
  scansim replay --profile prosody-0.12 ../shared/scansion
  scansim replay -v --seed 7 my.scs

Flags:
`

type replayOpts struct {
	strict  bool
	profile string
	seed    uint64
	verbose bool
	mutants stringList
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func replayCmd(args []string, stdout, stderr io.Writer) int {
	var o replayOpts
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), replayHelp); fs.PrintDefaults() }
	fs.BoolVar(&o.strict, "strict", false, "strict FIFO matching: every received stanza must be matched in order")
	fs.StringVar(&o.profile, "profile", "prosody", "server profile: "+strings.Join(model.ProfileNames(), ", "))
	fs.Uint64Var(&o.seed, "seed", 0, "simulation seed (generated resources, ids, latency draws)")
	fs.BoolVar(&o.verbose, "v", false, "print each script's trace")
	fs.Var(&o.mutants, "mutant", "switch on a model mutant by name (repeatable)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "scansim replay: no script or directory given")
		fs.Usage()
		return exitUsage
	}
	prof, err := model.ProfileByName(o.profile)
	if err != nil {
		fmt.Fprintln(stderr, "scansim replay:", err)
		return exitUsage
	}
	if err := model.CheckMutants(o.mutants); err != nil {
		fmt.Fprintln(stderr, "scansim replay:", err)
		return exitUsage
	}
	paths, err := collectScripts(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "scansim replay:", err)
		return exitUsage
	}
	passed, failed, errored := 0, 0, 0
	for _, path := range paths {
		switch replayOne(path, prof, o, stdout) {
		case exitOK:
			passed++
		case exitFailed:
			failed++
		default:
			errored++
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed+errored)
	switch {
	case errored > 0:
		return exitUsage
	case failed > 0:
		return exitFailed
	}
	return exitOK
}

// collectScripts expands directories into their *.scs files (recursively,
// sorted) and checks that every path exists.
func collectScripts(args []string) ([]string, error) {
	var out []string
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, err
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
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no .scs scripts in directory", arg)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// replayOne parses and runs one script and prints its line; it returns
// exitOK, exitFailed or exitUsage (a script error).
func replayOne(path string, prof model.Profile, o replayOpts, w io.Writer) int {
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(w, "ERROR %s: %v\n", path, err)
		return exitUsage
	}
	script, err := scenarios.Parse(path, src)
	if err != nil {
		fmt.Fprintf(w, "ERROR %s\n%s\n", path, indent(err.Error()))
		return exitUsage
	}
	start := time.Now()
	res := scenarios.Run(script, scenarios.RunOptions{
		Strict:  o.strict,
		Profile: &prof,
		Seed:    o.seed,
		Mutants: o.mutants,
	})
	elapsed := time.Since(start)
	status := exitOK
	switch {
	case res.Err != nil:
		fmt.Fprintf(w, "ERROR %s (%s)\n%s\n", path, fmtDuration(elapsed), indent(res.Err.Error()))
		status = exitUsage
	case !res.Passed:
		fmt.Fprintf(w, "FAIL  %s (%s)\n", path, fmtDuration(elapsed))
		if res.Failure != nil {
			fmt.Fprintln(w, indent(strings.TrimRight(res.Failure.Report(), "\n")))
		}
		status = exitFailed
	default:
		fmt.Fprintf(w, "PASS  %s (%s)\n", path, fmtDuration(elapsed))
	}
	if o.verbose || status != exitOK {
		for _, d := range res.Discarded {
			fmt.Fprintf(w, "    discarded by action %d (%s): %s\n", d.Action, d.Pos, d.Stanza)
		}
	}
	if o.verbose {
		var b strings.Builder
		_ = sim.WriteTrace(&b, res.Trace)
		fmt.Fprintln(w, indent(strings.TrimRight(b.String(), "\n")))
	}
	return status
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return d.Round(time.Millisecond).String()
}
