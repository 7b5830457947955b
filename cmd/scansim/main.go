// Command scansim replays scansion (.scs) scripts against scansim's
// in-memory XMPP server model, draws their traces and formats them.
//
// Usage:
//
//	scansim replay [flags] PATH...    replay scripts (files or directories)
//	scansim diff --server HOST:PORT PATH...  compare the model with a real server
//	scansim trace [flags] SCRIPT      run a script and render its trace
//	scansim fmt [-l] [-w] [PATH...]   rewrite scripts in canonical layout
//	scansim check [flags]             property tests of the model
//	scansim bench [flags]             performance benchmarks against their targets
//	scansim serve [flags]             the model as a real XMPP server, recording every session
//	scansim version                   print the version
//	scansim help [COMMAND]            show help
//
// Run "scansim help COMMAND" or "scansim COMMAND -h" for a command's flags
// and examples. The command only wires flags to packages: scenarios runs
// scripts, tracefmt draws traces, suite runs and reports sets of
// scripts.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/scansim/scansim/suite"
)

// version is the scansim release; overridden with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit codes shared by every subcommand.
const (
	exitOK     = 0
	exitFailed = 1 // a script or property failed
	exitUsage  = 2 // bad usage, unreadable or malformed input
)

// command is one subcommand.
type command struct {
	name    string
	summary string // one line for the overview
	help    string // the full help: usage, description, examples
	run     func(c *command, args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order "scansim help" shows them.
var commands []*command

func init() {
	commands = []*command{replayCommand, diffCommand, traceCommand, fmtCommand, checkCommand, conformCommand, benchCommand, serveCommand, versionCommand}
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a subcommand; split from main so tests can call it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return helpCmd(args[1:], stdout, stderr)
	case "--version", "-version":
		return versionCommand.run(versionCommand, nil, stdout, stderr)
	}
	if c := lookup(args[0]); c != nil {
		return c.run(c, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "scansim: unknown command %q; run \"scansim help\" for the list\n", args[0])
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, "scansim — deterministic simulation testing of XMPP servers with scansion scripts\n\nUsage:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  scansim %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "  scansim %-8s %s\n", "help CMD", "show a command's flags and examples")
	fmt.Fprint(w, `
Exit status: 0 success, 1 a script failed, 2 usage or script errors.
`)
}

func helpCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		return exitOK
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "scansim help: unknown command %q\n", args[0])
		return exitUsage
	}
	return c.run(c, []string{"-h"}, stdout, stderr)
}

// newFlags returns a flag set for c whose -h prints c's help and flags.
func newFlags(c *command, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // parse errors get one line; -h is handled by parseFlags
	return fs
}

// parseFlags parses args with fs, allowing flags after positional arguments
// ("scansim trace x.scs --seed 7"); "--" ends the flags. It prints the help
// on -h (to stdout, status 0) and a one-line hint on a bad flag (status 2);
// ok is false when the command should return code.
func parseFlags(c *command, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (pos []string, code int, ok bool) {
	rest := args
	for {
		// The flag package's own message goes nowhere: flagError says it
		// again, prefixed with the command.
		fs.SetOutput(io.Discard)
		err := fs.Parse(rest)
		fs.SetOutput(stderr)
		if errors.Is(err, flag.ErrHelp) {
			printHelp(c, fs, stdout)
			return nil, exitOK, false
		}
		if err != nil {
			fmt.Fprintf(stderr, "scansim %s: %s (run \"scansim help %s\" for usage)\n", c.name, flagError(fs, err), c.name)
			return nil, exitUsage, false
		}
		r := fs.Args()
		if len(r) == 0 {
			return pos, exitOK, true
		}
		if i := len(rest) - len(r); i > 0 && rest[i-1] == "--" {
			return append(pos, r...), exitOK, true
		}
		pos = append(pos, r[0])
		rest = r[1:]
	}
}

// flagError rewords a flag parse error: a duration given without a unit
// ("--latency 20") says so, rather than the flag package's "parse error".
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	var name, val string
	if _, e := fmt.Sscanf(msg, "invalid value %q for flag -%s", &val, &name); e == nil {
		name = strings.TrimSuffix(name, ":")
		if f := fs.Lookup(name); f != nil {
			if g, ok := f.Value.(flag.Getter); ok {
				if _, isDur := g.Get().(time.Duration); isDur {
					if _, e := strconv.ParseFloat(val, 64); e == nil {
						return fmt.Sprintf("--%s %s: a duration needs a unit: %sms, %ss, …", name, val, val, val)
					}
					return fmt.Sprintf("--%s %s: not a duration (examples: 20ms, 1.5s, 2m)", name, val)
				}
			}
		}
	}
	return msg
}

// parseNoArgs is parseFlags for a command that takes no positional
// arguments: one is a usage error.
func parseNoArgs(c *command, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	pos, code, ok := parseFlags(c, fs, args, stdout, stderr)
	if ok && len(pos) > 0 {
		fmt.Fprintf(stderr, "scansim %s: takes no arguments\n", c.name)
		return exitUsage, false
	}
	return code, ok
}

func printHelp(c *command, fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, strings.TrimLeft(c.help, "\n"))
	var n int
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprint(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// isTerminal reports whether w is a character device (a terminal); a
// variable so that tests can pretend.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// useColor reports whether output to w may be coloured: w is a terminal
// and NO_COLOR is unset or empty (https://no-color.org).
func useColor(w io.Writer) bool {
	return os.Getenv("NO_COLOR") == "" && isTerminal(w)
}

// listFlag collects a repeatable flag whose values may also be
// comma-separated lists, split as suite.SplitTags does: "a, b,c" is three
// items, trimmed, empty ones dropped.
type listFlag struct{ vals []string }

func (l *listFlag) String() string { return strings.Join(l.vals, ",") }
func (l *listFlag) Set(v string) error {
	l.vals = append(l.vals, suite.SplitTags(v)...)
	return nil
}

var versionCommand = &command{
	name:    "version",
	summary: "print the version",
	help: `Usage: scansim version

Prints "scansim VERSION". Also: scansim --version.

Example:
  scansim version
`,
	run: func(c *command, args []string, stdout, stderr io.Writer) int {
		if code, ok := parseNoArgs(c, newFlags(c, stderr), args, stdout, stderr); !ok {
			return code
		}
		fmt.Fprintln(stdout, "scansim", version)
		return exitOK
	},
}
