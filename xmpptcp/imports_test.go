package xmpptcp_test

import (
	"go/build"
	"testing"
)

// The TCP client speaks stanzas and JIDs (the leaf packages), not the
// model: a real server's client must not depend on the simulated server.
func TestNoModelImport(t *testing.T) {
	for _, dir := range []string{".", "xmpptcptest", "../internal/xmlstream"} {
		p, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range p.Imports {
			if imp == "github.com/scansim/scansim/model" {
				t.Errorf("%s imports the model", dir)
			}
		}
	}
}

// The client's SCRAM (scram.go) is tested against the test server's,
// internal/scram: the two must stay independent implementations, so
// that a mistake in one is not mirrored by the other.
func TestSCRAMSidesIndependent(t *testing.T) {
	for _, c := range []struct{ dir, not string }{
		{".", "github.com/scansim/scansim/internal/scram"},
		{"../internal/scram", "github.com/scansim/scansim/xmpptcp"},
	} {
		p, err := build.ImportDir(c.dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range p.Imports {
			if imp == c.not {
				t.Errorf("%s imports %s", c.dir, c.not)
			}
		}
	}
}
