// Package benchkit holds the drivers of scansim's performance benchmarks
// (docs/performance.md), so that the go test benchmarks of model and
// scenarios and "scansim bench" (which runs them in-process with
// testing.Benchmark) measure the same code, and the set "scansim bench"
// runs with the targets each is held to (Cases).
package benchkit

import (
	_ "embed"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
)

// Blocking is scenarios/testdata/blocking.scs (a test keeps the copy
// identical).
//
//go:embed blocking.scs
var Blocking []byte

// cpuMeter reports the process's CPU time per op as "cpu-ns/op": unlike
// the wall-clock ns/op it does not grow when other processes compete for
// the cores (on a shared machine wall time is inflated, CPU time much
// less). It counts every thread, garbage collection included.
type cpuMeter struct{ start time.Duration }

func startCPU() cpuMeter { return cpuMeter{start: cpuTime()} }

// perOp returns the CPU nanoseconds per op since start, 0 when unknown.
func (m cpuMeter) perOp(b *testing.B) float64 {
	used := cpuTime() - m.start
	if m.start == 0 && used == 0 || b.N == 0 {
		return 0
	}
	return float64(used.Nanoseconds()) / float64(b.N)
}

func (m cpuMeter) report(b *testing.B) {
	if v := m.perOp(b); v > 0 {
		b.ReportMetric(v, "cpu-ns/op")
	}
}

// Profile is the profile every benchmark runs, named here rather than
// taken from the default (driver.DefaultProfile), so that the figures
// stay comparable with earlier commits when the default changes: the
// benchmarks measured Prosody trunk's behaviour (model.ProsodyTrunk)
// when issue 11's targets were set against commit f7ed2a1.
func Profile() *model.Profile {
	p := model.ProsodyTrunk()
	return &p
}

// runOptions are the replay benchmarks' options: Profile, nothing else.
func runOptions() scenarios.RunOptions {
	return scenarios.RunOptions{Options: driver.Options{Profile: Profile()}}
}

// ParseBlocking parses Blocking b.N times.
func ParseBlocking(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(Blocking)))
	cpu := startCPU()
	for b.Loop() {
		if _, err := scenarios.Parse("blocking.scs", Blocking); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// ReplayBlocking parses Blocking and runs it on a fresh simulated server,
// matching every receives, b.N times.
func ReplayBlocking(b *testing.B) {
	opts := runOptions()
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		s, err := scenarios.Parse("blocking.scs", Blocking)
		if err != nil {
			b.Fatal(err)
		}
		if res := scenarios.Run(s, opts); !res.Passed {
			b.Fatal(Report(res))
		}
	}
	cpu.report(b)
}

// ReplayBlockingParsed is ReplayBlocking with the script parsed once.
func ReplayBlockingParsed(b *testing.B) {
	s, err := scenarios.Parse("blocking.scs", Blocking)
	if err != nil {
		b.Fatal(err)
	}
	opts := runOptions()
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		if res := scenarios.Run(s, opts); !res.Passed {
			b.Fatal(Report(res))
		}
	}
	cpu.report(b)
}

// Report renders why a run did not pass.
func Report(res *scenarios.Result) string {
	switch {
	case res.Err != nil:
		return res.Err.Error()
	case res.Failure != nil:
		return res.Failure.Report()
	}
	return "passed"
}

// FanoutServer builds a server where u0 has k contacts c1..ck, all with
// mutual subscriptions, each online and available.
func FanoutServer(k int) (*model.Server, model.SessionID, error) {
	srv := model.New(model.Options{Profile: Profile()})
	id0, _, _, err := srv.Bind("u0", "r")
	if err != nil {
		return nil, 0, err
	}
	var perr error
	send := func(id model.SessionID, xml string) {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(xml); err != nil && perr == nil {
			perr = err
			return
		}
		srv.Process(id, doc.Root())
	}
	send(id0, `<presence/>`)
	for i := 1; i <= k; i++ {
		c := "c" + strconv.Itoa(i)
		id, _, _, err := srv.Bind(c, "r")
		if err != nil {
			return nil, 0, err
		}
		send(id, `<presence/>`)
		send(id0, `<presence type='subscribe' to='`+c+`@localhost'/>`)
		send(id, `<presence type='subscribed' to='u0@localhost'/>`)
		send(id, `<presence type='subscribe' to='u0@localhost'/>`)
		send(id0, `<presence type='subscribed' to='`+c+`@localhost'/>`)
	}
	return srv, id0, perr
}

// Fanout returns the RoutingFanout benchmark for k contacts: u0 changes
// presence, which reaches its k available contacts and its own session.
// It reports deliveries/s and deliveries/op.
func Fanout(k int) func(b *testing.B) {
	return func(b *testing.B) {
		srv, id0, err := FanoutServer(k)
		if err != nil {
			b.Fatal(err)
		}
		pres := etree.NewElement("presence")
		pres.CreateElement("status").SetText("away")
		b.ReportAllocs()
		b.ResetTimer()
		cpu := startCPU()
		deliveries := 0
		for i := 0; i < b.N; i++ {
			for _, ev := range srv.Process(id0, pres.Copy()) {
				if ev.Kind == model.Deliver {
					deliveries++
				}
			}
		}
		b.ReportMetric(float64(deliveries)/b.Elapsed().Seconds(), "deliveries/s")
		b.ReportMetric(float64(deliveries)/float64(b.N), "deliveries/op")
		if c := cpu.perOp(b); c > 0 {
			b.ReportMetric(c, "cpu-ns/op")
			b.ReportMetric(float64(deliveries)/float64(b.N)/(c/1e9), "deliveries/cpu-s")
		}
	}
}

// ScaleStore preloads n accounts u0..u(n-1), each with mutual ("both")
// subscriptions to its 10 ring neighbours, in the storage's record form.
func ScaleStore(n int) *model.MemStorage {
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

// readOnly serves a preloaded store without accepting writes, so the
// benchmark measures the server, not the cost of re-serialising records.
type readOnly struct{ *model.MemStorage }

func (readOnly) Put(string, []byte) {}

// Scale returns the Scale benchmark for n users: all connect and send
// their initial presence, with 10 contacts each. It reports the heap
// bytes per user and the setup time (setup-s).
func Scale(n int) func(b *testing.B) {
	return func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			store := ScaleStore(n)
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			srv := model.New(model.Options{Profile: Profile(), Storage: readOnly{store}})
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
	}
}

// StepsScript returns a script of 6 + 2n actions: two clients connect
// and send initial presence (and receive its reflection), then n times
// Alice sends Bob a message and Bob receives it.
func StepsScript(n int) []byte {
	var b strings.Builder
	b.WriteString("# steps\n\n[Client] Alice\n\tjid: alice@localhost\n\n[Client] Bob\n\tjid: bob@localhost\n\n---\n\n")
	b.WriteString("Alice connects\n\nBob connects\n\n")
	b.WriteString("Alice sends:\n\t<presence/>\n\nAlice receives:\n\t<presence from=\"${Alice's full JID}\"/>\n\n")
	b.WriteString("Bob sends:\n\t<presence/>\n\nBob receives:\n\t<presence from=\"${Bob's full JID}\"/>\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Alice sends:\n\t<message type='chat' to=\"${Bob's JID}\" id='m%d'>\n\t\t<body>step %d</body>\n\t</message>\n\n", i, i)
		fmt.Fprintf(&b, "Bob receives:\n\t<message type='chat' from=\"${Alice's full JID}\" id='m%d'>\n\t\t<body>step %d</body>\n\t</message>\n\n", i, i)
	}
	return []byte(b.String())
}

// ReplaySteps returns the benchmark that parses and runs StepsScript(n):
// how the cost of a replay grows with the number of actions.
func ReplaySteps(n int) func(b *testing.B) {
	src := StepsScript(n)
	return func(b *testing.B) {
		opts := runOptions()
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			s, err := scenarios.Parse("steps.scs", src)
			if err != nil {
				b.Fatal(err)
			}
			if res := scenarios.Run(s, opts); !res.Passed {
				b.Fatal(Report(res))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(6+2*n), "ns/action")
		cpu.report(b)
	}
}
