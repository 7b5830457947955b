package scenarios

import (
	"cmp"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
)

// Defaults for RunOptions (virtual time, §10).
const (
	DefaultTimeout      = 5 * time.Second
	DefaultNothingGrace = 500 * time.Millisecond
)

// RunOptions configure Run. The zero value runs in the default
// (scansion-compatible) mode of §5.2 on the default profile, seed 0,
// zero latency.
type RunOptions struct {
	// Strict selects the strict timing mode of §5.2: every received
	// stanza must be matched in order and nothing is discarded.
	Strict bool
	// Options configure the simulation: its profile (nil is
	// driver.DefaultProfile), seed, mutants and latency.
	driver.Options
	// Timeout is how long (virtual time; wall time with a Driver) a
	// receives waits for a matching stanza; 0 means DefaultTimeout.
	Timeout time.Duration
	// NothingGrace is how long (virtual time) "receives: nothing"
	// watches for a stanza on the simulation; 0 means
	// DefaultNothingGrace. With a Driver, "receives: nothing" is decided
	// by a barrier (Network.Quiesce: on a real server, ping round trips),
	// after which everything the server sent because of the earlier
	// actions has arrived; NothingGrace is then an extra wall-time wait
	// after the barrier, for a server that pushes on its own (0: none).
	NothingGrace time.Duration
	// Backend, when non-nil, replaces the model server (see sim.Config).
	Backend sim.Backend
	// Driver, when non-nil, provides the server instead of the
	// simulation: Options and Backend are then unused (the server
	// behaves as it does), and Timeout and NothingGrace are wall time
	// (see ServerDriver).
	Driver driver.Driver
}

// Result is the outcome of one run. Exactly one of three holds: Passed;
// Failure is set (the server's behaviour did not meet the script); Err is
// set (the script itself is wrong or could not run: a variable used too
// early, sending after disconnecting, a connect the server refused, a
// panic in the server).
type Result struct {
	Passed  bool
	Err     error
	Failure *Failure
	// Discarded lists every stanza the default mode discarded (§5.2), in
	// the order it happened. Always empty in strict mode.
	Discarded []Discard
	// Leftover lists the stanzas still queued when the script ended
	// (after the final disconnects), in arrival order. They are not a
	// failure (§5.1).
	Leftover []Queued
	// Trace is the simulation's full trace (for a Driver, what its
	// Network recorded).
	Trace []sim.TraceEvent
	// Prefix is the node prefix the Driver's Network applied to the
	// script (PrefixNodes); "" on the simulation.
	Prefix string
	// EndSeq is the number of trace events recorded before the runner's
	// own end-of-script disconnects: Trace[:EndSeq] is what the script's
	// actions caused. (The simulation issues those disconnects at once;
	// a real server closes them one after another, so what the last
	// clients receive meanwhile differs by construction.)
	EndSeq uint64
	// ActionSeq[i] is the number of trace events recorded before action
	// i+1 began: the events Trace[ActionSeq[i]:ActionSeq[i+1]] are what
	// that action caused (pictures link them to its script line). Actions
	// that did not run (after a failure) have no entry.
	ActionSeq []uint64
	// Transport is the run's transport failure on a real server
	// (driver.Network.Failure, a *driver.TransportError): the server could
	// not be reached or driven, so nothing the run saw is its behaviour.
	// Err is then set and Failure nil.
	Transport error
	// Notes are remarks on the set-up for verbose output, such as a
	// script's connect_host that the simulation ignores.
	Notes []string
}

// Queued is a received stanza held in a client's queue.
type Queued struct {
	Client string
	// Text, when not empty, is the stanza's canonical form (see
	// stanza.Stanza.Canonical) as given (a stanza received without a
	// value); it takes precedence over Value. Read Canonical.
	Text string
	// Value is the stanza as received (the zero Stanza when none).
	Value stanza.Stanza
	Seq   uint64 // the trace Seq of its delivery
	// Stamp is the action number of §5.2 (1-based): the action during
	// which it arrived, moved forward past a run of sends.
	// len(Actions)+1 for stanzas that arrived after the last action.
	Stamp int
}

// Canonical returns the stanza's canonical form: Text when set, else
// Value.Canonical(), rendered when first read (a passing run's leftovers
// and discards that nobody prints are never rendered).
func (q *Queued) Canonical() string {
	if q.Text != "" || q.Value.IsZero() {
		return q.Text
	}
	return q.Value.Canonical()
}

// Discard is a stale stanza that a receives passed over (§5.2).
type Discard struct {
	Queued
	Action int // the action number that discarded it
	Pos    Pos // that action's position
}

// Failure says where and why a script failed.
type Failure struct {
	Pos            // the failing action's file and line
	Action  int    // its 1-based action number
	Client  string // its character
	Message string
	// Expected is the expected stanza after variable substitution, and
	// Received the offending stanza, both in canonical form (see stanza.Stanza.Canonical).
	// Received is empty for a timeout, Expected for "receives: nothing".
	Expected, Received string
	// Path and Diff explain a mismatch (see Mismatch); for a timeout,
	// the difference of the Closest stanza.
	Path, Diff string
	// Closest is, for a timeout, the received stanza nearest to Expected
	// among those the run discarded (canonical form; "" when none was),
	// ClosestSeq its trace Seq, ClosestNote when it arrived and which
	// action discarded it, ClosestReason what differs at Path.
	Closest, ClosestNote, ClosestReason string
	ClosestSeq                          uint64
}

// Error returns "file:line: message".
func (f *Failure) Error() string { return f.Pos.String() + ": " + f.Message }

// Report renders the failure on several lines: the message, the
// expected and received stanzas and the diff.
func (f *Failure) Report() string {
	var b strings.Builder
	b.WriteString(f.Error())
	b.WriteByte('\n')
	if f.Expected != "" {
		fmt.Fprintf(&b, "expected: %s\n", f.Expected)
	}
	if f.Received != "" {
		fmt.Fprintf(&b, "received: %s\n", f.Received)
	}
	if f.Closest != "" {
		fmt.Fprintf(&b, "closest:  %s\n          (%s)\n", f.Closest, f.ClosestNote)
	}
	switch {
	case f.Path != "" && f.ClosestReason != "":
		fmt.Fprintf(&b, "at: %s: %s\n", f.Path, f.ClosestReason)
	case f.Path != "":
		fmt.Fprintf(&b, "at: %s\n", f.Path)
	}
	if f.Diff != "" {
		if f.Closest != "" {
			b.WriteString("diff (-expected +closest):\n")
		} else {
			b.WriteString("diff (-expected +received):\n")
		}
		b.WriteString(f.Diff)
	}
	return b.String()
}

// Run executes script on a fresh simulation, or on the server of
// opts.Driver, and reports the outcome.
//
// Each action runs to completion before the next: after connecting,
// sending or disconnecting, the simulation runs until nothing is in
// flight (§5.3), so latency changes timing but not what each client
// receives. A receives takes stanzas from its client's queue by the
// rules of §5.2; when none matches it waits opts.Timeout of virtual
// time and then fails. At the end every client still connected
// disconnects cleanly.
//
// With a Driver, "until nothing is in flight" is Network.Quiesce (on a
// real server: ping round trips), a receives waits up to opts.Timeout
// of wall time and returns as soon as a matching stanza arrives, and
// the script first goes through PrefixNodes with the Network's prefix.
func Run(script *Script, opts RunOptions) (res *Result) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.NothingGrace <= 0 && opts.Driver == nil {
		opts.NothingGrace = DefaultNothingGrace
	}
	res = &Result{}
	if script == nil {
		res.Err = errors.New("scenarios: Run of a nil script")
		return res
	}
	r := &runner{
		script:  script,
		opts:    opts,
		res:     res,
		clients: make([]*clientState, len(script.Clients)),
		vars:    bindings{script: script},
		matcher: NewMatcher(),
		stamps:  stamps(script.Actions),
	}
	r.matcher.subst = r.vars.slot
	defer func() {
		if v := recover(); v != nil {
			res.Err = fmt.Errorf("%s: panic during action %d: %v\n%s", r.pos(), r.k, v, debug.Stack())
			res.Passed = false
			if r.net != nil {
				res.Trace = r.net.Trace()
				_ = r.net.Close()
			}
		}
	}()
	host, more, err := scriptHosts(script, opts.Driver == nil && opts.Backend == nil, opts.Options)
	if err != nil {
		res.Err = err
		return res
	}
	r.host = host
	if opts.Driver == nil {
		o := opts.Options
		o.Hosts = append(slices.Clip(o.Hosts), more...)
		r.net = driver.OpenSim(host, o, opts.Backend)
	} else {
		n, err := opts.Driver.Open(host)
		if err != nil {
			res.Err = fmt.Errorf("%s: %w", script.File, err)
			return res
		}
		r.net = n
		if prefix, keep := n.NodePrefix(); prefix != "" {
			res.Prefix = prefix
			r.script = PrefixNodes(script, host, prefix, keep...)
			r.vars.script = r.script
		}
	}
	res.ActionSeq = make([]uint64, 0, len(r.script.Actions))
	if opts.Driver == nil {
		res.Notes = simIgnoredLogin(script)
	}
	for i, a := range r.script.Actions {
		r.k = i + 1
		res.ActionSeq = append(res.ActionSeq, uint64(len(r.net.Trace())))
		ok := r.do(a)
		r.noteFailure()
		if !ok || r.net.Failure() != nil {
			break
		}
	}
	r.finish()
	res.Trace = r.net.Trace()
	if err := r.net.Close(); err != nil && res.Err == nil && res.Failure == nil {
		res.Err = fmt.Errorf("%s: closing: %w", script.File, err)
	}
	if f := r.net.Failure(); f != nil {
		// Whatever the run concluded, it concluded it over a broken
		// transport: not the server's behaviour.
		res.Transport, res.Failure = f, nil
		res.Err = &Error{Pos: r.failedAt, Msg: "transport failure: " + f.Error()}
	}
	res.Passed = res.Err == nil && res.Failure == nil
	return res
}

// noteFailure remembers the action during which a transport failure was
// first seen.
func (r *runner) noteFailure() {
	if r.failedAt.File == "" && r.net.Failure() != nil {
		r.failedAt = r.pos()
	}
}

// simIgnoredLogin notes the connect_host and connect_port of script's
// clients: the simulation has no network addresses, so they only apply
// to a real server.
func simIgnoredLogin(script *Script) []string {
	var notes []string
	for _, c := range script.Clients {
		for _, k := range []string{PropConnectHost, PropConnectPort} {
			if v, ok := c.Prop(k); ok {
				notes = append(notes, fmt.Sprintf("%s: %s's %s %q is ignored: the simulation has no network addresses (it applies with --server)", c.Pos, c.Name, k, v))
			}
		}
	}
	return notes
}

// loginOf is what cl's properties say about logging in.
func loginOf(cl *Client) driver.Login {
	l := driver.Login{}
	l.Password, _ = cl.Prop(PropPassword)
	l.ConnectHost, _ = cl.Prop(PropConnectHost)
	if p, ok := cl.Prop(PropConnectPort); ok {
		l.ConnectPort, _ = strconv.Atoi(p) // checked by Parse
	}
	return l
}

type runner struct {
	script  *Script
	host    string // the first client's domain (the primary virtual host)
	opts    RunOptions
	res     *Result
	net     driver.Network
	clients []*clientState // by index in script.Clients; nil: not connected
	vars    bindings
	matcher *Matcher
	stamps  []int // stamps[i]: the stamp of stanzas arriving during action i+1
	k       int   // the current action number, 1-based
	// failedAt: the position of the action during which the network
	// first reported a transport failure.
	failedAt Pos
	// recvBuf is drain's buffer for endpoints that are
	// driver.AppendTakers.
	recvBuf []sim.Received
}

type clientState struct {
	name string
	ep   driver.Endpoint
	// queue[head:] are the stanzas received and not yet taken, oldest
	// first. Taking advances head; an emptied queue starts again at the
	// front of its array, so a run does not reallocate it per stanza.
	queue  []queued
	head   int
	closed bool // the script disconnected it
	// dropped are the stanzas discarded (§5.2) from the queue, and
	// droppedBy the action that discarded each: the candidates a timeout
	// reports as nearest (explainTimeout).
	dropped   []queued
	droppedBy []int
}

// waiting reports whether a received stanza is queued.
func (st *clientState) waiting() bool { return st.head < len(st.queue) }

// take removes and returns the oldest queued stanza.
func (st *clientState) take() queued {
	q := st.queue[st.head]
	st.queue[st.head] = queued{}
	st.head++
	if st.head == len(st.queue) {
		st.queue, st.head = st.queue[:0], 0
	}
	return q
}

// add queues q, compacting a full array whose front was taken rather
// than growing it.
func (st *clientState) add(q queued) {
	if st.head > 0 && len(st.queue) == cap(st.queue) {
		n := copy(st.queue, st.queue[st.head:])
		clear(st.queue[n:])
		st.queue, st.head = st.queue[:n], 0
	}
	st.queue = append(st.queue, q)
}

type queued struct {
	sim.Received
	stamp int
}

// stamps computes §5.2's stamp for each action: its own number, or for
// a sends the number of the first later action that is not a sends
// (len(actions)+1 when none follows).
func stamps(actions []*Action) []int {
	st := make([]int, len(actions))
	next := len(actions) + 1
	for i := len(actions) - 1; i >= 0; i-- {
		if actions[i].Verb != Sends {
			next = i + 1
		}
		st[i] = next
	}
	return st
}

// scriptHosts returns the domain of the script's first client and, when
// several are allowed (the model's simulation: model.Hosts), the other
// domains its clients use, in order of first use: the simulated server
// serves them all as virtual hosts of one process. A real server's
// driver, or a replaced backend, has the one host.
func scriptHosts(s *Script, several bool, o driver.Options) (string, []string, error) {
	host := ""
	var more []string
	for _, c := range s.Clients {
		d := c.JID().Domain
		switch {
		case d == "":
			return "", nil, &Error{Pos: c.Pos, Msg: fmt.Sprintf("[Client] %s has no valid jid", c.Name)}
		case host == "":
			host = d
		case d == host || slices.Contains(more, d) || slices.Contains(o.Hosts, d):
		case !several:
			return "", nil, &Error{Pos: c.Pos, Msg: fmt.Sprintf("[Client] %s is on %s but an earlier client is on %s: the server under test has one host", c.Name, d, host)}
		default:
			more = append(more, d)
		}
	}
	if len(more) > 0 || len(o.Hosts) > 0 {
		// A domain that is also a host's component (a client at
		// conference.localhost) cannot be a host of its own.
		p := o.ProfileValue()
		if _, err := model.NewHosts(model.Options{Host: host, Profile: &p}, append(slices.Clip(o.Hosts), more...)...); err != nil {
			return "", nil, &Error{Pos: Pos{File: s.File}, Msg: err.Error()}
		}
	}
	return host, more, nil
}

func (r *runner) pos() Pos {
	if r.k >= 1 && r.k <= len(r.script.Actions) {
		return r.script.Actions[r.k-1].Pos
	}
	return Pos{File: r.script.File}
}

func (r *runner) errorf(format string, args ...any) bool {
	r.res.Err = &Error{Pos: r.pos(), Msg: fmt.Sprintf(format, args...)}
	return false
}

func (r *runner) fail(f *Failure) bool {
	a := r.script.Actions[r.k-1]
	f.Pos, f.Action, f.Client = a.Pos, r.k, a.Client
	r.res.Failure = f
	return false
}

// settle runs the simulation until nothing is in flight (on a real
// server: synchronises with it, last first) and queues what arrived.
// It reports false, with the run's error set, when the server could not
// be synchronised.
func (r *runner) settle(last driver.Endpoint) bool {
	err := r.net.Quiesce(last)
	r.drain()
	if err != nil {
		return r.errorf("waiting for the server: %v", err)
	}
	return true
}

// drain moves every client's inbox into its queue, stamped for the
// current action.
func (r *runner) drain() {
	stamp := len(r.script.Actions) + 1
	if r.k >= 1 && r.k <= len(r.stamps) {
		stamp = r.stamps[r.k-1]
	}
	for _, st := range r.clients {
		if st == nil {
			continue
		}
		recs := r.recvBuf[:0]
		if t, ok := st.ep.(driver.AppendTaker); ok {
			recs = t.TakeAppend(recs)
			r.recvBuf = recs
		} else {
			recs = st.ep.TakeAll()
		}
		for _, rec := range recs {
			st.add(queued{Received: rec, stamp: stamp})
		}
		clear(recs)
	}
}

// do runs one action and reports whether the script may go on.
func (r *runner) do(a *Action) bool {
	st := r.state(a.Client)
	if a.Verb == Connects {
		return r.connect(a, st)
	}
	switch {
	case st == nil && a.Verb == Disconnects:
		return r.errorf("%s disconnects but never connected", a.Client)
	case st == nil:
		return r.errorf("%s %s before connecting", a.Client, a.Verb)
	case a.Verb == Disconnects:
		if !st.closed {
			st.closed = true
			if st.ep.Connected() {
				if err := st.ep.Disconnect(); err != nil {
					return r.errorf("%s disconnects: %v", a.Client, err)
				}
			}
			return r.settle(st.ep)
		}
		// A second disconnects is tolerated (§2).
		return true
	case st.closed:
		return r.errorf("%s %s after disconnecting: a disconnected client cannot be used again (§2)", a.Client, a.Verb)
	case a.Verb == Sends:
		return r.send(a, st)
	case a.Nothing:
		return r.receiveNothing(st)
	}
	for _, s := range a.Stanzas {
		c := s.compiledFor(false)
		// Resolve every variable first: one used too early is the
		// script's error, whatever the queue holds.
		for _, v := range c.vars {
			if _, err := r.vars.expand(v); err != nil {
				return r.errorf("%s receives: %v", a.Client, err)
			}
		}
		if !r.receive(st, s, c) {
			return false
		}
	}
	return true
}

// state is the state of the client named name (nil: not connected).
func (r *runner) state(name string) *clientState {
	if i := clientIndex(r.script, name); i >= 0 {
		return r.clients[i]
	}
	return nil
}

func (r *runner) connect(a *Action, st *clientState) bool {
	switch {
	case st != nil && st.closed:
		return r.errorf("%s connects again after disconnecting: reconnecting is not supported (§2)", a.Client)
	case st != nil:
		return r.errorf("%s connects but is already connected", a.Client)
	}
	cl := r.script.Client(a.Client)
	j := cl.JID()
	user := j.Node
	if d := j.Domain; d != r.host {
		// A further virtual host: the simulation binds "node@host".
		user += "@" + d
	}
	ep, err := r.net.Connect(cl.Name, user, cl.Resource(), loginOf(cl))
	if err != nil {
		return r.errorf("%s connects: %v", a.Client, err)
	}
	i := clientIndex(r.script, cl.Name)
	r.clients[i] = &clientState{name: cl.Name, ep: ep}
	r.vars.bind(i, ep.JID())
	return r.settle(ep)
}

func (r *runner) send(a *Action, st *clientState) bool {
	for _, s := range a.Stanzas {
		// Checked before each stanza: the server may end the session
		// in answer to an earlier stanza of the same action.
		if !st.ep.Connected() {
			return r.errorf("%s sends, but %s", a.Client, r.ended(st))
		}
		c := s.compiledFor(true)
		v := c.send
		if len(c.sendVars) > 0 {
			var err error
			if v, err = c.substitute(&r.vars); err != nil {
				return r.errorf("%s sends: %v", a.Client, err)
			}
		}
		var err error
		if vs, ok := st.ep.(valueSender); ok {
			err = vs.SendValue(v)
		} else {
			err = st.ep.Send(v.Element())
		}
		if err != nil {
			return r.errorf("%s sends: %v", a.Client, err)
		}
	}
	// The stanzas of one block are written as a burst: one behind the
	// other, without waiting for the server's answers (scansion's sends
	// waits for nothing), and the server must handle them in order.
	return r.settle(st.ep)
}

// expand returns a detached copy of el with variables substituted; for
// sending, scansion directives are removed as well (§4.4 item 5). Runs
// use the compiled stanza instead; expand serves the reports of a failed
// receives, which show the expected stanza as it was expected.
func (r *runner) expand(el *etree.Element, sending bool) (*etree.Element, error) {
	if !sending && !hasVars(el) {
		// Nothing to substitute and nothing removed: the expected
		// element is only read, so the parsed one serves as it is.
		return el, nil
	}
	cp := el.Copy()
	var walk func(e *etree.Element, scope *nsScope) error
	walk = func(e *etree.Element, scope *nsScope) error {
		scope = scope.push(e)
		attrs := e.Attr[:0]
		for _, a := range e.Attr {
			if _, decl := declPrefix(a); !decl && sending && a.Space != "" && scope.resolve(a.Space) == ScansionNS {
				continue
			}
			v, err := r.vars.expand(a.Value)
			if err != nil {
				return err
			}
			a.Value = v
			attrs = append(attrs, a)
		}
		e.Attr = attrs
		for _, t := range e.Child {
			if c, ok := t.(*etree.Element); ok {
				if err := walk(c, scope); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(cp, expectedRoot); err != nil {
		return nil, err
	}
	return cp, nil
}

// hasVars reports whether an attribute of el or of its descendants holds
// "${".
func hasVars(el *etree.Element) bool {
	for _, a := range el.Attr {
		if strings.Contains(a.Value, "${") {
			return true
		}
	}
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok && hasVars(c) {
			return true
		}
	}
	return false
}

// receive satisfies one expected stanza, s compiled as c, by the rules
// of §5.2. Its variables are resolved (see do).
func (r *runner) receive(st *clientState, s *Stanza, c *compiledStanza) bool {
	left := r.opts.Timeout
	e := c.exp
	for {
		for st.waiting() {
			q := st.take()
			var (
				rn *xnode
				ok bool
			)
			if !q.Value.IsZero() {
				ok = r.matcher.matchesValue(e, q.Value)
			} else {
				rn, ok = r.matcher.matches(e, q.Stanza)
			}
			if ok {
				return true
			}
			if !r.opts.Strict && q.stamp < r.k {
				r.discard(st, q)
				continue
			}
			// The explanation works on the stanza as expected, variables
			// substituted, as the report shows it.
			exp, err := r.expand(s.Elem, false)
			if err != nil {
				return r.errorf("%s receives: %v", st.name, err)
			}
			recv := q.Stanza
			if recv == nil {
				recv = q.Value.Element()
			}
			if rn == nil {
				rn = r.matcher.compiledValue(q.Value)
			}
			mm := r.matcher.mismatch(compileExpected(exp), rn, exp, recv)
			return r.fail(&Failure{
				Message:  fmt.Sprintf("%s received a stanza that does not match: %s", st.name, mm.Error()),
				Expected: mm.Expected,
				Received: mm.Received,
				Path:     mm.Path,
				Diff:     mm.Diff,
			})
		}
		if st.ep.Ended() {
			return r.errorf("%s receives, but %s", st.name, r.ended(st))
		}
		if left <= 0 {
			exp, err := r.expand(s.Elem, false)
			if err != nil {
				return r.errorf("%s receives: %v", st.name, err)
			}
			f := &Failure{
				Message:  fmt.Sprintf("%s received no matching stanza within %v", st.name, r.opts.Timeout),
				Expected: stanza.FromElement(exp).Canonical(),
			}
			r.explainTimeout(st, compileExpected(exp), exp, f)
			return r.fail(f)
		}
		left -= r.net.Wait(st.ep, left)
		r.drain()
	}
}

// receiveNothing checks that no fresh stanza is queued or arrives within
// the grace period (§5.2).
func (r *runner) receiveNothing(st *clientState) bool {
	check := func() bool {
		for st.waiting() {
			q := st.take()
			if !r.opts.Strict && q.stamp < r.k {
				r.discard(st, q)
				continue
			}
			return r.fail(&Failure{
				Message:  fmt.Sprintf("%s received a stanza, expected nothing", st.name),
				Received: q.canonical(),
			})
		}
		return true
	}
	if !check() {
		return false
	}
	if r.opts.Driver != nil {
		// The barrier decides: whatever the server sent st because of
		// the actions so far is in once the pings are answered.
		if !r.settle(st.ep) {
			return false
		}
		if !check() {
			return false
		}
	}
	for left := r.opts.NothingGrace; left > 0; {
		left -= r.net.Wait(st.ep, left)
		r.drain()
		if !check() {
			return false
		}
	}
	return true
}

func (r *runner) discard(st *clientState, q queued) {
	st.dropped = append(st.dropped, q)
	st.droppedBy = append(st.droppedBy, r.k)
	r.res.Discarded = append(r.res.Discarded, Discard{
		Queued: st.export(q),
		Action: r.k,
		Pos:    r.pos(),
	})
}

func (st *clientState) export(q queued) Queued {
	e := Queued{Client: st.name, Value: q.Value, Seq: q.Seq, Stamp: q.stamp}
	if q.Value.IsZero() {
		e.Text = q.canonical()
	}
	return e
}

// canonical is the received stanza's canonical form: the one its trace
// event records, when the endpoint gave its value.
func (q *queued) canonical() string {
	if !q.Value.IsZero() {
		return q.Value.Canonical()
	}
	return stanza.FromElement(q.Stanza).Canonical()
}

// ended says how st's session ended: closed by the server (a stream
// error or its stream close: server behaviour, which a script may
// expect) or, on a real server, lost with the transport (a failure of
// the run, never the server's answer).
func (r *runner) ended(st *clientState) string {
	reason := st.ep.EndReason()
	if strings.HasPrefix(reason, "connection-lost") {
		return "the connection to the server was lost (" + reason + ")"
	}
	return "the server closed its session (" + reason + ")"
}

// finish disconnects every client still connected, lets the network
// settle and lists what is left in the queues.
func (r *runner) finish() {
	r.k = len(r.script.Actions) + 1
	r.res.EndSeq = uint64(len(r.net.Trace()))
	r.noteFailure()
	for _, st := range r.clients {
		if r.net.Failure() != nil {
			break // Close drops the rest: no clean close waits on a broken server
		}
		if st != nil && !st.closed && st.ep.Connected() {
			st.closed = true
			// On the simulation this cannot fail (Connected was true); on
			// a real server a failed close is no concern of the script.
			_ = st.ep.Disconnect()
		}
	}
	_ = r.net.Quiesce(nil)
	r.drain()
	for _, st := range r.clients {
		if st != nil {
			for _, q := range st.queue[st.head:] {
				r.res.Leftover = append(r.res.Leftover, st.export(q))
			}
		}
	}
	slices.SortStableFunc(r.res.Leftover, func(a, b Queued) int { return cmp.Compare(a.Seq, b.Seq) })
}
