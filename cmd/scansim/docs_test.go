package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// helpFlags returns the flags "scansim NAME -h" lists, without dashes.
func helpFlags(t *testing.T, name string) []string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run([]string{name, "-h"}, &out, &errOut); code != exitOK {
		t.Fatalf("scansim %s -h: exit %d %s", name, code, errOut.String())
	}
	_, flags, _ := strings.Cut(out.String(), "\nFlags:\n")
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^  -([A-Za-z0-9][A-Za-z0-9-]*)`).FindAllStringSubmatch(flags, -1) {
		names = append(names, m[1])
	}
	return names
}

// docPage is the docs/cli page of a command.
func docPage(name string) string { return filepath.Join("../../docs/cli", name+".md") }

// TestDocsMatchHelp: every command has its docs/cli page, listed in
// docs/cli/README.md and in the README's command-line section; every flag
// "scansim CMD -h" prints is documented on the command's page, and every
// flag a page's Flags table names exists. A failure names the command, the
// flag and the file, so whoever adds a flag knows which row to write.
func TestDocsMatchHelp(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile("../../docs/cli/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands {
		if !strings.Contains(string(readme), "scansim "+c.name) {
			t.Errorf("README.md: command %q is not in the command-line section", c.name)
		}
		if !strings.Contains(string(index), "("+c.name+".md)") {
			t.Errorf("docs/cli/README.md: no row linking %s.md for command %q", c.name, c.name)
		}
		page, err := os.ReadFile(docPage(c.name))
		if err != nil {
			t.Errorf("command %q has no page: %v", c.name, err)
			continue
		}
		text := string(page)
		help := helpFlags(t, c.name)
		known := map[string]bool{"h": true, "help": true}
		for _, f := range help {
			known[f] = true
			if !regexp.MustCompile("`--?" + regexp.QuoteMeta(f) + "[` =]").MatchString(text) {
				t.Errorf("docs/cli/%s.md: flag -%s of \"scansim %s\" is not documented (add it to the Flags table)", c.name, f, c.name)
			}
		}
		for _, f := range tableFlags(text) {
			if !known[f] {
				t.Errorf("docs/cli/%s.md: documents flag -%s, which \"scansim %s -h\" does not list", c.name, f, c.name)
			}
		}
	}
}

// tableFlags returns the flags named in the first cells of the rows of a
// page's "## Flags" tables.
func tableFlags(page string) []string {
	_, rest, ok := strings.Cut(page, "\n## Flags")
	if !ok {
		return nil
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(line, "| `-") {
			continue
		}
		cell, _, _ := strings.Cut(line[1:], " |")
		for _, m := range regexp.MustCompile("`--?([A-Za-z0-9][A-Za-z0-9-]*)").FindAllStringSubmatch(cell, -1) {
			seen[m[1]] = true
		}
	}
	var out []string
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// TestBenchSpeaksOfTargets: bench's help and page name targets, not the
// issue that set them (a reader has no issue tracker).
func TestBenchSpeaksOfTargets(t *testing.T) {
	var out, errOut bytes.Buffer
	run([]string{"bench", "-h"}, &out, &errOut)
	page, _ := os.ReadFile(docPage("bench"))
	for what, text := range map[string]string{"bench -h": out.String(), "docs/cli/bench.md": string(page)} {
		if regexp.MustCompile(`(?i)\bissues?\b`).MatchString(text) {
			t.Errorf("%s speaks of issues", what)
		}
	}
}

// TestOneInvariantCount: the README and the properties package doc give
// the catalogue's size as A.7's count plus scansim's own; both must add up
// to what --list-invariants prints.
func TestOneInvariantCount(t *testing.T) {
	var out, errOut bytes.Buffer
	run([]string{"check", "--list-invariants"}, &out, &errOut)
	listed := strings.Count(out.String(), "\n")
	for _, f := range []string{"../../README.md", "../../properties/doc.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?s)all (\d+) of\s+(?://\s+)?invariants\.md A\.7.{0,200}?and (\d+) of\s+(?://\s+)?scansim's own`).FindStringSubmatch(string(b))
		if m == nil {
			t.Errorf("%s: no \"all N of invariants.md A.7 ... and M of scansim's own\"", f)
			continue
		}
		a, o := atoi(m[1]), atoi(m[2])
		if a+o != listed {
			t.Errorf("%s: %d + %d invariants, --list-invariants prints %d", f, a, o, listed)
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
