package main

import (
	"fmt"
	"io"
	"time"
)

// progress reports a long exploration on stderr: a line redrawn in place
// on a terminal, plain lines every 10 checks with -v, nothing otherwise
// (so piped output stays clean).
type progress struct {
	w        io.Writer
	live     bool // a terminal: redraw with \r
	verbose  bool
	lastDraw time.Time
	drawn    bool
}

func newProgress(w io.Writer, verbose bool) *progress {
	return &progress{w: w, live: isTerminal(w), verbose: verbose}
}

func (p *progress) update(done, total, actions int, start time.Time) {
	elapsed := time.Since(start)
	switch {
	case p.live:
		// Redraw at most ten times a second: the terminal is not the bottleneck.
		if done != total && time.Since(p.lastDraw) < 100*time.Millisecond {
			return
		}
		p.lastDraw = time.Now()
		p.drawn = true
		fmt.Fprintf(p.w, "\r\x1b[Kcheck %d/%d  %d actions  %s  %s", done, total, actions, actionRate(actions, elapsed), elapsed.Round(100*time.Millisecond))
	case p.verbose && (done%10 == 0 || done == total):
		fmt.Fprintf(p.w, "check %d/%d, %d actions, %s\n", done, total, actions, actionRate(actions, elapsed))
	}
}

// done clears the live line before the summary is printed.
func (p *progress) done() {
	if p.live && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

func actionRate(actions int, d time.Duration) string {
	if d <= 0 {
		return "- actions/s"
	}
	return fmt.Sprintf("%.0f actions/s", float64(actions)/d.Seconds())
}
