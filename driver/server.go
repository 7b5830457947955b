package driver

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
	"github.com/scansim/scansim/xmpptcp"
)

// ServerDriver runs scripts against a real XMPP server over plain TCP
// (xmpptcp), the real-server mode of docs/real-server.md. The server
// must accept SASL PLAIN without TLS for any user and password (Prosody:
// authentication = "insecure"; testdata/prosody/prosody.cfg.lua) and
// answer XEP-0199 pings to its domain.
//
// Ordering (§5.3): after every connect, send and disconnect the runner
// calls Quiesce, which makes a ping round trip on the connection that
// acted and then, concurrently, on every other open connection. Prosody
// handles a connection's stanzas in order and writes each connection's
// output in order, so once the pings are answered the server has
// processed the action and everything it sent because of it has been
// read. A connection dropped with Endpoint.Drop is the exception: the
// server learns of it asynchronously, so effects of a drop are not
// ordered (the runner itself never drops).
type ServerDriver struct {
	// Addr is the server's c2s address, host:port.
	Addr string
	// Timeout bounds every protocol wait: connecting, each handshake
	// step, each ping round trip, the close handshake. 0 means
	// xmpptcp.DefaultTimeout (5s). (scenarios.RunOptions.Timeout bounds
	// receives.)
	Timeout time.Duration
	// Prefix is put in front of every local node of the script's host
	// (scenarios.PrefixNodes, PrefixElement), so repeated runs against one server never share
	// accounts. "" draws a fresh NewRunPrefix for each run; NoPrefix
	// turns prefixing off.
	Prefix   string
	NoPrefix bool
	// Keep lists nodes never prefixed. nil means DefaultKeep ("admin",
	// the admin named in testdata/prosody/prosody.cfg.lua, whose identity
	// depends on its exact JID); an empty non-nil slice prefixes every
	// node. Kept accounts are shared by every run.
	Keep []string
	// Rounds is the number of ping rounds a barrier makes (0 is 1). A
	// server whose sessions answer what other sessions received (ejabberd:
	// the presences of a user's other resources reach a new resource
	// from those resources' own processes, after the new one's ping) needs
	// a second: see BarrierRounds.
	Rounds int
}

// BarrierRounds is the Rounds a profile's server needs: 2 when its
// sessions answer each other (model.WireOptions.SessionsAnswerEachOther),
// else 1.
func BarrierRounds(p model.Profile) int {
	if p.SessionsAnswerEachOther {
		return 2
	}
	return 1
}

// DefaultKeep is the Keep list a ServerDriver uses when its own is nil.
var DefaultKeep = []string{"admin"}

// CheckAddr rejects a server address that is not HOST:PORT, so that a
// command can say so before any connection is tried (a typo is a usage
// error, not an unreachable server).
func CheckAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" || port == "" {
		return fmt.Errorf("--server %q: expected HOST:PORT, e.g. 127.0.0.1:25222", addr)
	}
	return nil
}

// Open implements Driver.
func (d *ServerDriver) Open(host string) (Network, error) {
	if d.Addr == "" {
		return nil, errors.New("real server: no address")
	}
	n := &serverNetwork{
		addr:    d.Addr,
		host:    host,
		timeout: d.Timeout,
		start:   time.Now(),
		keep:    d.Keep,
		rounds:  max(d.Rounds, 1),
	}
	if n.timeout <= 0 {
		n.timeout = xmpptcp.DefaultTimeout
	}
	if n.keep == nil {
		n.keep = DefaultKeep
	}
	switch {
	case d.NoPrefix:
	case d.Prefix != "":
		n.prefix = d.Prefix
	default:
		n.prefix = NewRunPrefix()
	}
	return n, nil
}

type serverNetwork struct {
	addr, host string
	timeout    time.Duration
	prefix     string
	keep       []string
	start      time.Time
	rounds     int

	mu    sync.Mutex // guards trace and every endpoint's seqs
	trace []sim.TraceEvent
	eps   []*serverEndpoint
}

func (n *serverNetwork) NodePrefix() (string, []string) { return n.prefix, n.keep }

// record appends a trace event; n.mu must be held.
func (n *serverNetwork) record(ev sim.TraceEvent) uint64 {
	ev.Seq = uint64(len(n.trace)) + 1
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	ev.Elapsed = ev.At.Sub(n.start)
	n.trace = append(n.trace, ev)
	return ev.Seq
}

func (n *serverNetwork) Trace() []sim.TraceEvent {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]sim.TraceEvent(nil), n.trace...)
}

func (n *serverNetwork) Connect(name, user, resource string) (Endpoint, error) {
	ep := &serverEndpoint{n: n, name: name}
	conn, err := xmpptcp.DialWith(xmpptcp.Config{
		Addr:     n.addr,
		Domain:   n.host,
		User:     user,
		Resource: resource,
		Timeout:  n.timeout,
	}, ep.event)
	if err != nil {
		return nil, err
	}
	j, err := model.ParseJID(conn.JID())
	if err != nil {
		conn.Drop()
		return nil, fmt.Errorf("the server bound an invalid JID %q: %v", conn.JID(), err)
	}
	n.mu.Lock()
	ep.conn, ep.jid = conn, j
	n.eps = append(n.eps, ep)
	n.record(sim.TraceEvent{Kind: sim.TraceConnect, Client: name, JID: j})
	// Events the reader saw before ep.conn was set (none can arrive
	// before bind completes, but be safe) are already recorded.
	n.mu.Unlock()
	return ep, nil
}

// Quiesce pings last, then every other open connection concurrently.
//
// A server may end a client's stream because of an action (Prosody
// closes every session of an account it has just deleted, with a stream
// error): the ping round trip then meets a closed stream. That is the
// server's behaviour, recorded in the trace (TraceStreamError,
// TraceDisconnect) and left for the script to observe, so it is no
// error. A transport failure (a timeout, a socket that ended without a
// stream close) still is: it must never pass for server behaviour.
func (n *serverNetwork) Quiesce(last Endpoint) error {
	for range n.rounds - 1 {
		if err := n.quiesce(last); err != nil {
			return err
		}
	}
	return n.quiesce(last)
}

// quiesce is one round of Quiesce.
func (n *serverNetwork) quiesce(last Endpoint) error {
	var first *serverEndpoint
	if e, ok := last.(*serverEndpoint); ok && e.open() {
		first = e
		if err := e.ping(); err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
	}
	n.mu.Lock()
	var others []*serverEndpoint
	for _, e := range n.eps {
		if e != first && e.open() {
			others = append(others, e)
		}
	}
	n.mu.Unlock()
	errs := make([]error, len(others))
	var wg sync.WaitGroup
	for i, e := range others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.ping(); err != nil {
				errs[i] = fmt.Errorf("%s: %w", e.name, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Wait waits in wall time until ep has a stanza or ended, or d passed.
func (n *serverNetwork) Wait(ep Endpoint, d time.Duration) time.Duration {
	start := time.Now()
	if e, ok := ep.(*serverEndpoint); ok && e.conn != nil {
		e.conn.Wait(d)
	} else {
		time.Sleep(d)
	}
	return time.Since(start)
}

// Close drops whatever is still open (the runner has already closed
// every client cleanly).
func (n *serverNetwork) Close() error {
	n.mu.Lock()
	eps := append([]*serverEndpoint(nil), n.eps...)
	n.mu.Unlock()
	for _, e := range eps {
		if !e.conn.Ended() {
			_ = e.conn.Drop()
		}
	}
	return nil
}

type serverEndpoint struct {
	n    *serverNetwork
	name string
	conn *xmpptcp.Conn
	jid  model.JID
	seqs []uint64 // trace Seq of each received stanza not yet taken; n.mu
	shut bool     // Disconnect or Drop was called
}

// event is the connection's reader callback: it records the trace.
func (e *serverEndpoint) event(ev xmpptcp.Event) {
	n := e.n
	n.mu.Lock()
	defer n.mu.Unlock()
	switch ev.Kind {
	case xmpptcp.Received:
		// The event carries the stanza value, as the simulation's do, so
		// that nothing downstream parses the canonical string again.
		v := stanza.FromElement(ev.Stanza)
		seq := n.record(sim.TraceEvent{At: ev.At, Kind: sim.TraceDeliver, Client: e.name, JID: e.jid, Stanza: v.Canonical(), Value: v})
		e.seqs = append(e.seqs, seq)
	case xmpptcp.StreamError:
		v := stanza.FromElement(ev.Stanza)
		n.record(sim.TraceEvent{At: ev.At, Kind: sim.TraceStreamError, Client: e.name, JID: e.jid, Stanza: v.Canonical(), Value: v})
	case xmpptcp.Ended:
		n.record(sim.TraceEvent{At: ev.At, Kind: sim.TraceDisconnect, Client: e.name, JID: e.jid, Reason: ev.Reason})
	}
}

func (e *serverEndpoint) open() bool { return !e.shut && !e.conn.Ended() }

// ping makes a ping round trip on e. A stream the server ended during
// the round trip (a stream error, or its clean close) is no error: the
// server has processed everything e sent and the reader has queued
// everything the server wrote before the end. Anything else is.
func (e *serverEndpoint) ping() error {
	err := e.conn.Ping()
	if err == nil {
		return nil
	}
	var te *xmpptcp.TimeoutError
	if errors.As(err, &te) {
		return err
	}
	// A write on a socket the server has closed can fail before the
	// reader has seen the end of the stream: wait for the reader.
	select {
	case <-e.conn.Done():
	case <-time.After(e.n.timeout):
		return err
	}
	if endedByServer(e.conn) {
		return nil
	}
	return fmt.Errorf("%w (%s)", err, e.conn.EndReason())
}

// endedByServer reports whether c's stream was ended by the server
// itself, with a stream error or a clean </stream:stream>, rather than
// by a transport failure or by our own close.
func endedByServer(c *xmpptcp.Conn) bool {
	if cond, _ := c.StreamError(); cond != "" {
		return true
	}
	return c.EndReason() == xmpptcp.ReasonClosedByServer
}

func (e *serverEndpoint) JID() model.JID { return e.jid }

func (e *serverEndpoint) Send(st *etree.Element) error {
	v := stanza.FromElement(st)
	raw := v.Canonical() // what Conn.Send would write
	e.n.mu.Lock()
	e.n.record(sim.TraceEvent{Kind: sim.TraceSend, Client: e.name, JID: e.jid, Stanza: raw, Value: v})
	e.n.mu.Unlock()
	return e.conn.SendRaw(raw)
}

func (e *serverEndpoint) TakeAll() []sim.Received {
	in := e.conn.TakeAll()
	if len(in) == 0 {
		return nil
	}
	out := make([]sim.Received, len(in))
	e.n.mu.Lock()
	for i, s := range in {
		out[i] = sim.Received{Seq: e.seqs[i], At: s.At, Stanza: s.Stanza}
	}
	e.seqs = e.seqs[len(in):]
	e.n.mu.Unlock()
	return out
}

func (e *serverEndpoint) Connected() bool   { return e.open() }
func (e *serverEndpoint) Ended() bool       { return e.conn.Ended() }
func (e *serverEndpoint) EndReason() string { return e.conn.EndReason() }

func (e *serverEndpoint) Disconnect() error {
	if e.shut {
		return xmpptcp.ErrClosed
	}
	e.shut = true
	return e.conn.Close()
}

func (e *serverEndpoint) Drop() error {
	e.shut = true
	return e.conn.Drop()
}
