package tracefmt

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// sample is a small hand-made trace. Its expected renderings below are
// derived from reading it, not from a previous run:
//
//	arrows (send, deliver, error): 3, 4, 5, 6, 7, 9 — six
//	markers: 1, 2 (connects), 8 (drop), 10 (store), 11, 12 (disconnects)
//	bounce: 9 (TraceError)
//	participants: Romeo (first seen), Juliet, and the server between them
func sample() []sim.TraceEvent {
	romeo := model.MustJID("romeo@localhost/a")
	juliet := model.MustJID("juliet@localhost/b")
	ev := func(seq uint64, kind sim.TraceKind, client string, jid model.JID, stanza, reason string) sim.TraceEvent {
		return sim.TraceEvent{Seq: seq, At: model.Epoch, Kind: kind, Client: client, JID: jid, Text: stanza, Reason: reason}
	}
	evs := []sim.TraceEvent{
		ev(1, sim.TraceConnect, "Romeo", romeo, "", ""),
		ev(2, sim.TraceConnect, "Juliet", juliet, "", ""),
		ev(3, sim.TraceSend, "Romeo", romeo, `<message to='juliet@localhost' type='chat'><body>hi</body></message>`, ""),
		ev(4, sim.TraceDeliver, "Juliet", juliet, `<message from='romeo@localhost/a' to='juliet@localhost' type='chat'><body>hi</body></message>`, ""),
		ev(5, sim.TraceSend, "Juliet", juliet, `<iq id='q1' type='get'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`, ""),
		ev(6, sim.TraceDeliver, "Juliet", juliet, `<iq from='juliet@localhost' id='q1' to='juliet@localhost/b' type='result'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`, "result"),
		ev(7, sim.TraceSend, "Romeo", romeo, `<message to='juliet@localhost' type='chat'><body>a;b#c &lt;script&gt;x&lt;/script&gt;</body></message>`, ""),
		ev(8, sim.TraceDrop, "", juliet.Bare(), `<message from='romeo@localhost/a' to='juliet@localhost' type='chat'><body>x</body></message>`, "blocked-inbound"),
		ev(9, sim.TraceError, "Romeo", romeo, `<message from='juliet@localhost' to='romeo@localhost/a' type='error'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`, "error"),
		ev(10, sim.TraceStore, "", juliet.Bare(), `<message from='romeo@localhost/a' to='juliet@localhost' type='chat'><body>later</body></message>`, ""),
		ev(11, sim.TraceDisconnect, "Romeo", romeo, "", "clean"),
		ev(12, sim.TraceDisconnect, "Juliet", juliet, "", "clean"),
	}
	evs[8].Elapsed = 1500 * time.Microsecond
	evs[8].At = model.Epoch.Add(evs[8].Elapsed)
	for i := 9; i < len(evs); i++ {
		evs[i].Elapsed, evs[i].At = evs[8].Elapsed, evs[8].At
	}
	return evs
}

var sampleArrows = []string{"3", "4", "5", "6", "7", "9"}

func render(t *testing.T, f func(io.Writer, *Doc) error, d *Doc) string {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestIsArrowAndCount(t *testing.T) {
	if got := CountArrows(sample()); got != len(sampleArrows) {
		t.Fatalf("CountArrows = %d, want %d", got, len(sampleArrows))
	}
	for _, k := range []sim.TraceKind{sim.TraceDrop, sim.TraceStore, sim.TraceConnect, sim.TraceDisconnect} {
		if IsArrow(k) {
			t.Errorf("IsArrow(%v) = true", k)
		}
	}
}

func TestSummary(t *testing.T) {
	evs := sample()
	want := map[uint64]string{
		3:  `message chat "hi" to juliet@localhost`,
		4:  `message chat "hi" from romeo@localhost/a`,
		5:  `iq get q1 query disco#info`,
		6:  `iq result q1 query disco#info from juliet@localhost`,
		9:  `message error service-unavailable from juliet@localhost`,
		11: ``,
	}
	for _, ev := range evs {
		if w, ok := want[ev.Seq]; ok {
			if got := Summary(ev); got != w {
				t.Errorf("Summary(#%d) = %q, want %q", ev.Seq, got, w)
			}
		}
	}
	long := sim.TraceEvent{Kind: sim.TraceSend, Text: `<message><body>` + strings.Repeat("x", 40) + `</body></message>`}
	if got, w := Summary(long), `message "`+strings.Repeat("x", 23)+`…"`; got != w {
		t.Errorf("long body: %q, want %q", got, w)
	}
	if got := Summary(sim.TraceEvent{Text: "not xml\nat all"}); got != "not xml&#10;at all" {
		t.Errorf("non-XML: %q", got)
	}
}

func TestIsBounceAndFindDelivery(t *testing.T) {
	evs := sample()
	for _, ev := range evs {
		if got, want := IsBounce(ev), ev.Seq == 9; got != want {
			t.Errorf("IsBounce(#%d) = %v", ev.Seq, got)
		}
	}
	if got := FindDelivery(evs, "Juliet", evs[3].Canonical()); got != 4 {
		t.Errorf("FindDelivery = %d, want 4", got)
	}
	if got := FindDelivery(evs, "Romeo", evs[3].Canonical()); got != 0 {
		t.Errorf("FindDelivery for the wrong client = %d, want 0", got)
	}
	// A send of the same text is not a delivery.
	if got := FindDelivery(evs, "Romeo", evs[2].Canonical()); got != 0 {
		t.Errorf("FindDelivery of a send = %d, want 0", got)
	}
}

func TestPlanReusedNameAndServerColumn(t *testing.T) {
	a1, a2, b := model.MustJID("a@x/1"), model.MustJID("a@x/2"), model.MustJID("b@x/1")
	evs := []sim.TraceEvent{
		{Seq: 1, Kind: sim.TraceConnect, Client: "A", JID: a1},
		{Seq: 2, Kind: sim.TraceConnect, Client: "B", JID: b},
		{Seq: 3, Kind: sim.TraceDisconnect, Client: "A", JID: a1},
		{Seq: 4, Kind: sim.TraceConnect, Client: "A", JID: a2},
		{Seq: 5, Kind: sim.TraceDrop, JID: b},
	}
	l := plan(evs)
	var labels []string
	for _, p := range l.parts {
		labels = append(labels, p.label)
	}
	// Three clients: the server is column (3+1)/2 = 2.
	if got, want := strings.Join(labels, "|"), "A|B|Server|A (2)"; got != want {
		t.Fatalf("participants %q, want %q", got, want)
	}
	if want := []int{0, 1, 0, 3, 2}; !slices.Equal(l.of, want) {
		t.Errorf("columns %v, want %v", l.of, want)
	}
	if got := l.clientCol("A"); got != 3 {
		t.Errorf("clientCol(A) = %d, want the later session's column 3", got)
	}
}

func TestText(t *testing.T) {
	d := &Doc{Title: "sample", Meta: []string{"seed: 0"}, Outcome: "fail", Events: sample(),
		Failure: &Failure{Message: "x.scs:9: bad", Client: "Juliet", Seq: 6}}
	out := render(t, Text, d)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	// Widths, from the longest entries: seq 2 ("12"), time 6 ("+1.5ms"),
	// who 15 ("Juliet → Server"), kind 22 ("drop [blocked-inbound]").
	row := func(gutter, seq, at, who, kind, what string) string {
		return strings.TrimRight(fmt.Sprintf("%s%2s  %-6s  %-15s  %-22s  %s", gutter, seq, at, who, kind, what), " ")
	}
	want := []string{
		"# sample",
		"# seed: 0",
		"# result: fail",
		row("  ", "1", "+0s", "Romeo", "connect", "romeo@localhost/a"),
		row("  ", "2", "+0s", "Juliet", "connect", "juliet@localhost/b"),
		row("  ", "3", "+0s", "Romeo → Server", "send", `message chat "hi" to juliet@localhost`),
		row("  ", "4", "+0s", "Server → Juliet", "deliver", `message chat "hi" from romeo@localhost/a`),
		row("  ", "5", "+0s", "Juliet → Server", "send", "iq get q1 query disco#info"),
		row("! ", "6", "+0s", "Server → Juliet", "deliver [result]", "iq result q1 query disco#info from juliet@localhost"),
		row("  ", "7", "+0s", "Romeo → Server", "send", `message chat "a;b#c <script>x</script>" to juliet@localhost`),
		row("  ", "8", "+0s", "Server ✕", "drop [blocked-inbound]", `message chat "x" from romeo@localhost/a`),
		row("  ", "9", "+1.5ms", "Server → Romeo", "error [error]", "message error service-unavailable from juliet@localhost"),
		row("  ", "10", "+1.5ms", "Server", "store", `for juliet@localhost: message chat "later" from romeo@localhost/a`),
		row("  ", "11", "+1.5ms", "Romeo", "disconnect [clean]", ""),
		row("  ", "12", "+1.5ms", "Juliet", "disconnect [clean]", ""),
		"! FAIL at #6: x.scs:9: bad",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("text rendering:\n%s\nwant:\n%s", out, strings.Join(want, "\n"))
	}
}

func TestTextMissing(t *testing.T) {
	d := &Doc{Events: sample()[:4], Failure: &Failure{Message: "x.scs:5: timeout", Client: "Juliet",
		Expected: `<presence from='romeo@localhost/a'/>`, After: 3}}
	out := render(t, Text, d)
	lines := strings.Split(out, "\n")
	// Row 3 is the fourth line (no header), the missing line comes after it.
	if !strings.HasPrefix(lines[3], "!") || !strings.Contains(lines[3], "never arrived at Juliet: presence from romeo@localhost/a") {
		t.Errorf("missing line not after event 3:\n%s", out)
	}
	if !strings.Contains(lines[4], " 4 ") {
		t.Errorf("event 4 should follow the missing line:\n%s", out)
	}
}

var (
	reMermaidArrow = regexp.MustCompile(`(?m)^    (c\d+|S)(->>|--x)(c\d+|S): (\d+) `)
	reParticipant  = regexp.MustCompile(`(?m)^    participant (\S+) as (.*)$`)
)

func TestMermaid(t *testing.T) {
	d := &Doc{Title: "sample", Meta: []string{"seed: 0"}, Events: sample(), Outcome: "fail",
		Failure: &Failure{Message: "x.scs:9: bad", Client: "Juliet", Seq: 6}}
	out := render(t, Mermaid, d)
	// The header: title, meta and outcome as Mermaid comments.
	if !strings.HasPrefix(out, "sequenceDiagram\n    %% sample\n    %% seed: 0\n    %% result: fail\n    participant ") {
		t.Fatalf("no sequenceDiagram header:\n%s", out)
	}
	var parts []string
	for _, m := range reParticipant.FindAllStringSubmatch(out, -1) {
		parts = append(parts, m[1]+"="+m[2])
	}
	if got, want := strings.Join(parts, " "), "c1=Romeo S=Server c2=Juliet"; got != want {
		t.Errorf("participants %q, want %q", got, want)
	}
	arrows := reMermaidArrow.FindAllStringSubmatch(out, -1)
	var seqs []string
	for _, m := range arrows {
		seqs = append(seqs, m[4])
		from, to := m[1], m[3]
		switch m[4] {
		case "3", "7":
			if from != "c1" || to != "S" || m[2] != "->>" {
				t.Errorf("send %s: %s%s%s", m[4], from, m[2], to)
			}
		case "9":
			if from != "S" || to != "c1" || m[2] != "--x" {
				t.Errorf("bounce 9 should be S--xc1: %s%s%s", from, m[2], to)
			}
		}
	}
	if strings.Join(seqs, ",") != strings.Join(sampleArrows, ",") {
		t.Errorf("arrows %v, want %v", seqs, sampleArrows)
	}
	if !strings.Contains(out, "    Note over S: 8 ✕ dropped [blocked-inbound] message chat \"x\" from romeo@localhost/a\n") {
		t.Errorf("drop note missing:\n%s", out)
	}
	// The failing arrow sits in a red rect with a FAIL note, and "#" is escaped.
	failing := "    rect rgb(255, 215, 215)\n" +
		"    S->>c2: 6 iq result q1 query disco#35;info from juliet@localhost\n" +
		"    Note over c2: FAIL: x.scs:9: bad\n" +
		"    end\n"
	if !strings.Contains(out, failing) {
		t.Errorf("failing block missing:\n%s", out)
	}
	// Label text cannot break the diagram: no raw ";", "#" or "<" in labels.
	if !strings.Contains(out, `"a#59;b#35;c #lt;script#gt;x#lt;/script#gt;"`) {
		t.Errorf("label escaping:\n%s", out)
	}
}

func TestMermaidMissing(t *testing.T) {
	d := &Doc{Events: sample(), Failure: &Failure{Message: "x.scs:5: timeout", Client: "Juliet",
		Expected: `<presence from='romeo@localhost/a'/>`, After: 4}}
	out := render(t, Mermaid, d)
	note := "    rect rgb(255, 215, 215)\n    Note over S,c2: FAIL: x.scs:5: timeout (expected presence from romeo@localhost/a)\n    end\n"
	i := strings.Index(out, note)
	if i < 0 {
		t.Fatalf("missing note absent:\n%s", out)
	}
	if !(strings.Index(out, ": 4 ") < i && i < strings.Index(out, ": 5 ")) {
		t.Errorf("missing note not between events 4 and 5:\n%s", out)
	}
}

var (
	reArrowG  = regexp.MustCompile(`<g class="arrow" data-seq="(\d+)" data-kind="([a-z-]+)"([^>]*)>`)
	reSVG     = regexp.MustCompile(`(?s)<svg class="rows".*?</svg>`)
	reHidden  = regexp.MustCompile(`(?s)<div id="stanzas" hidden>.*?</div>`)
	reFailPre = regexp.MustCompile(`(?s)<section class="failure">.*?</section>`)
)

func TestHTMLArrowsAndMarkers(t *testing.T) {
	d := &Doc{Title: "sample <1>", Events: sample(), Outcome: "fail",
		Failure: &Failure{Message: "x.scs:9: bad", Client: "Juliet", Seq: 6, Expected: "<iq/>", Received: "<iq type='result'/>"}}
	out := render(t, HTML, d)
	if n := strings.Count(out, `class="arrow"`); n != CountArrows(d.Events) {
		t.Errorf(`%d class="arrow", want %d`, n, CountArrows(d.Events))
	}
	var seqs []string
	failed := 0
	for _, m := range reArrowG.FindAllStringSubmatch(out, -1) {
		seqs = append(seqs, m[1])
		if strings.Contains(m[3], `data-failed="true"`) {
			failed++
			if m[1] != "6" {
				t.Errorf("arrow %s marked failed, want 6", m[1])
			}
		}
		if got, want := strings.Contains(m[3], `data-bounce="true"`), m[1] == "9"; got != want {
			t.Errorf("arrow %s bounce=%v", m[1], got)
		}
	}
	if strings.Join(seqs, ",") != strings.Join(sampleArrows, ",") {
		t.Errorf("arrow seqs %v, want %v", seqs, sampleArrows)
	}
	if failed != 1 || strings.Count(reSVG.FindString(out), `data-failed="true"`) != 1 || strings.Count(out, `class="failure-band"`) != 1 {
		t.Errorf("want exactly one failed element and one band")
	}
	for _, w := range []string{
		`<g class="drop" data-seq="8" data-kind="drop"`,
		`<g class="store" data-seq="10" data-kind="store"`,
		`<g class="life" data-seq="1" data-kind="connect"`,
		`<g class="life" data-seq="12" data-kind="disconnect"`,
		`<title>sample &lt;1&gt;</title>`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %s", w)
		}
	}
	// Every event has its stanza (or JID) for the detail panel.
	if n := strings.Count(out, `<pre data-for="`); n != len(d.Events) {
		t.Errorf("%d stanza sources, want %d", n, len(d.Events))
	}
}

func TestHTMLEscapingAndSelfContained(t *testing.T) {
	d := &Doc{Title: "sample", Events: sample(), Outcome: "fail",
		Failure: &Failure{Message: "x.scs:9: <bad>", Client: "Juliet", Seq: 6,
			Expected: `<iq xmlns='http://example.org/ns'/>`, Received: "<iq/>", Diff: "-a\n+b"}}
	out := render(t, HTML, d)
	// The stanza text "<script>" (escaped once in the canonical XML) must
	// not become markup: exactly one <script> element, ours.
	if n := strings.Count(out, "<script"); n != 1 {
		t.Errorf("%d <script occurrences, want 1", n)
	}
	if !strings.Contains(out, "&amp;lt;script&amp;gt;x&amp;lt;/script&amp;gt;") {
		t.Errorf("stanza text not escaped for HTML")
	}
	if !strings.Contains(out, `<pre data-for="5" data-head="#5 send · Juliet → Server · +0s" data-cause="">&lt;iq id=&#34;q1&#34; type=&#34;get&#34;&gt;`) {
		t.Errorf("stanza 5 not pretty-printed and escaped:\n%s", reHidden.FindString(out))
	}
	// No references outside: without the escaped stanza texts, there is no
	// URL at all, and nothing loads anything.
	rest := reFailPre.ReplaceAllString(reHidden.ReplaceAllString(out, ""), "")
	for _, bad := range []string{"http://", "https://", "src=", "href=", "@import", "url(", "<link", "<iframe", "<img"} {
		if strings.Contains(rest, bad) {
			t.Errorf("output holds %q outside escaped stanza text", bad)
		}
	}
	// The namespaces are still there, inside the escaped stanzas.
	if !strings.Contains(out, "xmlns=&#34;http://jabber.org/protocol/disco#info&#34;") {
		t.Errorf("stanza namespaces missing from the stanza text")
	}
}

func TestHTMLSVGIsWellFormed(t *testing.T) {
	d := &Doc{Events: sample(), Failure: &Failure{Message: "m", Client: "Romeo", Expected: "<presence/>", After: 2}}
	svg := reSVG.FindString(render(t, HTML, d))
	if svg == "" {
		t.Fatal("no svg")
	}
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("svg is not well-formed XML: %v", err)
		}
	}
}

func TestHTMLMissingRow(t *testing.T) {
	d := &Doc{Events: sample(), Failure: &Failure{Message: "m", Client: "Juliet",
		Expected: `<presence from='romeo@localhost/a'/>`, After: 4}}
	out := render(t, HTML, d)
	if strings.Count(out, `class="missing"`) != 1 || !strings.Contains(out, `<pre data-for="expected"`) {
		t.Fatal("no missing arrow or its stanza")
	}
	// Rows: the missing arrow takes the row after event 4, so it lies
	// between the arrows of events 4 and 5.
	y := func(g string) int {
		i := strings.Index(out, g)
		if i < 0 {
			t.Fatalf("%s not found", g)
		}
		m := regexp.MustCompile(`class="shaft" x1="\d+" y1="(\d+)"`).FindStringSubmatch(out[i:])
		n := 0
		for _, c := range m[1] {
			n = n*10 + int(c-'0')
		}
		return n
	}
	y4, ym, y5 := y(`data-seq="4"`), y(`class="missing"`), y(`data-seq="5"`)
	if !(y4 < ym && ym < y5) || ym-y4 != rowH || y5-ym != rowH {
		t.Errorf("rows: event 4 at %d, missing at %d, event 5 at %d", y4, ym, y5)
	}
	// No band for an error without an expected stanza.
	out = render(t, HTML, &Doc{Events: sample(), Outcome: "error", Failure: &Failure{Message: "x.scs:3: oops"}})
	if strings.Contains(out, `class="missing"`) || !strings.Contains(out, "<strong>ERROR</strong>") {
		t.Error("a script error should be shown as ERROR without a missing arrow")
	}
}

func TestDeterministic(t *testing.T) {
	mk := func() *Doc {
		return &Doc{Title: "t", Meta: []string{"a", "b"}, Outcome: "fail", Events: sample(),
			Failure: &Failure{Message: "m", Client: "Juliet", Seq: 4}}
	}
	for name, f := range map[string]func(io.Writer, *Doc) error{"text": Text, "mermaid": Mermaid, "html": HTML} {
		a, b := render(t, f, mk()), render(t, f, mk())
		if a != b {
			t.Errorf("%s: two renderings differ", name)
		}
	}
}

func TestPretty(t *testing.T) {
	got := Pretty(`<iq id='1'><query xmlns='jabber:iq:roster'><item jid='a@b'/></query></iq>`)
	want := "<iq id=\"1\">\n  <query xmlns=\"jabber:iq:roster\">\n    <item jid=\"a@b\"/>\n  </query>\n</iq>"
	if got != want {
		t.Errorf("Pretty:\n%s\nwant:\n%s", got, want)
	}
	if Pretty("<oops") != "<oops" || Pretty("") != "" {
		t.Error("Pretty of non-XML should return it unchanged")
	}
}

func TestMermaidTitleEscaped(t *testing.T) {
	d := &Doc{Title: "100% %%{init: {'theme':'dark'}}%% done", Meta: []string{"seed: 5%"}, Events: sample()}
	out := render(t, Mermaid, d)
	if strings.Count(out, "%%") != 2 || strings.Contains(out, "%%{") {
		t.Errorf("a directive or a stray %%%% in the header:\n%s", out)
	}
	if !strings.Contains(out, "    %% 100#37; #37;#37;{init: {'theme':'dark'}}#37;#37; done\n") {
		t.Errorf("title line:\n%s", out)
	}
}

// TestHTMLTraceFeatures: full labels in the row, drops showing what was
// dropped, events linked to their script line, teardown marked, a
// legend, a link to the failing event, and no time column when time
// never moves.
func TestHTMLTraceFeatures(t *testing.T) {
	evs := sample()
	d := &Doc{Events: evs, Failure: &Failure{Message: "m", Client: "Juliet", Seq: 6},
		Actions: []Action{{After: 0, Line: 10, Text: "Romeo connects"}, {After: 4, Line: 14, Text: "Juliet sends"}},
		Script:  []string{"# t"}, EndSeq: 10}
	out := render(t, HTML, d)
	for _, want := range []string{
		`<a class="goto" href="#6">event 6</a>`,
		`<ul class="legend"`,
		`data-teardown="true"`,
		`data-line="14"`,
		`end of script: teardown`,
		`<span class="line" id="L1">`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s", want)
		}
	}
	// The drop's label shows the stanza, not only the reason.
	if !regexp.MustCompile(`<g class="drop"[^>]*><title>[^<]*</title><path[^>]*/><text[^>]*>8 ✕ dropped \[blocked-inbound\] message`).MatchString(out) {
		t.Error("drop label without its stanza")
	}
	// Time moves in sample (+1.5ms): the column is there; without any
	// elapsed time it is not.
	if !strings.Contains(out, `class="time"`) {
		t.Error("no time column though time moves")
	}
	still := make([]sim.TraceEvent, len(evs))
	copy(still, evs)
	for i := range still {
		still[i].Elapsed = 0
	}
	if out := render(t, HTML, &Doc{Events: still}); strings.Contains(out, `class="time"`) || strings.Contains(out, "+0s") {
		t.Error("a +0s time column though time never moves")
	}
	// No label is cut while the row has room: every <text> in the rows
	// ends without "…" for these short stanzas.
	if strings.Contains(reSVG.FindString(out), "…") {
		t.Error("a label clipped in a wide row")
	}
}

func TestHTMLClosest(t *testing.T) {
	d := &Doc{Events: sample(), Failure: &Failure{Message: "m", Client: "Juliet", Expected: "<presence/>",
		Closest: "<presence type='unavailable'/>", ClosestSeq: 3, Diff: "- <presence/>\n+ <presence type='unavailable'/>\n"}}
	out := render(t, HTML, d)
	if !strings.Contains(out, `discarded as it arrived before the wait (<a class="goto" href="#3">event 3</a>)`) ||
		!strings.Contains(out, "<p>diff (-expected +closest):</p>") {
		t.Errorf("closest stanza not shown:\n%s", reFailPre.FindString(out))
	}
}
