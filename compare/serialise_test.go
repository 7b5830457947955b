package compare_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/scansim/scansim/compare"
)

// TestInterleavings: two connections with two stanzas and one give the
// three orders that keep each connection's own order (C(3,1)), first the
// lexicographically smallest; the bound cuts the list.
func TestInterleavings(t *testing.T) {
	got := fmt.Sprint(compare.Interleavings([]int{2, 1}, 20))
	if want := "[[0 0 1] [0 1 0] [1 0 0]]"; got != want {
		t.Errorf("Interleavings(2,1) = %s, want %s", got, want)
	}
	if n := len(compare.Interleavings([]int{3, 3}, 100)); n != 20 {
		t.Errorf("3+3 stanzas: %d orders, want C(6,3) = 20", n)
	}
	if n := len(compare.Interleavings([]int{3, 3}, 5)); n != 5 {
		t.Errorf("bounded to 5: %d orders", n)
	}
}

// TestAnyMatch: the server's observation matches the second candidate;
// when it matches none, the closest is reported with its difference.
func TestAnyMatch(t *testing.T) {
	bare := func(c string) string { return c + "@localhost" }
	cands := []map[string][]string{
		{"a": {"<iq type='result'/>", "<message type='error'/>"}},
		{"a": {"<iq type='result'/>", "<message/>"}},
	}
	m, _, _, _ := compare.AnyMatch(cands, map[string][]string{"a": {"<message/>", "<iq type='result'/>"}}, bare, compare.Allowances{})
	if m != 1 {
		t.Errorf("match = %d, want 1", m)
	}
	m, _, c, d := compare.AnyMatch(cands, map[string][]string{"a": {"<message type='error'/>"}}, bare, compare.Allowances{})
	if m != -1 || c != 0 || !strings.Contains(d, "- <iq type='result'/>") || strings.Contains(d, "<message/>") {
		t.Errorf("no match: match %d closest %d diff:\n%s", m, c, d)
	}
}
