package sim

import (
	"io"
	"strconv"
	"strings"

	"github.com/scansim/scansim/jid"
	"github.com/scansim/scansim/stanza"
)

// Reasons the simulation itself writes into TraceEvent.Reason. Reasons on
// server drops, stores and deliveries come from the model unchanged.
const (
	// ReasonConnectionLost: a stanza was lost because its connection was
	// cut (Drop) or had ended before the stanza arrived.
	ReasonConnectionLost = "connection-lost"
	// ReasonClean: the client closed its stream (Disconnect).
	ReasonClean = "clean"
	// ReasonAbrupt: the client's transport dropped (Drop).
	ReasonAbrupt = "abrupt"
	// ReasonClosedByServer: the server closed a session without a reason.
	ReasonClosedByServer = "closed-by-server"
	// ReasonUnknownSession: the server addressed a session the simulation
	// does not know (a server bug); the stanza is recorded as dropped.
	ReasonUnknownSession = "unknown-session"
	// ReasonPipelined marks a TraceSend written while the client's
	// earlier stanzas were still on their way to the server: it was
	// sent without waiting for their answers (a burst).
	ReasonPipelined = "pipelined"
)

var kindNames = [...]string{
	TraceSend:        "send",
	TraceDeliver:     "deliver",
	TraceError:       "error",
	TraceFlush:       "flush",
	TraceDrop:        "drop",
	TraceStore:       "store",
	TraceConnect:     "connect",
	TraceDisconnect:  "disconnect",
	TraceStreamError: "stream-error",
}

// String returns the kind's name as WriteTrace prints it.
func (k TraceKind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// record appends one event to the trace and returns its Seq. It is on the
// hot path: the event holds the stanza value taken once, when it entered
// a link, and renders nothing: its canonical form is made the first time
// somebody reads it (TraceEvent.Canonical: WriteTrace, the trace views)
// and cached in the value, so a run whose trace nobody prints (a passing
// script, a property check's run) never renders one.
func (s *Sim) record(kind TraceKind, c *Client, j jid.JID, v stanza.Stanza, reason string, cause uint64) uint64 {
	seq := s.forgotten + uint64(len(s.trace)) + 1
	var name string
	if c != nil {
		name = c.name
	}
	s.trace = append(s.trace, TraceEvent{
		Seq:     seq,
		At:      s.clock.Now(),
		Elapsed: s.clock.elapsed(),
		Kind:    kind,
		Client:  name,
		JID:     j,
		Value:   v,
		Reason:  reason,
		Cause:   cause,
	})
	return seq
}

// WriteTrace renders evs one line per event:
//
//	seq  +elapsed  kind  client(jid)  [reason]  stanza  (cause #n)
//
// Fields that are empty are left out with their separator. Server-only
// events print as "(jid)", or "-" without a JID. Line breaks inside a
// stanza are written as character references so that each event stays on
// one line. The output depends only on evs, so the same trace always
// renders to the same bytes.
func WriteTrace(w io.Writer, evs []TraceEvent) error {
	const flushAt = 32 << 10
	buf := make([]byte, 0, 2*flushAt)
	for i := range evs {
		buf = appendEvent(buf, &evs[i])
		if len(buf) >= flushAt {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if len(buf) > 0 {
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

func appendEvent(b []byte, e *TraceEvent) []byte {
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, "  +"...)
	b = append(b, e.Elapsed.String()...)
	b = append(b, "  "...)
	b = append(b, e.Kind.String()...)
	b = append(b, "  "...)
	switch {
	case e.Client != "":
		b = append(b, e.Client...)
		b = append(b, '(')
		b = append(b, e.JID.String()...)
		b = append(b, ')')
	case !e.JID.IsZero():
		b = append(b, '(')
		b = append(b, e.JID.String()...)
		b = append(b, ')')
	default:
		b = append(b, '-')
	}
	if e.Reason != "" {
		b = append(b, "  ["...)
		b = appendOneLine(b, e.Reason)
		b = append(b, ']')
	}
	if c := e.Canonical(); c != "" {
		b = append(b, "  "...)
		b = appendOneLine(b, c)
	}
	if e.Cause != 0 {
		b = append(b, "  (cause #"...)
		b = strconv.AppendUint(b, e.Cause, 10)
		b = append(b, ')')
	}
	return append(b, '\n')
}

// appendOneLine appends s with CR and LF replaced by XML character
// references, which keeps the XML meaning and the one-line-per-event shape.
func appendOneLine(b []byte, s string) []byte {
	if !strings.ContainsAny(s, "\r\n") {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			b = append(b, "&#10;"...)
		case '\r':
			b = append(b, "&#13;"...)
		default:
			b = append(b, s[i])
		}
	}
	return b
}
