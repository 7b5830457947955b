package scenarios

import (
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// Driver provides the server a run talks to. Run calls Open once per
// script, so one Driver value can serve any number of runs, one after
// another. A nil RunOptions.Driver runs on the simulation (sim.Sim with
// the model server), built from the other RunOptions fields; ServerDriver
// drives a real XMPP server over TCP.
type Driver interface {
	// Open starts a run whose clients all live on host.
	Open(host string) (Network, error)
}

// Network is one run's connection to the server under test. Run uses it
// from a single goroutine.
type Network interface {
	// Connect authenticates user, binds resource ("" lets the server
	// choose) and returns the client's endpoint. name identifies the
	// client in the trace.
	Connect(name, user, resource string) (Endpoint, error)
	// Quiesce returns once the server has processed everything sent so
	// far and everything it produced in response is in the endpoints'
	// inboxes (§5.3: "each action runs to completion"). last is the
	// endpoint that acted most recently (nil if none); a real server is
	// synchronised with it first. An error means the server could not be
	// synchronised (a timeout on a real server).
	Quiesce(last Endpoint) error
	// Wait lets up to d pass, returning early once ep has something new
	// in its inbox (or its session ended) if the network can tell, and
	// returns how much of d it used. The simulation always advances its
	// virtual clock by the whole of d; a real server waits in wall time.
	Wait(ep Endpoint, d time.Duration) time.Duration
	// NodePrefix returns the prefix Run applies to every local node of
	// the script's host before running it (PrefixNodes), and the nodes to
	// leave alone. The simulation returns "".
	NodePrefix() (prefix string, keep []string)
	// Trace returns the events recorded so far (see sim.TraceEvent).
	Trace() []sim.TraceEvent
	// Close ends the run, closing whatever is still open.
	Close() error
}

// Endpoint is one client connection of a run.
type Endpoint interface {
	// JID returns the full JID the session bound.
	JID() model.JID
	// Send writes a stanza. It takes ownership of st.
	Send(st *etree.Element) error
	// TakeAll removes and returns the stanzas received since the last
	// call, oldest first. Stream errors are not stanzas and never appear:
	// they end the session (EndReason).
	TakeAll() []sim.Received
	// Connected reports whether the client may still send.
	Connected() bool
	// Ended reports whether the session is over from the client's side.
	Ended() bool
	// EndReason says why the session ended ("" while it has not).
	EndReason() string
	// Disconnect closes the stream cleanly.
	Disconnect() error
	// Drop cuts the connection without closing the stream.
	Drop() error
}

// simNetwork runs a script on a sim.Sim.
type simNetwork struct {
	s *sim.Sim
}

func newSimNetwork(host string, opts RunOptions) *simNetwork {
	return &simNetwork{s: sim.New(sim.Config{
		Seed:       opts.Seed,
		Profile:    opts.Profile,
		MaxLatency: opts.MaxLatency,
		Mutants:    opts.Mutants,
		Host:       host,
		Backend:    opts.Backend,
	})}
}

func (n *simNetwork) Connect(name, user, resource string) (Endpoint, error) {
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

func (e *simEndpoint) TakeAll() []sim.Received {
	recs := e.c.TakeAll()
	if len(recs) == 0 {
		return nil
	}
	trace := e.s.Trace()
	out := recs[:0]
	for _, rec := range recs {
		// A stream error is not a stanza: it ends the session, which
		// the next use of the client reports (§2).
		if i := rec.Seq - 1; i < uint64(len(trace)) && trace[i].Kind == sim.TraceStreamError {
			continue
		}
		out = append(out, rec)
	}
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
