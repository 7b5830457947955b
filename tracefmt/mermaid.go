package tracefmt

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/scansim/scansim/sim"
)

// Mermaid writes d as a Mermaid sequenceDiagram. Participants are the
// clients (aliases c1, c2, … in order of appearance) and the server (alias
// S). Every arrow event is one message line labelled "seq summary": "->>"
// for sends and deliveries, "--x" (dashed, with a cross) for bounces and
// errors. Drops, stores, connects and disconnects are notes. The failing
// event, when known, sits in a red rect block with a FAIL note; a failure
// without an event (an expected stanza that never arrived, a script error)
// is a FAIL note in a red rect after the event Failure.After.
func Mermaid(w io.Writer, d *Doc) error {
	bw := bufio.NewWriter(w)
	l := plan(d.Events)
	alias := make([]string, len(l.parts))
	n := 0
	for i, p := range l.parts {
		if p.server {
			alias[i] = "S"
			continue
		}
		n++
		alias[i] = fmt.Sprintf("c%d", n)
	}
	fmt.Fprintln(bw, "sequenceDiagram")
	for _, h := range header(d) {
		fmt.Fprintf(bw, "    %%%% %s\n", mmComment(h))
	}
	for i, p := range l.parts {
		fmt.Fprintf(bw, "    participant %s as %s\n", alias[i], mmText(p.label))
	}
	fail := d.Failure
	mrow := -1
	if fail != nil && fail.Seq == 0 {
		mrow = missingRow(d.Events, fail)
	}
	missingNote := func() {
		fmt.Fprintln(bw, "    rect rgb(255, 215, 215)")
		who := alias[l.clientCol(fail.Client)]
		target := "S"
		if who != "S" {
			target = "S," + who
		}
		msg := failWord(d) + ": " + fail.Message
		if fail.Expected != "" {
			msg += " (expected " + summaryOf(fail.Expected) + ")"
		}
		fmt.Fprintf(bw, "    Note over %s: %s\n", target, mmText(msg))
		fmt.Fprintln(bw, "    end")
	}
	for i, ev := range d.Events {
		if i == mrow {
			missingNote()
		}
		failing := fail != nil && fail.Seq != 0 && ev.Seq == fail.Seq
		if failing {
			fmt.Fprintln(bw, "    rect rgb(255, 215, 215)")
		}
		switch {
		case IsArrow(ev.Kind):
			from, to := l.ends(i, ev)
			arrow := "->>"
			label := fmt.Sprintf("%d %s", ev.Seq, Summary(ev))
			if IsBounce(ev) {
				arrow = "--x"
				label = fmt.Sprintf("%d bounce: %s", ev.Seq, Summary(ev))
			}
			if ev.Kind == sim.TraceFlush {
				label = fmt.Sprintf("%d offline: %s", ev.Seq, Summary(ev))
			}
			fmt.Fprintf(bw, "    %s%s%s: %s\n", alias[from], arrow, alias[to], mmText(label))
		default:
			fmt.Fprintf(bw, "    Note over %s: %s\n", alias[l.of[i]], mmText(fmt.Sprintf("%d %s", ev.Seq, markerText(ev, 24))))
		}
		if failing {
			fmt.Fprintf(bw, "    Note over %s: %s\n", alias[l.of[i]], mmText(failWord(d)+": "+fail.Message))
			fmt.Fprintln(bw, "    end")
		}
	}
	if mrow == len(d.Events) {
		missingNote()
	}
	return bw.Flush()
}

// mmText escapes text for a Mermaid label: "#" and ";" and angle brackets
// become Mermaid entity codes, line breaks spaces.
var mmText = strings.NewReplacer(
	"#", "#35;",
	";", "#59;",
	"<", "#lt;",
	">", "#gt;",
	"\r", " ",
	"\n", " ",
).Replace

// mmComment makes s safe inside a "%%" comment line: Mermaid reads
// "%%{…}%%" anywhere in the text as a directive (configuration), so a
// title holding "%%{init: …}%%" would reconfigure the diagram. Every "%"
// becomes Mermaid's entity "#37;", and line breaks are already gone
// (header).
func mmComment(s string) string { return strings.ReplaceAll(s, "%", "#37;") }
