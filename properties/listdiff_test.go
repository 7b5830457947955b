package properties

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/model"
)

// TestDiffsAreStable: the reported differences are plain ASCII lines
// (go-cmp's reporter puts U+00A0 in at random, so two runs of the same
// seed printed different bytes).
func TestDiffsAreStable(t *testing.T) {
	got := sortedDiff([]string{"a", "b", "b", "d"}, []string{"b", "c", "d", "e"})
	if want := "  - a\n  - b\n  + c\n  + e\n"; got != want {
		t.Errorf("sortedDiff = %q, want %q", got, want)
	}
	if sortedDiff(nil, []string{}) != "" {
		t.Error("nil and empty differ")
	}
	c := contactDiff(model.Contact{Subscription: "both", InRoster: true}, model.Contact{Subscription: "to", InRoster: true, Ask: true})
	if want := "  Subscription: both (reference) → to (model)\n  Ask: false (reference) → true (model)\n"; c != want {
		t.Errorf("contactDiff = %q", c)
	}
	if strings.ContainsRune(got+c, '\u00a0') {
		t.Error("a no-break space")
	}
}
