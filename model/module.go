package model

import (
	"fmt"
	"slices"
)

// Module is a unit of server behaviour, as a Prosody module is: at load it
// registers its hooks and disco features through the ModuleAPI. The
// server's own behaviour is a list of built-in modules (Profile.Modules);
// Options.Modules adds more after them.
type Module interface {
	// Name identifies the module (in errors and the mutant catalogue).
	Name() string
	// Load registers the module's hooks and features.
	Load(m *ModuleAPI)
}

// ModuleAPI is what a loading module sees of the server (Prosody's
// module: object).
type ModuleAPI struct {
	s    *Server
	name string
}

// Hook registers h for the named event. Higher priorities run first;
// handlers of equal priority run in registration order. Use 0 unless the
// order against other modules matters.
func (m *ModuleAPI) Hook(event string, priority float64, h Handler) {
	m.s.hooks.add(event, m.name, priority, h)
}

// AddFeature adds a feature to the host's disco#info, after those of the
// modules loaded before (features are listed in load order, once each).
func (m *ModuleAPI) AddFeature(v string) {
	if !slices.Contains(m.s.hostFeatures, v) {
		m.s.hostFeatures = append(m.s.hostFeatures, v)
	}
}

// Host returns the virtual host's domain.
func (m *ModuleAPI) Host() string { return m.s.host }

// Profile returns the profile the server runs with (the module options).
func (m *ModuleAPI) Profile() Profile { return m.s.prof }

// Name returns the loading module's name.
func (m *ModuleAPI) Name() string { return m.name }

// builtin is one of the model's own modules: a load function over the
// server's internals and the mutants that replace or remove its handlers.
type builtin struct {
	name    string
	load    func(s *Server, m *ModuleAPI)
	mutants []mutantDef
}

// builtins are registered by their files (register in each mod_*.go).
var builtins = map[string]*builtin{}

func register(b *builtin) *builtin {
	builtins[b.name] = b
	for i := range b.mutants {
		b.mutants[i].module = b.name
	}
	return b
}

// DefaultModules is the modules_enabled of the scansion configuration, in
// load order. Load order decides the order of host disco#info features
// and, for equal priorities, the order of handlers.
func DefaultModules() []string {
	return []string{
		"disco", "version", "offline", "adhoc", "carbons", "ping", "blocklist",
		"roster", "mam", "vcard_legacy", "pep", "lastactivity", "uptime", "time",
		"presence", "message", "iq", "session",
	}
}

// CheckModules reports the first unknown built-in module name.
func CheckModules(names []string) error {
	for _, n := range names {
		if builtins[n] == nil {
			return fmt.Errorf("unknown module %q (known: %v)", n, sortedKeys(builtins))
		}
	}
	return nil
}

// loadModules builds the server from its modules: mutants first replace
// the handlers they concern, then every module registers its hooks, then
// the chains are resolved once.
func (s *Server) loadModules(extra []Module, mutants []string) {
	names := s.prof.Modules
	if names == nil {
		names = DefaultModules()
	}
	s.mods.init()
	for _, n := range mutants {
		if d := mutantByName(n); d != nil {
			d.apply(&s.mods)
		}
	}
	for _, n := range names {
		if b := builtins[n]; b != nil {
			b.load(s, &ModuleAPI{s: s, name: n})
		}
	}
	for _, m := range extra {
		m.Load(&ModuleAPI{s: s, name: m.Name()})
	}
	s.pipe = s.hooks.resolve()
}
