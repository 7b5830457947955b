package benchkit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
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

func TestThousands(t *testing.T) {
	for f, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567.6: "1,234,568", 12345678: "12,345,678"} {
		if got := thousands(f); got != want {
			t.Errorf("thousands(%v) = %q, want %q", f, got, want)
		}
	}
}

// TestMedian: the middle result by time per op, each extra metric the
// median of its own values (not the values of that middle result).
func TestMedian(t *testing.T) {
	res := func(ns int64, extra float64) testing.BenchmarkResult {
		return testing.BenchmarkResult{N: 1, T: time.Duration(ns), Extra: map[string]float64{"x": extra}}
	}
	m := Median([]testing.BenchmarkResult{res(300, 1), res(100, 5), res(200, 9)})
	if m.NsPerOp() != 200 || m.Extra["x"] != 5 {
		t.Errorf("median: %d ns/op, x %v; want 200 and 5", m.NsPerOp(), m.Extra["x"])
	}
}
