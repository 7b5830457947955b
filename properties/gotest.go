package properties

import (
	"pgregory.net/rapid"
)

// CheckTB is what Check needs of a test: rapid's TB and Cleanup
// (*testing.T has both).
type CheckTB interface {
	rapid.TB
	Cleanup(func())
}

// Check runs the property under go test, as rapid.Check(t, Property(cfg))
// does (rapid's -rapid.* flags decide checks, steps and seed), and when
// it fails does what Explore does with a failure: shrinks it further and
// writes it as a replayable .scs script in Config.OutDir (default
// testdata/failures, or $SCANSIM_FAILURES), whose path the test log
// names. A script that cannot be written fails the test too.
//
//	func TestMine(t *testing.T) {
//		properties.Check(t, properties.Config{OutDir: "testdata/failures"})
//	}
func Check(t CheckTB, cfg Config) {
	t.Helper()
	if err := cfg.checkLatency(); err != nil {
		t.Fatal(err)
	}
	prof, spec := cfg.profiles()
	rec := &recorder{crew: newCrew(nil)}
	// rapid.Check ends a failing test with FailNow (runtime.Goexit):
	// the script is written in a cleanup, which runs after it.
	t.Cleanup(func() {
		if !t.Failed() || rec.lastOps == nil {
			return
		}
		ops, err := minimize(rec.lastOps, rec.lastUsers, prof, spec, cfg.Mutants, cfg.options(), failureKey(rec.lastMsg))
		if err != nil { // the server's transport failed while shrinking
			t.Errorf("server: while shrinking a failure: %v", err)
			return
		}
		f := &Failure{Message: rec.lastMsg, FirstCheck: rec.firstFail, Ops: ops, ShrunkLen: len(ops), ShrunkActions: countActions(ops), OriginalLen: rec.firstLen}
		if err := writeFailure(f, rec.lastUsers, prof, spec, cfg.Mutants, cfg.options(), cfg.OutDir); err != nil {
			t.Errorf("server: while writing the failure's script: %v", err)
			return
		}
		switch {
		case f.ScriptPath != "":
			t.Logf("the failure, shrunk to %d actions, is written as %s (scansim replay%s %s)", len(ops), f.ScriptPath, mutantFlags(cfg.Mutants), f.ScriptPath)
		case f.WriteErr != nil:
			t.Errorf("the failing script could not be written: %v", f.WriteErr)
		}
	})
	rapid.Check(t, property(cfg.Users, prof, spec, cfg.Mutants, cfg.options(), rec))
}

func mutantFlags(ms []string) string {
	s := ""
	for _, m := range ms {
		s += " --mutant " + m
	}
	return s
}
