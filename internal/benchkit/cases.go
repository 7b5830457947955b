package benchkit

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// Case is one benchmark of "scansim bench" (one row of its table): the
// driver, the figure derived from a result and the target of
// docs/performance.md it is held to.
type Case struct {
	Name string
	F    func(*testing.B)
	// Metric derives the figure shown from a result: its text, and
	// whether the target is met ("" Target: none).
	Metric func(r testing.BenchmarkResult) (string, bool)
	Target string
}

func nsTarget(limit time.Duration) func(testing.BenchmarkResult) (string, bool) {
	return func(r testing.BenchmarkResult) (string, bool) {
		ops := 1e9 / float64(r.NsPerOp())
		return fmt.Sprintf("%.0f runs/s", ops), time.Duration(r.NsPerOp()) <= limit
	}
}

// Cases returns the benchmark set in table order; short leaves out
// Scale/N=100000.
func Cases(short bool) []Case {
	cs := []Case{
		{Name: "ParseBlocking", F: ParseBlocking, Metric: func(r testing.BenchmarkResult) (string, bool) {
			return fmt.Sprintf("%.1f MB/s", float64(r.Bytes)*float64(r.N)/r.T.Seconds()/1e6), true
		}},
		{Name: "ReplayBlocking", F: ReplayBlocking, Metric: nsTarget(150 * time.Microsecond), Target: "<= 150µs/op"},
		{Name: "ReplayBlockingParsed", F: ReplayBlockingParsed, Metric: nsTarget(50 * time.Microsecond), Target: "<= 50µs/op"},
	}
	for _, n := range []int{10, 100} {
		cs = append(cs, Case{
			Name: fmt.Sprintf("ReplaySteps/n=%d", n),
			F:    ReplaySteps(n),
			Metric: func(r testing.BenchmarkResult) (string, bool) {
				return fmt.Sprintf("%.1fµs/action", r.Extra["ns/action"]/1e3), true
			},
		})
	}
	for _, k := range []int{10, 100, 1000} {
		cs = append(cs, Case{
			Name: fmt.Sprintf("RoutingFanout/K=%d", k),
			F:    Fanout(k),
			Metric: func(r testing.BenchmarkResult) (string, bool) {
				d := r.Extra["deliveries/s"]
				return fmt.Sprintf("%s deliveries/s", thousands(d)), d >= 1e6
			},
			Target: ">= 1,000,000/s",
		})
	}
	ns := []int{1000, 10000, 100000}
	if short {
		ns = ns[:2]
	}
	for _, n := range ns {
		c := Case{
			Name: fmt.Sprintf("Scale/N=%d", n),
			F:    Scale(n),
		}
		c.Metric = func(r testing.BenchmarkResult) (string, bool) {
			per, setup := r.Extra["bytes/user"], r.Extra["setup-s"]
			total := per * float64(n)
			return fmt.Sprintf("%.0f B/user (%.2f GiB), setup %.2fs", per, total/(1<<30), setup), total < 2<<30 && setup < 10
		}
		if n == 100000 {
			c.Target = "< 2 GiB, < 10 s"
		}
		cs = append(cs, c)
	}
	return cs
}

// thousands renders f rounded, with comma separators.
func thousands(f float64) string {
	s := fmt.Sprintf("%.0f", f)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Median returns the result whose time per op is the median of rs, with
// each extra metric replaced by its own median.
func Median(rs []testing.BenchmarkResult) testing.BenchmarkResult {
	sorted := append([]testing.BenchmarkResult(nil), rs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].NsPerOp() < sorted[j].NsPerOp() })
	m := sorted[len(sorted)/2]
	extra := make(map[string]float64, len(m.Extra))
	for k := range m.Extra {
		vs := make([]float64, 0, len(rs))
		for _, r := range rs {
			vs = append(vs, r.Extra[k])
		}
		sort.Float64s(vs)
		extra[k] = vs[len(vs)/2]
	}
	m.Extra = extra
	return m
}
