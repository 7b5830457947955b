package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"testing"
	"text/tabwriter"

	"github.com/scansim/scansim/internal/benchkit"
)

var benchCommand = &command{
	name:    "bench",
	summary: "run the performance benchmarks in-process and compare them with the targets",
	help: `Usage: scansim bench [flags]

Runs scansim's benchmark set in-process (testing.Benchmark, the drivers of
internal/benchkit, the same code as "go test -bench" in model and
scenarios) and prints one row per benchmark: the time per operation, the
allocations per operation, the derived metric, the target and whether it
is met. With --count N every benchmark runs N times and the row shows the
medians. docs/performance.md explains the figures.

  ParseBlocking         parse scenarios/testdata/blocking.scs (no target)
  ReplayBlocking        parse + fresh server + run + match: <= 150µs
  ReplayBlockingParsed  the same with the script parsed once: <= 50µs
  ReplaySteps/n=...     parse + run 2 connects and n message steps (no target)
  RoutingFanout/K=...   presence to K contacts: >= 1,000,000 deliveries/s
  Scale/N=...           N users online: N=100000 under 2 GiB and 10 s

BenchmarkPropertyActions lives in properties' tests:
  go test -run '^$' -bench PropertyActions -benchmem ./properties

Exit status: 0 the benchmarks ran (met or not), 2 usage errors or a
benchmark that failed to run.

Examples:
  scansim bench
  scansim bench --count 5
  scansim bench --run 'Replay|Fanout' --benchtime 2s
  scansim bench --short          # Scale without N=100000
`,
	run: benchCmd,
}

func benchCmd(c *command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(c, stderr)
	count := fs.Int("count", 1, "run each benchmark `N` times and show the medians")
	benchtime := fs.String("benchtime", "1s", "time (or Nx iterations) per run, as go test's -benchtime")
	runRE := fs.String("run", "", "run only benchmarks whose name matches `regexp`")
	short := fs.Bool("short", false, "skip Scale/N=100000 (about 10 s and 1 GiB per run)")
	if code, ok := parseNoArgs(c, fs, args, stdout, stderr); !ok {
		return code
	}
	if *count < 1 {
		fmt.Fprintln(stderr, "scansim bench: --count must be at least 1")
		return exitUsage
	}
	var re *regexp.Regexp
	if *runRE != "" {
		var err error
		if re, err = regexp.Compile(*runRE); err != nil {
			fmt.Fprintf(stderr, "scansim bench: --run: %v\n", err)
			return exitUsage
		}
	}
	// testing.Benchmark reads the test.benchtime flag.
	testing.Init()
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		fmt.Fprintf(stderr, "scansim bench: --benchtime %q: %v\n", *benchtime, err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "scansim bench: %s %s/%s, GOMAXPROCS=%d, %d CPUs, count %d, benchtime %s\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU(), *count, *benchtime)
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\ttime/op\tallocs/op\tB/op\tmetric\ttarget\tmet")
	status := exitOK
	ran := 0
	for _, bc := range benchkit.Cases(*short) {
		if re != nil && !re.MatchString(bc.Name) {
			continue
		}
		ran++
		var rs []testing.BenchmarkResult
		for i := 0; i < *count; i++ {
			r := testing.Benchmark(bc.F)
			if r.N == 0 {
				break
			}
			rs = append(rs, r)
		}
		if len(rs) < *count {
			fmt.Fprintf(tw, "%s\tfailed to run\t\t\t\t\t\n", bc.Name)
			status = exitUsage
			continue
		}
		r := benchkit.Median(rs)
		metric, met := bc.Metric(r)
		verdict := "-"
		if bc.Target != "" {
			verdict = "yes"
			if !met {
				verdict = "NO"
			}
		}
		target := bc.Target
		if target == "" {
			target = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n", bc.Name, perOp(r), r.AllocsPerOp(), r.AllocedBytesPerOp(), metric, target, verdict)
	}
	tw.Flush()
	if ran == 0 {
		fmt.Fprintf(stderr, "scansim bench: no benchmark matches %q\n", *runRE)
		return exitUsage
	}
	fmt.Fprintln(stdout, "\nBenchmarkPropertyActions: go test -run '^$' -bench PropertyActions -benchmem ./properties")
	return status
}

// perOp renders the time per operation with a unit that suits it.
func perOp(r testing.BenchmarkResult) string {
	ns := float64(r.T.Nanoseconds()) / float64(r.N)
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2fs", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2fms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1fµs", ns/1e3)
	}
	return fmt.Sprintf("%.0fns", ns)
}
