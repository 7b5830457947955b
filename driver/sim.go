package driver

import (
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
)

// simNetwork runs a script on a sim.Sim.
type simNetwork struct {
	s *sim.Sim
}

// OpenSim returns a network over a fresh simulation of host with the
// options o; backend, when non-nil, replaces the model server (see
// sim.Config). It is the network a runner uses when it is given no Driver.
// Its endpoints receive values only (sim.Received.Value; Stanza is nil,
// see sim.Config.ValuesOnly): the runner matches values, and building an
// element per delivery nobody reads cost a fifth of a replay's memory.
func OpenSim(host string, o Options, backend sim.Backend) Network {
	return newSimNetwork(host, o, backend, true)
}

func newSimNetwork(host string, o Options, backend sim.Backend, valuesOnly bool) *simNetwork {
	return &simNetwork{s: sim.New(sim.Config{
		Seed:       o.Seed,
		Profile:    o.Profile,
		MaxLatency: o.MaxLatency,
		Mutants:    o.Mutants,
		Host:       host,
		Hosts:      o.Hosts,
		Backend:    backend,
		ValuesOnly: valuesOnly,
	})}
}

func (n *simNetwork) Connect(name, user, resource string, _ Login) (Endpoint, error) {
	c, err := n.s.Connect(name, user, resource)
	if err != nil {
		return nil, err
	}
	return &simEndpoint{c: c, s: n.s}, nil
}

func (n *simNetwork) Quiesce(Endpoint) error { n.s.RunUntilQuiet(); return nil }

func (n *simNetwork) Wait(_ Endpoint, d time.Duration) time.Duration {
	n.s.Advance(d)
	return d
}

func (n *simNetwork) NodePrefix() (string, []string) { return "", nil }
func (n *simNetwork) Trace() []sim.TraceEvent        { return n.s.Trace() }
func (n *simNetwork) Close() error                   { return nil }
func (n *simNetwork) Failure() error                 { return nil }

type simEndpoint struct {
	c *sim.Client
	s *sim.Sim
}

func (e *simEndpoint) JID() model.JID               { return e.c.JID() }
func (e *simEndpoint) Send(st *etree.Element) error { return e.c.Send(st) }
func (e *simEndpoint) Connected() bool              { return e.c.Connected() }
func (e *simEndpoint) Ended() bool                  { return e.c.Ended() }
func (e *simEndpoint) Disconnect() error            { return e.c.Disconnect() }
func (e *simEndpoint) Drop() error                  { return e.c.Drop() }

// The runner sends compiled stanza values through this method when an
// endpoint has it (scenarios' valueSender); without it every send would
// build an element again.
var _ interface{ SendValue(stanza.Stanza) error } = (*simEndpoint)(nil)

// SendValue sends v on the simulated client (see sim.Client.SendValue):
// the trace records the value itself, whose canonical form is cached.
func (e *simEndpoint) SendValue(v stanza.Stanza) error { return e.c.SendValue(v) }

func (e *simEndpoint) TakeAll() []sim.Received {
	recs := e.c.TakeAll()
	if len(recs) == 0 {
		return nil
	}
	return e.stanzasOnly(recs, 0)
}

// AppendTaker is an Endpoint that can append what TakeAll would return to
// a buffer of the caller's: the runner drains such endpoints into its own
// buffer, so that the simulation's inboxes keep their room instead of
// being handed over at every step. The simulation's endpoints are
// AppendTakers; a real server's need not be.
type AppendTaker interface {
	TakeAppend(dst []sim.Received) []sim.Received
}

var _ AppendTaker = (*simEndpoint)(nil)

// TakeAppend is TakeAll appending to dst (see sim.Client.TakeAppend).
func (e *simEndpoint) TakeAppend(dst []sim.Received) []sim.Received {
	n := len(dst)
	return e.stanzasOnly(e.c.TakeAppend(dst), n)
}

// stanzasOnly removes the stream errors from recs[from:].
func (e *simEndpoint) stanzasOnly(recs []sim.Received, from int) []sim.Received {
	trace := e.s.Trace()
	out := recs[:from]
	for _, rec := range recs[from:] {
		// A stream error is not a stanza: it ends the session, which
		// the next use of the client reports (§2).
		if i := rec.Seq - 1; i < uint64(len(trace)) && trace[i].Kind == sim.TraceStreamError {
			continue
		}
		out = append(out, rec)
	}
	clear(recs[len(out):])
	return out
}

// EndReason finds why the session ended, from the trace.
func (e *simEndpoint) EndReason() string {
	tr := e.s.Trace()
	for i := len(tr) - 1; i >= 0; i-- {
		if ev := tr[i]; ev.Kind == sim.TraceDisconnect && ev.Client == e.c.Name() && ev.JID == e.c.JID() {
			return ev.Reason
		}
	}
	return "closing"
}
