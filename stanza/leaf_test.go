package stanza_test

import (
	"go/build"
	"strings"
	"testing"
)

// stanza and jid are leaf packages: everything else of scansim may use
// them only if they use nothing of scansim's.
func TestLeafPackagesImportNothingOfOurs(t *testing.T) {
	for _, dir := range []string{".", "../jid"} {
		p, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, "github.com/scansim/scansim") {
				t.Errorf("%s imports %s", p.ImportPath, imp)
			}
		}
	}
}
