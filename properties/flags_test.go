package properties

import (
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
)

// TestProfileFields runs the property with one profile field flipped in
// both the model and the checks: the reference, which implements every
// field from its documentation, must agree with the model.
// SCANSIM_PROFILE_FIELDS=1 enables it (informational; see findings M1).
func TestProfileFields(t *testing.T) {
	if os.Getenv("SCANSIM_PROFILE_FIELDS") == "" {
		t.Skip("set SCANSIM_PROFILE_FIELDS=1")
	}
	flips := map[string]func(p *model.Profile){
		"BounceBlockedMessages=false":                 func(p *model.Profile) { p.BounceBlockedMessages = false },
		"PushOnlyInterested=false":                    func(p *model.Profile) { p.PushOnlyInterested = false },
		"DomainResourceMatchesAnyUser=true":           func(p *model.Profile) { p.DomainResourceMatchesAnyUser = true },
		"LocalRosterChangeOnBlockedOutboundSub=false": func(p *model.Profile) { p.LocalRosterChangeOnBlockedOutboundSub = false },
		"DropPendingInOnBlock=false":                  func(p *model.Profile) { p.DropPendingInOnBlock = false },
		"UnavailableSenderIsFullJID=false":            func(p *model.Profile) { p.UnavailableSenderIsFullJID = false },
		"PresenceOnUnblockAll=true":                   func(p *model.Profile) { p.PresenceOnUnblockAll = true },
		"ErrorOnBlockedBroadcast=false":               func(p *model.Profile) { p.ErrorOnBlockedBroadcast = false },
		"RecheckBlocklistOnOfflineFlush=true":         func(p *model.Profile) { p.RecheckBlocklistOnOfflineFlush = true },
	}
	for _, name := range slices.Sorted(maps.Keys(flips)) {
		p := model.ProsodyTrunk()
		p.Name = name
		flips[name](&p)
		r := Explore(Config{Options: driver.Options{Profile: &p, Seed: 11}, Checks: 3000, OutDir: t.TempDir(), ShrinkTime: 100 * time.Millisecond})
		if r.Failure == nil {
			t.Logf("%-45s agree (%d checks)", name, r.Checks)
			continue
		}
		t.Logf("%-45s DIFFER: %s\n%s", name, r.Failure.Message, r.Failure.Script)
	}
}
