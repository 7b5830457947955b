package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/stanza"
)

// pcgStream is the PCG increment every simulation uses; only the seed
// varies, so a run is named by its seed alone.
const pcgStream = 0x5ca2_51a1_0c0f_fee5

// Sim is one deterministic simulation: a backend server, virtual clients
// connected to it, a scheduler of in-flight stanzas and the trace. It is
// driven from a single goroutine and never reads the wall clock, the
// global random source or map iteration order, so the same Config and the
// same calls give the same trace, byte for byte.
type Sim struct {
	backend Backend
	// owned: the backend is the model, whose events each own their
	// stanza (model.Event), so deliveries need no aliasing check.
	owned bool
	// deferrer: the backend as a Deferrer (turns.go), nil when it is not.
	deferrer Deferrer
	// byValue: the backend as a ValueBackend, nil when it is not.
	byValue ValueBackend
	// valuesOnly: Config.ValuesOnly (no Received.Stanza).
	valuesOnly bool
	clock      *clock
	rng        *rand.Rand
	maxLat     int64 // Config.MaxLatency in nanoseconds, 0 when not positive

	q       queue
	nextSeq uint64 // insertion sequence for the queue
	// arena builds the stanza values of the trace: every traced stanza
	// is one, so they are cut from shared slabs.
	arena stanza.Arena

	clients  []*Client                   // creation order: the only order ever iterated
	byName   map[string]*Client          // newest client of each name; lookup only
	sessions map[model.SessionID]*Client // lookup only, never iterated

	trace []TraceEvent
	// forgotten counts the events ForgetTrace dropped: Seq goes on.
	forgotten uint64
	// inboxSlab is the room clients' inboxes are cut from (inboxRoom).
	inboxSlab  []Received
	inboxChunk int // the size of its last allocation
}

// New creates a simulation. Without cfg.Backend it builds a model server
// on the simulation's virtual clock.
func New(cfg Config) *Sim {
	start := cfg.Start
	if start.IsZero() {
		start = model.Epoch
	}
	s := &Sim{
		clock:    &clock{start: start},
		rng:      rand.New(rand.NewPCG(cfg.Seed, pcgStream)),
		maxLat:   max(int64(cfg.MaxLatency), 0),
		byName:   make(map[string]*Client),
		sessions: make(map[model.SessionID]*Client),
		// A script's trace is typically 30-70 events (the corpora:
		// median 29, largest 72): one allocation up front instead of six
		// doublings, without zeroing room most runs never use.
		trace:      make([]TraceEvent, 0, 64),
		valuesOnly: cfg.ValuesOnly,
	}
	s.backend = cfg.Backend
	if s.backend == nil {
		host := cfg.Host
		if host == "" {
			host = "localhost"
		}
		mo := model.Options{
			Host:    host,
			Profile: cfg.Profile,
			Clock:   s.clock,
			// A value derived from, not equal to, the seed: the server's
			// generated resources should not mirror the latency draws.
			Seed:    mix64(cfg.Seed),
			Mutants: cfg.Mutants,
			Storage: cfg.Storage,
			Values:  cfg.ValuesOnly,
			// apply handles each call's events at once and keeps
			// none of the lists.
			ReuseEvents: true,
		}
		if len(cfg.Hosts) == 0 {
			s.backend = model.New(mo)
		} else {
			hs, err := model.NewHosts(mo, cfg.Hosts...)
			if err != nil {
				// Config has no error path: a bad host is the caller's
				// to check first (model.NewHosts says what is wrong).
				panic("sim: " + err.Error())
			}
			s.backend = hs
		}
	}
	switch s.backend.(type) {
	case *model.Server, *model.Hosts:
		s.owned = true
	}
	s.deferrer, _ = s.backend.(Deferrer)
	s.byValue, _ = s.backend.(ValueBackend)
	return s
}

// mix64 is SplitMix64's finaliser: a fixed bijection that decorrelates
// the model's seed from the simulation's.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Backend returns the server the simulation drives.
func (s *Sim) Backend() Backend { return s.backend }

// Now returns the current virtual time.
func (s *Sim) Now() time.Time { return s.clock.Now() }

// Trace returns every event recorded so far, in Seq order. The slice
// shares the simulation's storage (so polling it is cheap); treat it as
// read-only. Later events do not show through it.
func (s *Sim) Trace() []TraceEvent { return s.trace[:len(s.trace):len(s.trace)] }

// ForgetTrace drops the events recorded so far, for a consumer that
// has handled them and runs for as long as it likes (scansim serve): the
// trace's memory is then bounded by what one call records. Seq numbering
// continues; Trace returns the events recorded since. The room is
// reused, so a slice Trace returned earlier must not be read after the
// next event is recorded.
func (s *Sim) ForgetTrace() {
	s.forgotten += uint64(len(s.trace))
	clear(s.trace) // let the stanza values go
	s.trace = s.trace[:0]
}

// Clients returns every client created, connected or not, in creation
// order.
func (s *Sim) Clients() []*Client {
	return append([]*Client(nil), s.clients...)
}

// Client returns the most recently created client with the given name, or
// nil.
func (s *Sim) Client(name string) *Client { return s.byName[name] }

// Pending returns the number of items in flight.
func (s *Sim) Pending() int {
	n := 0
	for _, f := range s.q.items {
		if !f.cancelled {
			n++
		}
	}
	return n
}

// Connect authenticates user and binds resource ("" lets the server pick
// one) at the current virtual time, records a TraceConnect and schedules
// whatever the bind produced (for a resource conflict: the older session's
// stream error and close). name identifies the client in the trace and
// must not belong to another connected client.
func (s *Sim) Connect(name, user, resource string) (*Client, error) {
	if name == "" {
		return nil, errors.New("sim: connect: empty client name")
	}
	if old := s.byName[name]; old != nil && old.open {
		return nil, fmt.Errorf("sim: connect: client name %q is in use by %s", name, old.jid)
	}
	id, jid, evs, err := s.backend.Bind(user, resource)
	if err != nil {
		return nil, fmt.Errorf("sim: connect %s as %q: %w", name, user, err)
	}
	if other := s.sessions[id]; other != nil {
		return nil, fmt.Errorf("sim: connect %s: server reused session id %d of %s", name, id, other.name)
	}
	c := &Client{sim: s, name: name, id: id, jid: jid, open: true}
	// Draw the base latencies in a fixed order (up, then down) so that the
	// seed alone decides them.
	c.up.base = s.draw(s.maxLat)
	c.down.base = s.draw(s.maxLat)
	s.clients = append(s.clients, c)
	s.byName[name] = c
	s.sessions[id] = c
	seq := s.record(TraceConnect, c, jid, stanza.Stanza{}, "", 0)
	s.apply(evs, seq, 0)
	return c, nil
}

// draw returns a uniform value in [0, n]; it draws nothing when n is 0, so
// a zero-latency simulation consumes no randomness at all.
func (s *Sim) draw(n int64) int64 {
	if n <= 0 {
		return 0
	}
	if n == math.MaxInt64 {
		return s.rng.Int64()
	}
	return s.rng.Int64N(n + 1)
}

// schedule puts f on link l: it arrives after the link's base latency plus
// a small jitter (up to an eighth of MaxLatency), but never before the item
// ahead of it, which keeps the link FIFO.
func (s *Sim) schedule(l *link, f *flight) {
	at := s.clock.now + l.base + s.draw(s.maxLat/8)
	if at < l.last {
		at = l.last
	}
	l.last = at
	f.at = at
	s.nextSeq++
	f.seq = s.nextSeq
	l.push(f)
	s.q.push(f)
}

// Step processes the next event in the queue, moving the clock to its
// time, and reports whether there was one.
func (s *Sim) Step() bool { return s.stepUntil(math.MaxInt64) }

// RunUntilQuiet processes events until nothing is in flight. The clock
// ends at the time of the last event; it never jumps past what was queued.
func (s *Sim) RunUntilQuiet() {
	for s.Step() {
	}
}

// Advance moves the clock forward by d, processing every event due until
// then, in order. A negative d is treated as zero.
func (s *Sim) Advance(d time.Duration) {
	target := int64(math.MaxInt64)
	if d < 0 {
		d = 0
	}
	if int64(d) <= math.MaxInt64-s.clock.now {
		target = s.clock.now + int64(d)
	}
	for s.stepUntil(target) {
	}
	s.clock.now = target
}

// stepUntil processes the next live event due at or before limit.
func (s *Sim) stepUntil(limit int64) bool {
	for {
		f := s.q.peek()
		if f == nil || f.at > limit {
			return false
		}
		s.q.pop()
		if f.cancelled {
			s.q.release(f)
			continue
		}
		if f.at > s.clock.now {
			s.clock.now = f.at
		}
		s.arrive(f)
		s.q.release(f)
		return true
	}
}

// arrive handles f reaching the far end of its link.
func (s *Sim) arrive(f *flight) {
	c := f.client
	switch f.kind {
	case upStanza:
		c.up.popFront(f)
		if c.srvClosed {
			s.record(TraceDrop, c, c.jid, f.val, ReasonConnectionLost, f.cause)
			return
		}
		if f.st == nil {
			// SendValue to a ValueBackend: the server builds the element.
			s.apply(s.byValue.ProcessValue(c.id, f.val), f.cause, 0)
		} else {
			s.apply(s.backend.Process(c.id, f.st), f.cause, 0)
		}
	case upClose:
		c.up.popFront(f)
		if c.srvClosed {
			return // the server ended the session first; its close is on the way down
		}
		c.srvClosed = true
		c.ended = true
		seq := s.record(TraceDisconnect, c, c.jid, stanza.Stanza{}, ReasonClean, 0)
		s.apply(s.backend.Close(c.id, false), seq, c.id)
	case downStanza:
		c.down.popFront(f)
		if c.ended {
			s.record(TraceDrop, c, c.jid, f.val, ReasonConnectionLost, f.cause)
			return
		}
		seq := s.record(f.traceKind, c, c.jid, f.val, f.reason, f.cause)
		if c.inbox == nil {
			c.inbox = s.inboxRoom()
		}
		c.inbox = append(c.inbox, Received{Seq: seq, At: s.clock.Now(), Stanza: f.st, Value: f.val})
	case serverTurn:
		s.apply(s.deferrer.RunDeferred(f.turn), f.cause, 0)
	case downClose:
		c.down.popFront(f)
		if c.ended {
			return
		}
		c.open = false
		c.ended = true
		s.record(TraceDisconnect, c, c.jid, stanza.Stanza{}, f.reason, f.cause)
	}
}

// apply turns the events of one server call into trace entries and
// flights. cause is the trace Seq of what triggered the call. closing is
// the session the call itself closed (its TraceDisconnect is already
// recorded), so a Closed event for it is not a second ending.
func (s *Sim) apply(evs []model.Event, cause uint64, closing model.SessionID) {
	// vals[j] is the value built for evs[j], for backends that may hand
	// one element to several sessions.
	var vals []stanza.Stanza
	if !s.owned {
		vals = make([]stanza.Stanza, len(evs))
	}
	for i := range evs {
		ev := &evs[i]
		switch ev.Kind {
		case model.Deliver, model.StreamError:
			st, v := ev.Stanza, ev.Value
			// aliased is quadratic in the batch (a fan-out to K sessions
			// is K deliveries), so it runs only for backends that make no
			// ownership promise.
			if v.IsZero() && st != nil && !s.owned {
				if j := aliased(evs[:i], st); j >= 0 {
					// One element handed to two sessions would let one
					// receiver's edits show in another's inbox; the
					// value, immutable, is shared.
					st, v = st.Copy(), vals[j]
				}
			}
			if v.IsZero() {
				v = s.arena.FromElement(st)
			}
			switch {
			case s.valuesOnly:
				st = nil
			case st == nil && !v.IsZero():
				// A backend that emits values, for a consumer that
				// wants elements.
				st = v.Element()
			}
			if vals != nil {
				vals[i] = v
			}
			c := s.sessions[ev.Session]
			if c == nil {
				s.record(TraceDrop, nil, ev.To, v, ReasonUnknownSession, cause)
				continue
			}
			f := s.q.alloc()
			f.kind = downStanza
			f.client = c
			f.st = st
			f.val = v
			f.traceKind = deliveryKind(ev)
			if ev.Kind == model.Deliver {
				f.reason = ev.Reason
			}
			f.cause = cause
			s.schedule(&c.down, f)
		case model.Drop:
			s.record(TraceDrop, nil, ev.To, s.valueOf(ev), ev.Reason, cause)
		case model.Store:
			s.record(TraceStore, nil, ev.To, s.valueOf(ev), ev.Reason, cause)
		case model.Closed:
			if ev.Session == closing {
				continue
			}
			c := s.sessions[ev.Session]
			if c == nil || c.srvClosed {
				continue
			}
			c.srvClosed = true
			f := s.q.alloc()
			f.kind = downClose
			f.client = c
			f.reason = ev.Reason
			if f.reason == "" {
				f.reason = ReasonClosedByServer
			}
			f.cause = cause
			s.schedule(&c.down, f)
		}
	}
	s.scheduleTurns(cause)
}

// inboxRoom returns an empty inbox with room for two stanzas, cut from a
// slab shared by every client: a client reads its inbox after every one
// or two arrivals (TakeAll hands the slice over), and growing a fresh
// one from nothing each time cost about a fourteenth of a replay's
// allocations. An inbox that outgrows its room is copied as usual.
// Slabs double from 16 entries up to 64, so that a short simulation does
// not zero room it never uses.
func (s *Sim) inboxRoom() []Received {
	const room = 2
	if len(s.inboxSlab) < room {
		s.inboxChunk = min(max(2*s.inboxChunk, 8*room), 32*room)
		s.inboxSlab = make([]Received, s.inboxChunk)
	}
	r := s.inboxSlab[:0:room]
	s.inboxSlab = s.inboxSlab[room:]
	return r
}

// valueOf is ev's stanza as a value: the one the backend gave, or one
// built from its element.
func (s *Sim) valueOf(ev *model.Event) stanza.Stanza {
	if !ev.Value.IsZero() {
		return ev.Value
	}
	return s.arena.FromElement(ev.Stanza)
}

func deliveryKind(ev *model.Event) TraceKind {
	if ev.Kind == model.StreamError {
		return TraceStreamError
	}
	switch ev.Reason {
	case "error":
		return TraceError
	case "offline":
		return TraceFlush
	}
	return TraceDeliver
}

// aliased returns the index of an earlier delivery in evs of st, or -1.
// Batches are small (one call's fan-out), so a scan beats a set.
func aliased(evs []model.Event, st *etree.Element) int {
	for i := range evs {
		if evs[i].Stanza == st && (evs[i].Kind == model.Deliver || evs[i].Kind == model.StreamError) {
			return i
		}
	}
	return -1
}
