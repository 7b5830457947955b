package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scansim conform's exit codes and files: usage errors are one line and
// write nothing; the correct model passes (0); a mutated model fails the
// rule it breaks (1) and both reports are written.
func TestConformCommand(t *testing.T) {
	dir := t.TempDir()
	html, junit := filepath.Join(dir, "r.html"), filepath.Join(dir, "r.xml")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no output", []string{"conform", blocking}, "needs --html FILE or --junit FILE"},
		{"mutant with server", []string{"conform", "--html", html, "--server", "127.0.0.1:1", "--mutant", "no-unavailable-on-block"}, "--mutant applies to the model alone"},
		{"missing script", []string{"conform", "--html", html, filepath.Join(dir, "nope.scs")}, "nope.scs"},
		{"unknown profile", []string{"conform", "--html", html, "--profile", "nope"}, "nope"},
		{"unreachable server", []string{"conform", "--html", html, "--server", "127.0.0.1:1", "--checks", "0", blocking}, "127.0.0.1:1"},
		// the connection flags are the other commands' (serverflags.go)
		{"tls without server", []string{"conform", "--html", html, "--tls", "starttls"}, "--tls applies only with --server"},
		{"register without server", []string{"conform", "--html", html, "--register"}, "--register applies only with --server"},
		{"ca without tls", []string{"conform", "--html", html, "--server", "127.0.0.1:1", "--ca", "x.pem"}, "need --tls starttls or direct"},
		{"register and no-prefix", []string{"conform", "--html", html, "--server", "127.0.0.1:1", "--register", "--no-prefix"}, "excludes --no-prefix"},
		{"bad tls mode", []string{"conform", "--html", html, "--server", "127.0.0.1:1", "--tls", "sometimes"}, "--tls"},
	} {
		_, errOut, code := scansim(t, c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%s: code %d, stderr %q", c.name, code, errOut)
		}
		if _, err := os.Stat(html); err == nil {
			t.Fatalf("%s: a report was written", c.name)
		}
	}

	out, errOut, code := scansim(t, "conform", "--html", html, "--junit", junit, "--checks", "30", blocking)
	if code != exitOK || !strings.Contains(out, "0 of ") {
		t.Fatalf("correct model: code %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = scansim(t, "conform", "--profile", "prosody-trunk", "--mutant", "no-unavailable-on-block", "--html", html, "--junit", junit,
		"--checks", "500", "--steps", "10", blocking)
	if code != exitFailed || !strings.Contains(out, "FAIL  XEP-0191 §3.3\n") || !strings.Contains(out, "inv21") {
		t.Fatalf("mutant: code %d\n%s%s", code, out, errOut)
	}
	for _, f := range []string{html, junit} {
		b, err := os.ReadFile(f)
		if err != nil || !strings.Contains(string(b), "inv21") {
			t.Errorf("%s: %v, holds inv21: %v", f, err, strings.Contains(string(b), "inv21"))
		}
	}
}
