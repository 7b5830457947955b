package main

import (
	"fmt"
	"io"
	"os"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/suite"
)

var diffCommand = &command{
	name:    "diff",
	summary: "run scripts on the model and on a real server and compare what each client received",
	help: `Usage: scansim diff --server HOST:PORT [flags] PATH...

Runs each script twice — on the in-memory model (with --profile, default
prosody) and on the real server — and compares, client by client and action
by action, the stanzas each received. Volatile values are masked before
comparing: ids, delay stamps, generated resources, roster push ids and the
run's account prefix. Within one action the order of a client's stanzas does
not count (the server's hash order), nor do roster push versions beyond
their number and the last one; the known 0.12.3 behaviours D4 and D6 are
allowed when the profile names them (not D6 with --strict). The model is
the oracle: a difference is either a model gap or a server bug.

Exit status: 0 when every script behaves the same on both, 1 when one
differs, 2 on usage or script errors and on a transport failure (the
server unreachable, a login refused, a wait past --timeout, a connection
lost, a shutdown), where diff stops: that is no difference.

The connection flags (--password, --tls, --ca, --insecure-skip-verify,
--no-prefix, --register, --max-stanza-bytes, --max-depth) are replay's;
see docs/real-server.md.

Examples:
  .ci/prosody-start    # Debian's Prosody 0.12.3 on 127.0.0.1:25222
  scansim diff --server 127.0.0.1:25222 --profile prosody-0.12 scenarios/testdata/blocking.scs
  scansim diff --server 127.0.0.1:25222 --profile prosody-0.12 ../shared/scansion
`,
	run: diffRun,
}

func diffRun(c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	var sf serverFlags
	sf.add(fs, "the real server, HOST:PORT (required)", "how long a receives waits on the server (default 5s), and the deadline of each connect and synchronisation")
	var profile string
	profileFlag(fs, &profile, "the model's profile (Debian's Prosody 0.12.3 needs prosody-0.12)")
	strict := fs.Bool("strict", false, "strict FIFO matching on both sides")
	paths, code, ok := parseFlags(c, fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if sf.server == "" || len(paths) == 0 {
		fmt.Fprintln(stderr, "scansim diff: needs --server HOST:PORT and at least one script or directory")
		return exitUsage
	}
	srv, err := sf.driver()
	if err != nil {
		fmt.Fprintln(stderr, "scansim diff:", err)
		return exitUsage
	}
	sim, err := driver.NewOptions(profile, 0, nil, 0)
	if err != nil {
		fmt.Fprintln(stderr, "scansim diff:", err)
		return exitUsage
	}
	srv.Rounds = driver.BarrierRounds(sim.ProfileValue())
	sim.ForServer(srv)
	files, err := suite.Collect(paths)
	if err != nil {
		fmt.Fprintln(stderr, "scansim diff:", err)
		return exitUsage
	}
	same, differ, errs := 0, 0, 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "scansim diff: %v\n", err)
			errs++
			continue
		}
		s, err := scenarios.Parse(f, src)
		if err != nil {
			fmt.Fprintln(stderr, err)
			errs++
			continue
		}
		for _, w := range s.Warnings {
			fmt.Fprintln(stderr, "scansim diff: warning:", w)
		}
		if len(s.Actions) == 0 {
			// Both sides would "receive the same" nothing: not a result.
			fmt.Fprintf(stderr, "scansim diff: %s: script has no actions: it tests nothing\n", f)
			errs++
			continue
		}
		cmp := scenarios.Compare(s, scenarios.CompareOptions{
			Server:  srv,
			Options: sim,
			Strict:  *strict,
			Timeout: sf.timeout,
		})
		if cmp.Server != nil && cmp.Server.Transport != nil {
			// Not a difference: the server could not be driven, and the
			// next script would meet the same broken server.
			fmt.Fprintf(stderr, "scansim diff: %s: stopped: %v\n", f, oneLineMsg(cmp.Server.Err.Error()))
			return exitUsage
		}
		if cmp.Same() {
			same++
			fmt.Fprintf(stdout, "SAME  %s (model %s, server %s)\n", f, scenarios.Outcome(cmp.Sim), scenarios.Outcome(cmp.Server))
			continue
		}
		differ++
		fmt.Fprintf(stdout, "DIFF  %s\n%s\n", f, suite.Indent(cmp.String()))
	}
	fmt.Fprintf(stdout, "%d same, %d different\n", same, differ)
	switch {
	case errs > 0:
		return exitUsage
	case differ > 0:
		return exitFailed
	}
	return exitOK
}
