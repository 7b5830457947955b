package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"time"

	"github.com/scansim/scansim/properties"
)

// progress reports a long exploration on stderr: a line redrawn in place
// on a terminal, plain lines every 10 checks with -v (and one when
// shrinking starts), nothing otherwise (so piped output stays clean).
type progress struct {
	w        io.Writer
	live     bool // a terminal: redraw with \r
	verbose  bool
	width    int // columns of the terminal: a longer line would wrap and leave a trail
	lastDraw time.Time
	drawn    bool

	mu      sync.Mutex // the interrupt handler reads what update wrote
	done_   int
	total   int
	actions int
	shrinks int
}

func newProgress(w io.Writer, verbose bool) *progress {
	return &progress{w: w, live: isTerminal(w), verbose: verbose, width: termWidth()}
}

// termWidth is $COLUMNS when the shell exports it, else 80.
func termWidth() int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

func (p *progress) update(done, total, actions int, start time.Time) {
	p.mu.Lock()
	p.done_, p.total, p.actions = done, total, actions
	p.mu.Unlock()
	elapsed := time.Since(start)
	switch {
	case p.live:
		// Redraw at most ten times a second: the terminal is not the bottleneck.
		if done != total && time.Since(p.lastDraw) < 100*time.Millisecond {
			return
		}
		p.draw(fmt.Sprintf("check %d/%d  %d actions  %s  %s", done, total, actions, actionRate(actions, elapsed), elapsed.Round(100*time.Millisecond)))
	case p.verbose && (done%10 == 0 || done == total):
		fmt.Fprintf(p.w, "check %d/%d, %d actions, %s\n", done, total, actions, actionRate(actions, elapsed))
	}
}

// shrinking reports a run rapid made while shrinking a failure: a phase
// of its own, not counted as checks.
func (p *progress) shrinking(runs int, start time.Time) {
	p.mu.Lock()
	p.shrinks = runs
	p.mu.Unlock()
	switch {
	case p.live:
		if time.Since(p.lastDraw) < 100*time.Millisecond {
			return
		}
		p.draw(fmt.Sprintf("shrinking the failure: %d runs  %s", runs, time.Since(start).Round(100*time.Millisecond)))
	case p.verbose && runs == 1:
		fmt.Fprintln(p.w, "shrinking the failure")
	}
}

// draw redraws the live line, cut to the terminal's width less one
// column so that it never wraps.
func (p *progress) draw(line string) {
	p.lastDraw = time.Now()
	p.drawn = true
	if r := []rune(line); len(r) > p.width-1 && p.width > 1 {
		line = string(r[:p.width-1])
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
}

// partial describes the run so far, for an interrupted exploration.
func (p *progress) partial() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := fmt.Sprintf("%d of %d checks done, %d actions, no violation so far", p.done_, p.total, p.actions)
	if p.shrinks > 0 {
		s = fmt.Sprintf("%d checks done, %d actions, a violation found and being shrunk (%d runs)", p.done_, p.actions, p.shrinks)
	}
	return s
}

// done clears the live line before the summary is printed.
func (p *progress) done() {
	if p.live && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// onInterrupt calls report and exits with status 130 on Ctrl-C (SIGINT)
// while a long run is in progress; the returned function restores the
// default handling. An exploration cannot be cancelled midway (rapid
// offers no way), so the partial summary is the useful part.
func onInterrupt(report func()) (stop func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	quit := make(chan struct{})
	go func() {
		select {
		case <-c:
			report()
			os.Exit(130)
		case <-quit:
		}
	}()
	return func() {
		signal.Stop(c)
		close(quit)
	}
}

func actionRate(actions int, d time.Duration) string {
	if d <= 0 {
		return "- actions/s"
	}
	return fmt.Sprintf("%.0f actions/s", float64(actions)/d.Seconds())
}

// startCheck sets up a check run on the model (checkCmd, checkConfirmed):
// cfg's seed and its live progress on stderr, and the report of an
// interrupted run on stdout; stop ends the interrupt handling.
func startCheck(o checkOpts, cfg *properties.Config, stdout, stderr io.Writer) (p *progress, start time.Time, stop func()) {
	start = time.Now()
	p = newProgress(stderr, o.verbose)
	cfg.Seed = o.seed
	total := properties.ShardLen(o.checks, cfg.Shard, cfg.Shards)
	cfg.Progress = func(done, actions int) { p.update(done, total, actions, start) }
	cfg.Shrinking = func(runs int) { p.shrinking(runs, start) }
	stop = onInterrupt(func() {
		p.done()
		fmt.Fprintf(stdout, "interrupted: %s; %s (%s repeats the run)\n", p.partial(), o.seedText(), o.repeatFlags())
	})
	// rapid asks testing.Short, which panics unless flag.CommandLine has
	// been parsed; scansim parses its own flag sets, so mark it parsed.
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse(nil)
	}
	return p, start, stop
}
