package xmpptcptest

import (
	"fmt"
	"strings"
	"time"
)

// HostileKind is one way a server can misbehave towards a client.
type HostileKind uint8

const (
	// Polite: no misbehaviour.
	Polite HostileKind = iota
	// TrickleHandshake: after its stream header the server starts its
	// features and then sends one byte of whitespace every 20 ms,
	// forever: every byte is a token, none completes the element.
	TrickleHandshake
	// StreamErrorBeforeBind: the server answers the stream header with
	// the stream error system-shutdown.
	StreamErrorBeforeBind
	// The kinds below start at the After-th top-level element the
	// server handles after bind (all sessions counted, pings too).

	// TrickleStanza: the server opens a message on the session and
	// sends one byte of its body every 20 ms, forever.
	TrickleStanza
	// EndlessTokens: the server sends "<a>" without end, as fast as the
	// client reads.
	EndlessTokens
	// HugeStanza: one message with a 2 MiB body.
	HugeStanza
	// DeepStanza: one message nested 200 levels deep, well-formed.
	DeepStanza
	// StreamErrorAfterBind: the stream error system-shutdown, then the
	// stream's close.
	StreamErrorAfterBind
	// Kill: the server process dies: it stops listening and every
	// connection is cut.
	Kill
	// Stall: the server process is stopped (SIGSTOP): connections stay
	// open, nothing is answered any more.
	Stall
)

var hostileNames = map[HostileKind]string{
	Polite: "polite", TrickleHandshake: "trickle-handshake", StreamErrorBeforeBind: "stream-error-before-bind",
	TrickleStanza: "trickle-stanza", EndlessTokens: "endless-tokens", HugeStanza: "huge-stanza",
	DeepStanza: "deep-stanza", StreamErrorAfterBind: "stream-error-after-bind", Kill: "kill", Stall: "stall",
}

func (k HostileKind) String() string { return hostileNames[k] }

// HostileKinds lists every misbehaviour, for table tests.
func HostileKinds() []HostileKind {
	return []HostileKind{TrickleHandshake, StreamErrorBeforeBind, TrickleStanza, EndlessTokens, HugeStanza,
		DeepStanza, StreamErrorAfterBind, Kill, Stall}
}

// Hostile says how and when the server misbehaves.
type Hostile struct {
	Kind HostileKind
	// After: the misbehaviours after bind start at this element (1 if
	// 0).
	After int64
}

const systemShutdown = "<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Server is shutting down</text></stream:error></stream:stream>"

// beforeBind misbehaves after the server's first stream header; true
// ends the connection.
func (h Hostile) beforeBind(s *Server, ss *session) bool {
	switch h.Kind {
	case TrickleHandshake:
		ss.send("<stream:features>")
		trickle(ss, " ")
		return true
	case StreamErrorBeforeBind:
		ss.send(systemShutdown)
		return true
	}
	for s.stalled.Load() {
		time.Sleep(20 * time.Millisecond)
		if s.killed.Load() {
			return true
		}
	}
	return false
}

// afterBind misbehaves when n (the elements handled after bind so far)
// reaches After; true ends the session.
func (h Hostile) afterBind(s *Server, ss *session, n int64) bool {
	if s.stalled.Load() {
		return false
	}
	at := h.After
	if at <= 0 {
		at = 1
	}
	if n != at {
		return false
	}
	switch h.Kind {
	case TrickleStanza:
		ss.send("<message from='%s'><body>", s.Domain)
		trickle(ss, "x")
		return true
	case EndlessTokens:
		ss.send("<message from='%s'>", s.Domain)
		chunk := strings.Repeat("<a>", 1024)
		for !s.killed.Load() {
			if _, err := fmt.Fprint(ss.nc, chunk); err != nil {
				break
			}
		}
		return true
	case HugeStanza:
		ss.send("<message from='%s'><body>", s.Domain)
		chunk := strings.Repeat("x", 64<<10)
		for i := 0; i < 32; i++ {
			if _, err := fmt.Fprint(ss.nc, chunk); err != nil {
				return true
			}
		}
		ss.send("</body></message>")
	case DeepStanza:
		ss.send("<message from='%s'>%s%s</message>", s.Domain, strings.Repeat("<a>", 200), strings.Repeat("</a>", 200))
	case StreamErrorAfterBind:
		ss.send(systemShutdown)
		return true
	case Kill:
		s.kill()
		return true
	case Stall:
		s.stalled.Store(true)
	}
	return false
}

// trickle writes b every 20 ms until the connection fails.
func trickle(ss *session, b string) {
	for {
		if _, err := fmt.Fprint(ss.nc, b); err != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
