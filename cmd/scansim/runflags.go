package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/scenarios"
)

// runFlags are the flags of every command that runs a script (replay,
// trace): how the simulated server and network are set up. A flag that
// selects another backend (a real server: --server) belongs here, turning
// into RunOptions.Backend in options.
type runFlags struct {
	profile string
	seed    uint64
	strict  bool
	latency time.Duration
	mutants listFlag
	// allowEmpty runs scripts without actions instead of refusing them
	// (suite.Runner.AllowEmpty).
	allowEmpty bool

	// A real server instead of the model (docs/real-server.md).
	serverFlags
	nothingGrace time.Duration
}

func (r *runFlags) register(fs *flag.FlagSet) {
	profileFlag(fs, &r.profile, "server profile")
	fs.Uint64Var(&r.seed, "seed", 0, "simulation seed (generated resources, ids, latency draws)")
	fs.BoolVar(&r.strict, "strict", false, "strict FIFO matching: every received stanza must be matched in order")
	fs.DurationVar(&r.latency, "latency", 0, "maximum one-way link latency (virtual time), e.g. 20ms; 0 is instant")
	fs.Var(&r.mutants, "mutant", "switch on a model mutant by name (repeatable or comma-separated; list: scansim check --list-mutants)")
	fs.BoolVar(&r.allowEmpty, "allow-empty", false, "run scripts without actions (by default an error: they test nothing)")
	r.serverFlags.add(fs, "run against a real XMPP server at HOST:PORT instead of the model",
		"how long a receives waits (default 5s; wall time with --server, virtual time otherwise); with --server also the deadline of each connect and each synchronisation")
	fs.DurationVar(&r.nothingGrace, "nothing-grace", 0, "how long 'receives: nothing' listens (default 0.5s of virtual time); with --server the ping barrier decides, and this is an extra wait for servers that push on their own (default 0)")
}

// options checks the flags and turns them into RunOptions, with meta lines
// describing the set-up for reports and pictures.
func (r *runFlags) options() (scenarios.RunOptions, []string, error) {
	if r.latency < 0 {
		return scenarios.RunOptions{}, nil, fmt.Errorf("negative --latency %v", r.latency)
	}
	sim, err := driver.NewOptions(r.profile, r.seed, r.mutants.vals, r.latency)
	if err != nil {
		return scenarios.RunOptions{}, nil, err
	}
	if r.timeout < 0 || r.nothingGrace < 0 {
		return scenarios.RunOptions{}, nil, fmt.Errorf("negative --timeout or --nothing-grace")
	}
	opts := scenarios.RunOptions{Options: sim, Strict: r.strict, Timeout: r.timeout, NothingGrace: r.nothingGrace}
	d, err := r.serverFlags.driver()
	if err != nil {
		return scenarios.RunOptions{}, nil, err
	}
	if d != nil {
		// The model's knobs mean nothing to a real server: refuse them
		// rather than let a user believe they applied.
		if len(r.mutants.vals) > 0 || r.latency > 0 {
			return scenarios.RunOptions{}, nil, fmt.Errorf("--mutant and --latency apply to the model, not to --server")
		}
		// A server whose sessions answer each other (ejabberd) needs a
		// second ping round at each barrier (driver.BarrierRounds).
		d.Rounds = driver.BarrierRounds(sim.ProfileValue())
		opts.Options.ForServer(d)
		opts.Driver = d
		meta := []string{"server: " + r.server}
		if r.strict {
			meta = append(meta, "mode: strict")
		}
		return opts, meta, nil
	}
	meta := []string{"profile: " + sim.ProfileValue().Name, fmt.Sprintf("seed: %d", r.seed)}
	if r.strict {
		meta = append(meta, "mode: strict")
	}
	if r.latency > 0 {
		meta = append(meta, "latency: "+r.latency.String())
	}
	if len(r.mutants.vals) > 0 {
		meta = append(meta, "mutants: "+strings.Join(r.mutants.vals, ", "))
	}
	return opts, meta, nil
}
