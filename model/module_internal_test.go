package model

import (
	"github.com/beevik/etree"
	"reflect"
	"slices"
	"testing"
)

// TestProfileKeyCoversProfile: the load cache's key holds every Profile
// field but Modules (which it holds joined), so two profiles that differ
// in any option never share loaded modules. A field added to Profile
// fails here until profileKey and newLoadKey carry it.
func TestProfileKeyCoversProfile(t *testing.T) {
	var got []string
	pt := reflect.TypeFor[Profile]()
	for i := range pt.NumField() {
		got = append(got, pt.Field(i).Name)
	}
	want := []string{"Name", "Modules", "Components", "AbruptCloseReason", "RegisteredAccounts", "VersionOptions", "DiscoOptions",
		"TimeOptions", "BlocklistOptions", "PresenceOptions", "MAMOptions", "PEPOptions", "MUCOptions",
		"WireOptions", "RosterOptions", "EjabberdBlockingOptions"}
	if !slices.Equal(got, want) {
		t.Fatalf("Profile fields %v; profileKey covers %v", got, want)
	}
	kt := reflect.TypeFor[profileKey]()
	for _, f := range want[5:] {
		if _, ok := kt.FieldByName(f); !ok {
			t.Errorf("profileKey lacks %s", f)
		}
	}
	// Every option changes the key.
	base := ProsodyTrunk()
	k0 := newLoadKey("localhost", &base, nil)
	flip := []func(p *Profile){
		func(p *Profile) { p.Name = "x" },
		func(p *Profile) { p.AbruptCloseReason = "x" },
		func(p *Profile) { p.RegisteredAccounts = true },
		func(p *Profile) { p.Version = "x" },
		func(p *Profile) { p.LegacyTime = true },
		func(p *Profile) { p.UnknownNodeText = "x" },
		func(p *Profile) { p.LocalRosterChangeOnBlockedOutboundSub = false },
		func(p *Profile) { p.PendingKeepsAddressedTo = true },
		func(p *Profile) { p.Archive = true },
		func(p *Profile) { p.PEP = true },
		func(p *Profile) { p.MUCAdminsOwnRooms = true },
		func(p *Profile) { p.BlockMediatedInviter = true },
		func(p *Profile) { p.DeliverToSessionJID = true },
		func(p *Profile) { p.RosterPushToAll = true },
		func(p *Profile) { p.PrivacyListPush = true },
		func(p *Profile) { p.Modules = []string{} },
		func(p *Profile) { p.Components = []ComponentConfig{} },
		func(p *Profile) { p.Components = []ComponentConfig{{Domain: "upload"}} },
	}
	for i, f := range flip {
		p := ProsodyTrunk()
		f(&p)
		if newLoadKey("localhost", &p, nil) == k0 {
			t.Errorf("change %d leaves the load key as it was", i)
		}
	}
	// A component's module list is part of the key.
	c1, c2 := Prosody13(), Prosody13()
	c2.Components[0].Modules = nil
	if newLoadKey("localhost", &c1, nil) == newLoadKey("localhost", &c2, nil) {
		t.Error("a component's modules leave the load key as it was")
	}
	if newLoadKey("localhost", &base, []string{"no-vcard-hint"}) == k0 {
		t.Error("a mutant leaves the load key as it was")
	}
}

// TestLoadedModulesShared: servers built the same way share the resolved
// chains but not their state; a server built differently does not share
// them.
func TestLoadedModulesShared(t *testing.T) {
	a, b := New(Options{}), New(Options{})
	if &a.pipe.in[tagPresence][kindBare][0] != &b.pipe.in[tagPresence][kindBare][0] {
		t.Error("same configuration, chains resolved twice")
	}
	a.mods.lastactivity.at["u"] = lastActivity{has: true}
	if b.mods.lastactivity.at["u"].has {
		t.Error("last activity shared between servers")
	}
	c := New(Options{Mutants: []string{"no-vcard-hint"}})
	if len(c.pipe.pre[tagPresence][kindBare]) == len(a.pipe.pre[tagPresence][kindBare]) {
		t.Error("a mutant server uses the correct server's chains")
	}
}

// TestLoadCacheKeepsHostsApart: servers for two hosts with the same
// profile do not share what loading built, since a component's domain is
// its name under the host (pubsub.HOST).
func TestLoadCacheKeepsHostsApart(t *testing.T) {
	p := Prosody13()
	New(Options{Profile: &p}) // fills the cache for localhost
	srv := New(Options{Profile: &p, Host: "example.org"})
	id, _, _, err := srv.Bind("romeo", "r")
	if err != nil {
		t.Fatal(err)
	}
	st := etree.NewElement("iq")
	st.CreateAttr("type", "get")
	st.CreateAttr("id", "d1")
	st.CreateAttr("to", "pubsub.example.org")
	st.CreateElement("query").CreateAttr("xmlns", nsDiscoInfo)
	for _, ev := range srv.Process(id, st) {
		if ev.Kind == Deliver && attrOr(ev.Stanza, "id") == "d1" {
			if attrOr(ev.Stanza, "type") != "result" || attrOr(ev.Stanza, "from") != "pubsub.example.org" {
				t.Fatalf("pubsub.example.org is not example.org's component: %s", Canonical(ev.Stanza))
			}
			return
		}
	}
	t.Fatal("no answer from pubsub.example.org")
}
