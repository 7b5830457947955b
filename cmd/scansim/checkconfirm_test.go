package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/scansim/scansim/serve"
	"github.com/scansim/scansim/serve/servetest"
)

// TestCheckSpecXEPConfirmsOnServer: check --server --spec xep against
// the prosody-0.12 model served over TCP (`scansim serve`: a server that
// departs as the model does) finds P3 on the model and confirms it on the
// server's own trace; the summary gives the model checks and the
// confirmations, and --out holds the confirmed script alone. The "server"
// is the model agreeing with itself: this tests the wiring and the
// output, not a server's behaviour (TestCheckSpecXEPServerDiffers and
// properties.TestSearchOnServerRefutes hold servers that differ).
func TestCheckSpecXEPConfirmsOnServer(t *testing.T) {
	if testing.Short() {
		t.Skip("a search against a served model")
	}
	dir := t.TempDir()
	out, errOut, code := checkSpecXEPServed(t, "prosody-0.12", dir)
	for _, want := range []string{
		"\n    server: confirmed on the server's trace: invariant violated: inv22PresenceOnUnblock",
		"\nFAIL: on the server: invariant violated: inv22PresenceOnUnblock",
		"found on the model at check ",
		" checks to find on the model, ",
		"1 server confirmation, 1 violation; seed 1",
	} {
		if code != exitFailed || !strings.Contains("\n"+out, want) {
			t.Fatalf("exit %d, want %d and %q:\n%s%s", code, exitFailed, want, out, errOut)
		}
	}
	written, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(written) != 1 || !strings.Contains(out, "script: "+written[0]+" ") {
		t.Errorf("--out holds %v, want the confirmed script alone:\n%s", written, out)
	}
}

// TestCheckSpecXEPServerDiffers: a server that is not the model (the
// ejabberd model served, under the prosody-0.12 model's search) differs
// from the model before each failing step the model finds, so nothing
// shows what it does at the step: the run is inconclusive (exit 2), with
// no claim on the server's behaviour, and --out is left empty (no script
// of an unconfirmed failure).
func TestCheckSpecXEPServerDiffers(t *testing.T) {
	if testing.Short() {
		t.Skip("a search against a served model")
	}
	dir := t.TempDir()
	out, errOut, code := checkSpecXEPServed(t, "ejabberd", dir, "--shrink-time", "2s")
	if code != exitUsage || !strings.Contains(out, "\ninconclusive: none of the model's ") || strings.Contains(out, "FAIL") ||
		strings.Contains(out, "the server does not") || !strings.Contains(out, "    server: inconclusive: the server differed from the model before the failing step") {
		t.Fatalf("exit %d, want %d, inconclusive and no claim on the server:\n%s%s", code, exitUsage, out, errOut)
	}
	if written, _ := filepath.Glob(filepath.Join(dir, "*")); len(written) != 0 {
		t.Errorf("--out holds %v, scripts of unconfirmed failures", written)
	}
}

// checkSpecXEPServed runs check --server --spec xep, the prosody-0.12
// model's search for P3 (inv22), against the model of profile served over
// TCP, writing scripts to dir.
func checkSpecXEPServed(t *testing.T, profile, dir string, extra ...string) (stdout, stderr string, code int) {
	t.Helper()
	srv := servetest.Start(t, serve.Options{Profile: profile})
	args := []string{"check", "--server", srv.Addr, "--profile", "prosody-0.12", "--spec", "xep", "--no-reference",
		"--invariant", "inv22", "--checks", "2000", "--seed", "1", "--no-rooms", "--out", dir}
	return scansim(t, append(args, extra...)...)
}
