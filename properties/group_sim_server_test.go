package properties

import (
	"testing"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
)

// TestGroupsOnSimServer: the groups through the wire (wire_group.go),
// with the simulation standing in for the real server
// (driver.SimDriver): the model's run of a burst and of every
// interleaving of a concurrent action must hold up against a "server"
// that is the same model, and a pipelining bug of the "server" only
// (ejabberd PR 2651's mutant) is found as the server's.
func TestGroupsOnSimServer(t *testing.T) {
	p := model.ProsodyTrunk()
	srv := &driver.SimDriver{Options: driver.Options{Profile: &p}, Prefix: "g-"}
	r := Explore(Config{Options: driver.Options{Profile: &p, Seed: 3}, Checks: 200, ActionSet: RaceActions, Server: srv, OutDir: t.TempDir()})
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if r.Failure != nil {
		t.Fatalf("the same model as the server fails:\n%s\n%s", r.Failure.Message, r.Failure.Script)
	}
	if r.ServerStanzas == 0 {
		t.Fatal("nothing compared")
	}
	bad := &driver.SimDriver{Options: driver.Options{Profile: &p, Mutants: []string{"pipelined-stanza-old-list"}}, Prefix: "g-"}
	r = Explore(Config{Options: driver.Options{Profile: &p, Seed: 3}, Checks: 200, ActionSet: RaceActions, Server: bad, OutDir: t.TempDir()})
	if r.Failure == nil || !r.Failure.ReplayServerFails && r.Failure.Message == "" {
		t.Fatalf("the server's pipelining bug is not found: %+v", r.Failure)
	}
	t.Logf("found at check %d: %s", r.Failure.FirstCheck, r.Failure.Message)
}
