package properties_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/properties"
	"github.com/scansim/scansim/sim"
	"pgregory.net/rapid"
)

// Explore with the default configuration: the default profile, every
// built-in action (faults included) and every check. The seed fixes the
// action sequences, so the outcome is reproducible.
func ExampleExplore() {
	r := properties.Explore(properties.Config{Options: driver.Options{Seed: 1}, Checks: 20, Users: 2})
	fmt.Println("violation:", r.Failure != nil)
	fmt.Println("explored:", r.Checks == 20 && r.Actions > 0)
	// Output:
	// violation: false
	// explored: true
}

// A custom invariant, checked after every step: every message delivered
// to a client carries a from attribute (RFC 6120 §8.1.2.1). It reads the
// events of the step being checked.
func ExampleInvariant() {
	fromStamped := properties.Invariant{
		Name: "fromStamped",
		Check: func(c *properties.Ctx) error {
			for _, e := range c.Step() {
				if e.Kind == sim.TraceDeliver && strings.HasPrefix(e.Canonical(), "<message") && !strings.Contains(e.Canonical(), " from=") {
					return fmt.Errorf("%s received a message without from: %s", e.Client, e.Canonical())
				}
			}
			return nil
		},
	}
	r := properties.Explore(properties.Config{Options: driver.Options{Seed: 1}, Checks: 20, CustomInvariants: []properties.Invariant{fromStamped}})
	fmt.Println("violation:", r.Failure != nil)

	// A wrong invariant is caught, shrunk and reported under its name;
	// here "nobody ever has offline messages", using the model's
	// introspection.
	noOffline := properties.Invariant{
		Name: "noOffline",
		Check: func(c *properties.Ctx) error {
			for _, u := range c.Users() {
				if n := c.Server().OfflineCount(u); n > 0 {
					return fmt.Errorf("%s has %d offline messages", u, n)
				}
			}
			return nil
		},
	}
	dir, _ := os.MkdirTemp("", "scansim-example")
	defer os.RemoveAll(dir)
	r = properties.Explore(properties.Config{Options: driver.Options{Seed: 1}, Checks: 100, OutDir: dir, ShrinkTime: 100 * time.Millisecond,
		CustomInvariants: []properties.Invariant{noOffline}})
	f := r.Failure
	fmt.Println(strings.SplitN(f.Message, ":", 2)[0])
	fmt.Println("shrunk to at most 3 actions:", f.ShrunkLen <= 3)
	// Output:
	// violation: false
	// custom invariant noOffline
	// shrunk to at most 3 actions: true
}

// A custom action: a client pings its own server (XEP-0199). The action
// draws a connected slot (connecting one when there is none) and sends
// through the Ctx, so its steps are checked, shrunk and replayed like the
// built-in ones; a companion invariant checks that each ping is answered
// in the same step (a result, or the error a user who blocks the
// server's domain rightly gets, XEP-0191 §3.3).
func ExampleAction() {
	pings := 0
	ping := func(c *properties.Ctx, t *rapid.T) {
		s := c.PickConnected(t)
		c.Send(t, s, "<iq type='get' to='localhost' id='ping'><ping xmlns='urn:xmpp:ping'/></iq>")
		pings++
	}
	answered := properties.Invariant{
		Name: "pingAnswered",
		Check: func(c *properties.Ctx) error {
			op := c.LastOp()
			if op.Name != "z1Ping" {
				return nil
			}
			for _, e := range c.Step() {
				if (e.Kind == sim.TraceDeliver || e.Kind == sim.TraceError) && strings.Contains(e.Canonical(), "id='ping'") &&
					(strings.Contains(e.Canonical(), "type='result'") || strings.Contains(e.Canonical(), "type='error'")) {
					return nil
				}
			}
			return fmt.Errorf("ping from %s not answered", op.Slot)
		},
	}
	// Under prosody-trunk: the default profile (prosody-13) also draws
	// blocks of the server's own domain, which rightly refuse the ping.
	trunk := model.ProsodyTrunk()
	r := properties.Explore(properties.Config{Options: driver.Options{Profile: &trunk, Seed: 1}, Checks: 20,
		Actions:          map[string]properties.Action{"z1Ping": ping},
		CustomInvariants: []properties.Invariant{answered}})
	fmt.Println("violation:", r.Failure != nil)
	fmt.Println("pinged:", pings > 0)
	// Output:
	// violation: false
	// pinged: true
}
