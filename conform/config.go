package conform

import (
	"time"

	"github.com/scansim/scansim/driver"
)

// Config is one conformance run.
type Config struct {
	// Server is the server under test (a *driver.ServerDriver, or a
	// *driver.SimDriver running a model as the server); nil runs
	// everything on the model alone.
	Server driver.Driver
	// ServerName labels the server in the report ("127.0.0.1:25222");
	// "" names the model.
	ServerName string
	// Options are the model's: the profile is the server's, Seed is the
	// property run's rapid seed (0 is taken as 1: reports are
	// reproducible by default). Mutants apply to the model, so they make
	// sense only without Server.
	driver.Options
	// ProfileName labels the profile in the report.
	ProfileName string
	// Scripts are the .scs paths to run (suite.Collect's result).
	Scripts []string
	// Checks is the number of property sequences per round (default
	// 100; negative: no property run).
	Checks int
	// Steps is the average number of actions per sequence (default 30).
	Steps int
	// Rounds bounds the property rounds (default 3).
	Rounds int
	// Timeout is how long a wait on the server may take (0: the
	// driver's default).
	Timeout time.Duration
	// ShrinkTime bounds the shrinking of each failure (default 1m). The
	// report is byte-identical for a seed only when shrinking ends
	// before this limit (rapid bounds it by time alone).
	ShrinkTime time.Duration
}

func (c *Config) defaults() {
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Checks == 0 {
		c.Checks = 100
	}
	if c.Rounds <= 0 {
		c.Rounds = 3
	}
	if c.ShrinkTime == 0 {
		c.ShrinkTime = time.Minute
	}
}
