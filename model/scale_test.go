package model_test

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
)

// scaleStore preloads n accounts u0..u(n-1), each with mutual ("both")
// subscriptions to its 10 ring neighbours, in the storage's record form.
func scaleStore(n int) *model.MemStorage {
	st := &model.MemStorage{}
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.Reset()
		b.WriteString(`{"version":10,"items":[`)
		for d, first := -5, true; d <= 5; d++ {
			if d == 0 {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			fmt.Fprintf(&b, `{"jid":"u%d@localhost","subscription":"both"}`, ((i+d)%n+n)%n)
		}
		b.WriteString(`]}`)
		st.Put("u"+strconv.Itoa(i), []byte(b.String()))
	}
	return st
}

// BenchmarkScale: N users connected and available with 10 contacts each.
// Reports heap bytes per user and the setup time (bind + initial presence
// of every user, with its probes and broadcasts).
func BenchmarkScale(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				store := scaleStore(n)
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				start := time.Now()
				srv := model.New(model.Options{Storage: readOnly{store}})
				deliveries := 0
				for u := 0; u < n; u++ {
					id, _, _, err := srv.Bind("u"+strconv.Itoa(u), "r")
					if err != nil {
						b.Fatal(err)
					}
					for _, ev := range srv.Process(id, etree.NewElement("presence")) {
						if ev.Kind == model.Deliver {
							deliveries++
						}
					}
				}
				setup := time.Since(start)
				runtime.GC()
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				// Each user's initial presence reaches its available
				// neighbours (those bound before it) and draws their
				// presence back: at least the reflections.
				if deliveries < n {
					b.Fatalf("only %d deliveries for %d users", deliveries, n)
				}
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "bytes/user")
				b.ReportMetric(setup.Seconds(), "setup-s")
				runtime.KeepAlive(srv)
			}
		})
	}
}

// readOnly serves a preloaded store without accepting writes, so the
// benchmark measures the server, not the cost of re-serialising records.
type readOnly struct{ *model.MemStorage }

func (readOnly) Put(string, []byte) {}
