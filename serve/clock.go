package serve

import (
	"time"

	"github.com/beevik/etree"
)

// The moving clock. The model never reads the wall clock: it reads the
// simulation's virtual clock (sim), which only the model goroutine moves.
// serve moves it from a monotonic clock source (Options.Clock, by default
// the time since Start on Go's monotonic clock): before it runs each
// queued item — a bind, a stanza, a close, a control call — the model
// goroutine reads the source once and advances the virtual clock to
// Options.Start plus that much (never backwards). Everything the item
// causes happens at that one instant.
//
// Determinism: a session is a deterministic function of the items in
// the order they were queued and the instant each was read at; the
// simulation records both (each event's At), so the trace is as
// reproducible as before given those instants, and the model goroutine is
// still the only reader of the source. What a client sees that depends on
// the instant is plausible: XEP-0202 time, last activity and uptime
// seconds, delay stamps and MAM timestamps move with real time.
//
// The recorded script has no notion of time: `scansim replay` runs it on
// a clock that barely moves. So the recording loosens what depends on the
// instant (volatile below; delay stamps FromTrace loosens itself), and
// the replay passes whatever time it runs at. Behaviour that depends on
// long waits — MUC history by maxseconds or since, a MUC tombstone's 31
// days, MAM queries by date, upload slots' expiry — can differ in the
// replay when the session's waits mattered; the recording cannot say
// when stanzas were sent.

// tick advances the virtual clock to the source's reading (the model
// goroutine, before each item).
func (k *core) tick() {
	d := k.srv.clock()
	if d > k.elapsed {
		k.sim.Advance(d - k.elapsed)
		k.elapsed = d
	}
}

// volatile loosens, in a received stanza of the recording, the values
// that depend on the instant the server answered at (see above): XEP-0202
// <utc/> text, XEP-0012 seconds, XEP-0363 slot tokens (they carry an
// issue and expiry time) and XEP-0215 credentials (derived from an
// expiry time).
func volatile(el *etree.Element) {
	var walk func(e *etree.Element, ns string)
	walk = func(e *etree.Element, ns string) {
		if v := e.SelectAttrValue("xmlns", ""); v != "" {
			ns = v
		}
		switch {
		case ns == "urn:xmpp:time" && e.Tag == "utc":
			e.SetText("")
		case ns == "jabber:iq:last" && e.Tag == "query":
			anyAttr(e, "seconds")
		case ns == "urn:xmpp:http:upload:0" && e.Tag == "header" && e.SelectAttrValue("name", "") == "Authorization":
			e.SetText("")
		case ns == "urn:xmpp:extdisco:2" && e.Tag == "service":
			anyAttr(e, "username", "password", "expires")
		}
		for _, c := range e.ChildElements() {
			walk(c, ns)
		}
	}
	walk(el, "jabber:client")
}

// anyAttr sets each present attribute of keys to {scansion:any}.
func anyAttr(e *etree.Element, keys ...string) {
	for _, k := range keys {
		if a := e.SelectAttr(k); a != nil {
			a.Value = "{scansion:any}"
		}
	}
}

// FixedClock is a clock source that never moves (Options.Clock): the
// virtual clock stays at Options.Start, as Prosody's scansion test
// configuration pins os.time(). Scripts recorded under that
// configuration may rely on it (the upstream mam_extended.scs expects two
// messages sent one after the other to carry the same stamp).
func FixedClock() time.Duration { return 0 }

// monotonic is the default clock source: the time since start on Go's
// monotonic clock.
func monotonic() func() time.Duration {
	start := time.Now()
	return func() time.Duration { return time.Since(start) }
}
