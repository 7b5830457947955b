package properties

import (
	"reflect"
	"testing"

	"github.com/scansim/scansim/model"
)

// Every relaxation field the catalogue names is a bool field of
// model.Profile and has a specification rule, so --spec xep cannot miss
// a new one silently.
func TestSpecValuesCoverCatalogue(t *testing.T) {
	pt := reflect.TypeOf(model.Profile{})
	for _, f := range relaxFields() {
		if _, ok := specValues[f]; !ok {
			t.Errorf("relaxation field %s has no specification rule in specValues", f)
		}
		sf, ok := pt.FieldByName(f)
		if !ok || sf.Type.Kind() != reflect.Bool {
			t.Errorf("relaxation field %s is not a bool field of model.Profile", f)
		}
	}
	for f := range specValues {
		if _, ok := pt.FieldByName(f); !ok {
			t.Errorf("specValues names %s, which model.Profile lacks", f)
		}
	}
}

// XEPSpec flips exactly Prosody's deliberate departures (docs/findings.md
// P1–P4, and the D6 bug tolerance) on both Prosody profiles and keeps the
// choices the specification leaves open.
func TestXEPSpecFlipsDepartures(t *testing.T) {
	for _, p := range []model.Profile{model.ProsodyTrunk(), model.Prosody012(), model.Prosody13()} {
		s := XEPSpec(p)
		if s.ErrorOnBlockedBroadcast || !s.RecheckBlocklistOnOfflineFlush || !s.PresenceOnUnblockAll ||
			s.LocalRosterChangeOnBlockedOutboundSub || s.ResentRequestsShareStanza {
			t.Errorf("%s: a departure survives: %+v", p.Name, s.BlocklistOptions)
		}
		if s.BounceBlockedMessages != p.BounceBlockedMessages || s.PushOnlyInterested != p.PushOnlyInterested ||
			s.DropPendingInOnBlock != p.DropPendingInOnBlock || s.UnavailableSenderIsFullJID != p.UnavailableSenderIsFullJID {
			t.Errorf("%s: an open choice changed", p.Name)
		}
		if s.Name != p.Name+"+xep" {
			t.Errorf("name %q", s.Name)
		}
	}
	var c Config
	DemandXEP(&c)
	if c.Spec == nil || !c.Strict || c.Spec.ErrorOnBlockedBroadcast {
		t.Errorf("DemandXEP: spec %v strict %v", c.Spec, c.Strict)
	}
}
