package jid

import (
	"math/rand/v2"
	"testing"
)

// TestPrepFastIsFull: the byte-table path of each preparation returns
// what the full rune-by-rune path returns, for every string of up to two
// bytes over all of ASCII and for random longer strings mixing the
// characters each check singles out (capitals, separators, dots,
// spaces, controls, a mapped-to-nothing code point, other non-ASCII).
func TestPrepFastIsFull(t *testing.T) {
	check := func(s string) {
		t.Helper()
		for _, p := range []struct {
			name       string
			fast, full func(string) (string, bool)
		}{
			{"node", prepNode, prepNodeFull},
			{"domain", prepDomain, prepDomainFull},
			{"resource", prepResource, prepResourceFull},
		} {
			g, gok := p.fast(s)
			w, wok := p.full(s)
			if g != w || gok != wok {
				t.Fatalf("%s(%q) = %q, %v; full path %q, %v", p.name, s, g, gok, w, wok)
			}
		}
	}
	check("")
	for a := 0; a < 0x80; a++ {
		check(string(rune(a)))
		for b := 0; b < 0x80; b++ {
			check(string([]byte{byte(a), byte(b)}))
		}
	}
	alphabet := []string{"a", "z", "A", "Z", "0", ".", "..", "@", "/", ":", "&", "'", "\"", "<", ">",
		" ", "\t", "\x7f", "\x00", "-", "_", "\u00ad", "é", "É", "\u00a0", "\u0085", "🤖"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var s string
		for n := r.IntN(8); n > 0; n-- {
			s += alphabet[r.IntN(len(alphabet))]
		}
		check(s)
	}
	check(string(make([]byte, 1024)))
	long := make([]byte, 1024)
	for i := range long {
		long[i] = 'a'
	}
	check(string(long))
	check(string(long[:1023]))
}

// BenchmarkParse: the addresses a replay parses most, a full and a bare
// JID.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Parse("juliet@localhost/balcony")
		Parse("romeo@localhost")
	}
}
