package xmpptcp_test

import (
	"go/build"
	"testing"
)

// The TCP client speaks stanzas and JIDs (the leaf packages), not the
// model: a real server's client must not depend on the simulated server.
func TestNoModelImport(t *testing.T) {
	for _, dir := range []string{".", "xmpptcptest", "internal/xmlstream"} {
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
