package properties

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/scansim/scansim/driver"
)

// fakeTB records what Check does to a failing test, without failing the
// real one.
type fakeTB struct {
	*exploreTB
	mu       sync.Mutex
	cleanups []func()
}

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	f.cleanups = append(f.cleanups, fn)
	f.mu.Unlock()
}

// TestCheckWritesScript: a property failure under go test leaves a
// replayable script behind, as check's does.
func TestCheckWritesScript(t *testing.T) {
	dir := t.TempDir()
	f := &fakeTB{exploreTB: &exploreTB{}}
	restore := setFlags(map[string]string{"rapid.checks": "1000", "rapid.seed": "1", "rapid.shrinktime": "2s", "rapid.nofailfile": "true"})
	defer restore()
	done := make(chan struct{})
	go func() {
		defer close(done)
		Check(f, Config{Options: driver.Options{Mutants: []string{"no-unavailable-on-block"}}, OutDir: dir})
	}()
	<-done
	if !f.Failed() {
		t.Fatal("the mutant was not caught")
	}
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	scripts, _ := filepath.Glob(filepath.Join(dir, "*.scs"))
	if len(scripts) != 1 {
		t.Fatalf("scripts %v; log:\n%s", scripts, f.log.String())
	}
	if !strings.Contains(f.log.String(), "is written as "+scripts[0]) {
		t.Errorf("log does not name the script:\n%s", f.log.String())
	}
	if b, _ := os.ReadFile(scripts[0]); !strings.Contains(string(b), "connects") {
		t.Errorf("script:\n%s", b)
	}
}
