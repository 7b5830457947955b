package serve

import (
	"testing"
)

// TestSCRAMOffered: SCRAM is a mechanism only with known passwords, and
// its failures come through as SASL failures (the exchange itself is
// internal/scram's, tested against the RFCs' vectors there).
func TestSCRAMOffered(t *testing.T) {
	nonce, salt := func() string { return "s" }, func() []byte { return []byte("salt") }
	if m := newMechanism("SCRAM-SHA-256", "localhost", nil, true, nonce, salt); m != nil {
		t.Fatal("SCRAM offered without passwords")
	}
	m := newMechanism("SCRAM-SHA-1", "localhost", passwords{"user": "p"}, true, nonce, salt)
	if m == nil {
		t.Fatal("SCRAM-SHA-1 not offered with passwords")
	}
	if _, _, fail := m.step([]byte("p=tls-unique,,n=user,r=a")); fail == nil || fail.cond != "invalid-mechanism" {
		t.Fatalf("channel binding: %v, want invalid-mechanism", fail)
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
