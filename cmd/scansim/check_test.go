package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/properties"
)

func TestCheckPasses(t *testing.T) {
	out, errOut, code := scansim(t, "check", "--checks", "10", "--steps", "10", "--seed", "1")
	// Piped (not a terminal): no progress at all on stderr, and a summary
	// with the action rate.
	if code != exitOK || errOut != "" || !strings.HasPrefix(out, "ok: 10 checks, ") || !strings.HasSuffix(out, " actions/s), no violation; seed 1\n") {
		t.Errorf("code %d stderr %q\n%s", code, errOut, out)
	}
}

// TestCheckFindsMutant: the blocklist-push-to-all mutant pushes a block to
// the session that asked for it, which the reference does not predict; the
// failure is shrunk and written as a script that trace can draw.
func TestCheckFindsMutant(t *testing.T) {
	dir := t.TempDir()
	out, _, code := scansim(t, "check", "--checks", "50", "--seed", "1", "--shrink-time", "2s",
		"--mutant", "blocklist-push-to-all", "--out", dir)
	if code != exitFailed || !strings.HasPrefix(out, "FAIL: ") || !strings.HasSuffix(out, " 1 violation; seed 1\n") {
		t.Fatalf("code %d\n%s", code, out)
	}
	scripts, _ := filepath.Glob(filepath.Join(dir, "*.scs"))
	if len(scripts) != 1 || !strings.Contains(out, "    script: "+scripts[0]+"\n") {
		t.Fatalf("scripts %v\n%s", scripts, out)
	}
	if _, err := os.Stat(scripts[0]); err != nil {
		t.Fatal(err)
	}
	// The script is something trace can draw.
	if _, errOut, code := scansim(t, "trace", "--mutant", "blocklist-push-to-all", scripts[0]); code == exitUsage {
		t.Errorf("trace of the failing script: %s", errOut)
	}
}

func TestCheckListsAndErrors(t *testing.T) {
	out, _, code := scansim(t, "check", "--list-invariants")
	if code != exitOK || strings.Count(out, "\n") != len(properties.Invariants()) {
		t.Errorf("--list-invariants: %d\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--users", "7"}, "scansim check: --users must be 2, 3 or 4 (or 0), got 7"},
		{[]string{"--mutant", "nope"}, `scansim check: unknown mutant "nope"`},
		{[]string{"--profile", "x"}, `scansim check: unknown profile "x"`},
		{[]string{"--spec", "x"}, `scansim check: unknown profile "x"`},
		{[]string{"--checks", "0"}, "scansim check: --checks and --steps must be positive"},
		{[]string{"extra"}, `scansim check: takes no arguments, got "extra"`},
	} {
		_, errOut, code := scansim(t, append([]string{"check"}, c.args...)...)
		if code != exitUsage || !strings.HasPrefix(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: %d %q", c.args, code, errOut)
		}
	}
}

// TestCheckLiveProgress: on a terminal the progress line is redrawn in
// place (carriage return, erase line) and cleared before the summary.
func TestCheckLiveProgress(t *testing.T) {
	var errb strings.Builder
	p := &progress{w: &errb, live: true}
	start := time.Now().Add(-time.Second)
	p.update(1, 3, 20, start)
	p.update(2, 3, 40, start) // within 100ms of the first: not redrawn
	p.update(3, 3, 60, start) // the last: always drawn
	p.done()
	got := errb.String()
	if strings.Count(got, "\r\x1b[Kcheck ") != 2 || !strings.Contains(got, "check 3/3  60 actions  ") ||
		!strings.HasSuffix(got, "\r\x1b[K") || strings.Contains(got, "\n") {
		t.Errorf("live progress output %q", got)
	}
}

// TestCheckCountsAndSeed: shrinking runs are not checks, the summary
// names the seed, and a drawn seed given back repeats the run.
func TestCheckCountsAndSeed(t *testing.T) {
	dir := t.TempDir()
	out, _, code := scansim(t, "check", "--checks", "50", "--seed", "1", "--shrink-time", "2s",
		"--mutant", "blocklist-push-to-all", "--out", dir)
	m := regexp.MustCompile(`first failing check (\d+)\b.*\n(?s:.*)\n(\d+) checks?, \d+ actions \([^)]*\), (\d+) runs shrinking, 1 violation; seed 1\n$`).FindStringSubmatch(out)
	if code != exitFailed || m == nil || m[1] != m[2] || m[3] == "0" {
		t.Fatalf("code %d\n%s", code, out)
	}
	out, _, code = scansim(t, "check", "--checks", "3", "--steps", "5")
	m = regexp.MustCompile(`^ok: 3 checks, (\d+) actions .*; seed (\d+)\n$`).FindStringSubmatch(out)
	if code != exitOK || m == nil {
		t.Fatalf("drawn seed: %d %q", code, out)
	}
	again, _, _ := scansim(t, "check", "--checks", "3", "--steps", "5", "--seed", m[2])
	if m2 := regexp.MustCompile(`^ok: 3 checks, (\d+) actions `).FindStringSubmatch(again); m2 == nil || m2[1] != m[1] {
		t.Errorf("--seed %s did not repeat the run: %q then %q", m[2], out, again)
	}
}

// TestCheckVerboseIsShort: -v prints a progress line every 10 checks and
// one when shrinking starts, not one per shrinking run.
func TestCheckVerboseIsShort(t *testing.T) {
	_, errOut, _ := scansim(t, "check", "-v", "--checks", "30", "--seed", "1", "--shrink-time", "2s",
		"--mutant", "blocklist-push-to-all", "--out", t.TempDir())
	if n := strings.Count(errOut, "\n"); n > 5 || !strings.Contains(errOut, "shrinking the failure\n") {
		t.Errorf("%d lines on stderr:\n%s", n, errOut)
	}
}

// TestProgressFitsTerminal: the live line never reaches the last column
// (it would wrap, and \r would redraw only the wrapped part), and the
// shrinking phase is labelled.
func TestProgressFitsTerminal(t *testing.T) {
	var errb strings.Builder
	p := &progress{w: &errb, live: true, width: 30}
	start := time.Now().Add(-time.Second)
	p.update(100, 100, 123456, start)
	p.lastDraw = time.Time{}
	p.shrinking(7, start)
	for _, l := range strings.Split(errb.String(), "\r\x1b[K") {
		if n := len([]rune(l)); n > 29 {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
	if !strings.Contains(errb.String(), "shrinking the failure: 7 ") {
		t.Errorf("%q", errb.String())
	}
	if got := p.partial(); !strings.Contains(got, "being shrunk (7 runs)") {
		t.Errorf("partial %q", got)
	}
}

// TestCheckInterrupt: Ctrl-C during a long exploration prints the partial
// summary and the seed, and exits 130. The exploration runs in a child
// process (this test binary, re-entered), which the test interrupts.
func TestCheckInterrupt(t *testing.T) {
	if os.Getenv("SCANSIM_CHECK_CHILD") == "1" {
		os.Exit(run([]string{"check", "--checks", "1000000", "--seed", "5"}, os.Stdout, os.Stderr))
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCheckInterrupt$")
	cmd.Env = append(os.Environ(), "SCANSIM_CHECK_CHILD=1")
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // let it get going (not a timing assertion)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130; stdout %q", err, out.String())
	}
	if !regexp.MustCompile(`^interrupted: \d+ of 1000000 checks done, \d+ actions, no violation so far; seed 5 \(--seed 5 repeats the run\)\n$`).MatchString(out.String()) {
		t.Errorf("stdout %q", out.String())
	}
}

// TestCheckSpecXEP: --spec xep on the prosody-0.12 model finds a
// departure of inv19 (P1, F2 or F4 of docs/findings.md) within 100
// checks, where the Prosody profile's own spec finds none; unknown
// invariants and findings are usage errors.
func TestCheckSpecXEP(t *testing.T) {
	dir := t.TempDir()
	args := []string{"check", "--profile", "prosody-0.12", "--no-reference", "--invariant", "inv19",
		"--checks", "100", "--seed", "1", "--shrink-time", "1s", "--out", dir}
	out, _, code := scansim(t, append(args, "--spec", "xep")...)
	if code != exitFailed || !strings.Contains(out, "inv19GeneratedTrafficSuppressed") {
		t.Fatalf("code %d\n%s", code, out)
	}
	if out, _, code := scansim(t, args...); code != exitOK {
		t.Fatalf("without --spec xep: code %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"check", "--invariant", "inv99"},
		{"check", "--spec", "xep", "--accept", "P9"},
	} {
		if _, errOut, code := scansim(t, args...); code != exitUsage || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: code %d, stderr %q", args, code, errOut)
		}
	}
}

// TestCheckCoverage: --coverage prints the table and the total line;
// --min-coverage fails a run that covers less (100 checks cover far less
// than 99.9%) and rejects a value that is no percentage.
func TestCheckCoverage(t *testing.T) {
	out, _, code := scansim(t, "check", "--checks", "20", "--seed", "1", "--coverage")
	if code != exitOK || !strings.Contains(out, "== XEP-0191") || !strings.Contains(out, "A.3.1/None") || !strings.Contains(out, "\ncoverage: ") {
		t.Fatalf("code %d\n%s", code, out)
	}
	out, _, code = scansim(t, "check", "--checks", "20", "--seed", "1", "--min-coverage", "99.9")
	if code != exitFailed || !strings.HasPrefix(out, "FAIL: coverage ") {
		t.Fatalf("code %d\n%s", code, out)
	}
	if _, errOut, code := scansim(t, "check", "--min-coverage", "120"); code != exitUsage || strings.Count(errOut, "\n") != 1 {
		t.Errorf("code %d, stderr %q", code, errOut)
	}
}
