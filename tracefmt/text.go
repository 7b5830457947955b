package tracefmt

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/scansim/scansim/sim"
)

// Text writes d one line per event:
//
//	seq  +time  from → to  kind [reason]  summary
//
// Header lines (title, meta, outcome) start with "# ". Arrows read
// "Romeo → Server" or "Server → Romeo"; a drop reads "Server ✕" (or
// "Romeo ✕" for a stanza lost with its connection); connects, disconnects
// and stores name one participant. The failing event's line starts with
// "!", an expected stanza that never arrived is a "!" line of its own (after
// the event Failure.After), and the failure is explained after the last
// event.
func Text(w io.Writer, d *Doc) error {
	bw := bufio.NewWriter(w)
	l := plan(d.Events)
	for _, h := range header(d) {
		fmt.Fprintf(bw, "# %s\n", h)
	}
	type row struct{ seq, at, who, kind, what string }
	rows := make([]row, len(d.Events))
	wSeq, wAt, wWho, wKind := 0, 0, 0, 0
	for i, ev := range d.Events {
		r := row{seq: fmt.Sprint(ev.Seq), at: elapsed(ev.Elapsed), kind: ev.Kind.String()}
		if ev.Reason != "" {
			r.kind += " [" + ev.Reason + "]"
		}
		r.who, r.what = l.parts[l.of[i]].label, Summary(ev)
		switch {
		case IsArrow(ev.Kind):
			from, to := l.ends(i, ev)
			r.who = l.parts[from].label + " → " + l.parts[to].label
		case ev.Kind == sim.TraceDrop:
			r.who += " ✕"
		case ev.Kind == sim.TraceConnect:
			r.what = ev.JID.String()
		case ev.Kind == sim.TraceStore:
			r.what = "for " + ev.JID.String() + ": " + r.what
		}
		rows[i] = r
		wSeq = max(wSeq, utf8.RuneCountInString(r.seq))
		wAt = max(wAt, utf8.RuneCountInString(r.at))
		wWho = max(wWho, utf8.RuneCountInString(r.who))
		wKind = max(wKind, utf8.RuneCountInString(r.kind))
	}
	var failSeq uint64
	if d.Failure != nil {
		failSeq = d.Failure.Seq
	}
	mrow := -1
	if d.Failure != nil && d.Failure.Seq == 0 && d.Failure.Expected != "" {
		mrow = missingRow(d.Events, d.Failure)
	}
	missing := func() {
		fmt.Fprintf(bw, "! %s  never arrived at %s: %s\n", strings.Repeat(" ", wSeq+wAt+2), d.Failure.Client, summaryOf(d.Failure.Expected))
	}
	for i, r := range rows {
		if i == mrow {
			missing()
		}
		gutter := "  "
		if failSeq != 0 && d.Events[i].Seq == failSeq {
			gutter = "! "
		}
		line := gutter + pad(r.seq, wSeq, true) + "  " + pad(r.at, wAt, false) + "  " +
			pad(r.who, wWho, false) + "  " + pad(r.kind, wKind, false) + "  " + r.what
		fmt.Fprintln(bw, strings.TrimRight(line, " "))
	}
	if mrow == len(rows) {
		missing()
	}
	if f := d.Failure; f != nil {
		if f.Seq != 0 {
			fmt.Fprintf(bw, "! %s at #%d: %s\n", failWord(d), f.Seq, oneLine(f.Message))
		} else {
			fmt.Fprintf(bw, "! %s: %s\n", failWord(d), oneLine(f.Message))
		}
		if f.Expected != "" {
			fmt.Fprintf(bw, "!   expected: %s\n", oneLine(f.Expected))
		}
		if f.Received != "" {
			fmt.Fprintf(bw, "!   received: %s\n", oneLine(f.Received))
		}
	}
	return bw.Flush()
}

// pad pads s with spaces to n runes, on the left when right is set.
func pad(s string, n int, right bool) string {
	k := n - utf8.RuneCountInString(s)
	if k <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", k) + s
	}
	return s + strings.Repeat(" ", k)
}
