package main

import (
	"strings"
	"testing"
)

// TestServerFlagErrors: real-server usage mistakes are one clear line and
// exit 2, before any connection is attempted.
func TestServerFlagErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"replay", "--server", "nohostport", "testdata/none.scs"}, "expected HOST:PORT"},
		{[]string{"replay", "--server", "127.0.0.1:1", "--mutant", "no-vcard-hint", "x.scs"}, "apply to the model"},
		{[]string{"diff", "x.scs"}, "needs --server"},
		{[]string{"diff", "--server", ":5222", "x.scs"}, "expected HOST:PORT"},
		{[]string{"diff", "--server", "127.0.0.1:1", "--profile", "nope", "x.scs"}, "unknown profile"},
		{[]string{"check", "--server", "nohostport"}, "expected HOST:PORT"},
		{[]string{"check", "--server", "127.0.0.1:1", "--mutant", "no-vcard-hint"}, "not to --server"},
		{[]string{"check", "--server", "127.0.0.1:1", "--engine", "nope"}, "properties, scansion or races"},
		{[]string{"check", "--engine", "scansion"}, "only with --server"},
	}
	for _, c := range cases {
		out, errOut, code := scansim(t, c.args...)
		if code != exitUsage || !strings.Contains(out+errOut, c.want) {
			t.Errorf("scansim %s: exit %d, output %q; want exit 2 and %q", strings.Join(c.args, " "), code, out+errOut, c.want)
		}
	}
}

// TestCheckServerUnreachable: a property run against an address where
// nothing listens stops at once with one line naming the server (exit 2):
// there is no violation to shrink.
func TestCheckServerUnreachable(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := scansim(t, "check", "--server", "127.0.0.1:1", "--timeout", "200ms", "--checks", "2", "--out", dir)
	if code != exitUsage || !strings.Contains(errOut, "127.0.0.1:1") || strings.Contains(out, "FAIL") {
		t.Fatalf("exit %d, output %q %q; want exit 2 and one line naming the server", code, out, errOut)
	}
}

// TestCheckScansionEngineUnreachable: the scansion engine (the property
// engine's scansion action set) reports an unreachable server the same
// way: one line naming it, exit 2, no divergence.
func TestCheckScansionEngineUnreachable(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := scansim(t, "check", "--server", "127.0.0.1:1", "--engine", "scansion", "--timeout", "200ms", "--checks", "2", "--out", dir)
	if code != exitUsage || !strings.Contains(errOut, "127.0.0.1:1") || strings.Contains(out, "DIVERGENCE") {
		t.Fatalf("exit %d, output %q %q; want exit 2 and one line naming the server", code, out, errOut)
	}
}

// TestSameDefaultProfile: every command that takes --profile has the
// same default, prosody-13, and its --help says so and names the alias
// prosody and the former default prosody-trunk.
func TestSameDefaultProfile(t *testing.T) {
	for _, cmd := range []string{"replay", "trace", "check", "diff"} {
		out, errOut, code := scansim(t, cmd, "--help")
		help := out + errOut
		i := strings.Index(help, "\n  -profile ")
		if code != exitOK || i < 0 {
			t.Errorf("scansim %s --help: exit %d, no --profile:\n%s", cmd, code, help)
			continue
		}
		line := help[i:]
		if j := strings.Index(line[1:], "\n  -"); j >= 0 {
			j++
			line = line[:j]
		}
		if !strings.Contains(line, `(default "prosody-13")`) || !strings.Contains(line, "prosody-13 (alias prosody)") || !strings.Contains(line, "prosody-trunk") {
			t.Errorf("scansim %s --help does not give the default profile prosody-13, its alias and prosody-trunk:\n%s", cmd, line)
		}
	}
}

// TestListProfiles: check --list-profiles says which profile is the
// default, which name is its alias, and names the former default.
func TestListProfiles(t *testing.T) {
	out, _, code := scansim(t, "check", "--list-profiles")
	if code != exitOK || !strings.Contains(out, "prosody-13 (alias prosody) [default]") ||
		!strings.Contains(out, "prosody-0.12\n") || !strings.Contains(out, "prosody-trunk\n") {
		t.Errorf("check --list-profiles: exit %d\n%s", code, out)
	}
}
