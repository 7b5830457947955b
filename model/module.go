package model

import (
	"fmt"

	"github.com/beevik/etree"
	"slices"
	"strings"
	"sync"
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
	comp *component // the component being loaded; nil: the virtual host
}

// Hook registers h for the named event. Higher priorities run first;
// handlers of equal priority run in registration order. Use 0 unless the
// order against other modules matters. Hooks are registered while the
// module loads (in Load): the chains are resolved once loading ends, and
// a Hook call after that has no effect.
func (m *ModuleAPI) Hook(event string, priority float64, h Handler) {
	m.s.hooks.add(event, priority, h)
}

// hookIQ registers h for an iq payload event by key (what Hook does for
// an "iq-get/…" name, without building the name).
func (m *ModuleAPI) hookIQ(k iqKey, priority float64, h Handler) {
	m.s.hooks.addIQ(k, priority, h)
}

// AddFeature adds a feature to the host's disco#info, after those of the
// modules loaded before (features are listed in load order, once each).
func (m *ModuleAPI) AddFeature(v string) {
	if m.comp != nil {
		if !slices.Contains(m.comp.features, v) {
			m.comp.features = append(m.comp.features, v)
		}
		return
	}
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
	if m.comp != nil {
		m.comp.identities = append(m.comp.identities, [3]string{category, typ, name})
		return
	}
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
	// inheritable: a component loads the module too when the virtual
	// host does (Prosody's component_inheritable_modules).
	inheritable bool
}

// builtins are registered by their files (register in each mod_*.go).
var builtins = map[string]*builtin{}

func register(b *builtin) *builtin {
	if builtins[b.name] != nil {
		panic("model: module " + b.name + " registered twice")
	}
	builtins[b.name] = b
	for i := range b.mutants {
		// A mutant is found by name alone (Options.Mutants): two with
		// one name would make the choice depend on map order.
		if mutantModule[b.mutants[i].name] != "" {
			panic("model: mutant " + b.mutants[i].name + " declared by " + mutantModule[b.mutants[i].name] + " and " + b.name)
		}
		mutantModule[b.mutants[i].name] = b.name
		b.mutants[i].module = b.name
	}
	return b
}

// mutantModule maps each built-in mutant's name to its module (filled by
// register; it only guards against a name declared twice).
var mutantModule = map[string]string{}

// DefaultModules is the modules_enabled of the scansion configuration, in
// load order. Load order decides the order of host disco#info features
// and, for equal priorities, the order of handlers.
func DefaultModules() []string { return slices.Clone(defaultModules) }

var defaultModules = []string{
	"disco", "version", "offline", "adhoc", "carbons", "ping", "blocklist",
	"roster", "mam", "vcard_legacy", "pep", "lastactivity", "uptime", "time",
	"presence", "message", "iq", "session",
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
// the chains are resolved once. Handlers reach their server through the
// event (e.s), never by capture, so what loading produces depends only on
// the configuration, and servers built the same way share it (a replay
// builds a server per run): only modules from Options.Modules, which may
// capture anything, are loaded afresh every time.
func (s *Server) loadModules(extra []Module, mutants []string) {
	cacheable := len(extra) == 0
	var key loadKey
	if cacheable {
		key = newLoadKey(s.host, &s.prof, mutants)
		if v, ok := loadCache.Load(key); ok {
			l := v.(*loaded)
			s.pipe, s.mods, s.hostFeatures, s.hostIdentities = l.pipe, l.mods, l.features, l.identities
			s.hostExtensions, s.components = l.extensions, l.components
			s.mods.newState()
			return
		}
	}
	names := s.prof.Modules
	if names == nil {
		names = defaultModules
	}
	s.mods.init()
	for _, n := range mutants {
		if d := mutantByName(n); d != nil {
			d.apply(&s.mods)
		}
	}
	s.hostFeatures = make([]string, 0, 16)
	api := &ModuleAPI{s: s} // built-in modules do not keep it
	for _, n := range names {
		if b := builtins[n]; b != nil {
			api.name = n
			b.load(s, api)
		}
	}
	s.loadComponents(names)
	for _, m := range extra {
		m.Load(&ModuleAPI{s: s, name: m.Name()})
	}
	pipe := s.hooks.resolve()
	s.pipe = &pipe
	s.hooks = hookTable{}
	if cacheable {
		loadCache.Store(key, &loaded{pipe: s.pipe, mods: s.mods, features: s.hostFeatures, identities: s.hostIdentities,
			extensions: s.hostExtensions, components: s.components})
	}
	s.mods.newState()
}

// loaded is what loading the built-in modules produced for one
// configuration: read-only once stored.
type loaded struct {
	pipe       *pipeline
	mods       modules // strategies and resolved chain references
	features   []string
	identities [][3]string
	extensions []*etree.Element
	components map[string]*component
}

// loadCache maps a loadKey to its *loaded.
var loadCache sync.Map

// loadKey is a configuration of the built-in modules: the profile (a
// module may read any option while it loads), its module list and the
// mutants, in order.
type loadKey struct {
	host       string // component domains and handlers are built from it
	prof       profileKey
	custom     bool   // Profile.Modules is set
	modules    string // Profile.Modules, joined
	components string // Profile.Components, joined
	mutants    string // Options.Mutants, joined
}

// profileKey is Profile without its Modules list, which is not
// comparable (TestProfileKeyCoversProfile keeps the two in step).
type profileKey struct {
	name, abrupt string
	registered   bool
	VersionOptions
	DiscoOptions
	TimeOptions
	BlocklistOptions
	PresenceOptions
	MAMOptions
	PEPOptions
	MUCOptions
	WireOptions
	RosterOptions
	EjabberdBlockingOptions
}

func newLoadKey(host string, p *Profile, mutants []string) loadKey {
	return loadKey{
		host: host,
		prof: profileKey{p.Name, p.AbruptCloseReason, p.RegisteredAccounts, p.VersionOptions, p.DiscoOptions,
			p.TimeOptions, p.BlocklistOptions, p.PresenceOptions, p.MAMOptions, p.PEPOptions, p.MUCOptions,
			p.WireOptions, p.RosterOptions, p.EjabberdBlockingOptions},
		custom:     p.Modules != nil,
		modules:    strings.Join(p.Modules, ","),
		components: componentsKey(p.Components),
		mutants:    strings.Join(mutants, ","),
	}
}
