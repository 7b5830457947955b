package sim_test

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/sim"
)

// TestForgetTraceKeepsNumbering: after ForgetTrace the trace holds only
// the events recorded since, numbered on from the forgotten ones, and
// they are the events an unforgetting run records at those numbers.
func TestForgetTraceKeepsNumbering(t *testing.T) {
	drive := func(forget bool) []sim.TraceEvent {
		s := sim.New(sim.Config{})
		a := connect(t, s, "A", "a", "r")
		connect(t, s, "B", "b", "r")
		s.RunUntilQuiet()
		if forget {
			s.ForgetTrace()
			if n := len(s.Trace()); n != 0 {
				t.Fatalf("%d events after ForgetTrace", n)
			}
		}
		send(t, a, withAttr("message", "to", "b@localhost/r"))
		s.RunUntilQuiet()
		return s.Trace()
	}
	whole, rest := drive(false), drive(true)
	if len(rest) == 0 || len(rest) >= len(whole) {
		t.Fatalf("%d events after forgetting, %d in all", len(rest), len(whole))
	}
	var a, b strings.Builder
	sim.WriteTrace(&a, whole[len(whole)-len(rest):])
	sim.WriteTrace(&b, rest)
	if a.String() != b.String() {
		t.Fatalf("after forgetting:\n%s\nwithout:\n%s", b.String(), a.String())
	}
}
