package tracefmt

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/scansim/scansim/sim"
)

// Geometry of the SVG diagram, in pixels.
const (
	colW     = 270 // width of one participant's column, up to four of them
	colWMany = 210 // with five or more: the page scrolls sideways beyond that
	marginT  = 64  // left margin when the time column is shown
	marginN  = 12  // left margin without it (time never moves)
	headTop  = 8   // top of the participant boxes in the header
	headH    = 30  // height of a participant box
	rowH     = 30  // height of one event row
	charW    = 6.7 // approximate advance of one 11px monospace character
	rowBody  = 400 // a message body in a row's label: the row clips it, the title holds it whole
)

// geometry is the diagram's layout: column width and left margin.
type geometry struct {
	col, left, width int
	times            bool // show the time column
}

func newGeometry(d *Doc, l *layout) geometry {
	g := geometry{col: colW, left: marginN}
	if len(l.parts) > 4 {
		g.col = colWMany
	}
	for _, ev := range d.Events {
		if ev.Elapsed != 0 {
			g.times, g.left = true, marginT
			break
		}
	}
	g.width = g.left + len(l.parts)*g.col + 20
	// A marker's label (a drop shows its stanza) reads best right of its
	// mark: widen the picture for the longest, up to twice its width (the
	// diagram box scrolls sideways; the title keeps any cut text).
	need := g.width
	for i, ev := range d.Events {
		if IsArrow(ev.Kind) {
			continue
		}
		n := len([]rune(fmt.Sprintf("%d %s", ev.Seq, markerText(ev, rowBody))))
		need = max(need, g.x(l.of[i])+10+int(float64(n)*charW)+8)
	}
	g.width = min(need, 2*g.width)
	return g
}

func (g geometry) x(col int) int { return g.left + col*g.col + g.col/2 }

// actionOf returns, for each event, the index into d.Actions of the
// action that caused it, or -1.
func actionOf(d *Doc) []int {
	out := make([]int, len(d.Events))
	k := -1
	for i, ev := range d.Events {
		for k+1 < len(d.Actions) && d.Actions[k+1].After < ev.Seq {
			k++
		}
		out[i] = k
		if d.EndSeq != 0 && ev.Seq > d.EndSeq {
			out[i] = -1
		}
	}
	return out
}

// teardown reports whether ev is part of the runner's end-of-run
// teardown.
func teardown(d *Doc, ev sim.TraceEvent) bool { return d.EndSeq != 0 && ev.Seq > d.EndSeq }

// HTML writes d as one self-contained HTML page: a header (title, meta,
// outcome, failure, legend), an SVG sequence diagram under a participant
// header that stays in view while the diagram scrolls (both ways: the
// diagram is its own scroll box, as tall as the window), a detail panel
// and, when d.Script is set, the script with an anchor per line.
//
// In the SVG every arrow event is a <g class="arrow"> element with
// data-seq (the event's Seq) and data-kind (its kind) attributes;
// bounces carry data-bounce="true", the failing event data-failed="true",
// drawn over a red band, end-of-run teardown events data-teardown="true",
// and events whose action is known data-line (its script line). Markers
// (connects, disconnects, drops, stores) are <g> elements of class
// "life", "drop" or "store" with the same attributes. A failure without an
// event but with an expected stanza (a timeout) adds a dashed ghost arrow
// of class "missing", data-seq="expected", in its own row after the event
// Failure.After. Labels use the whole row (one event per row); a label
// that still does not fit ends in "…", and every element carries its full
// text as a <title> (shown on hover).
//
// Clicking an arrow or a marker (or pressing Enter on it) shows the
// event's stanza, pretty-printed, in the detail panel with a link to its
// script line, and marks the element data-selected="true"; on load (and
// when the fragment changes) the element named by the URL fragment ("#25",
// "#expected") is selected, else the failing one, and scrolled into view.
// The stanzas are in hidden <pre> elements, HTML-escaped. The inline
// script sets data-js="ok" on <body> once it has wired the page, and
// records any script error in <body data-errors>; with "?selftest" in the
// URL it also records checks of the layout (data-check-*) for the browser
// test. The page loads nothing: no network, no external scripts, fonts or
// style sheets.
func HTML(w io.Writer, d *Doc) error {
	bw := bufio.NewWriter(w)
	l := plan(d.Events)
	g := newGeometry(d, l)
	acts := actionOf(d)
	esc := html.EscapeString
	title := d.Title
	if title == "" {
		title = "scansim trace"
	}
	fmt.Fprintf(bw, `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
<style>
%s</style>
</head>
<body data-js="pending" data-errors="">
<header>
<h1>%s</h1>
`, esc(title), css, esc(title))
	if len(d.Meta) > 0 {
		bw.WriteString("<ul class=\"meta\">\n")
		for _, m := range d.Meta {
			fmt.Fprintf(bw, "<li>%s</li>\n", esc(m))
		}
		bw.WriteString("</ul>\n")
	}
	if d.Outcome != "" {
		fmt.Fprintf(bw, "<p class=\"outcome %s\">%s</p>\n", esc(d.Outcome), esc(strings.ToUpper(d.Outcome)))
	}
	fmt.Fprintf(bw, "<p class=\"counts\">%d events, %d stanza arrows</p>\n", len(d.Events), CountArrows(d.Events))
	if f := d.Failure; f != nil {
		bw.WriteString("<section class=\"failure\">\n")
		where := ""
		switch {
		case f.Seq != 0:
			where = fmt.Sprintf(" (<a class=\"goto\" href=\"#%d\">event %d</a>, highlighted)", f.Seq, f.Seq)
		case f.Expected != "":
			where = " (<a class=\"goto\" href=\"#expected\">the missing stanza</a>, highlighted)"
		}
		fmt.Fprintf(bw, "<p><strong>%s</strong>%s: %s</p>\n", failWord(d), where, esc(f.Message))
		if f.Expected != "" {
			fmt.Fprintf(bw, "<p>expected:</p>\n<pre>%s</pre>\n", esc(Pretty(f.Expected)))
		}
		if f.Received != "" {
			fmt.Fprintf(bw, "<p>received:</p>\n<pre>%s</pre>\n", esc(Pretty(f.Received)))
		}
		other := "received"
		if f.Closest != "" {
			other = "closest"
			link := ""
			if f.ClosestSeq != 0 {
				link = fmt.Sprintf(" (<a class=\"goto\" href=\"#%d\">event %d</a>)", f.ClosestSeq, f.ClosestSeq)
			}
			fmt.Fprintf(bw, "<p>closest stanza received, discarded as it arrived before the wait%s:</p>\n<pre>%s</pre>\n", link, esc(Pretty(f.Closest)))
		}
		if f.Diff != "" {
			fmt.Fprintf(bw, "<p>diff (-expected +%s):</p>\n<pre>%s</pre>\n", other, esc(strings.TrimRight(f.Diff, "\n")))
		}
		bw.WriteString("</section>\n")
	}
	bw.WriteString(legend)
	bw.WriteString("</header>\n<main>\n<div class=\"diagram\" id=\"diagram\">\n")
	writeHeads(bw, l, g)
	writeSVG(bw, d, l, g, acts)
	bw.WriteString("</div>\n<aside id=\"detail\">\n<h2 id=\"detail-head\">Click an arrow to see its stanza</h2>\n<p id=\"detail-line\"></p>\n<pre id=\"detail-body\"></pre>\n")
	if len(d.Script) > 0 {
		bw.WriteString("<details class=\"script\" id=\"script\">\n<summary>Script</summary>\n<pre>")
		for i, line := range d.Script {
			fmt.Fprintf(bw, "<span class=\"line\" id=\"L%d\"><span class=\"n\">%4d</span> %s</span>", i+1, i+1, esc(line))
		}
		bw.WriteString("</pre>\n</details>\n")
	}
	bw.WriteString("</aside>\n</main>\n")

	// The stanzas, escaped, for the detail panel.
	bw.WriteString("<div id=\"stanzas\" hidden>\n")
	for i, ev := range d.Events {
		from, to := l.of[i], l.of[i]
		if IsArrow(ev.Kind) {
			from, to = l.ends(i, ev)
		}
		who := l.parts[from].label
		if from != to {
			who += " → " + l.parts[to].label
		}
		head := fmt.Sprintf("#%d %s", ev.Seq, ev.Kind)
		if ev.Reason != "" {
			head += " [" + ev.Reason + "]"
		}
		head += " · " + who
		if g.times {
			head += " · " + elapsed(ev.Elapsed)
		}
		body := prettyEvent(ev)
		if body == "" && !ev.JID.IsZero() {
			body = ev.JID.String()
		}
		cause := ""
		switch {
		case teardown(d, ev):
			cause = "end-of-run teardown: the runner disconnects every client still connected"
		case acts[i] >= 0:
			a := d.Actions[acts[i]]
			cause = fmt.Sprintf("action %d, line %d: %s", acts[i]+1, a.Line, a.Text)
		}
		line := ""
		if acts[i] >= 0 && len(d.Script) > 0 {
			line = fmt.Sprintf(" data-line=\"%d\"", d.Actions[acts[i]].Line)
		}
		fmt.Fprintf(bw, "<pre data-for=\"%d\" data-head=\"%s\" data-cause=\"%s\"%s>%s</pre>\n", ev.Seq, esc(head), esc(cause), line, esc(body))
	}
	if f := d.Failure; f != nil && f.Seq == 0 && f.Expected != "" {
		fmt.Fprintf(bw, "<pre data-for=\"expected\" data-head=\"%s\" data-cause=\"\">%s</pre>\n",
			esc("expected by "+f.Client+", never arrived"), esc(Pretty(f.Expected)))
	}
	bw.WriteString("</div>\n<script>\n")
	bw.WriteString(script)
	bw.WriteString("</script>\n</body>\n</html>\n")
	return bw.Flush()
}

// legend explains the colours and marks of the diagram.
const legend = `<ul class="legend" aria-label="legend">
<li><svg width="34" height="10"><line x1="2" y1="5" x2="32" y2="5" class="lg-send"/></svg>client sends</li>
<li><svg width="34" height="10"><line x1="2" y1="5" x2="32" y2="5" class="lg-deliver"/></svg>server delivers</li>
<li><svg width="34" height="10"><line x1="2" y1="5" x2="32" y2="5" class="lg-flush"/></svg>offline flush</li>
<li><svg width="34" height="10"><line x1="2" y1="5" x2="32" y2="5" class="lg-bounce"/></svg>↩ bounce (error reply)</li>
<li><svg width="34" height="10"><line x1="2" y1="5" x2="32" y2="5" class="lg-fail"/></svg>failing step</li>
<li><svg width="34" height="10"><line x1="2" y1="5" x2="32" y2="5" class="lg-missing"/></svg>expected, never arrived</li>
<li><svg width="14" height="14"><path d="M2 2 L12 12 M12 2 L2 12" class="lg-drop"/></svg>dropped by the server</li>
<li><svg width="14" height="14"><rect x="2" y="2" width="10" height="10" class="lg-store"/></svg>stored offline</li>
<li><svg width="14" height="14"><circle cx="7" cy="7" r="5" class="lg-life"/></svg>connect / disconnect</li>
<li><span class="lg-teardown">grey</span> end-of-run teardown</li>
</ul>
`

// writeHeads draws the participant boxes: a strip of its own that stays
// at the top of the diagram's scroll box.
func writeHeads(bw *bufio.Writer, l *layout, g geometry) {
	esc := html.EscapeString
	h := headTop + headH + 6
	fmt.Fprintf(bw, "<div class=\"heads\"><svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"participants\">\n", g.width, h, g.width, h)
	for i, p := range l.parts {
		cls := "client"
		if p.server {
			cls = "server"
		}
		fmt.Fprintf(bw, "<g class=\"participant %s\"><title>%s</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\"/><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text></g>\n",
			cls, esc(strings.TrimSpace(p.label+" "+p.jid)), g.x(i)-g.col/2+12, headTop, g.col-24, headH, g.x(i), headTop+headH/2+5, esc(clip(p.label, (g.col-32)/8)))
	}
	bw.WriteString("</svg></div>\n")
}

// writeSVG draws the sequence diagram's rows.
func writeSVG(bw *bufio.Writer, d *Doc, l *layout, g geometry, acts []int) {
	esc := html.EscapeString
	var failSeq uint64
	missing := d.Failure != nil && d.Failure.Seq == 0 && d.Failure.Expected != ""
	if d.Failure != nil {
		failSeq = d.Failure.Seq
	}
	rows := len(d.Events)
	mrow := rows // the row of the missing stanza, when there is one
	if missing {
		rows++
		mrow = missingRow(d.Events, d.Failure)
	}
	width := g.width
	top := rowH/2 + 6
	height := top + rows*rowH
	y := func(row int) int { // event rows shift down past the missing row
		if missing && row >= mrow {
			row++
		}
		return top + row*rowH
	}
	yMissing := top + mrow*rowH

	fmt.Fprintf(bw, "<svg class=\"rows\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"sequence diagram\">\n",
		width, height, width, height)
	// Failure band behind everything else.
	for i, ev := range d.Events {
		if failSeq != 0 && ev.Seq == failSeq {
			fmt.Fprintf(bw, "<rect class=\"failure-band\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", y(i)-rowH/2-4, width, rowH)
		}
	}
	if missing {
		fmt.Fprintf(bw, "<rect class=\"failure-band\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", yMissing-rowH/2-4, width, rowH)
	}
	// The teardown: a band and a label from its first row on.
	for i, ev := range d.Events {
		if teardown(d, ev) {
			fmt.Fprintf(bw, "<rect class=\"teardown-band\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", y(i)-rowH/2-4, width, height-(y(i)-rowH/2-4))
			fmt.Fprintf(bw, "<text class=\"teardown-label\" x=\"%d\" y=\"%d\">end of script: teardown</text>\n", width-8, y(i)-rowH/2+6)
			break
		}
	}
	// Lifelines.
	for i := range l.parts {
		fmt.Fprintf(bw, "<line class=\"lifeline\" x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\"/>\n", g.x(i), g.x(i), height)
	}
	// Activations: from a client's connect to its disconnect (or the end).
	for i, p := range l.parts {
		if p.server {
			continue
		}
		start, end := -1, -1
		for r, ev := range d.Events {
			if l.of[r] != i {
				continue
			}
			if start < 0 {
				start = r
			}
			if ev.Kind == sim.TraceDisconnect {
				end = r
			}
		}
		if start < 0 {
			continue
		}
		if end < 0 {
			end = len(d.Events) - 1
		}
		fmt.Fprintf(bw, "<rect class=\"active\" x=\"%d\" y=\"%d\" width=\"6\" height=\"%d\"/>\n", g.x(i)-3, y(start), y(end)-y(start))
	}
	// Events.
	for i, ev := range d.Events {
		yy := y(i)
		if g.times {
			fmt.Fprintf(bw, "<text class=\"time\" x=\"6\" y=\"%d\">%s</text>\n", yy+4, esc(elapsed(ev.Elapsed)))
		}
		attrs := ""
		if failSeq != 0 && ev.Seq == failSeq {
			attrs += " data-failed=\"true\""
		}
		if teardown(d, ev) {
			attrs += " data-teardown=\"true\""
		}
		if acts[i] >= 0 && len(d.Script) > 0 {
			attrs += fmt.Sprintf(" data-line=\"%d\"", d.Actions[acts[i]].Line)
		}
		if IsArrow(ev.Kind) {
			from, to := l.ends(i, ev)
			label := fmt.Sprintf("%d %s", ev.Seq, summary(ev, rowBody))
			if IsBounce(ev) {
				attrs += " data-bounce=\"true\""
				label = fmt.Sprintf("%d ↩ %s", ev.Seq, summary(ev, rowBody))
			}
			fmt.Fprintf(bw, "<g class=\"arrow\" data-seq=\"%d\" data-kind=\"%s\"%s tabindex=\"0\">", ev.Seq, ev.Kind, attrs)
			writeArrow(bw, g, g.x(from), g.x(to), yy, label)
			bw.WriteString("</g>\n")
			continue
		}
		cx := g.x(l.of[i])
		var cls string
		switch ev.Kind {
		case sim.TraceDrop:
			cls = "drop"
		case sim.TraceStore:
			cls = "store"
		default:
			cls = "life"
		}
		text := fmt.Sprintf("%d %s", ev.Seq, markerText(ev, rowBody))
		fmt.Fprintf(bw, "<g class=\"%s\" data-seq=\"%d\" data-kind=\"%s\"%s tabindex=\"0\"><title>%s</title>", cls, ev.Seq, ev.Kind, attrs, esc(text))
		switch cls {
		case "drop":
			fmt.Fprintf(bw, "<path d=\"M%d %d L%d %d M%d %d L%d %d\"/>", cx-6, yy-6, cx+6, yy+6, cx+6, yy-6, cx-6, yy+6)
		case "store":
			fmt.Fprintf(bw, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/>", cx-5, yy-5)
		default:
			fmt.Fprintf(bw, "<circle cx=\"%d\" cy=\"%d\" r=\"5\"/>", cx, yy)
		}
		writeMarkerLabel(bw, g, cx, yy, text)
		bw.WriteString("</g>\n")
	}
	if missing {
		f := d.Failure
		to := l.clientCol(f.Client)
		yy := yMissing
		fmt.Fprintf(bw, "<g class=\"missing\" data-seq=\"expected\" data-failed=\"true\" tabindex=\"0\">")
		label := "never arrived: " + summaryOf(f.Expected)
		if to == l.server {
			fmt.Fprintf(bw, "<title>%s</title>", esc(label))
			writeMarkerLabel(bw, g, g.x(to), yy, label)
		} else {
			writeArrow(bw, g, g.x(l.server), g.x(to), yy, label)
		}
		bw.WriteString("</g>\n")
	}
	bw.WriteString("</svg>\n")
}

// fit places a label of n characters in the row [lo, hi] (pixels), as
// near to [want, want+n*charW] as it fits, and clips it to the row when
// it is longer: it returns the start and the characters that fit.
func fit(lo, hi, want, n int) (start, chars int) {
	avail := int(float64(hi-lo) / charW)
	if n > avail {
		return lo, avail
	}
	w := int(float64(n) * charW)
	start = want
	if start+w > hi {
		start = hi - w
	}
	if start < lo {
		start = lo
	}
	return start, n
}

// writeMarkerLabel writes the label of a marker at (cx, y): right of the
// mark when it fits there, else left of it, else wherever the row allows.
// One event per row, so the whole row is the label's.
func writeMarkerLabel(bw *bufio.Writer, g geometry, cx, y int, text string) {
	n := len([]rune(text))
	w := int(float64(n)*charW) + 1
	want := cx + 10
	if want+w > g.width-4 && cx-10-w >= g.left {
		want = cx - 10 - w
	}
	start, chars := fit(g.left, g.width-4, want, n)
	fmt.Fprintf(bw, "<text x=\"%d\" y=\"%d\">%s</text>", start, y+4, html.EscapeString(clip(text, chars)))
}

// writeArrow draws a horizontal arrow from x1 to x2 at y with a label above
// it: centred on the arrow, shifted to stay in the row, clipped only when
// longer than the row, and the full label as its title.
func writeArrow(bw *bufio.Writer, g geometry, x1, x2, y int, label string) {
	esc := html.EscapeString
	dir := 1
	if x2 < x1 {
		dir = -1
	}
	tip := x2 - dir*4
	fmt.Fprintf(bw, "<title>%s</title>", esc(label))
	fmt.Fprintf(bw, "<line class=\"hit\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", x1, y, x2, y)
	fmt.Fprintf(bw, "<line class=\"shaft\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", x1, y, tip-dir*6, y)
	fmt.Fprintf(bw, "<polygon class=\"tip\" points=\"%d,%d %d,%d %d,%d\"/>", tip, y, tip-dir*10, y-5, tip-dir*10, y+5)
	n := len([]rune(label))
	mid := (x1 + x2) / 2
	start, chars := fit(g.left, g.width-4, mid-int(float64(n)*charW/2), n)
	fmt.Fprintf(bw, "<text x=\"%d\" y=\"%d\">%s</text>", start, y-6, esc(clip(label, chars)))
}

// failWord is FAIL, or ERROR for a run that could not complete.
func failWord(d *Doc) string {
	if d.Outcome == "error" {
		return "ERROR"
	}
	return "FAIL"
}

// summaryOf summarises a bare canonical stanza (an expected one).
func summaryOf(stanza string) string {
	return Summary(sim.TraceEvent{Kind: sim.TraceDeliver, Text: stanza})
}

const css = `:root { color-scheme: light; --fg: #1d2330; --muted: #667085; --send: #2463c9; --deliver: #1d7a46;
  --bounce: #c2410c; --fail: #d21f3c; --band: #ffd7d7; --line: #98a2b3; --bg: #fff; --panel: #f5f7fa; }
* { box-sizing: border-box; }
html, body { height: 100%; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg);
  display: flex; flex-direction: column; overflow: hidden; }
header { padding: 12px 20px 4px; flex: 0 0 auto; max-height: 42vh; overflow: auto; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 14px; margin: 0 0 8px; }
ul.meta { list-style: none; padding: 0; margin: 0 0 6px; color: var(--muted); display: flex; flex-wrap: wrap; gap: 4px 18px; }
.outcome { display: inline-block; font-weight: 700; padding: 1px 10px; border-radius: 10px; margin: 4px 12px 4px 0; color: #fff; }
.outcome.pass { background: var(--deliver); }
.outcome.fail, .outcome.error { background: var(--fail); }
.counts { display: inline-block; color: var(--muted); margin: 4px 0; }
.failure { border-left: 4px solid var(--fail); background: #fff4f4; padding: 6px 12px; margin: 6px 0; }
.failure p { margin: 4px 0; }
pre { font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-all; margin: 0; }
.failure pre { background: #fff; padding: 4px 8px; border: 1px solid #f0c4c4; }
main { display: flex; align-items: stretch; gap: 12px; padding: 0 20px 12px; flex: 1 1 auto; min-height: 0; }
.diagram { overflow: auto; flex: 0 1 auto; align-self: flex-start; max-height: 100%; border: 1px solid #e4e7ec; border-radius: 6px; position: relative; }
.heads { position: sticky; top: 0; z-index: 2; width: max-content; background: rgba(255,255,255,.96); border-bottom: 1px solid #e4e7ec; }
ul.legend { list-style: none; padding: 0; margin: 4px 0 8px; display: flex; flex-wrap: wrap; gap: 2px 16px; color: var(--muted); font-size: 12px; }
ul.legend li { display: flex; align-items: center; gap: 5px; }
.lg-send { stroke: var(--send); stroke-width: 2; } .lg-deliver { stroke: var(--deliver); stroke-width: 2; }
.lg-flush { stroke: var(--deliver); stroke-width: 2; stroke-dasharray: 2 3; } .lg-bounce { stroke: var(--bounce); stroke-width: 2; stroke-dasharray: 6 3; }
.lg-fail { stroke: var(--fail); stroke-width: 3; } .lg-missing { stroke: var(--fail); stroke-width: 2; stroke-dasharray: 5 4; }
.lg-drop { stroke: var(--fail); stroke-width: 2.5; } .lg-store { fill: #fdf3dd; stroke: #b88a2b; } .lg-life { fill: #fff; stroke: #475467; stroke-width: 1.5; }
.lg-teardown { background: #f0f1f3; padding: 0 6px; border-radius: 3px; }
.teardown-band { fill: #f0f1f3; }
.teardown-label { fill: var(--muted); font-style: italic; text-anchor: end; }
[data-teardown="true"] { opacity: .55; }
#detail-line { margin: 0 0 8px; color: var(--muted); font-size: 12px; }
details.script { margin-top: 12px; }
details.script summary { cursor: pointer; font-weight: 600; }
details.script pre { background: #fff; border: 1px solid #e4e7ec; border-radius: 6px; padding: 8px; white-space: pre; overflow-x: auto; }
details.script .n { color: var(--muted); user-select: none; }
details.script .line { display: block; }
details.script .line:target, details.script .line.current { background: #fff3c4; }
aside { flex: 1 1 320px; min-width: 280px; max-width: 560px; max-height: 100%; overflow: auto; background: var(--panel); border: 1px solid #e4e7ec; border-radius: 6px; padding: 10px 12px; }
svg { display: block; font: 11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
svg text { fill: var(--fg); }
.lifeline { stroke: var(--line); stroke-dasharray: 4 4; }
.participant rect { fill: #eef2f8; stroke: #7b8aa3; }
.participant.server rect { fill: #fdf3dd; stroke: #b88a2b; }
.participant text { font: 600 13px system-ui, sans-serif; }
.active { fill: #dfe5ee; stroke: #b4bfd0; }
.time { fill: var(--muted); }
.failure-band { fill: var(--band); }
.arrow, .life, .drop, .store, .missing { cursor: pointer; outline: none; }
.arrow .hit { stroke: transparent; stroke-width: 14; }
.arrow .shaft { stroke: var(--deliver); stroke-width: 1.6; }
.arrow .tip { fill: var(--deliver); }
.arrow[data-kind="send"] .shaft { stroke: var(--send); }
.arrow[data-kind="send"] .tip { fill: var(--send); }
.arrow[data-kind="flush"] .shaft { stroke-dasharray: 2 3; }
.arrow[data-bounce="true"] .shaft { stroke: var(--bounce); stroke-dasharray: 6 3; }
.arrow[data-bounce="true"] .tip { fill: var(--bounce); }
.arrow[data-bounce="true"] text { fill: var(--bounce); }
.arrow[data-failed="true"] .shaft { stroke: var(--fail); stroke-width: 3; }
.arrow[data-failed="true"] .tip { fill: var(--fail); }
.arrow[data-failed="true"] text, .missing text { fill: var(--fail); font-weight: 700; }
.missing .shaft { stroke: var(--fail); stroke-width: 2; stroke-dasharray: 5 4; }
.missing .tip { fill: none; stroke: var(--fail); }
.missing .hit { stroke: transparent; stroke-width: 14; }
.life circle { fill: #fff; stroke: #475467; stroke-width: 1.5; }
.life text { fill: var(--muted); }
.drop path { stroke: var(--fail); stroke-width: 2.5; }
.drop text { fill: var(--fail); }
.store rect { fill: #fdf3dd; stroke: #b88a2b; }
[data-selected="true"] text { text-decoration: underline; }
[data-selected="true"] .shaft { stroke-width: 3; }
.arrow:focus-visible .shaft { stroke-width: 3; }
`

const script = `(function () {
  var body = document.body, errors = [];
  function fail(msg) { errors.push(String(msg)); body.setAttribute('data-errors', errors.join(' | ')); }
  window.addEventListener('error', function (e) { fail(e.message || e); });
  try {
    var src = {};
    var pres = document.querySelectorAll('#stanzas pre');
    for (var i = 0; i < pres.length; i++) { src[pres[i].getAttribute('data-for')] = pres[i]; }
    var head = document.getElementById('detail-head'), out = document.getElementById('detail-body');
    var cause = document.getElementById('detail-line');
    var selected = null, current = null;
    function show(g) {
      var p = src[g.getAttribute('data-seq')];
      if (!p) { return; }
      if (selected) { selected.removeAttribute('data-selected'); }
      selected = g;
      g.setAttribute('data-selected', 'true');
      head.textContent = p.getAttribute('data-head');
      out.textContent = p.textContent;
      cause.textContent = p.getAttribute('data-cause') || '';
      if (current) { current.classList.remove('current'); current = null; }
      var line = p.getAttribute('data-line');
      if (line) {
        cause.appendChild(document.createTextNode(' '));
        var a = document.createElement('a');
        a.href = '#L' + line;
        a.textContent = '(script line ' + line + ')';
        cause.appendChild(a);
        current = document.getElementById('L' + line);
        if (current) { current.classList.add('current'); }
      }
    }
    // reveal scrolls the diagram's own box (not the page, whose header
    // stays) so that g sits in its middle, below the participant strip.
    var box = document.getElementById('diagram');
    function reveal(g) {
      var r = g.getBoundingClientRect(), b = box.getBoundingClientRect();
      box.scrollTop += (r.top + r.height / 2) - (b.top + b.height / 2);
      box.scrollLeft += (r.left + r.width / 2) - (b.left + b.width / 2);
    }
    document.addEventListener('click', function (e) {
      var a = e.target.closest ? e.target.closest('a[href^="#L"]') : null;
      if (!a) { return; }
      var s = document.getElementById('script');
      if (s) { s.open = true; }
      var l = document.getElementById(a.getAttribute('href').slice(1));
      if (l && l.scrollIntoView) { l.scrollIntoView({block: 'center'}); e.preventDefault(); }
    });
    var items = document.querySelectorAll('svg [data-seq]');
    for (var j = 0; j < items.length; j++) {
      (function (g) {
        g.addEventListener('click', function () { show(g); });
        g.addEventListener('keydown', function (e) {
          if (e.key === 'Enter' || e.key === ' ') { show(g); e.preventDefault(); }
        });
      })(items[j]);
    }
    function fromHash() {
      var want = /^#(\d+|expected)$/.exec(window.location.hash);
      return want ? document.querySelector('svg [data-seq="' + want[1] + '"]') : null;
    }
    window.addEventListener('hashchange', function () {
      var g = fromHash();
      if (g) { show(g); reveal(g); }
    });
    var first = fromHash();
    if (!first) { first = document.querySelector('svg [data-failed="true"]'); }
    if (first) { show(first); reveal(first); }
    body.setAttribute('data-arrows', String(document.querySelectorAll('svg .arrow').length));
    if (/selftest/.test(window.location.search)) { selftest(first); }
    body.setAttribute('data-js', 'ok');
  } catch (e) {
    fail(e && e.message ? e.message : e);
  }
  // selftest records, for the browser test, what a reader would see: the
  // selected (failing) element in the window, every lifeline reachable in
  // the diagram's scroll box whose scroll bar is in the window, and no
  // label cut without its full text as a title.
  function selftest(first) {
    var vw = window.innerWidth, vh = window.innerHeight;
    var inView = 'none';
    if (first) {
      var r = first.getBoundingClientRect();
      inView = String(r.bottom > 0 && r.top < vh && r.right > 0 && r.left < vw);
    }
    body.setAttribute('data-check-selected-in-view', inView);
    var box = document.getElementById('diagram'), b = box.getBoundingClientRect();
    var heads = document.querySelectorAll('.heads .participant'), bad = [];
    for (var i = 0; i < heads.length; i++) {
      var hr = heads[i].getBoundingClientRect();
      var right = hr.right - b.left + box.scrollLeft;
      if (right > box.scrollWidth + 1) { bad.push(heads[i].textContent); }
    }
    var style = getComputedStyle(box);
    var scrolls = box.scrollWidth <= box.clientWidth || style.overflowX === 'auto' || style.overflowX === 'scroll';
    if (!scrolls || b.bottom > vh + 1 && box.scrollWidth > box.clientWidth) { bad.push('scroll box taller than the window'); }
    body.setAttribute('data-check-lifelines', bad.length ? bad.join(', ') : 'ok');
    var cut = [], texts = document.querySelectorAll('svg.rows text');
    for (var k = 0; k < texts.length; k++) {
      var t = texts[k], s = t.textContent;
      var g = t.parentNode, title = g.querySelector ? g.querySelector('title') : null;
      var full = title ? title.textContent : '';
      if (s.charAt(s.length - 1) === '\u2026' && full.indexOf(s.slice(0, -1)) !== 0) { cut.push(s); }
      var tb = t.getBBox();
      if (tb.x < -1 || tb.x + tb.width > t.ownerSVGElement.width.baseVal.value + 1) {
        if (full === '' || full === s) { cut.push('outside: ' + s); }
      }
    }
    body.setAttribute('data-check-labels', cut.length ? cut.slice(0, 5).join(' | ') : 'ok');
    body.setAttribute('data-check-time-column', String(document.querySelectorAll('svg .time').length));
  }
})();
`
