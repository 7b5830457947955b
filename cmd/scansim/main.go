// Command scansim replays scansion (.scs) scripts against scansim's
// in-memory XMPP server model and explores its behaviour with property
// tests.
//
// Usage:
//
//	scansim replay [flags] PATH...   replay scripts (files or directories)
//	scansim version                  print the version
//
// Run "scansim <command> -h" for a command's flags.
package main

import (
	"fmt"
	"io"
	"os"
)

// version is the scansim release; overridden with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit codes shared by every subcommand.
const (
	exitOK     = 0
	exitFailed = 1 // a script or property failed
	exitUsage  = 2 // bad usage, unreadable or malformed input
)

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
	case "replay":
		return replayCmd(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "scansim", version)
		return exitOK
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "scansim: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `scansim — deterministic simulation and property testing of XMPP servers

Usage:
  scansim replay [flags] PATH...   replay .scs scripts (files or directories)
  scansim version                  print the version

Run "scansim <command> -h" for a command's flags and examples.
`)
}
