package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/suite"
)

var fmtCommand = &command{
	name:    "fmt",
	summary: "rewrite .scs scripts in canonical layout",
	help: `Usage: scansim fmt [-l] [-w] [PATH...]

Formats scansion scripts in the canonical layout of mod_scansion_record
(scenarios.Format): title, description and "##" tags, TAB-indented client
properties, a "-----" separator, actions separated by blank lines, stanzas
indented one TAB per level. Formatting does not change what a script means;
XML comments inside stanzas are not kept. PATH is a file or a directory
(searched recursively for *.scs). Without PATH, fmt reads standard input
and writes standard output.

By default the formatted scripts are written to standard output. With -l,
the names of files whose layout differs are printed instead; with -w, such
files are rewritten: written whole to a temporary file beside them and
renamed over them (a failed write leaves the script as it was; a symbolic
link is refused, not followed). -l and -w combine.

Exit status: 0 done, 2 a script does not parse or a file cannot be read or
written (the other files are still processed).

Examples:
  scansim fmt scenarios/testdata/blocking.scs
  scansim fmt -l scenarios/testdata
  scansim fmt -w my.scs
  scansim fmt < my.scs > tidy.scs
`,
	run: fmtCmd,
}

func fmtCmd(c *command, args []string, stdout, stderr io.Writer) int {
	var list, write bool
	fs := newFlags(c, stderr)
	fs.BoolVar(&list, "l", false, "list files whose formatting differs")
	fs.BoolVar(&write, "w", false, "write the result back to the file instead of stdout")
	paths, code, ok := parseFlags(c, fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(paths) == 0 {
		if list || write {
			fmt.Fprintln(stderr, "scansim fmt: -l and -w need a file")
			return exitUsage
		}
		src, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Fprintln(stderr, "scansim fmt:", err)
			return exitUsage
		}
		out, err := suite.FormatSource("<stdin>", src)
		if err != nil {
			fmt.Fprintln(stderr, "scansim fmt:", err)
			return exitUsage
		}
		stdout.Write(out)
		return exitOK
	}
	files, err := suite.Collect(paths)
	if err != nil {
		fmt.Fprintln(stderr, "scansim fmt:", err)
		return exitUsage
	}
	status := exitOK
	for _, path := range files {
		if err := fmtFile(path, list, write, stdout); err != nil {
			fmt.Fprintln(stderr, "scansim fmt:", err)
			status = exitUsage
		}
	}
	return status
}

func fmtFile(path string, list, write bool, stdout io.Writer) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := suite.FormatSource(path, src)
	if err != nil {
		return err
	}
	changed := !bytes.Equal(src, out)
	if list && changed {
		fmt.Fprintln(stdout, path)
	}
	if write {
		if !changed {
			return nil
		}
		return scenarios.WriteFileAtomic(path, out, 0o644)
	}
	if !list {
		_, err = stdout.Write(out)
	}
	return err
}
