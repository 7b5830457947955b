package model_test

import (
	"fmt"
	"testing"

	"github.com/scansim/scansim/internal/benchkit"
	"github.com/scansim/scansim/model"
)

// BenchmarkRoutingFanout: one user with K subscribed, available contacts
// changes presence; reports routed deliveries per second. The driver is
// shared with "scansim bench" (internal/benchkit).
func BenchmarkRoutingFanout(b *testing.B) {
	for _, k := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("K=%d", k), benchkit.Fanout(k))
	}
}

// BenchmarkNew: building a server, modules loaded and chains resolved;
// every replay of a script builds one. It builds the trunk profile's
// core (the benchmarks' profile since prosody-13 became the default, so
// that the figures compare with earlier commits').
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		model.New(model.Options{Profile: benchkit.Profile()})
	}
}
