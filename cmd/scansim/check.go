package main

import (
	"fmt"
	"io"

	"github.com/scansim/scansim/model"
)

// checkCommand is where the property engine (package properties) will be
// wired: exploring random operation sequences against the model and the
// invariants, with --seed, --profile and --mutant as in replay. Until its
// exploration API exists, check only lists the mutants.
var checkCommand = &command{
	name:    "check",
	summary: "property-test the server model (comes with the property engine)",
	help: `Usage: scansim check --list-mutants

Property testing of the server model (random operation sequences checked
against invariants) comes with the property engine and is not wired into
the command line yet; run "go test ./properties" meanwhile.

--list-mutants prints the names accepted by --mutant (replay, trace), one
per line.

Examples:
  scansim check --list-mutants
  go test ./properties
`,
	run: checkCmd,
}

func checkCmd(c *command, args []string, stdout, stderr io.Writer) int {
	var listMutants bool
	fs := newFlags(c, stderr)
	fs.BoolVar(&listMutants, "list-mutants", false, "print the known mutant names and exit")
	pos, code, ok := parseFlags(c, fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if listMutants && len(pos) == 0 {
		for _, m := range model.Mutants() {
			fmt.Fprintln(stdout, m)
		}
		return exitOK
	}
	fmt.Fprintln(stderr, "scansim check: the property engine is not wired into the command line yet; run \"go test ./properties\" (see docs/cli/check.md)")
	return exitUsage
}
