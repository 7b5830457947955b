package sim

import "time"

// clock is the simulation's virtual clock. It is the model.Clock handed to
// the server, so the server's timestamps (delay stamps, urn:xmpp:time
// answers, ...) follow the simulation rather than the wall clock, which is
// what makes a run reproducible.
//
// Time is kept as nanoseconds since the start instant: the scheduler
// compares and adds plain integers on its hot path, and time.Time values
// are built only when something is recorded or asked for.
type clock struct {
	start time.Time
	now   int64 // nanoseconds since start; never decreases
}

// Now returns the current virtual instant.
func (c *clock) Now() time.Time { return c.start.Add(time.Duration(c.now)) }

// elapsed returns the virtual time since the start.
func (c *clock) elapsed() time.Duration { return time.Duration(c.now) }
