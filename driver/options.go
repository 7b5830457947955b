package driver

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/scansim/scansim/model"
)

// DefaultProfile names the profile every command and engine uses when
// none is given: model.Default(), prosody-13 (alias "prosody").
const DefaultProfile = model.DefaultProfileName

// Options are the simulation's options, the one value that the runner
// (scenarios.RunOptions), the comparison (scenarios.CompareOptions), the
// property engine (properties.Config) and SimDriver embed and every
// scansim command builds (NewOptions): which server behaviour the model
// follows, the simulation's seed, the mutants switched on, and the
// network's latency. The zero value is the default profile, seed 0, no
// mutants, no latency. A real server ignores all of them: it behaves as
// it does.
type Options struct {
	// Profile selects the model's behaviour; nil is DefaultProfile.
	Profile *model.Profile
	// Seed drives the simulation's draws (generated resources, ids,
	// latencies).
	Seed uint64
	// Mutants switches on model mutants by name (model.Mutants()).
	Mutants []string
	// MaxLatency is the largest one-way link latency (virtual time);
	// 0 delivers at once.
	MaxLatency time.Duration
	// Hosts are further virtual hosts the simulated server serves beside
	// the script's first host (sim.Config.Hosts). A real server's driver
	// ignores them: its hosts are its configuration's.
	Hosts []string
}

// ProfileValue returns the profile the options select, the default
// applied.
func (o Options) ProfileValue() model.Profile {
	if o.Profile != nil {
		return *o.Profile
	}
	return model.Default()
}

// ForServer adapts the model to how the real server behind d creates
// its accounts: with d.Register each account is registered in-band
// before its first login (model.Profile.RegisteredAccounts), which a
// server with real accounts remembers (mod_tombstones' lookup cache).
// Without a server driver, or without Register, it changes nothing.
func (o *Options) ForServer(d *ServerDriver) {
	if d == nil || !d.Register {
		return
	}
	p := o.ProfileValue()
	p.RegisteredAccounts = true
	o.Profile = &p
}

// NewOptions checks a profile name (DefaultProfile when ""), mutant names
// and a latency, as a command line gives them, and returns the options
// they make.
func NewOptions(profile string, seed uint64, mutants []string, latency time.Duration) (Options, error) {
	if profile == "" {
		profile = DefaultProfile
	}
	p, err := model.ProfileByName(profile)
	if err != nil {
		return Options{}, err
	}
	if err := model.CheckMutants(mutants); err != nil {
		return Options{}, err
	}
	if latency < 0 {
		return Options{}, fmt.Errorf("negative latency %v", latency)
	}
	return Options{Profile: &p, Seed: seed, Mutants: mutants, MaxLatency: latency}, nil
}

// WriteProfileList writes the known profiles, one a line: the name, its
// aliases, whether it is the default, and what it models.
func WriteProfileList(w io.Writer) error {
	for _, p := range model.Profiles() {
		name := p.Name
		if len(p.Aliases) > 0 {
			name += " (alias " + strings.Join(p.Aliases, ", ") + ")"
		}
		if p.Default {
			name += " [default]"
		}
		if _, err := fmt.Fprintf(w, "%s\n    %s\n", name, p.Summary); err != nil {
			return err
		}
	}
	return nil
}

// ProfileHelp is the known profile names for a flag's help: the default
// first, with its alias.
func ProfileHelp() string {
	var parts []string
	for _, p := range model.Profiles() {
		s := p.Name
		if len(p.Aliases) > 0 {
			s += " (alias " + strings.Join(p.Aliases, ", ") + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
