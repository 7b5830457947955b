package main

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/serve"
	"github.com/scansim/scansim/serve/servetest"
)

// TestCheckSpecXEPConfirmsOnServer: check --server --spec xep against
// the prosody-0.12 model served over TCP (`scansim serve`: a server that
// departs as the model does) finds P3 on the model and confirms it on the
// server's own trace; the summary gives the model checks and the
// confirmations.
func TestCheckSpecXEPConfirmsOnServer(t *testing.T) {
	if testing.Short() {
		t.Skip("a search against a served model")
	}
	srv := servetest.Start(t, serve.Options{Profile: "prosody-0.12"})
	out, errOut, code := scansim(t, "check", "--server", srv.Addr, "--profile", "prosody-0.12", "--spec", "xep", "--no-reference",
		"--invariant", "inv22", "--checks", "2000", "--seed", "1", "--no-rooms", "--out", t.TempDir())
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
}
