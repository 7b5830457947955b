package properties

import (
	"testing"

	"github.com/scansim/scansim/model"
)

// TestSetOnlyRemakesStepChecks: the invariants a step runs follow the
// selection in force, also when it changes after a step has been judged
// (a confirmation switches to "state only" halfway through a sequence,
// confirm.go): the list made for the old selection is not reused.
func TestSetOnlyRemakesStepChecks(t *testing.T) {
	p := model.ProsodyTrunk()
	h := newHarness(2, p, p, nil, 1)
	all := h.inv.stepChecks()
	if len(all) < 2 {
		t.Fatalf("%d step checks with every invariant on", len(all))
	}
	first := all[0].name
	h.setOnly(map[string]bool{})
	if n := len(h.inv.stepChecks()); n != 0 {
		t.Errorf("%d step checks with none selected, want 0", n)
	}
	h.setOnly(map[string]bool{first: true})
	if got := h.inv.stepChecks(); len(got) != 1 || got[0].name != first {
		t.Errorf("selecting %s runs %d checks", first, len(got))
	}
	h.setOnly(nil)
	if n := len(h.inv.stepChecks()); n != len(all) {
		t.Errorf("%d step checks with every invariant on again, want %d", n, len(all))
	}
}
