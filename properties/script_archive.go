package properties

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
)

// Archive ids in a failure's script. A MAM archive id is the server's
// (util.id.medium on Prosody: random), so a script that expects the
// model's literal value fails on any server for that value alone, and
// on the model too whenever its replay draws ids in another order than
// the failing run (a group's stanzas are handled before what each one
// schedules, a script's one after another; a concurrent action followed
// in the server's order). What a client can rely on is that one
// message keeps one id: the stanza-id it is delivered with (XEP-0359)
// is its <result/> id in a query (XEP-0313 §5.1.2), and the fin's RSM
// <first/> and <last/> and the metadata's start and end name items of
// the same archive. So each distinct archive id becomes a capture
// ({scansion:capture:archive-idN}, N in order of first appearance),
// bound at its first use and required equal after it, and the text of
// <first/> and <last/> is left out (text cannot capture; an empty
// element matches any).

var mamNS = map[string]bool{"urn:xmpp:mam:0": true, "urn:xmpp:mam:1": true, "urn:xmpp:mam:2": true}

const (
	nsSID = "urn:xmpp:sid:0"
	nsRSM = "http://jabber.org/protocol/rsm"
)

// archiveIDCaptures returns a scenarios.TraceOptions.Volatile that
// replaces the archive ids of received stanzas by captures, one name
// per distinct id over the whole script.
func archiveIDCaptures() func(el *etree.Element) {
	names := map[string]string{}
	capture := func(a *etree.Attr) {
		if a == nil || a.Value == "" || strings.HasPrefix(a.Value, "{scansion:") {
			return
		}
		n := names[a.Value]
		if n == "" {
			n = fmt.Sprintf("{scansion:capture:archive-id%d}", len(names)+1)
			names[a.Value] = n
		}
		a.Value = n
	}
	var walk func(e *etree.Element, inFin bool)
	walk = func(e *etree.Element, inFin bool) {
		ns := e.NamespaceURI()
		switch {
		case e.Tag == "stanza-id" && ns == nsSID:
			capture(e.SelectAttr("id"))
		case e.Tag == "result" && mamNS[ns]:
			capture(e.SelectAttr("id"))
		case (e.Tag == "start" || e.Tag == "end") && mamNS[ns]:
			capture(e.SelectAttr("id"))
		case e.Tag == "fin" && mamNS[ns]:
			inFin = true
		case inFin && (e.Tag == "first" || e.Tag == "last") && ns == nsRSM:
			e.SetText("")
		}
		for _, c := range e.ChildElements() {
			walk(c, inFin)
		}
	}
	return func(el *etree.Element) { walk(el, false) }
}
