package xmpptcp_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/xmpptcp"
	"github.com/scansim/scansim/xmpptcp/xmpptcptest"
)

func server(t *testing.T, o xmpptcptest.Options) *xmpptcptest.Server {
	t.Helper()
	s, err := xmpptcptest.NewServerWith(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func pool(t *testing.T, s *xmpptcptest.Server) *tls.Config {
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(s.CAPEM()) {
		t.Fatal("no certificate")
	}
	return &tls.Config{RootCAs: p}
}

func dialOK(t *testing.T, cfg xmpptcp.Config) *xmpptcp.Conn {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = 3 * time.Second
	}
	c, err := xmpptcp.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Drop() })
	if err := c.Ping(); err != nil {
		t.Fatal(err)
	}
	return c
}

func dialErr(t *testing.T, cfg xmpptcp.Config, want string) error {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = 3 * time.Second
	}
	c, err := xmpptcp.Dial(cfg)
	if err == nil {
		c.Drop()
		t.Fatalf("Dial(%+v) succeeded, want an error containing %q", cfg, want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("Dial error %q, want one containing %q", err, want)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q is not one line", err)
	}
	return err
}

// Each SCRAM mechanism the server may offer alone, and the preference
// when it offers several, against the server's own check of the proof.
func TestSASLMechanisms(t *testing.T) {
	acc := map[string]string{"romeo": "s3cret"}
	for _, mechs := range [][]string{{"SCRAM-SHA-256"}, {"SCRAM-SHA-1"}, {"PLAIN"}, {"PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}} {
		s := server(t, xmpptcptest.Options{Accounts: acc, Mechanisms: mechs})
		c := dialOK(t, xmpptcp.Config{Addr: s.Addr(), User: "romeo", Password: "s3cret", Resource: "r"})
		if c.JID() != "romeo@localhost/r" {
			t.Errorf("JID %q", c.JID())
		}
		dialErr(t, xmpptcp.Config{Addr: s.Addr(), User: "romeo", Password: "wrong"}, "authentication of romeo failed")
	}
	// Only SCRAM-SHA-1 offered but the server wants -PLUS: nothing usable.
	s := server(t, xmpptcptest.Options{Accounts: acc, Mechanisms: []string{"SCRAM-SHA-1-PLUS", "DIGEST-MD5"}})
	dialErr(t, xmpptcp.Config{Addr: s.Addr(), User: "romeo", Password: "s3cret"}, "no SASL mechanism the client supports")
}

// The mechanism chosen is the strongest offered, whatever the server's
// order; the failure names it.
func TestSASLPrefersSCRAM(t *testing.T) {
	for _, tc := range []struct {
		offer []string
		want  string
	}{
		{[]string{"PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"}, "(SCRAM-SHA-256)"},
		{[]string{"PLAIN", "SCRAM-SHA-1"}, "(SCRAM-SHA-1)"},
		{[]string{"SCRAM-SHA-1-PLUS", "PLAIN"}, "(PLAIN)"},
	} {
		s := server(t, xmpptcptest.Options{Accounts: map[string]string{"romeo": "pw"}, Mechanisms: tc.offer})
		dialErr(t, xmpptcp.Config{Addr: s.Addr(), User: "romeo", Password: "px"}, tc.want)
	}
}

func TestStartTLSAndDirectTLS(t *testing.T) {
	acc := map[string]string{"romeo": "pw"}
	st := server(t, xmpptcptest.Options{Accounts: acc, TLS: xmpptcptest.StartTLS, RequireTLS: true})
	dialOK(t, xmpptcp.Config{Addr: st.Addr(), User: "romeo", Password: "pw", TLS: xmpptcp.TLSStartTLS, TLSConfig: pool(t, st)})
	dialErr(t, xmpptcp.Config{Addr: st.Addr(), User: "romeo", Password: "pw"}, "requires STARTTLS")
	// A self-signed certificate is refused without the CA or the explicit skip.
	dialErr(t, xmpptcp.Config{Addr: st.Addr(), User: "romeo", Password: "pw", TLS: xmpptcp.TLSStartTLS}, "certificate")
	dialOK(t, xmpptcp.Config{Addr: st.Addr(), User: "romeo", Password: "pw", TLS: xmpptcp.TLSStartTLS, TLSConfig: &tls.Config{InsecureSkipVerify: true}})
	// The certificate names localhost: another domain does not verify.
	dialErr(t, xmpptcp.Config{Addr: st.Addr(), Domain: "example.org", User: "romeo", Password: "pw", TLS: xmpptcp.TLSStartTLS, TLSConfig: pool(t, st)}, "certificate")

	plain := server(t, xmpptcptest.Options{Accounts: acc})
	dialErr(t, xmpptcp.Config{Addr: plain.Addr(), User: "romeo", Password: "pw", TLS: xmpptcp.TLSStartTLS}, "does not offer STARTTLS")

	d := server(t, xmpptcptest.Options{Accounts: acc, TLS: xmpptcptest.DirectTLS})
	dialOK(t, xmpptcp.Config{Addr: d.Addr(), User: "romeo", Password: "pw", TLS: xmpptcp.TLSDirect, TLSConfig: pool(t, d)})
	dialErr(t, xmpptcp.Config{Addr: d.Addr(), User: "romeo", Password: "pw", TLS: xmpptcp.TLSStartTLS, TLSConfig: pool(t, d)}, "")
}

func TestInBandRegistration(t *testing.T) {
	s := server(t, xmpptcptest.Options{Accounts: map[string]string{}, Register: true, TLS: xmpptcptest.StartTLS})
	tc := pool(t, s)
	dialErr(t, xmpptcp.Config{Addr: s.Addr(), User: "newbie", Password: "pw", TLS: xmpptcp.TLSStartTLS, TLSConfig: tc}, "authentication of newbie failed")
	dialOK(t, xmpptcp.Config{Addr: s.Addr(), User: "newbie", Password: "pw", TLS: xmpptcp.TLSStartTLS, TLSConfig: tc, Register: true})
	// The account exists now: a plain login works, a second registration is refused.
	dialOK(t, xmpptcp.Config{Addr: s.Addr(), User: "newbie", Password: "pw", TLS: xmpptcp.TLSStartTLS, TLSConfig: tc})
	dialErr(t, xmpptcp.Config{Addr: s.Addr(), User: "newbie", Password: "pw", TLS: xmpptcp.TLSStartTLS, TLSConfig: tc, Register: true},
		"registration of newbie failed: conflict (The requested username already exists.)")
	no := server(t, xmpptcptest.Options{Accounts: map[string]string{}})
	dialErr(t, xmpptcp.Config{Addr: no.Addr(), User: "newbie", Register: true}, "does not offer in-band registration")
}

// The handshake has one deadline: a server trickling whitespace (a token
// every 20 ms) cannot extend it.
func TestHandshakeDeadlineSurvivesTrickling(t *testing.T) {
	s := server(t, xmpptcptest.Options{Hostile: xmpptcptest.Hostile{Kind: xmpptcptest.TrickleHandshake}})
	start := time.Now()
	err := dialErr(t, xmpptcp.Config{Addr: s.Addr(), User: "romeo", Timeout: 300 * time.Millisecond}, "timed out after 300ms waiting for stream features")
	var te *xmpptcp.TimeoutError
	if !errors.As(err, &te) {
		t.Errorf("%v is not a *TimeoutError", err)
	}
	if el := time.Since(start); el > 600*time.Millisecond {
		t.Errorf("Dial took %v with a 300ms timeout", el)
	}
}

func TestStreamErrorBeforeBind(t *testing.T) {
	s := server(t, xmpptcptest.Options{Hostile: xmpptcptest.Hostile{Kind: xmpptcptest.StreamErrorBeforeBind}})
	err := dialErr(t, xmpptcp.Config{Addr: s.Addr(), User: "romeo"}, "stream features: the server closed the stream with the stream error system-shutdown (Server is shutting down)")
	var se *xmpptcp.ServerStreamError
	if !errors.As(err, &se) || se.Cond != "system-shutdown" {
		t.Errorf("%#v is not the stream error", err)
	}
}

// After bind, what the server sends is bounded: each misbehaviour ends
// the connection with an error saying what happened.
func TestReaderBoundsAfterBind(t *testing.T) {
	for _, tc := range []struct {
		kind xmpptcptest.HostileKind
		want string
		as   func(error) bool
	}{
		{xmpptcptest.HugeStanza, "exceeds 1048576 bytes", func(e error) bool { var x *xmpptcp.SizeError; return errors.As(e, &x) }},
		{xmpptcptest.DeepStanza, "deeper than 100 levels", nil},
		{xmpptcptest.EndlessTokens, "deeper than 100 levels", nil},
		{xmpptcptest.StreamErrorAfterBind, "stream error system-shutdown (Server is shutting down)", func(e error) bool { var x *xmpptcp.ServerStreamError; return errors.As(e, &x) }},
		{xmpptcptest.Kill, "connection lost", nil},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			s := server(t, xmpptcptest.Options{Hostile: xmpptcptest.Hostile{Kind: tc.kind, After: 1}})
			c := dialOK0(t, s)
			_ = c.Ping() // the first element after bind sets it off
			select {
			case <-c.Done():
			case <-time.After(3 * time.Second):
				t.Fatal("the connection did not end")
			}
			err := c.EndErr()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("EndErr = %v, want %q", err, tc.want)
			}
			if tc.as != nil && !tc.as(err) {
				t.Errorf("EndErr %v has the wrong type", err)
			}
			if c.Len() != 0 {
				t.Errorf("%d stanzas queued from a bad stream", c.Len())
			}
		})
	}
}

func dialOK0(t *testing.T, s *xmpptcptest.Server) *xmpptcp.Conn {
	c, err := xmpptcp.Dial(xmpptcp.Config{Addr: s.Addr(), User: "romeo", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Drop() })
	return c
}

// A stanza that trickles forever holds no ping hostage past its deadline.
func TestPingDeadlineSurvivesTrickledStanza(t *testing.T) {
	s := server(t, xmpptcptest.Options{Hostile: xmpptcptest.Hostile{Kind: xmpptcptest.TrickleStanza, After: 1}})
	c, err := xmpptcp.Dial(xmpptcp.Config{Addr: s.Addr(), User: "romeo", Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Drop()
	start := time.Now()
	err = c.Ping()
	var te *xmpptcp.TimeoutError
	if !errors.As(err, &te) {
		t.Errorf("Ping = %v, want a timeout", err)
	}
	if el := time.Since(start); el > 600*time.Millisecond {
		t.Errorf("Ping took %v", el)
	}
}
