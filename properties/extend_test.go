package properties

import (
	"errors"
	"testing"

	"pgregory.net/rapid"
)

// TestPropertyWithExtensions: Property(Config) runs under the caller's own
// rapid.Check with custom actions and invariants, which see the steps.
func TestPropertyWithExtensions(t *testing.T) {
	seen := 0
	cfg := Config{Users: 2, NoFaults: true,
		Actions: map[string]Action{"z1Probe": func(c *Ctx, t *rapid.T) {
			s := c.PickConnected(t)
			c.Send(t, s, "<presence type='probe' to='u2@localhost'/>")
		}},
		CustomInvariants: []Invariant{{Name: "stepsSeen", Check: func(c *Ctx) error {
			if len(c.Step()) == 0 && c.LastOp().Kind == OpSend {
				return errors.New("a send step without trace events")
			}
			seen++
			return nil
		}}},
	}
	rapid.Check(t, Property(cfg))
	if seen == 0 {
		t.Fatal("custom invariant never ran")
	}
	// a failing custom invariant fails the property, named
	cfg.CustomInvariants = []Invariant{{Name: "neverProbe", Check: func(c *Ctx) error {
		if c.LastOp().Name == "z1Probe" {
			return errors.New("probed")
		}
		return nil
	}}}
	r := Explore(Config{Seed: 1, Checks: 200, Users: 2, NoFaults: true, OutDir: t.TempDir(), ShrinkTime: 1,
		Actions: cfg.Actions, CustomInvariants: cfg.CustomInvariants})
	if r.Failure == nil || failureKey(r.Failure.Message) != "custom invariant neverProbe" {
		t.Fatalf("custom failure not reported: %+v", r.Failure)
	}
	if r.Failure.ShrunkLen > 2 {
		t.Errorf("shrunk to %d actions, want <= 2 (connect, probe)", r.Failure.ShrunkLen)
	}
}
