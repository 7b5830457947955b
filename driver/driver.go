// Package driver is the seam between what drives an XMPP server and the
// server: a Driver opens one Network per run, a Network connects clients
// (Endpoints) and synchronises with the server. Two drivers exist: the
// simulation (SimDriver, or OpenSim for the runner's own network: the
// model behind package sim) and a real server over TCP (ServerDriver).
// The scansion runner (package scenarios) and the property engine
// (package properties) are written against this seam only, so one script
// or one random sequence runs unchanged on either.
//
// Options is the one set of simulation options (profile, seed, mutants,
// latency) every command and engine shares; Prefix* keep runs against one
// long-lived server apart (fresh accounts per run).
package driver

import (
	"errors"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// Driver provides the server a run talks to. A runner calls Open once per
// script (or per random sequence), so one Driver value can serve any
// number of runs, one after another. SimDriver runs on the simulation
// (sim.Sim with the model server); ServerDriver drives a real XMPP server
// over TCP.
type Driver interface {
	// Open starts a run whose clients all live on host.
	Open(host string) (Network, error)
}

// Network is one run's connection to the server under test. Run uses it
// from a single goroutine.
type Network interface {
	// Connect authenticates user, binds resource ("" lets the server
	// choose) and returns the client's endpoint. name identifies the
	// client in the trace; login carries what the script says about the
	// client's account beyond its JID (a real server uses it, the
	// simulation has no passwords or addresses and ignores it).
	Connect(name, user, resource string, login Login) (Endpoint, error)
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
	// NodePrefix returns the prefix a runner applies to every local node
	// of the run's host before running it (scenarios.PrefixNodes,
	// PrefixElement), and the nodes to leave alone. The runner's own
	// simulation (OpenSim) returns "".
	NodePrefix() (prefix string, keep []string)
	// Trace returns the events recorded so far (see sim.TraceEvent).
	Trace() []sim.TraceEvent
	// Failure returns the first transport failure of the run, nil if
	// none: a connection to a real server lost, timed out or ended by
	// the server for reasons of its own (TransportError). Nothing a run
	// observed after one is the server's behaviour. The simulation has
	// none.
	Failure() error
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
	// they end the session (EndReason). A received stanza carries its
	// Value, its Stanza, or both: SimDriver's endpoints give both,
	// OpenSim's values only (sim.Config.ValuesOnly), a real server's
	// connection elements.
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

// Login is what a script says about a client's account beyond its JID
// (the [Client] properties password, connect_host, connect_port). Zero
// fields take the driver's defaults.
type Login struct {
	Password    string
	ConnectHost string
	ConnectPort int
}

// TransportError is a failure of the connection to a real server, never
// its behaviour: the server could not be reached or logged in to, a
// wait passed its deadline, a connection was lost without a stream
// close, or the server ended a stream for a reason of its own (a
// shutdown). Commands stop on one (exit status 2) instead of reporting
// it as a difference from the model.
type TransportError struct {
	Err error
}

func (e *TransportError) Error() string { return e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// IsTransport reports whether err is, or wraps, a *TransportError.
func IsTransport(err error) bool {
	var te *TransportError
	return errors.As(err, &te)
}

// Provisioner is implemented by a Network whose accounts may need
// creating before a run uses them: Provision makes user exist on the
// server (a real server with ServerDriver.Register: in-band
// registration). A run whose model assumes every account of the run
// exists from the start (the property engine's) provisions them all
// first; a network without the need does nothing.
type Provisioner interface {
	Provision(user string) error
}

// PartialQuiescer is implemented by a Network that can synchronise with
// part of the server: QuiesceSome is Quiesce(last) restricted to last and
// the endpoints in also, for a caller that knows (from the model) where
// the action's effects can arrive. Anything the server sends elsewhere
// arrives later and is seen at the next full Quiesce; a caller must
// quiesce fully every few steps and at the end of a run.
type PartialQuiescer interface {
	QuiesceSome(last Endpoint, also []Endpoint) error
}

// ExpectQuiescer is implemented by a Network that can synchronise with a
// step by waiting for the stanzas a caller expects instead of pinging
// every connection they go to: QuiesceExpect synchronises with last and
// the endpoints in also as QuiesceSome does, and for each endpoint in
// expect waits until its client has received that many stanzas recorded
// in the trace from index from on, pinging those that have not within a
// short grace. As with QuiesceSome, anything else the server sends
// arrives later and is seen at the next full Quiesce.
type ExpectQuiescer interface {
	QuiesceExpect(last Endpoint, also []Endpoint, from int, expect map[Endpoint]int) error
}
