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
	colW    = 270 // width of one participant's column
	marginL = 64  // left margin: the virtual time of each row
	headTop = 12  // top of the participant boxes
	headH   = 30  // height of a participant box
	rowH    = 30  // height of one event row
	charW   = 6.7 // approximate advance of one 11px monospace character

	markerChars = 32 // characters of a marker label that fit in a column
)

// HTML writes d as one self-contained HTML page: a header (title, meta,
// outcome, failure), an inline SVG sequence diagram and a detail panel.
//
// In the SVG every arrow event is a <g class="arrow"> element with
// data-seq (the event's Seq) and data-kind (its kind) attributes;
// bounces carry data-bounce="true" and the failing event
// data-failed="true", drawn over a red band. Markers (connects,
// disconnects, drops, stores) are <g> elements of class "life", "drop" or
// "store" with data-seq too. A failure without an event but with an
// expected stanza (a timeout) adds a dashed ghost arrow of class "missing",
// data-seq="expected", in its own row after the event Failure.After.
//
// Clicking an arrow or a marker (or pressing Enter on it) shows the
// event's stanza, pretty-printed, in the detail panel, and marks the
// element data-selected="true" (its class stays as it is); on load the
// element named by the URL fragment ("#25", "#expected") is selected, else
// the failing one; the stanzas are in
// hidden <pre> elements, HTML-escaped. The inline script sets
// data-js="ok" on <body> once it has wired the page, and records any
// script error in <body data-errors>, so a headless browser's DOM dump
// shows whether the page works. The page loads nothing: no network, no
// external scripts, fonts or style sheets.
func HTML(w io.Writer, d *Doc) error {
	bw := bufio.NewWriter(w)
	l := plan(d.Events)
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
		if f.Seq != 0 {
			where = fmt.Sprintf(" (event %d, highlighted)", f.Seq)
		}
		fmt.Fprintf(bw, "<p><strong>%s</strong>%s: %s</p>\n", failWord(d), esc(where), esc(f.Message))
		if f.Expected != "" {
			fmt.Fprintf(bw, "<p>expected:</p>\n<pre>%s</pre>\n", esc(Pretty(f.Expected)))
		}
		if f.Received != "" {
			fmt.Fprintf(bw, "<p>received:</p>\n<pre>%s</pre>\n", esc(Pretty(f.Received)))
		}
		if f.Diff != "" {
			fmt.Fprintf(bw, "<p>diff (-expected +received):</p>\n<pre>%s</pre>\n", esc(strings.TrimRight(f.Diff, "\n")))
		}
		bw.WriteString("</section>\n")
	}
	bw.WriteString("</header>\n<main>\n<div class=\"diagram\">\n")
	writeSVG(bw, d, l)
	bw.WriteString("</div>\n<aside id=\"detail\">\n<h2 id=\"detail-head\">Click an arrow to see its stanza</h2>\n<pre id=\"detail-body\"></pre>\n</aside>\n</main>\n")

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
		head += " · " + who + " · " + elapsed(ev.Elapsed)
		body := prettyEvent(ev)
		if body == "" && !ev.JID.IsZero() {
			body = ev.JID.String()
		}
		fmt.Fprintf(bw, "<pre data-for=\"%d\" data-head=\"%s\">%s</pre>\n", ev.Seq, esc(head), esc(body))
	}
	if f := d.Failure; f != nil && f.Seq == 0 && f.Expected != "" {
		fmt.Fprintf(bw, "<pre data-for=\"expected\" data-head=\"%s\">%s</pre>\n",
			esc("expected by "+f.Client+", never arrived"), esc(Pretty(f.Expected)))
	}
	bw.WriteString("</div>\n<script>\n")
	bw.WriteString(script)
	bw.WriteString("</script>\n</body>\n</html>\n")
	return bw.Flush()
}

// writeSVG draws the sequence diagram.
func writeSVG(bw *bufio.Writer, d *Doc, l *layout) {
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
	width := marginL + len(l.parts)*colW + 20
	top := headTop + headH + rowH
	height := top + rows*rowH + 10
	x := func(col int) int { return marginL + col*colW + colW/2 }
	y := func(row int) int { // event rows shift down past the missing row
		if missing && row >= mrow {
			row++
		}
		return top + row*rowH
	}
	yMissing := top + mrow*rowH

	fmt.Fprintf(bw, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"sequence diagram\">\n",
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
	// Lifelines and participant boxes.
	for i, p := range l.parts {
		cls := "client"
		if p.server {
			cls = "server"
		}
		fmt.Fprintf(bw, "<line class=\"lifeline\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", x(i), headTop+headH, x(i), height-6)
		fmt.Fprintf(bw, "<g class=\"participant %s\"><title>%s</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\"/><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text></g>\n",
			cls, esc(p.label+" "+p.jid), x(i)-colW/2+16, headTop, colW-32, headH, x(i), headTop+headH/2+5, esc(clip(p.label, 30)))
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
		fmt.Fprintf(bw, "<rect class=\"active\" x=\"%d\" y=\"%d\" width=\"6\" height=\"%d\"/>\n", x(i)-3, y(start), y(end)-y(start))
	}
	// Events.
	for i, ev := range d.Events {
		yy := y(i)
		fmt.Fprintf(bw, "<text class=\"time\" x=\"6\" y=\"%d\">%s</text>\n", yy+4, esc(elapsed(ev.Elapsed)))
		failed := ""
		if failSeq != 0 && ev.Seq == failSeq {
			failed = " data-failed=\"true\""
		}
		if IsArrow(ev.Kind) {
			from, to := l.ends(i, ev)
			bounce := ""
			label := fmt.Sprintf("%d %s", ev.Seq, Summary(ev))
			if IsBounce(ev) {
				bounce = " data-bounce=\"true\""
				label = fmt.Sprintf("%d ↩ %s", ev.Seq, Summary(ev))
			}
			fmt.Fprintf(bw, "<g class=\"arrow\" data-seq=\"%d\" data-kind=\"%s\"%s%s tabindex=\"0\">", ev.Seq, ev.Kind, bounce, failed)
			writeArrow(bw, x(from), x(to), yy, label)
			bw.WriteString("</g>\n")
			continue
		}
		cx := x(l.of[i])
		var cls string
		switch ev.Kind {
		case sim.TraceDrop:
			cls = "drop"
		case sim.TraceStore:
			cls = "store"
		default:
			cls = "life"
		}
		text := fmt.Sprintf("%d %s", ev.Seq, markerText(ev))
		fmt.Fprintf(bw, "<g class=\"%s\" data-seq=\"%d\" data-kind=\"%s\"%s tabindex=\"0\"><title>%s</title>", cls, ev.Seq, ev.Kind, failed, esc(text))
		switch cls {
		case "drop":
			fmt.Fprintf(bw, "<path d=\"M%d %d L%d %d M%d %d L%d %d\"/>", cx-6, yy-6, cx+6, yy+6, cx+6, yy-6, cx-6, yy+6)
		case "store":
			fmt.Fprintf(bw, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/>", cx-5, yy-5)
		default:
			fmt.Fprintf(bw, "<circle cx=\"%d\" cy=\"%d\" r=\"5\"/>", cx, yy)
		}
		// Labels go right of the lifeline, or left of it in the last
		// column, so that they stay inside the picture.
		if l.of[i] == len(l.parts)-1 && len(l.parts) > 1 {
			fmt.Fprintf(bw, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text></g>\n", cx-10, yy+4, esc(clip(text, markerChars)))
		} else {
			fmt.Fprintf(bw, "<text x=\"%d\" y=\"%d\">%s</text></g>\n", cx+10, yy+4, esc(clip(text, markerChars)))
		}
	}
	if missing {
		f := d.Failure
		to := l.clientCol(f.Client)
		yy := yMissing
		fmt.Fprintf(bw, "<g class=\"missing\" data-seq=\"expected\" data-failed=\"true\" tabindex=\"0\">")
		label := "never arrived: " + summaryOf(f.Expected)
		if to == l.server {
			fmt.Fprintf(bw, "<title>%s</title><text x=\"%d\" y=\"%d\">%s</text>", esc(label), x(to)+10, yy+4, esc(clip(label, 40)))
		} else {
			writeArrow(bw, x(l.server), x(to), yy, label)
		}
		bw.WriteString("</g>\n")
	}
	bw.WriteString("</svg>\n")
}

// writeArrow draws a horizontal arrow from x1 to x2 at y with a label above
// it, clipped to the arrow's length, and the full label as its title.
func writeArrow(bw *bufio.Writer, x1, x2, y int, label string) {
	esc := html.EscapeString
	dir := 1
	if x2 < x1 {
		dir = -1
	}
	span := x2 - x1
	if span < 0 {
		span = -span
	}
	tip := x2 - dir*4
	fmt.Fprintf(bw, "<title>%s</title>", esc(label))
	fmt.Fprintf(bw, "<line class=\"hit\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", x1, y, x2, y)
	fmt.Fprintf(bw, "<line class=\"shaft\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", x1, y, tip-dir*6, y)
	fmt.Fprintf(bw, "<polygon class=\"tip\" points=\"%d,%d %d,%d %d,%d\"/>", tip, y, tip-dir*10, y-5, tip-dir*10, y+5)
	fmt.Fprintf(bw, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>", (x1+x2)/2, y-6, esc(clip(label, int(float64(span-8)/charW))))
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
	return Summary(sim.TraceEvent{Kind: sim.TraceDeliver, Stanza: stanza})
}

const css = `:root { color-scheme: light; --fg: #1d2330; --muted: #667085; --send: #2463c9; --deliver: #1d7a46;
  --bounce: #c2410c; --fail: #d21f3c; --band: #ffd7d7; --line: #98a2b3; --bg: #fff; --panel: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 12px 20px 4px; }
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
main { display: flex; align-items: flex-start; gap: 12px; padding: 0 20px 20px; }
.diagram { overflow: auto; flex: 0 1 auto; border: 1px solid #e4e7ec; border-radius: 6px; }
aside { position: sticky; top: 8px; flex: 1 1 320px; min-width: 280px; max-width: 560px; background: var(--panel); border: 1px solid #e4e7ec; border-radius: 6px; padding: 10px 12px; }
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
    var selected = null;
    function show(g) {
      var p = src[g.getAttribute('data-seq')];
      if (!p) { return; }
      if (selected) { selected.removeAttribute('data-selected'); }
      selected = g;
      g.setAttribute('data-selected', 'true');
      head.textContent = p.getAttribute('data-head');
      out.textContent = p.textContent;
    }
    var items = document.querySelectorAll('svg [data-seq]');
    for (var j = 0; j < items.length; j++) {
      (function (g) {
        g.addEventListener('click', function () { show(g); });
        g.addEventListener('keydown', function (e) {
          if (e.key === 'Enter' || e.key === ' ') { show(g); e.preventDefault(); }
        });
      })(items[j]);
    }
    var want = /^#(\d+|expected)$/.exec(window.location.hash);
    var first = want ? document.querySelector('svg [data-seq="' + want[1] + '"]') : null;
    if (!first) { first = document.querySelector('svg [data-failed="true"]'); }
    if (first) { show(first); }
    body.setAttribute('data-arrows', String(document.querySelectorAll('svg .arrow').length));
    body.setAttribute('data-js', 'ok');
  } catch (e) {
    fail(e && e.message ? e.message : e);
  }
})();
`
