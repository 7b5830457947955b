package sim_test

import (
	"testing"
	"time"

	"github.com/scansim/scansim/sim"
)

// BenchmarkRelay measures the simulation's own overhead per relayed
// stanza: send (canonicalise, trace, schedule), server call on the fake,
// delivery (canonicalise, trace, inbox). A fresh Sim every batch keeps the
// always-on trace from growing with b.N.
func BenchmarkRelay(b *testing.B) {
	for _, lat := range []time.Duration{0, 5 * time.Millisecond} {
		b.Run("latency="+lat.String(), func(b *testing.B) {
			const batch = 4096
			var s *sim.Sim
			var alice, bob *sim.Client
			fresh := func(seed uint64) {
				r := newRelay()
				r.nolog = true
				s = sim.New(sim.Config{Seed: seed, MaxLatency: lat, Backend: r})
				alice = connect(b, s, "alice", "alice", "a")
				bob = connect(b, s, "bob", "bob", "b")
			}
			delivered := 0
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i%batch == 0 {
					fresh(uint64(i))
				}
				send(b, alice, msg(bob.JID(), "ping"))
				i++
				if i%64 == 0 {
					s.RunUntilQuiet()
					delivered += len(bob.TakeAll())
				}
			}
			s.RunUntilQuiet()
			delivered += len(bob.TakeAll())
			if delivered != i {
				b.Fatalf("delivered %d of %d", delivered, i)
			}
			b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}
