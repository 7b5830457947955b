package serve

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"testing"
)

// The exchanges of RFC 5802 §5 (SCRAM-SHA-1) and RFC 7677 §3
// (SCRAM-SHA-256): user "user", password "pencil", with the RFCs' nonces
// and salts. The server must accept the RFC's client proof and answer
// with the RFC's server signature.
func TestSCRAMVectors(t *testing.T) {
	for _, tc := range []struct {
		name          string
		h             func() hash.Hash
		cnonce, snon  string
		salt          string
		final, verify string
	}{
		{
			name: "SCRAM-SHA-1 (RFC 5802)", h: sha1.New,
			cnonce: "fyko+d2lbbFgONRv9qkxdawL", snon: "3rfcNHYJY1ZVvWVs7j", salt: "QSXCR+Q6sek8bf92",
			final:  "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
			verify: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
		},
		{
			name: "SCRAM-SHA-256 (RFC 7677)", h: sha256.New,
			cnonce: "rOprNGfwEbeRWgbNEkqO", snon: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
			final:  "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
			verify: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			salt, _ := base64.StdEncoding.DecodeString(tc.salt)
			m := &scram{newHash: tc.h, pw: passwords{"user": "pencil"}, iter: 4096,
				nonce: func() string { return tc.snon }, salt: func() []byte { return salt }}
			out, done, fail := m.step([]byte("n,,n=user,r=" + tc.cnonce))
			if fail != nil || done {
				t.Fatalf("client-first: %v %v", fail, done)
			}
			if want := "r=" + tc.cnonce + tc.snon + ",s=" + tc.salt + ",i=4096"; string(out) != want {
				t.Fatalf("server-first = %q, want %q", out, want)
			}
			out, done, fail = m.step([]byte(tc.final))
			if fail != nil || !done {
				t.Fatalf("client-final: %v %v", fail, done)
			}
			if string(out) != tc.verify {
				t.Fatalf("server-final = %q, want %q", out, tc.verify)
			}
			if m.user() != "user" {
				t.Fatalf("user = %q", m.user())
			}
		})
	}
}

func TestSCRAMWrongPassword(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("QSXCR+Q6sek8bf92")
	m := &scram{newHash: sha1.New, pw: passwords{"user": "not-pencil"}, iter: 4096,
		nonce: func() string { return "3rfcNHYJY1ZVvWVs7j" }, salt: func() []byte { return salt }}
	m.step([]byte("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"))
	_, done, fail := m.step([]byte("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="))
	if done || fail == nil || fail.cond != "not-authorized" {
		t.Fatalf("wrong password: done=%v fail=%v, want not-authorized", done, fail)
	}
}

func TestSCRAMMalformed(t *testing.T) {
	for _, in := range []string{"", "n", "x,,n=user,r=abc", "n,,r=abc", "p=tls-unique,,n=user,r=a", "n,,n=us=er,r=a"} {
		m := &scram{newHash: sha1.New, pw: passwords{"user": "p"}, iter: 1,
			nonce: func() string { return "s" }, salt: func() []byte { return []byte("salt") }}
		if _, _, fail := m.step([]byte(in)); fail == nil {
			t.Errorf("client-first %q accepted", in)
		}
	}
}

func TestPlain(t *testing.T) {
	any := &plain{host: "localhost"}
	if _, done, fail := any.step([]byte("\x00romeo\x00whatever")); !done || fail != nil || any.user() != "romeo" {
		t.Fatalf("any password: done=%v fail=%v user=%q", done, fail, any.user())
	}
	fixed := &plain{host: "localhost", pw: passwords{"romeo": "secret"}}
	if _, _, fail := fixed.step([]byte("\x00romeo\x00wrong")); fail == nil || fail.cond != "not-authorized" {
		t.Fatalf("wrong password accepted: %v", fail)
	}
	if _, _, fail := fixed.step([]byte("juliet@localhost\x00romeo\x00secret")); fail == nil || fail.cond != "invalid-authzid" {
		t.Fatalf("foreign authzid accepted: %v", fail)
	}
	if _, _, fail := fixed.step([]byte("romeo")); fail == nil || fail.cond != "malformed-request" {
		t.Fatalf("malformed accepted: %v", fail)
	}
}
