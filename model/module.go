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

// AddIdentity adds an identity to the host's disco#info, after those of
// the modules loaded before; name may be empty.
func (m *ModuleAPI) AddIdentity(category, typ, name string) {
	m.s.hostIdentities = append(m.s.hostIdentities, [3]string{category, typ, name})
}

// SessionValue returns the value this module keeps for the event's
// session (nil when it has none, or the event has no session). It lives
// as long as the session.
func (m *ModuleAPI) SessionValue(e *HookEvent) any {
	if sess := e.session(); sess != nil {
		return sess.moduleValues[m.name]
	}
	return nil
}

// SetSessionValue sets the value this module keeps for the event's
// session; it reports false when the event has no session.
func (m *ModuleAPI) SetSessionValue(e *HookEvent, v any) bool {
	sess := e.session()
	if sess == nil {
		return false
	}
	if sess.moduleValues == nil {
		sess.moduleValues = map[string]any{}
	}
	sess.moduleValues[m.name] = v
	return true
}

// AccountData returns the persistent data this module keeps for the
// account of the event's session (nil when none). It is written to
// Options.Storage with the account and read back after Restart.
func (m *ModuleAPI) AccountData(e *HookEvent) []byte {
	if u := e.account(); u != nil {
		return u.moduleData[m.name]
	}
	return nil
}

// SetAccountData replaces this module's persistent data for the account
// of the event's session (nil deletes it); it reports false when the
// event concerns no account. The bytes are copied.
func (m *ModuleAPI) SetAccountData(e *HookEvent, b []byte) bool {
	u := e.account()
	if u == nil {
		return false
	}
	if b == nil {
		delete(u.moduleData, m.name)
	} else {
		if u.moduleData == nil {
			u.moduleData = map[string][]byte{}
		}
		u.moduleData[m.name] = slices.Clone(b)
	}
	m.s.touch(u)
	return true
}

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
