package xmpptcp

import (
	"strings"
	"testing"
)

// The exchanges of RFC 5802 §5 (SCRAM-SHA-1) and RFC 7677 §3
// (SCRAM-SHA-256), byte for byte.
func TestSCRAMTestVectors(t *testing.T) {
	for _, tc := range []struct {
		mech, nonce, clientFirst, serverFirst, clientFinal, serverFinal string
	}{
		{"SCRAM-SHA-1", "fyko+d2lbbFgONRv9qkxdawL",
			"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
			"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
			"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
			"v=rmF9pqV8S7suAoZWja4dJRkFsKQ="},
		{"SCRAM-SHA-256", "rOprNGfwEbeRWgbNEkqO",
			"n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
			"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
			"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
			"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="},
	} {
		s, err := newSCRAM(tc.mech, "user", "pencil", tc.nonce)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.first(); got != tc.clientFirst {
			t.Errorf("%s client-first = %q, want %q", tc.mech, got, tc.clientFirst)
		}
		got, err := s.final(tc.serverFirst)
		if err != nil || got != tc.clientFinal {
			t.Errorf("%s client-final = %q, %v; want %q", tc.mech, got, err, tc.clientFinal)
		}
		if err := s.verify(tc.serverFinal); err != nil {
			t.Errorf("%s: the RFC's server signature was refused: %v", tc.mech, err)
		}
		if err := s.verify("v=" + strings.Repeat("A", 28)); err == nil {
			t.Errorf("%s: a wrong server signature was accepted", tc.mech)
		}
	}
}

func TestSCRAMRejectsHostileServerFirst(t *testing.T) {
	for _, tc := range []struct{ serverFirst, want string }{
		{"r=other,s=QSXCR+Q6sek8bf92,i=4096", "does not extend"},
		{"r=abc,s=QSXCR+Q6sek8bf92,i=4096", "does not extend"},
		{"r=abcX,s=!!,i=4096", "not base64"},
		{"r=abcX,s=QSXCR+Q6sek8bf92,i=2147483647", "iteration count"},
		{"r=abcX,s=QSXCR+Q6sek8bf92,i=0", "iteration count"},
		{"m=ext,r=abcX,s=QSXCR+Q6sek8bf92,i=1", "extension"},
		{"garbage", "malformed"},
		{"r=abcX,r=abcY,s=QSXCR+Q6sek8bf92,i=1", "repeated"},
	} {
		s, _ := newSCRAM("SCRAM-SHA-1", "u", "p", "abc")
		s.first()
		if _, err := s.final(tc.serverFirst); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("final(%q) = %v, want an error containing %q", tc.serverFirst, err, tc.want)
		}
	}
	s, _ := newSCRAM("SCRAM-SHA-1", "u", "p", "abc")
	if err := s.verify("e=invalid-proof"); err == nil || !strings.Contains(err.Error(), `"invalid-proof"`) {
		t.Errorf("verify(e=...) = %v", err)
	}
}

func TestSASLNameEscaping(t *testing.T) {
	if got := saslName("a=b,c"); got != "a=3Db=2Cc" {
		t.Errorf("saslName = %q", got)
	}
}
