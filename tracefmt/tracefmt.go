// Package tracefmt renders a simulation trace (sim.TraceEvent) as a picture:
// plain text (one line per event), a Mermaid sequence diagram, or one
// self-contained HTML page with an SVG sequence diagram in which every stanza
// is an arrow that can be clicked to show the stanza in full.
//
// The three renderers share one layout of the trace:
//
//   - Participants are the clients of the trace, in the order they first
//     appear, plus "Server". A client is identified by its name and its
//     session's full JID; a name reused by a later session becomes
//     "Name (2)".
//   - A stanza that travels a link is an arrow: TraceSend goes from the
//     client to the server; TraceDeliver, TraceError, TraceFlush and
//     TraceStreamError go from the server to the client (see IsArrow).
//   - A stanza the server (or a cut link) discarded (TraceDrop) and a message
//     stored offline (TraceStore) are markers, not arrows: nothing travelled.
//     Connects and disconnects are markers on the client's lifeline.
//   - Error stanzas (TraceError, and deliveries of type='error') are marked
//     as bounces.
//   - When the script failed, Doc.Failure names the offending event (its
//     Seq), which is highlighted; a failure without one (a timeout: the
//     expected stanza never arrived) is drawn as a ghost arrow after the
//     last event.
//
// Every renderer's output depends only on the Doc, so the same trace always
// renders to the same bytes. The HTML page references nothing outside itself:
// no network, no external scripts, fonts or style sheets.
package tracefmt

import (
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/sim"
)

// Doc is what the renderers draw: a trace and what is known about the run
// that produced it.
type Doc struct {
	// Title heads the picture (typically the script's title or path).
	Title string
	// Meta are short "key: value" facts shown under the title (script
	// path, profile, seed, mutants), in order.
	Meta []string
	// Outcome is "pass", "fail", "error" or "" (unknown).
	Outcome string
	// Events is the trace, in Seq order.
	Events []sim.TraceEvent
	// Failure, when set, explains a failing run and locates it.
	Failure *Failure
	// Actions, when set, are the script actions that ran, in order; each
	// event belongs to the last action whose After is below its Seq. The
	// HTML page links every event to its action's line of Script.
	Actions []Action
	// Script, when set, is the script's source, one string per line; the
	// HTML page shows it with an anchor per line ("#L12").
	Script []string
	// EndSeq, when non-zero, is the last event the script's actions
	// caused: later events are the runner's end-of-run teardown (every
	// client still connected disconnects), marked as such.
	EndSeq uint64
}

// Action is one script action that ran.
type Action struct {
	After uint64 // the Seq of the last event before the action began
	Line  int    // its line in the script
	Text  string // what it does: "Romeo sends", "Juliet receives"
}

// Failure locates and explains why a run failed.
type Failure struct {
	// Message is the one-line explanation (with file:line).
	Message string
	// Client is the character whose expectation failed.
	Client string
	// Seq is the trace event of the offending stanza, or 0 when there is
	// none (an expected stanza never arrived, or a script error).
	Seq uint64
	// After places a failure without an event (Seq 0): it happened after
	// the event with this Seq and before the next. 0 means after the
	// last event.
	After uint64
	// Expected and Received are the stanzas (canonical form), Diff a
	// line diff; any may be empty.
	Expected, Received, Diff string
	// Closest is, for a timeout, the received stanza nearest to Expected
	// that the run discarded, ClosestSeq its event; Diff then compares
	// Expected with it.
	Closest    string
	ClosestSeq uint64
}

// ServerName is the participant that stands for the server.
const ServerName = "Server"

// IsArrow reports whether events of kind k are stanzas travelling a link,
// drawn as arrows: sends, deliveries, errors, offline flushes and stream
// errors.
func IsArrow(k sim.TraceKind) bool {
	switch k {
	case sim.TraceSend, sim.TraceDeliver, sim.TraceError, sim.TraceFlush, sim.TraceStreamError:
		return true
	}
	return false
}

// CountArrows returns how many events of evs are drawn as arrows.
func CountArrows(evs []sim.TraceEvent) int {
	n := 0
	for _, ev := range evs {
		if IsArrow(ev.Kind) {
			n++
		}
	}
	return n
}

// IsBounce reports whether ev is an error stanza coming back to a client:
// a TraceError, or a delivery whose stanza has type='error'.
func IsBounce(ev sim.TraceEvent) bool {
	if ev.Kind == sim.TraceError || ev.Kind == sim.TraceStreamError {
		return true
	}
	if ev.Kind != sim.TraceDeliver && ev.Kind != sim.TraceFlush {
		return false
	}
	el := element(ev)
	return el != nil && el.SelectAttrValue("type", "") == "error"
}

// FindDelivery returns the Seq of the last event that put stanza (in
// canonical form) into the inbox of the client named client, or 0 if
// there is none. It locates the offending stanza of a failure, which the
// run reports by content.
func FindDelivery(evs []sim.TraceEvent, client, stanza string) uint64 {
	if stanza == "" {
		return 0
	}
	for i := len(evs) - 1; i >= 0; i-- {
		ev := evs[i]
		if ev.Client != client || ev.Canonical() != stanza {
			continue
		}
		switch ev.Kind {
		case sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
			return ev.Seq
		}
	}
	return 0
}

// missingRow returns the index of the row before which a failure without
// an event is drawn: after the event f.After, or at the end.
func missingRow(evs []sim.TraceEvent, f *Failure) int {
	if f.After == 0 {
		return len(evs)
	}
	for i, ev := range evs {
		if ev.Seq == f.After {
			return i + 1
		}
	}
	return len(evs)
}

// participant is one column of the picture.
type participant struct {
	name   string // the client's name ("" for the server)
	label  string
	jid    string
	server bool
}

// layout assigns every event to participants.
type layout struct {
	parts []participant // in column order; the server is one of them
	// of maps event index to its participant's column (the client's, or
	// the server's for server-only events).
	of     []int
	server int
}

// plan computes the participants of d: clients in order of first
// appearance, keyed by name and full JID, with the server in the middle
// column (Romeo | Server | Juliet for two clients).
func plan(evs []sim.TraceEvent) *layout {
	type key struct{ name, jid string }
	var clients []participant
	index := map[key]int{}
	names := map[string]int{} // sessions seen per name
	ofClient := make([]int, len(evs))
	for i, ev := range evs {
		if ev.Client == "" {
			ofClient[i] = -1
			continue
		}
		k := key{ev.Client, ev.JID.String()}
		ci, ok := index[k]
		if !ok {
			names[ev.Client]++
			label := ev.Client
			if n := names[ev.Client]; n > 1 {
				label = fmt.Sprintf("%s (%d)", ev.Client, n)
			}
			ci = len(clients)
			clients = append(clients, participant{name: ev.Client, label: label, jid: k.jid})
			index[k] = ci
		}
		ofClient[i] = ci
	}
	l := &layout{server: (len(clients) + 1) / 2}
	if len(clients) == 0 {
		l.server = 0
	}
	col := make([]int, len(clients))
	for i := range clients {
		if i >= l.server {
			col[i] = i + 1
		} else {
			col[i] = i
		}
	}
	l.parts = make([]participant, len(clients)+1)
	for i, c := range clients {
		l.parts[col[i]] = c
	}
	l.parts[l.server] = participant{label: ServerName, server: true}
	l.of = make([]int, len(evs))
	for i, ci := range ofClient {
		if ci < 0 {
			l.of[i] = l.server
		} else {
			l.of[i] = col[ci]
		}
	}
	return l
}

// clientCol returns the column of the latest session of the client named
// name, or the server's column when there is none.
func (l *layout) clientCol(name string) int {
	col := l.server
	for i, p := range l.parts {
		if !p.server && p.name == name && name != "" {
			col = i
		}
	}
	return col
}

// ends returns the columns an arrow event runs between.
func (l *layout) ends(i int, ev sim.TraceEvent) (from, to int) {
	if ev.Kind == sim.TraceSend {
		return l.of[i], l.server
	}
	return l.server, l.of[i]
}

// parse reads a canonical stanza; nil if it is not XML.
func parse(s string) *etree.Element {
	if s == "" {
		return nil
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString(s); err != nil {
		return nil
	}
	return doc.Root()
}

// Pretty indents a canonical stanza two spaces per level for display. A
// string that is not XML is returned unchanged.
func Pretty(stanza string) string {
	if stanza == "" {
		return ""
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromString(stanza); err != nil {
		return stanza
	}
	return indented(doc, stanza)
}

// indented renders doc indented two spaces per level, or stanza (its
// source) if it cannot be written.
func indented(doc *etree.Document, stanza string) string {
	doc.Indent(2)
	out, err := doc.WriteToString()
	if err != nil {
		return stanza
	}
	return strings.TrimRight(out, "\n")
}

const stanzasNS = "urn:ietf:params:xml:ns:xmpp-stanzas"

// Summary describes ev's stanza in a few words, for arrow labels:
//
//	name [type] [id] [payload] [error condition] ["body"] [to X | from X]
//
// The payload is an iq's first child; a "query" is followed by the last
// segment of its namespace ("query roster", "query disco#info"), so that a
// summary holds no URL. The address is the stanza's to for a send and its
// from otherwise. Events without a stanza give "".
func Summary(ev sim.TraceEvent) string { return summary(ev, 24) }

// summary is Summary with bodies clipped to bodyMax characters: the text
// trace keeps its columns narrow, the HTML page has a whole row.
func summary(ev sim.TraceEvent, bodyMax int) string {
	el := element(ev)
	if el == nil {
		return oneLine(ev.Canonical())
	}
	parts := []string{el.Tag}
	if t := el.SelectAttrValue("type", ""); t != "" {
		parts = append(parts, t)
	}
	if el.Tag == "iq" {
		if id := el.SelectAttrValue("id", ""); id != "" {
			parts = append(parts, id)
		}
		for _, c := range el.ChildElements() {
			if c.Tag == "error" {
				continue
			}
			p := c.Tag
			if c.Tag == "query" {
				p += " " + shortNS(c.NamespaceURI())
			}
			parts = append(parts, p)
			break
		}
	}
	if e := el.SelectElement("error"); e != nil {
		for _, c := range e.ChildElements() {
			if c.Tag != "text" && c.NamespaceURI() == stanzasNS {
				parts = append(parts, c.Tag)
				break
			}
		}
	}
	if el.Tag == "presence" {
		if s := el.SelectElement("show"); s != nil {
			parts = append(parts, "show="+strings.TrimSpace(s.Text()))
		}
	}
	if b := el.SelectElement("body"); b != nil {
		parts = append(parts, fmt.Sprintf("%q", clip(strings.TrimSpace(b.Text()), bodyMax)))
	}
	if ev.Kind == sim.TraceSend {
		if to := el.SelectAttrValue("to", ""); to != "" {
			parts = append(parts, "to "+to)
		}
	} else if from := el.SelectAttrValue("from", ""); from != "" {
		parts = append(parts, "from "+from)
	}
	return strings.Join(parts, " ")
}

// shortNS returns the part of a namespace after its last "/" or ":":
// "roster" for jabber:iq:roster, "disco#info" for
// http://jabber.org/protocol/disco#info.
func shortNS(ns string) string {
	if i := strings.LastIndexAny(ns, "/:"); i >= 0 && i < len(ns)-1 {
		return ns[i+1:]
	}
	return ns
}

// clip shortens s to at most n runes, marking a cut with "…".
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	return string(r[:n-1]) + "…"
}

// header is the comment lines Text and Mermaid start with: the title and
// the meta lines, one line each, and "result: OUTCOME".
func header(d *Doc) []string {
	var h []string
	if d.Title != "" {
		h = append(h, oneLine(d.Title))
	}
	for _, m := range d.Meta {
		h = append(h, oneLine(m))
	}
	if d.Outcome != "" {
		h = append(h, "result: "+d.Outcome)
	}
	return h
}

// oneLine replaces line breaks so that s stays on one line.
func oneLine(s string) string {
	return strings.NewReplacer("\r", "&#13;", "\n", "&#10;").Replace(s)
}

// elapsed formats a virtual time offset to the microsecond: "+0s",
// "+1.5ms", "+22.257ms".
func elapsed(d time.Duration) string {
	return "+" + d.Round(time.Microsecond).String()
}

// markerText is the label of a non-arrow event, its stanza's body clipped
// to bodyMax characters.
func markerText(ev sim.TraceEvent, bodyMax int) string {
	switch ev.Kind {
	case sim.TraceConnect:
		return "connect " + ev.JID.String()
	case sim.TraceDisconnect:
		if ev.Client == "" {
			return "server " + ev.Reason
		}
		return "disconnect (" + ev.Reason + ")"
	case sim.TraceDrop:
		return "✕ dropped [" + ev.Reason + "] " + summary(ev, bodyMax)
	case sim.TraceStore:
		return "stored offline for " + ev.JID.String() + ": " + summary(ev, bodyMax)
	}
	return ev.Kind.String()
}
