package sim

// CONTRACT: the exported types and signatures in this file are the sim's
// public API that the scenarios runner and the property engine build on.
// Bodies marked TODO are implemented by the sim work; keep the signatures.

import (
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/jid"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/stanza"
)

// Backend is the server a simulation drives. *model.Server implements it.
type Backend interface {
	Bind(user, resource string) (model.SessionID, model.JID, []model.Event, error)
	Process(id model.SessionID, st *etree.Element) []model.Event
	Close(id model.SessionID, abrupt bool) []model.Event
}

// ValueBackend is a Backend that also takes a sent stanza as a value
// (model.Server.ProcessValue): Client.SendValue then hands it the value
// instead of an element built for it. ProcessValue must do what Process
// does with the value's element: a wrapper that embeds *model.Server and
// overrides Process must override ProcessValue too, or its Process is
// skipped for every stanza sent as a value.
type ValueBackend interface {
	ProcessValue(id model.SessionID, v stanza.Stanza) []model.Event
}

// Config configures a simulation. The zero value is valid: seed 0, the
// default profile, clock at model.Epoch, zero latency.
type Config struct {
	Seed    uint64
	Profile *model.Profile // nil: model.Default() (prosody-13)
	Start   time.Time      // zero: model.Epoch
	// MaxLatency bounds the one-way latency of each link. Each link (client
	// to server, server to client, per client) draws its base latency
	// uniformly from [0, MaxLatency] from the seed when the client is
	// created. Zero: every link is instant. Links are always FIFO.
	MaxLatency time.Duration
	Mutants    []string // passed to model.Options.Mutants
	Host       string   // default "localhost"
	// Hosts are further virtual hosts of the same server process
	// (model.Hosts): a client binds at one of them with Connect's user
	// "node@host". None: the one host above (a model.Server).
	Hosts []string
	// Storage, when set, is the model server's persistent store
	// (model.Options.Storage): what survives RestartServer.
	Storage model.Storage
	// Backend, when non-nil, replaces the model server built from the
	// fields above (tests use small fakes).
	Backend Backend
	// ValuesOnly: the inbox holds values only (Received.Stanza is nil;
	// read Received.Value), and the model server built from the fields
	// above emits its stanzas as values (model.Options.Values), so no
	// element is built or converted per delivery. For consumers that
	// read values: the script runner and the property engine.
	ValuesOnly bool
}

// TraceKind classifies a trace event.
type TraceKind uint8

const (
	TraceSend        TraceKind = iota + 1 // a client wrote a stanza to its link
	TraceDeliver                          // a stanza reached a client's inbox
	TraceError                            // a server-generated error reached a client's inbox
	TraceFlush                            // an offline message reached a client's inbox
	TraceDrop                             // the server (or a cut link) discarded a stanza; Reason says why
	TraceStore                            // the server stored a message offline
	TraceConnect                          // a client authenticated and bound a resource
	TraceDisconnect                       // a session ended (Reason: clean, abrupt, conflict, ...)
	TraceStreamError                      // the server sent a stream error to a client
)

// TraceEvent is one line of the trace.
type TraceEvent struct {
	Seq     uint64        // 1, 2, 3, ... in order of occurrence
	At      time.Time     // virtual time
	Elapsed time.Duration // At minus the start, so WriteTrace needs no Config
	Kind    TraceKind
	Client  string  // the client's name ("" for server-only events)
	JID     jid.JID // the session's full JID (or the owner for Store)
	// Text, when not empty, is the event's stanza in canonical form as
	// written when the event was made or rewritten (a hand-made event
	// without a Value, a trace read back from a file, a masked copy); it
	// takes precedence over Value. Read Canonical rather than Text.
	Text string
	// Value is the stanza itself, immutable and shared with the client's
	// inbox (the zero Stanza when none). Read it rather than parsing
	// Canonical's string.
	Value  stanza.Stanza
	Reason string
	Cause  uint64 // Seq of the event that caused this one (0: none)
}

// Canonical returns the event's stanza in canonical form ("" when none):
// Text when it is set, else Value.Canonical(). A value renders on first
// use and caches the result, so a trace that nobody prints renders
// nothing, and every reader after the first pays nothing.
func (e *TraceEvent) Canonical() string {
	if e.Text != "" || e.Value.IsZero() {
		return e.Text
	}
	return e.Value.Canonical()
}
