package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/scansim/scansim/model"
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
}

func (r *runFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.profile, "profile", "prosody", "server profile: "+strings.Join(model.ProfileNames(), ", "))
	fs.Uint64Var(&r.seed, "seed", 0, "simulation seed (generated resources, ids, latency draws)")
	fs.BoolVar(&r.strict, "strict", false, "strict FIFO matching: every received stanza must be matched in order")
	fs.DurationVar(&r.latency, "latency", 0, "maximum one-way link latency (virtual time), e.g. 20ms; 0 is instant")
	r.mutants.split = commaList
	fs.Var(&r.mutants, "mutant", "switch on a model mutant by name (repeatable or comma-separated; list: scansim check --list-mutants)")
}

// options checks the flags and turns them into RunOptions, with meta lines
// describing the set-up for reports and pictures.
func (r *runFlags) options() (scenarios.RunOptions, []string, error) {
	prof, err := model.ProfileByName(r.profile)
	if err != nil {
		return scenarios.RunOptions{}, nil, err
	}
	if err := model.CheckMutants(r.mutants.vals); err != nil {
		return scenarios.RunOptions{}, nil, err
	}
	if r.latency < 0 {
		return scenarios.RunOptions{}, nil, fmt.Errorf("negative --latency %v", r.latency)
	}
	opts := scenarios.RunOptions{
		Strict:     r.strict,
		Profile:    &prof,
		Seed:       r.seed,
		MaxLatency: r.latency,
		Mutants:    r.mutants.vals,
	}
	meta := []string{"profile: " + r.profile, fmt.Sprintf("seed: %d", r.seed)}
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
