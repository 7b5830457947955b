package scenarios

import "github.com/scansim/scansim/driver"

// simOptions are the simulation options a run without a Driver uses:
// RunOptions' own fields as the one options value of package driver.
func (o RunOptions) simOptions() driver.Options {
	return driver.Options{Profile: o.Profile, Seed: o.Seed, Mutants: o.Mutants, MaxLatency: o.MaxLatency}
}

// RunOptionsFor returns the RunOptions that run on the simulation o
// describes, the other fields at their zero values (the defaults).
func RunOptionsFor(o driver.Options) RunOptions {
	return RunOptions{Profile: o.Profile, Seed: o.Seed, Mutants: o.Mutants, MaxLatency: o.MaxLatency}
}
