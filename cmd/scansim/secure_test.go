package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scansim/scansim/xmpptcp/xmpptcptest"
)

// TestReplayAgainstSecureServer: a server with real accounts, SCRAM and
// required STARTTLS with a self-signed certificate is driven without any
// insecure option: on the script's own accounts (--no-prefix) or on fresh
// ones it registers (--register).
func TestReplayAgainstSecureServer(t *testing.T) {
	srv, err := xmpptcptest.NewServerWith(xmpptcptest.Options{
		Accounts:   map[string]string{"romeo": "password", "juliet": "password"},
		Mechanisms: []string{"SCRAM-SHA-256", "SCRAM-SHA-1"},
		TLS:        xmpptcptest.StartTLS, RequireTLS: true, Register: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	script := filepath.Join(dir, "echo.scs")
	wrong := filepath.Join(dir, "wrong.scs")
	for name, text := range map[string]string{ca: string(srv.CAPEM()), script: echoScript,
		wrong: strings.Replace(echoScript, "password: password", "password: nope", 1)} {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := []string{"replay", "--server", srv.Addr(), "--tls", "starttls", "--ca", ca}
	for _, tc := range []struct {
		extra []string
		path  string
		code  int
		want  string
	}{
		{[]string{"--no-prefix"}, script, exitOK, "1 passed, 0 failed"},
		{[]string{"--register"}, script, exitOK, "1 passed, 0 failed"},
		{[]string{"--no-prefix"}, wrong, exitUsage, "Romeo cannot log in: xmpptcp: authentication of romeo failed (SCRAM-SHA-256): not-authorized"},
		// without the CA the self-signed certificate is refused
		{[]string{"--no-prefix", "--ca", ""}, script, exitUsage, "certificate"},
		{[]string{"--no-prefix", "--ca", "", "--insecure-skip-verify"}, script, exitOK, "1 passed"},
		// prefixed accounts do not exist without registration
		{nil, script, exitUsage, "authentication of r"},
	} {
		args := append(append(append([]string(nil), base...), tc.extra...), tc.path)
		out, errOut, code := scansim(t, args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("scansim %s: exit %d\n%s%s\nwant exit %d and %q", strings.Join(args[1:], " "), code, out, errOut, tc.code, tc.want)
		}
	}
	// Plain TCP against a server that requires STARTTLS: one line, exit 2.
	_, errOut, code := scansim(t, "replay", "--server", srv.Addr(), "--no-prefix", script)
	if code != exitUsage || !strings.Contains(errOut, "requires STARTTLS") {
		t.Errorf("without --tls: exit %d, %q", code, errOut)
	}
}

// TestConnectHostAndPortHonoured: a client's connect_host and
// connect_port win over --server, which here points where nothing
// listens.
func TestConnectHostAndPortHonoured(t *testing.T) {
	srv, err := xmpptcptest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	host, port, _ := net.SplitHostPort(srv.Addr())
	text := strings.ReplaceAll(echoScript, "password: password", "password: password\n\tconnect_host: "+host+"\n\tconnect_port: "+port)
	script := filepath.Join(t.TempDir(), "addr.scs")
	if err := os.WriteFile(script, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := scansim(t, "replay", "--server", "127.0.0.1:1", "--timeout", "1s", script)
	if code != exitOK {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	// On the model they are noted under -v, not used (the echo script
	// itself fails there: the model does not echo).
	out, _, code = scansim(t, "replay", "-v", script)
	if code == exitUsage || !strings.Contains(out, "connect_port \""+port+"\" is ignored: the simulation has no network addresses") {
		t.Errorf("sim: exit %d\n%s", code, out)
	}
}

func TestSecureFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"replay", "--password", "x", "a.scs"}, "--password applies only with --server"},
		{[]string{"replay", "--server", "127.0.0.1:1", "--tls", "ssl", "a.scs"}, "expected starttls, direct or off"},
		{[]string{"replay", "--server", "127.0.0.1:1", "--ca", "x.pem", "a.scs"}, "need --tls starttls or direct"},
		{[]string{"replay", "--server", "127.0.0.1:1", "--tls", "starttls", "--ca", "/nonexistent.pem", "a.scs"}, "--ca: open /nonexistent.pem"},
		{[]string{"replay", "--server", "127.0.0.1:1", "--no-prefix", "--register", "a.scs"}, "excludes --no-prefix"},
		{[]string{"diff", "--server", "127.0.0.1:1", "--max-depth", "1", "a.scs"}, "--max-depth at least 2"},
		{[]string{"check", "--server", "127.0.0.1:1", "--no-prefix"}, "every sequence needs fresh accounts"},
		{[]string{"check", "--register"}, "--register applies only with --server"},
	} {
		out, errOut, code := scansim(t, c.args...)
		if code != exitUsage || !strings.Contains(out+errOut, c.want) {
			t.Errorf("scansim %s: exit %d, output %q; want exit 2 and %q", strings.Join(c.args, " "), code, out+errOut, c.want)
		}
	}
}

// TestReceivesNothingByBarrier: on a real server "receives: nothing" is
// decided by the ping barrier, with no wait: a stanza the server sent
// because of the previous action still fails it.
func TestReceivesNothingByBarrier(t *testing.T) {
	srv, err := xmpptcptest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		text := "# nothing\n\n[Client] Romeo\n\tjid: romeo@localhost\n\tpassword: password\n\n---\n\nRomeo connects\n\n" + body + "\nRomeo disconnects\n"
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	quiet := write("quiet.scs", "Romeo receives: nothing\n")
	echoed := write("echoed.scs", "Romeo sends:\n\t<message type='chat'><body>x</body></message>\n\nRomeo receives: nothing\n")
	if out, errOut, code := scansim(t, "replay", "--server", srv.Addr(), quiet); code != exitOK {
		t.Errorf("quiet: exit %d\n%s%s", code, out, errOut)
	}
	out, _, code := scansim(t, "replay", "--server", srv.Addr(), echoed)
	if code != exitFailed || !strings.Contains(out, "Romeo received a stanza, expected nothing") {
		t.Errorf("echoed: exit %d\n%s", code, out)
	}
}
