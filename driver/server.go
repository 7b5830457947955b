package driver

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
	"github.com/scansim/scansim/xmpptcp"
)

// ServerDriver runs scripts against a real XMPP server over TCP
// (xmpptcp), the real-server mode of docs/real-server.md. The server
// must answer XEP-0199 pings to its domain. Accounts: with a run prefix
// (the default) every run uses fresh ones, which the server must accept
// without registration (Prosody: authentication = "insecure";
// testdata/prosody/prosody.cfg.lua) or create by in-band registration
// (Register); NoPrefix uses the script's accounts as they are, created
// beforehand with their passwords.
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
	// Password is the password of clients whose script gives none (""
	// is xmpptcp's default, "password").
	Password string
	// TLS and TLSConfig: plain TCP, STARTTLS or direct TLS, and how the
	// certificate is verified (xmpptcp.Config).
	TLS       xmpptcp.TLSMode
	TLSConfig *tls.Config
	// Register creates each prefixed account of a run by in-band
	// registration (XEP-0077) at its first connect; kept accounts are
	// never registered.
	Register bool
	// MaxStanzaBytes and MaxDepth bound what the server may send (0:
	// xmpptcp's defaults, 1 MiB and 100 levels).
	MaxStanzaBytes int64
	MaxDepth       int
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
		d:          d,
		addr:       d.Addr,
		host:       host,
		timeout:    d.Timeout,
		start:      time.Now(),
		keep:       d.Keep,
		registered: map[string]bool{},
		rounds:     max(d.Rounds, 1),
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
	d          *ServerDriver
	addr, host string
	timeout    time.Duration
	prefix     string
	keep       []string
	start      time.Time
	registered map[string]bool // users this run registered
	rounds     int

	mu      sync.Mutex // guards trace, failure and every endpoint's seqs
	trace   []sim.TraceEvent
	eps     []*serverEndpoint
	failure error // the first transport failure (*TransportError)
}

// fail records err as the run's transport failure if it is the first,
// and returns the failure; n.mu must not be held.
func (n *serverNetwork) fail(err error) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.failLocked(err)
}

func (n *serverNetwork) failLocked(err error) error {
	if n.failure == nil {
		var te *TransportError
		if !errors.As(err, &te) {
			te = &TransportError{Err: err}
		}
		n.failure = te
	}
	return n.failure
}

func (n *serverNetwork) Failure() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.failure
}

// Provision registers user (in-band, XEP-0077) when the driver registers
// accounts and this run has not registered it yet: a login, then a clean
// close. Otherwise it does nothing (a server with insecure
// authentication has every account already; with NoPrefix the accounts
// were created beforehand).
func (n *serverNetwork) Provision(user string) error {
	if !n.d.Register || n.prefix == "" || !strings.HasPrefix(user, n.prefix) || n.registered[user] {
		return nil
	}
	if f := n.Failure(); f != nil {
		return f
	}
	c, err := xmpptcp.Dial(n.dialConfig(user, "", Login{}, true))
	if err != nil {
		return n.fail(fmt.Errorf("registering %s: %w", user, err))
	}
	n.registered[user] = true
	if err := c.Close(); err != nil {
		return n.fail(fmt.Errorf("registering %s: %w", user, err))
	}
	return nil
}

// dialConfig is the connection of user with login's settings.
func (n *serverNetwork) dialConfig(user, resource string, login Login, register bool) xmpptcp.Config {
	pass := login.Password
	if pass == "" {
		pass = n.d.Password
	}
	return xmpptcp.Config{
		Addr:           n.dialAddr(login),
		Domain:         n.host,
		User:           user,
		Password:       pass,
		Resource:       resource,
		Timeout:        n.timeout,
		TLS:            n.d.TLS,
		TLSConfig:      n.d.TLSConfig,
		Register:       register,
		MaxStanzaBytes: n.d.MaxStanzaBytes,
		MaxDepth:       n.d.MaxDepth,
	}
}

// operationalStreamErrors are the stream error conditions (RFC 6120
// §4.9.3) a server sends for reasons of its own, not in answer to what
// the client did: a shutdown, an overload, an idle timeout, an internal
// error, a redirection. They end a run as a transport failure. The other
// conditions (conflict on a replaced resource, not-authorized on a
// deleted account, unsupported-stanza-type, policy-violation...) answer
// the client and are behaviour the script and the model describe.
var operationalStreamErrors = map[string]bool{
	"connection-timeout": true, "host-gone": true, "internal-server-error": true,
	"remote-connection-failed": true, "reset": true, "resource-constraint": true,
	"see-other-host": true, "system-shutdown": true, "undefined-condition": true,
}

// dialAddr is where a client connects: the script's connect_host and
// connect_port where given, the driver's address otherwise.
func (n *serverNetwork) dialAddr(l Login) string {
	if l.ConnectHost == "" && l.ConnectPort == 0 {
		return n.addr
	}
	host, port, _ := net.SplitHostPort(n.addr)
	if l.ConnectHost != "" {
		host = l.ConnectHost
	}
	if l.ConnectPort != 0 {
		port = strconv.Itoa(l.ConnectPort)
	}
	return net.JoinHostPort(host, port)
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

func (n *serverNetwork) Connect(name, user, resource string, login Login) (Endpoint, error) {
	if f := n.Failure(); f != nil {
		return nil, f
	}
	ep := &serverEndpoint{n: n, name: name}
	register := n.d.Register && n.prefix != "" && strings.HasPrefix(user, n.prefix) && !n.registered[user]
	conn, err := xmpptcp.DialWith(n.dialConfig(user, resource, login, register), ep.event)
	if err != nil {
		return nil, n.fail(fmt.Errorf("%s cannot log in: %w", name, err))
	}
	if register {
		n.registered[user] = true
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
	return n.quiesceWhere(last, nil)
}

// QuiesceSome implements PartialQuiescer.
func (n *serverNetwork) QuiesceSome(last Endpoint, also []Endpoint) error {
	in := map[*serverEndpoint]bool{}
	for _, e := range also {
		if se, ok := e.(*serverEndpoint); ok {
			in[se] = true
		}
	}
	return n.quiesceWhere(last, in)
}

// expectGrace bounds QuiesceExpect's wait for the expected stanzas of
// an endpoint before it pings it instead. They were written in the same
// turn of the server's loop as the answer to last's ping, or earlier, so
// they are normally read well within it; a server that sends fewer (a
// difference the comparison will report) costs this much and a ping.
const expectGrace = 20 * time.Millisecond

// QuiesceExpect implements ExpectQuiescer: one ping round trip on last,
// then, for the endpoints in expect, a wait for their stanzas instead of
// a second round trip. A server that handles a connection's input in
// order and routes what it sends synchronously (Prosody) has handled
// last's action, and written everything it sent because of it, once
// last's ping is answered: the other connections' stanzas are then on
// their way, and counting them is a synchronisation as good as a ping
// for the comparison of the step, without the ping's cost to the server.
// A stanza the server sends beyond the count shows at that endpoint's
// next barrier (a later step's, or the full barrier). Servers whose
// sessions answer each other (Rounds > 1) are pinged everywhere.
func (n *serverNetwork) QuiesceExpect(last Endpoint, also []Endpoint, from int, expect map[Endpoint]int) error {
	if n.rounds > 1 {
		for e := range expect {
			also = append(also, e)
		}
		return n.QuiesceSome(last, also)
	}
	if f := n.Failure(); f != nil {
		return f
	}
	first, _ := last.(*serverEndpoint)
	if first != nil && first.open() {
		if err := first.ping(); err != nil {
			return n.fail(fmt.Errorf("%s: %w", first.name, err))
		}
	}
	want := map[string]int{}
	byName := map[string]*serverEndpoint{}
	for e, k := range expect {
		if se, ok := e.(*serverEndpoint); ok && se != first && se.open() && se.pending == "" && k > 0 {
			want[se.name], byName[se.name] = k, se
		}
	}
	deadline := time.Now().Add(expectGrace)
	for len(want) > 0 {
		n.mu.Lock()
		have := map[string]int{}
		if from < len(n.trace) {
			for _, ev := range n.trace[from:] {
				if ev.Kind == sim.TraceDeliver {
					have[ev.Client]++
				}
			}
		}
		n.mu.Unlock()
		for c, k := range want {
			if have[c] >= k {
				delete(want, c)
			}
		}
		if len(want) == 0 || !time.Now().Before(deadline) {
			break
		}
		time.Sleep(100 * time.Microsecond)
	}
	// the rest: also, the endpoints whose stanzas did not all come, and
	// those with stanzas still unwritten
	only := map[*serverEndpoint]bool{}
	for _, e := range also {
		if se, ok := e.(*serverEndpoint); ok {
			only[se] = true
		}
	}
	for c := range want {
		only[byName[c]] = true
	}
	for e := range expect {
		if se, ok := e.(*serverEndpoint); ok && se.pending != "" {
			only[se] = true
		}
	}
	if len(only) == 0 && !n.anyPending() {
		return n.fail0()
	}
	err := n.quiesce(nil, only)
	if err == nil {
		err = n.Failure()
	}
	if err != nil {
		return n.fail(err)
	}
	return nil
}

// anyPending reports whether an open endpoint has stanzas unwritten.
func (n *serverNetwork) anyPending() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, e := range n.eps {
		if e.open() && e.pending != "" {
			return true
		}
	}
	return false
}

// fail0 is the run's transport failure, recorded as such, or nil.
func (n *serverNetwork) fail0() error {
	if f := n.Failure(); f != nil {
		return n.fail(f)
	}
	return nil
}

// quiesceWhere pings last, then the other open endpoints in only (all
// when only is nil) and those with stanzas still unwritten.
func (n *serverNetwork) quiesceWhere(last Endpoint, only map[*serverEndpoint]bool) error {
	if f := n.Failure(); f != nil {
		return f
	}
	// Rounds: a server whose sessions answer each other needs a second
	// ping round (BarrierRounds).
	var err error
	for range n.rounds {
		if err = n.quiesce(last, only); err != nil {
			break
		}
	}
	if err == nil {
		err = n.Failure() // a connection lost meanwhile
	}
	if err != nil {
		return n.fail(err)
	}
	return nil
}

func (n *serverNetwork) quiesce(last Endpoint, only map[*serverEndpoint]bool) error {
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
		if e != first && e.open() && (only == nil || only[e] || e.pending != "") {
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
	// pending: stanzas Send recorded but has not written yet; the next
	// ping writes them with itself (one write, one wake-up of the
	// server), and Disconnect and Drop write them first.
	pending string
}

// flush writes the pending stanzas.
func (e *serverEndpoint) flush() error {
	if e.pending == "" {
		return nil
	}
	raw := e.pending
	e.pending = ""
	return e.conn.SendRaw(raw)
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
		seq := n.record(sim.TraceEvent{At: ev.At, Kind: sim.TraceDeliver, Client: e.name, JID: e.jid, Value: v})
		e.seqs = append(e.seqs, seq)
	case xmpptcp.StreamError:
		v := stanza.FromElement(ev.Stanza)
		n.record(sim.TraceEvent{At: ev.At, Kind: sim.TraceStreamError, Client: e.name, JID: e.jid, Value: v})
	case xmpptcp.Ended:
		n.record(sim.TraceEvent{At: ev.At, Kind: sim.TraceDisconnect, Client: e.name, JID: e.jid, Reason: ev.Reason})
		// (ev.Reason is the stream error's condition when there was one)
		if operationalStreamErrors[ev.Reason] || strings.HasPrefix(ev.Reason, xmpptcp.ReasonConnectionLost) {
			n.failLocked(fmt.Errorf("%s: %w", e.name, ev.Err))
		}
	}
}

func (e *serverEndpoint) open() bool { return !e.shut && !e.conn.Ended() }

// ping makes a ping round trip on e. A stream the server ended during
// the round trip (a stream error, or its clean close) is no error: the
// server has processed everything e sent and the reader has queued
// everything the server wrote before the end. Anything else is.
func (e *serverEndpoint) ping() error {
	raw := e.pending
	e.pending = ""
	err := e.conn.PingAfter(raw)
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

// removesAccount reports whether st is an in-band account removal
// (XEP-0077 §3.2: an iq set with <query xmlns='jabber:iq:register'><remove/>).
func removesAccount(st *etree.Element) bool {
	if st.Tag != "iq" || st.SelectAttrValue("type", "") != "set" {
		return false
	}
	for _, q := range st.ChildElements() {
		if q.Tag == "query" && q.NamespaceURI() == "jabber:iq:register" && q.SelectElement("remove") != nil {
			return true
		}
	}
	return false
}

// forget makes the next connect of user register it again.
func (n *serverNetwork) forget(user string) {
	n.mu.Lock()
	delete(n.registered, user)
	n.mu.Unlock()
}

func (e *serverEndpoint) Send(st *etree.Element) error {
	v := stanza.FromElement(st)
	raw := v.Canonical() // what Conn.Send would write
	if !e.open() {
		return xmpptcp.ErrClosed
	}
	if e.n.d.Register && removesAccount(st) {
		// XEP-0077 §3.2: the account is gone. Where accounts are real
		// (Register), a later login under the name registers it again:
		// what a server with open accounts (Prosody's insecure
		// authentication, which the model follows) does by itself.
		e.n.forget(e.jid.Node)
	}
	e.n.mu.Lock()
	e.n.record(sim.TraceEvent{Kind: sim.TraceSend, Client: e.name, JID: e.jid, Text: raw, Value: v})
	e.n.mu.Unlock()
	// Written with the next ping (Quiesce), which every runner makes
	// right after a send.
	e.pending += raw
	return nil
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
	if err := e.flush(); err != nil {
		e.shut = true
		return err
	}
	e.shut = true
	err := e.conn.Close()
	var te *xmpptcp.TimeoutError
	if errors.As(err, &te) {
		return e.n.fail(fmt.Errorf("%s: %w", e.name, err))
	}
	return err
}

func (e *serverEndpoint) Drop() error {
	_ = e.flush() // what was sent goes out before the cut, as it did
	e.shut = true
	return e.conn.Drop()
}
