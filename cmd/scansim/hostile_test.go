package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/xmpptcp/xmpptcptest"
)

// echoScript runs on the test server (xmpptcptest routes a stanza back
// to its sender when it has no full JID to go to), so that a polite
// server passes it and any failure is the hostile server's doing.
const echoScript = `# echo

[Client] Romeo
	jid: romeo@localhost
	password: password

[Client] Juliet
	jid: juliet@localhost
	password: password

---

Romeo connects

Juliet connects

Romeo sends:
	<message type='chat'><body>1</body></message>

Romeo receives:
	<message type='chat'><body>1</body></message>

Juliet sends:
	<message type='chat'><body>2</body></message>

Juliet receives:
	<message type='chat'><body>2</body></message>

Romeo sends:
	<message type='chat'><body>3</body></message>

Romeo receives:
	<message type='chat'><body>3</body></message>

Romeo disconnects

Juliet disconnects
`

// TestHostileServers: whatever a server does, replay, diff and check
// against it end within twice their --timeout with exit status 2 and a
// one-line reason, keep memory bounded and write no failure script.
// (The echo script passes on the polite server: checked first, so that
// a pass or a failure cannot be mistaken for the misbehaviour's effect.)
func TestHostileServers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a few dozen in-process servers")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "echo.scs")
	if err := os.WriteFile(script, []byte(echoScript), 0o644); err != nil {
		t.Fatal(err)
	}
	polite, err := xmpptcptest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := scansim(t, "replay", "--server", polite.Addr(), "--timeout", "2s", script); code != exitOK {
		t.Fatalf("the echo script fails on the polite server: exit %d\n%s%s", code, out, errOut)
	}
	polite.Close()

	const timeout = time.Second
	commands := map[string][]string{
		"replay":      {"replay", script},
		"diff":        {"diff", script},
		"check":       {"check", "--checks", "3", "--seed", "1", "--no-faults"},
		"check-scans": {"check", "--engine", "scansion", "--checks", "3", "--seed", "1"},
	}
	for _, kind := range xmpptcptest.HostileKinds() {
		for _, name := range []string{"replay", "diff", "check", "check-scans"} {
			t.Run(kind.String()+"/"+name, func(t *testing.T) {
				srv, err := xmpptcptest.NewServerWith(xmpptcptest.Options{Hostile: xmpptcptest.Hostile{Kind: kind, After: 2}})
				if err != nil {
					t.Fatal(err)
				}
				defer srv.Close()
				out := t.TempDir()
				args := append([]string(nil), commands[name]...)
				args = append(args[:1], append([]string{"--server", srv.Addr(), "--timeout", timeout.String()}, args[1:]...)...)
				if strings.HasPrefix(name, "check") {
					args = append(args, "--out", out)
				}
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				start := time.Now()
				stdout, stderr, code := scansim(t, args...)
				elapsed := time.Since(start)
				runtime.ReadMemStats(&after)
				if code != exitUsage {
					t.Errorf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
				}
				if elapsed > 2*timeout {
					t.Errorf("took %v with --timeout %v", elapsed, timeout)
				}
				// Without the bounds, endless tokens grow the heap by
				// gigabytes in a second; with them the command allocates
				// what a short run does.
				if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
					t.Errorf("allocated %d MiB", alloc>>20)
				}
				reason := strings.TrimSpace(stderr)
				t.Logf("%v: %s", elapsed.Round(time.Millisecond), reason)
				if reason == "" || strings.Contains(reason, "\n") {
					t.Errorf("want a one-line reason on stderr, got %q", stderr)
				}
				for _, bad := range []string{"FAIL:", "DIVERGENCE", "DIFF "} {
					if strings.Contains(stdout, bad) {
						t.Errorf("a transport failure reported as behaviour:\n%s", stdout)
					}
				}
				if files, _ := os.ReadDir(out); len(files) > 0 {
					t.Errorf("a failure script was written: %v", files)
				}
			})
		}
	}
}

// TestTransportFailureDuringShrinking: check --server finds a divergence
// on the test server (which is not Prosody), and the server dies while
// the divergence is being shrunk: the shrink ends at once, the command
// stops with exit 2 and the reason, and no script is written.
func TestTransportFailureDuringShrinking(t *testing.T) {
	args := func(addr, out string) []string {
		return []string{"check", "--server", addr, "--timeout", "1s", "--checks", "5", "--seed", "1", "--no-faults", "--out", out}
	}
	polite, err := xmpptcptest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	stdout, _, code := scansim(t, args(polite.Addr(), t.TempDir())...)
	polite.Close()
	if code != exitFailed || !strings.Contains(stdout, "FAIL") {
		t.Fatalf("the test server shows no divergence to shrink (exit %d):\n%s", code, stdout)
	}
	// That divergence shows at the second action of the first sequence
	// (a handful of elements); the shrinking replays it hundreds of
	// times. A server that stalls at its 50th element stalls during
	// the shrinking.
	for _, kind := range []xmpptcptest.HostileKind{xmpptcptest.Stall, xmpptcptest.Kill} {
		srv, err := xmpptcptest.NewServerWith(xmpptcptest.Options{Hostile: xmpptcptest.Hostile{Kind: kind, After: 50}})
		if err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		start := time.Now()
		stdout, stderr, code := scansim(t, args(srv.Addr(), out)...)
		elapsed := time.Since(start)
		srv.Close()
		if code != exitUsage || !strings.Contains(stderr, "while shrinking") || strings.Contains(stdout, "FAIL") {
			t.Errorf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", kind, code, stdout, stderr)
		}
		// --timeout is honoured: a stalled server is given up on with the
		// 1s deadline (the default is xmpptcp.DefaultTimeout, 5s), and a
		// killed connection is noticed as closed, not waited out. The
		// message says which, so the check does not depend on how loaded
		// the machine is; the wall-clock bound only guards against a hang.
		switch kind {
		case xmpptcptest.Stall:
			if !strings.Contains(stderr, "timed out after 1s") {
				t.Errorf("%v: the 1s deadline is not what ended the run:\n%s", kind, stderr)
			}
		case xmpptcptest.Kill:
			if strings.Contains(stderr, "timed out") {
				t.Errorf("%v: a closed connection was waited out:\n%s", kind, stderr)
			}
		}
		if elapsed > 30*time.Second {
			t.Errorf("%v: took %v with --timeout 1s", kind, elapsed)
		}
		if files, _ := os.ReadDir(out); len(files) > 0 {
			t.Errorf("%v: a failure script was written: %v", kind, files)
		}
	}
}
