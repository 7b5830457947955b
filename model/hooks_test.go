package model_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
)

// hookModule registers handlers given as (event, priority, handler).
type hookModule struct {
	name  string
	hooks []hookReg
}

type hookReg struct {
	event string
	prio  float64
	h     model.Handler
}

func (m hookModule) Name() string { return m.name }
func (m hookModule) Load(api *model.ModuleAPI) {
	for _, r := range m.hooks {
		api.Hook(r.event, r.prio, r.h)
	}
}

func parseStanza(t *testing.T, x string) *etree.Element {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(x); err != nil {
		t.Fatal(err)
	}
	return doc.Root()
}

// TestHookOrder: handlers run by priority, higher first, and in
// registration order for equal priorities (util/events); a handler that
// returns true stops the chain.
func TestHookOrder(t *testing.T) {
	var ran []string
	rec := func(name string, stop bool) model.Handler {
		return func(*model.HookEvent) bool { ran = append(ran, name); return stop }
	}
	ev := model.EventInitialPresence
	m := hookModule{name: "order", hooks: []hookReg{
		{ev, -5, rec("low", false)},
		{ev, 7, rec("high-1", false)},
		{ev, 7, rec("high-2", false)},
		{ev, 100, rec("top", false)},
		{ev, -6, rec("stopper", true)},
		{ev, -7, rec("never", false)},
	}}
	srv := model.New(model.Options{Modules: []model.Module{m}})
	id, _, _, _ := srv.Bind("u", "r")
	srv.Process(id, parseStanza(t, `<presence/>`))
	want := []string{"top", "high-1", "high-2", "low", "stopper"}
	if !slices.Equal(ran, want) {
		t.Fatalf("order %v, want %v", ran, want)
	}
}

// TestHookStopsStanza: a module's pre-message handler that stops the chain
// keeps the message from mod_message (nothing is delivered or bounced),
// while a handler that returns false lets routing go on.
func TestHookStopsStanza(t *testing.T) {
	for _, stop := range []bool{false, true} {
		m := hookModule{name: "gate", hooks: []hookReg{{"pre-message/bare", 1000, func(e *model.HookEvent) bool {
			return stop && strings.Contains(model.Canonical(e.Stanza()), "secret")
		}}}}
		srv := model.New(model.Options{Modules: []model.Module{m}})
		a, _, _, _ := srv.Bind("a", "r")
		b, _, _, _ := srv.Bind("b", "r")
		srv.Process(b, parseStanza(t, `<presence/>`))
		evs := srv.Process(a, parseStanza(t, `<message to='b@localhost' type='chat'><body>secret</body></message>`))
		delivered := 0
		for _, ev := range evs {
			if ev.Kind == model.Deliver {
				delivered++
			}
		}
		if want := map[bool]int{false: 1, true: 0}[stop]; delivered != want {
			t.Errorf("stop=%v: %d deliveries, want %d", stop, delivered, want)
		}
	}
}

// TestProfileSelectsModules: without mod_version the host has no handler
// for jabber:iq:version, so the iq is answered service-unavailable
// (RFC 6120 §8.4; Prosody's unhandled-stanza fallback, §1.3), and the host
// stops advertising the feature.
func TestProfileSelectsModules(t *testing.T) {
	prof := model.ProsodyTrunk()
	prof.Modules = slices.DeleteFunc(model.DefaultModules(), func(n string) bool { return n == "version" })
	for _, tc := range []struct {
		prof    *model.Profile
		version bool
	}{{nil, true}, {&prof, false}} {
		srv := model.New(model.Options{Profile: tc.prof})
		id, _, _, _ := srv.Bind("u", "r")
		got := ""
		for _, x := range []string{
			`<iq type='get' id='v' to='localhost'><query xmlns='jabber:iq:version'/></iq>`,
			`<iq type='get' id='d' to='localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`,
		} {
			for _, ev := range srv.Process(id, parseStanza(t, x)) {
				got += model.Canonical(ev.Stanza) + "\n"
			}
		}
		if has := strings.Contains(got, "<name>Prosody</name>"); has != tc.version {
			t.Errorf("version module %v: answer %q", tc.version, got)
		}
		if has := strings.Contains(got, "service-unavailable"); has == tc.version {
			t.Errorf("version module %v: service-unavailable %v in %q", tc.version, has, got)
		}
		if has := strings.Contains(got, "var='jabber:iq:version'"); has != tc.version {
			t.Errorf("version module %v: feature advertised %v", tc.version, has)
		}
	}
}

// TestMutantCatalog: every mutant is listed once, sorted, with its module
// (one of the default modules) and a one-line summary; Mutants and
// CheckMutants agree with it.
func TestMutantCatalog(t *testing.T) {
	cat := model.MutantCatalog()
	if len(cat) != 49 {
		t.Errorf("%d mutants, want the 49 the property suite catches", len(cat))
	}
	// the published bugs (docs/mutants.md): each names its project and
	// its commit, issue or pull request
	refs := 0
	for _, m := range cat {
		if m.Reference == "" {
			continue
		}
		refs++
		proj, id, ok := strings.Cut(m.Reference, " ")
		if !ok || id == "" || !slices.Contains([]string{"Prosody", "ejabberd", "MongooseIM", "Openfire"}, proj) {
			t.Errorf("%s: reference %q is not \"PROJECT ID\"", m.Name, m.Reference)
		}
	}
	if refs != 19 {
		t.Errorf("%d mutants carry a reference, want the 19 published bugs of docs/mutants.md", refs)
	}
	names := model.Mutants()
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("names not sorted and unique: %v", names)
	}
	mods := model.DefaultModules()
	p13 := model.Prosody13() // mod_register is loaded by prosody-13 only
	for _, c := range p13.Components {
		mods = append(mods, c.Modules...) // mod_muc on conference.localhost
	}
	for i, m := range cat {
		if m.Name != names[i] {
			t.Errorf("catalogue[%d] = %s, Mutants()[%d] = %s", i, m.Name, i, names[i])
		}
		if !slices.Contains(mods, m.Module) && !slices.Contains(p13.Modules, m.Module) || m.Summary == "" || strings.Contains(m.Summary, "\n") {
			t.Errorf("%s: module %q, summary %q", m.Name, m.Module, m.Summary)
		}
	}
	if err := model.CheckMutants(names); err != nil {
		t.Error(err)
	}
	if err := model.CheckMutants([]string{"no-such-mutant"}); err == nil {
		t.Error("unknown mutant accepted")
	}
	if err := model.CheckModules(mods); err != nil {
		t.Error(err)
	}
	if err := model.CheckModules([]string{"no-such-module"}); err == nil {
		t.Error("unknown module accepted")
	}
}

// TestEveryModuleOptional: a server without any one of the default
// modules still answers every stanza of a mixed session without panicking
// (the modules that remain must not depend on the missing one being
// loaded), and the server without any module answers an iq get with
// service-unavailable (nothing handles it: §1.3).
func TestEveryModuleOptional(t *testing.T) {
	script := []string{
		`<iq type='get' id='r'><query xmlns='jabber:iq:roster'/></iq>`,
		`<presence><priority>1</priority></presence>`,
		`<presence type='subscribe' to='b@localhost'/>`,
		`<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='c@localhost'/></block></iq>`,
		`<message to='c@localhost' type='chat'><body>hi</body></message>`,
		`<message to='d@localhost' type='chat'><body>stored</body></message>`,
		`<iq type='get' id='d' to='b@localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`,
		`<iq type='set' id='c'><enable xmlns='urn:xmpp:carbons:2'/></iq>`,
		`<presence type='unavailable'/>`,
	}
	run := func(t *testing.T, mods []string) []model.Event {
		prof := model.ProsodyTrunk()
		prof.Modules = mods
		srv := model.New(model.Options{Profile: &prof, Storage: &model.MemStorage{}})
		var all []model.Event
		a, _, _, _ := srv.Bind("a", "r")
		b, _, _, _ := srv.Bind("b", "r")
		srv.Process(b, parseStanza(t, `<presence/>`))
		for _, x := range script {
			all = append(all, srv.Process(a, parseStanza(t, x))...)
		}
		d, _, _, _ := srv.Bind("d", "r")
		all = append(all, srv.Process(d, parseStanza(t, `<presence/>`))...)
		all = append(all, srv.Close(b, true)...)
		all = append(all, srv.Restart()...)
		return all
	}
	for _, leave := range model.DefaultModules() {
		t.Run("without-"+leave, func(t *testing.T) {
			run(t, slices.DeleteFunc(model.DefaultModules(), func(n string) bool { return n == leave }))
		})
	}
	evs := run(t, []string{})
	if got := model.Canonical(evs[0].Stanza); !strings.Contains(got, "service-unavailable") {
		t.Errorf("roster get without modules: %s", got)
	}
}

// logins counts each account's initial presences in its persistent data
// and remembers in the session which login it is.
type logins struct{ api *model.ModuleAPI }

func (*logins) Name() string { return "logins" }

func (l *logins) Load(api *model.ModuleAPI) {
	l.api = api
	api.Hook(model.EventInitialPresence, 0, func(e *model.HookEvent) bool {
		n := len(api.AccountData(e)) + 1 // one byte per login
		api.SetAccountData(e, make([]byte, n))
		api.SetSessionValue(e, n)
		return false
	})
}

// TestModuleState: a module's account data is persisted with the account
// and survives a restart (Options.Storage), and its session values live
// with their session: a new session starts without one.
func TestModuleState(t *testing.T) {
	l := &logins{}
	var nth []any
	peek := hookModule{name: "peek", hooks: []hookReg{{model.EventInitialPresence, -1, func(e *model.HookEvent) bool {
		nth = append(nth, l.api.SessionValue(e))
		return false
	}}, {model.EventResourceBind, 0, func(e *model.HookEvent) bool {
		nth = append(nth, l.api.SessionValue(e)) // a new session: none yet
		return false
	}}}}
	srv := model.New(model.Options{Storage: &model.MemStorage{}, Modules: []model.Module{l, peek}})
	for i := 0; i < 2; i++ {
		id, _, _, _ := srv.Bind("u", "r")
		srv.Process(id, parseStanza(t, `<presence/>`))
		srv.Process(id, parseStanza(t, `<presence><show>away</show></presence>`)) // not initial
		srv.Close(id, false)
	}
	srv.Restart()
	id, _, _, _ := srv.Bind("u", "r")
	srv.Process(id, parseStanza(t, `<presence/>`))
	if want := []any{nil, 1, nil, 2, nil, 3}; !slices.Equal(nth, want) {
		t.Errorf("logins seen %v, want %v", nth, want)
	}
}

// TestModuleRoutesMalformedIQ: an iq get without payload that a module
// routes from the host is not a client's (those are refused before
// routing, §1.1): nobody handles it, and the host's error reply to itself
// is dropped (host_send drops errors, §1.3) — no panic, no delivery.
func TestModuleRoutesMalformedIQ(t *testing.T) {
	m := hookModule{name: "poster", hooks: []hookReg{{model.EventInitialPresence, 0, func(e *model.HookEvent) bool {
		iq := etree.NewElement("iq")
		iq.CreateAttr("type", "get")
		iq.CreateAttr("id", "x")
		iq.CreateAttr("to", e.Host())
		iq.CreateAttr("from", e.Host())
		e.Route(iq)
		return false
	}}}}
	srv := model.New(model.Options{Modules: []model.Module{m}})
	id, _, _, _ := srv.Bind("u", "r")
	var reasons []string
	for _, ev := range srv.Process(id, parseStanza(t, `<presence/>`)) {
		if ev.Kind == model.Drop {
			reasons = append(reasons, ev.Reason)
		}
	}
	if !slices.Equal(reasons, []string{"host-response"}) {
		t.Errorf("drops %v, want the host's error reply to itself dropped", reasons)
	}
}
