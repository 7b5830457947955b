package model_test

import (
	"strconv"
	"testing"

	"github.com/scansim/scansim/internal/benchkit"
)

// BenchmarkScale: N users connected and available with 10 contacts each.
// Reports heap bytes per user and the setup time (bind + initial presence
// of every user, with its probes and broadcasts). The driver is shared
// with "scansim bench" (internal/benchkit).
func BenchmarkScale(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run("N="+strconv.Itoa(n), benchkit.Scale(n))
	}
}
