package compare

import (
	"fmt"
	"sort"
	"strings"
)

// Interleavings returns the orders in which a server may read the
// stanzas several connections wrote at the same time: each order lists,
// stanza by stanza, the connection whose next stanza is read, and keeps
// every connection's own order (a stream is processed in order, RFC
// 6120 §10.1; two streams are not ordered with each other). lens[k] is
// how many stanzas connection k wrote. At most max orders are returned,
// in lexicographic order (the first is every connection's stanzas in
// turn, connection 0 first).
func Interleavings(lens []int, max int) [][]int {
	total := 0
	for _, n := range lens {
		total += n
	}
	left := append([]int(nil), lens...)
	var out [][]int
	cur := make([]int, 0, total)
	var walk func()
	walk = func() {
		if len(out) >= max {
			return
		}
		if len(cur) == total {
			out = append(out, append([]int(nil), cur...))
			return
		}
		for k := range left {
			if left[k] == 0 {
				continue
			}
			left[k]--
			cur = append(cur, k)
			walk()
			cur = cur[:len(cur)-1]
			left[k]++
		}
	}
	walk()
	return out
}

// AnyMatch holds what the clients got (per client, masked as Stream
// masks) against the expectation of each serialisation a server may have
// chosen (cands, per client), with Judge's rules per client. It returns
// the first candidate every client of which matches (known: an
// allowance of a was needed), or match -1 with the candidate closest to
// what the clients got (the fewest stanzas missing or extra) and its
// difference, one "client C, -model +server:" section per client.
func AnyMatch(cands []map[string][]string, got map[string][]string, bareOf func(client string) string, a Allowances) (match int, known bool, closest int, diff string) {
	best := -1
	for i, want := range cands {
		names := map[string]bool{}
		for c := range want {
			names[c] = true
		}
		for c := range got {
			names[c] = true
		}
		clients := make([]string, 0, len(names))
		for c := range names {
			if c != "" {
				clients = append(clients, c)
			}
		}
		sort.Strings(clients)
		var b strings.Builder
		off, kb := 0, false
		for _, c := range clients {
			switch Judge(want[c], got[c], bareOf(c), bareOf, a) {
			case Same:
			case KnownBug:
				kb = true
			default:
				d := MultisetDiff(want[c], got[c])
				fmt.Fprintf(&b, "client %s, -model +server:\n%s", c, d)
				for _, l := range strings.Split(d, "\n") {
					if strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+") {
						off++
					}
				}
			}
		}
		if b.Len() == 0 {
			return i, kb, i, ""
		}
		if best < 0 || off < best {
			best, closest, diff = off, i, b.String()
		}
	}
	return -1, false, closest, diff
}
