package scram

import (
	"encoding/base64"
	"testing"
)

func lookup(pw map[string]string) func(string) (string, bool) {
	return func(u string) (string, bool) { p, ok := pw[u]; return p, ok }
}

// The exchanges of RFC 5802 §5 (SCRAM-SHA-1) and RFC 7677 §3
// (SCRAM-SHA-256): user "user", password "pencil", with the RFCs' nonces
// and salts. The server must accept the RFC's client proof and answer
// with the RFC's server signature.
func TestSCRAMVectors(t *testing.T) {
	for _, tc := range []struct {
		name, mech    string
		cnonce, snon  string
		salt          string
		final, verify string
	}{
		{
			name: "SCRAM-SHA-1 (RFC 5802)", mech: "SCRAM-SHA-1",
			cnonce: "fyko+d2lbbFgONRv9qkxdawL", snon: "3rfcNHYJY1ZVvWVs7j", salt: "QSXCR+Q6sek8bf92",
			final:  "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
			verify: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
		},
		{
			name: "SCRAM-SHA-256 (RFC 7677)", mech: "SCRAM-SHA-256",
			cnonce: "rOprNGfwEbeRWgbNEkqO", snon: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
			final:  "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
			verify: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			salt, _ := base64.StdEncoding.DecodeString(tc.salt)
			m := NewServer(tc.mech, lookup(map[string]string{"user": "pencil"}),
				func() string { return tc.snon }, func() []byte { return salt })
			out, done, fail := m.Step([]byte("n,,n=user,r=" + tc.cnonce))
			if fail != nil || done {
				t.Fatalf("client-first: %v %v", fail, done)
			}
			if want := "r=" + tc.cnonce + tc.snon + ",s=" + tc.salt + ",i=4096"; string(out) != want {
				t.Fatalf("server-first = %q, want %q", out, want)
			}
			out, done, fail = m.Step([]byte(tc.final))
			if fail != nil || !done {
				t.Fatalf("client-final: %v %v", fail, done)
			}
			if string(out) != tc.verify {
				t.Fatalf("server-final = %q, want %q", out, tc.verify)
			}
			if m.User() != "user" {
				t.Fatalf("user = %q", m.User())
			}
		})
	}
}

func TestSCRAMWrongPassword(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("QSXCR+Q6sek8bf92")
	m := NewServer("SCRAM-SHA-1", lookup(map[string]string{"user": "not-pencil"}),
		func() string { return "3rfcNHYJY1ZVvWVs7j" }, func() []byte { return salt })
	m.Step([]byte("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"))
	_, done, fail := m.Step([]byte("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="))
	if done || fail == nil || fail.Cond != "not-authorized" {
		t.Fatalf("wrong password: done=%v fail=%v, want not-authorized", done, fail)
	}
}

func TestSCRAMMalformed(t *testing.T) {
	for _, in := range []string{"", "n", "x,,n=user,r=abc", "n,,r=abc", "p=tls-unique,,n=user,r=a", "n,,n=us=er,r=a"} {
		m := NewServer("SCRAM-SHA-1", lookup(map[string]string{"user": "p"}),
			func() string { return "s" }, func() []byte { return []byte("salt") })
		if _, _, fail := m.Step([]byte(in)); fail == nil {
			t.Errorf("client-first %q accepted", in)
		}
	}
}

// An unknown user fails like a wrong password, after a full exchange.
func TestSCRAMUnknownUser(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("QSXCR+Q6sek8bf92")
	m := NewServer("SCRAM-SHA-1", lookup(nil), func() string { return "3rfcNHYJY1ZVvWVs7j" }, func() []byte { return salt })
	if _, _, fail := m.Step([]byte("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")); fail != nil {
		t.Fatalf("client-first for an unknown user: %v (must not tell)", fail)
	}
	_, done, fail := m.Step([]byte("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="))
	if done || fail == nil || fail.Cond != "not-authorized" {
		t.Fatalf("unknown user: done=%v fail=%v", done, fail)
	}
	if NewServer("SCRAM-SHA-512", lookup(nil), nil, nil) != nil {
		t.Fatal("an unknown mechanism was started")
	}
}
