package properties

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/scansim/scansim/driver"
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
	r := Explore(Config{Options: driver.Options{Seed: 1}, Checks: 200, Users: 2, NoFaults: true, OutDir: t.TempDir(), ShrinkTime: 1,
		Actions: cfg.Actions, CustomInvariants: cfg.CustomInvariants})
	if r.Failure == nil || failureKey(r.Failure.Message) != "custom invariant neverProbe" {
		t.Fatalf("custom failure not reported: %+v", r.Failure)
	}
	if r.Failure.ShrunkLen > 2 {
		t.Errorf("shrunk to %d actions, want <= 2 (connect, probe)", r.Failure.ShrunkLen)
	}
}

// TestCustomInvariantSeesState: a custom invariant gets the Ctx the
// built-in ones get: After is the model's state after the step (as its
// introspection API reports it), Before is the previous step's After, and
// Step is the step's events.
func TestCustomInvariantSeesState(t *testing.T) {
	var prev map[string][]string
	blocked := 0
	inv := Invariant{Name: "stateSeen", Check: func(c *Ctx) error {
		if c.OnServer() {
			return errors.New("OnServer on the model's own trace")
		}
		if len(c.Ops()) == 1 {
			prev = nil // a new run: its first step
		}
		// an op of a group is judged after the whole group ran: the
		// model shows the group's end, After the op's own (Server)
		inGroup := c.Grouped()
		cur := map[string][]string{}
		for _, u := range c.Users() {
			after := c.After().Blocklist(u)
			if inGroup {
				cur[u] = slices.Clone(after)
				continue
			}
			if !slices.Equal(after, slices.Sorted(slices.Values(c.Server().Blocklist(u)))) {
				return fmt.Errorf("After().Blocklist(%s) = %v, the model says %v", u, after, c.Server().Blocklist(u))
			}
			if prev != nil && !slices.Equal(c.Before().Blocklist(u), prev[u]) {
				return fmt.Errorf("Before().Blocklist(%s) = %v, the last step left %v", u, c.Before().Blocklist(u), prev[u])
			}
			if c.After().OfflineCount(u) != c.Server().OfflineCount(u) {
				return fmt.Errorf("After().OfflineCount(%s) = %d, the model says %d", u, c.After().OfflineCount(u), c.Server().OfflineCount(u))
			}
			for _, v := range c.Users() {
				if u != v && c.After().Contact(u, v) != c.Server().ContactOf(u, v) {
					return fmt.Errorf("After().Contact(%s, %s) = %+v, the model says %+v", u, v, c.After().Contact(u, v), c.Server().ContactOf(u, v))
				}
			}
			cur[u] = slices.Clone(after)
			if len(after) > 0 {
				blocked++
			}
		}
		prev = cur
		return nil
	}}
	r := Explore(Config{Options: driver.Options{Seed: 5}, Checks: 100, Users: 2, NoFaults: true, OutDir: t.TempDir(), CustomInvariants: []Invariant{inv}})
	if r.Failure != nil {
		t.Fatal(r.Failure.Message)
	}
	if blocked == 0 {
		t.Fatal("no step had a non-empty blocklist: the check judged nothing")
	}
}
