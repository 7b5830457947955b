package properties

import (
	"fmt"
	"strings"

	"github.com/scansim/scansim/model"
)

// This file renders the differences the harness reports. They reach the
// user (check's output, the failing script's description), so they must be
// the same bytes on every run: go-cmp's reporter is deliberately unstable
// (it swaps spaces for U+00A0 at random so that nobody compares its
// output), which is right for a test's log and wrong for a tool whose
// product is determinism.

// sortedDiff renders the difference of two sorted lists as lines:
// "  - x" for an item only (or more often) in want, "  + x" only in got,
// one line per extra copy; items in both are not shown. Each line ends in
// a newline; "" when the lists are equal.
func sortedDiff(want, got []string) string {
	var b strings.Builder
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case i < len(want) && j < len(got) && want[i] == got[j]:
			i++
			j++
		case j == len(got) || (i < len(want) && want[i] < got[j]):
			fmt.Fprintf(&b, "  - %s\n", want[i])
			i++
		default:
			fmt.Fprintf(&b, "  + %s\n", got[j])
			j++
		}
	}
	return b.String()
}

// contactDiff renders the fields in which two roster contacts differ:
// "  InRoster: true → false", one line each.
func contactDiff(want, got model.Contact) string {
	var b strings.Builder
	field := func(name string, w, g any) {
		if w != g {
			fmt.Fprintf(&b, "  %s: %v (reference) → %v (model)\n", name, w, g)
		}
	}
	field("InRoster", want.InRoster, got.InRoster)
	field("Subscription", want.Subscription, got.Subscription)
	field("Ask", want.Ask, got.Ask)
	field("Approved", want.Approved, got.Approved)
	field("PendingIn", want.PendingIn, got.PendingIn)
	return b.String()
}
