package properties

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
)

// confirmCfg is the P3 search of docs/spec-mode.md (inv22 under --spec
// xep on the prosody-0.12 model) beside srv.
func confirmCfg(t *testing.T, srv driver.Driver, checks int) Config {
	p := model.Prosody012()
	cfg := Config{Options: driver.Options{Profile: &p, Seed: 1}, Checks: checks, NoReference: true,
		Invariants: []string{"inv22"}, OutDir: t.TempDir(), NoRooms: true, ShrinkTime: time.Second, Server: srv}
	DemandXEP(&cfg)
	return cfg
}

// TestSearchOnServerConfirms: a server that departs like the model (the
// prosody-0.12 model itself behind driver.SimDriver) confirms the P3
// departure the model finds, on its own trace of the failing step; the
// search is deterministic from the seed, and OutDir holds the found
// script alone. The "server" is the model agreeing with itself: this
// tests the wiring and determinism, not a server's behaviour (the tests
// below hold servers that differ from the model).
func TestSearchOnServerConfirms(t *testing.T) {
	p := model.Prosody012()
	cfg := confirmCfg(t, &driver.SimDriver{Options: driver.Options{Profile: &p}, Prefix: "c-"}, 2000)
	run := func() Search { return SearchOnServer(cfg, ConfirmOptions{}) }
	s := run()
	if s.Err != nil {
		t.Fatal(s.Err)
	}
	if s.Found == nil {
		t.Fatalf("not found in %d checks, %d confirmations", s.Checks, len(s.Confirmations))
	}
	if !strings.Contains(s.Found.Server, "inv22PresenceOnUnblock") {
		t.Errorf("the server's verdict is not inv22's: %s", s.Found.Server)
	}
	if !strings.Contains(s.Found.ServerTrace, "<unblock xmlns='urn:xmpp:blocking'/>") {
		t.Errorf("the failing step (unblock all) was not sent to the server:\n%s", s.Found.ServerTrace)
	}
	if !strings.Contains(s.Found.ServerTrace, "jabber:iq:roster") {
		t.Errorf("no witness read the server's state after the step:\n%s", s.Found.ServerTrace)
	}
	if s.ServerStanzas == 0 {
		t.Error("nothing compared")
	}
	if written, _ := filepath.Glob(filepath.Join(cfg.OutDir, "*")); len(written) != 1 || written[0] != s.Failure.ScriptPath {
		t.Errorf("OutDir holds %v, want the found script %s alone", written, s.Failure.ScriptPath)
	}
	// rapid's shrinking is bounded by wall-clock time (as in
	// TestExploreDeterministic): the checks, the failing ones and their
	// seeds do not depend on it
	again := run()
	if again.Checks != s.Checks || len(again.Confirmations) != len(s.Confirmations) || again.Failure.Seed != s.Failure.Seed {
		t.Errorf("not deterministic: %d checks, %d confirmations, then %d, %d", s.Checks, len(s.Confirmations), again.Checks, len(again.Confirmations))
	}
}

// TestSearchOnServerRefutes: a server that keeps to XEP-0191 §3.5 where
// the model departs (P3: PresenceOnUnblockAll set on the server only)
// does not confirm what the model finds; the search reports each
// failure as not the server's and goes on, and finds nothing.
func TestSearchOnServerRefutes(t *testing.T) {
	p := model.Prosody012()
	p.PresenceOnUnblockAll = true
	cfg := confirmCfg(t, &driver.SimDriver{Options: driver.Options{Profile: &p}, Prefix: "r-"}, 2000)
	s := SearchOnServer(cfg, ConfirmOptions{Max: 3})
	if written, _ := filepath.Glob(filepath.Join(cfg.OutDir, "*")); len(written) != 0 {
		t.Errorf("OutDir holds %v, scripts of refuted failures", written)
	}
	if s.Err != nil {
		t.Fatal(s.Err)
	}
	if s.Found != nil || s.Failure != nil {
		t.Fatalf("a spec-keeping server confirmed the model's departure: %s", s.Found.Server)
	}
	if len(s.Confirmations) == 0 {
		t.Fatal("the model found nothing to confirm")
	}
	if s.Refuted() != len(s.Confirmations) {
		t.Errorf("%d of %d refuted", s.Refuted(), len(s.Confirmations))
	}
	for i, c := range s.Confirmations {
		if c.Confirmed || !c.Refuted || !strings.Contains(c.Server, "breaks no invariant") || !strings.Contains(c.Server, "differ from the model's") {
			t.Errorf("confirmation %d: %v: %s", i, c.Confirmed, c.Server)
		}
		if i > 0 && c.Failure.FirstCheck <= s.Confirmations[i-1].Failure.FirstCheck {
			t.Errorf("the search did not go on past check %d", s.Confirmations[i-1].Failure.FirstCheck)
		}
	}
}

// TestSearchOnServerWitnessesState: a server whose trace of the failing
// step is the model's but whose state after it is not (the mutant
// unblock-all-noop: the empty <unblock/> is answered and pushed, the list
// left as it was) does not confirm P3: its trace breaks inv22 as the
// model's does, but the witnesses show that the state the invariant
// read is not the server's.
func TestSearchOnServerWitnessesState(t *testing.T) {
	p := model.Prosody012()
	srv := &driver.SimDriver{Options: driver.Options{Profile: &p, Mutants: []string{"unblock-all-noop"}}, Prefix: "w-"}
	s := SearchOnServer(confirmCfg(t, srv, 2000), ConfirmOptions{Max: 2})
	if s.Err != nil {
		t.Fatal(s.Err)
	}
	if s.Found != nil {
		t.Fatalf("confirmed on a server whose blocklist stayed: %s", s.Found.Server)
	}
	if len(s.Confirmations) == 0 {
		t.Fatal("the model found nothing to confirm")
	}
	for i, c := range s.Confirmations {
		// (the first witness shows it: the new session's presence is
		// bounced as blocked where the model's reaches the contact)
		if c.Refuted || !strings.Contains(c.Server, "its state after the step differs from the model's") {
			t.Errorf("confirmation %d: %s", i, c.Server)
		}
	}
}
