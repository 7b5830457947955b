package benchkit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestBlockingIsTheTestdataScript(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "testdata", "blocking.scs"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, Blocking) {
		t.Fatal("internal/benchkit/blocking.scs differs from scenarios/testdata/blocking.scs: copy it again")
	}
}

func TestDriversRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every driver for a second")
	}
	for name, f := range map[string]func(*testing.B){
		"parse": ParseBlocking, "replay": ReplayBlocking, "parsed": ReplayBlockingParsed,
		"fanout": Fanout(10), "scale": Scale(100),
	} {
		r := testing.Benchmark(f)
		if r.N == 0 {
			t.Errorf("%s did not run", name)
		}
	}
}
