package serve

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// core is the state only the model goroutine touches: the simulation and
// which bound session belongs to which connection.
type core struct {
	srv     *Server
	sim     *sim.Sim
	seen    int           // events of the simulation's trace already handed out
	elapsed time.Duration // the virtual clock's advance so far (tick)
	rec     recording

	byName map[string]*binding // the live binding of each client name
	dirty  []*binding
	named  map[string]int // sessions named after each account so far
}

// maxControlInbox bounds what a control session keeps between two
// calls that read it.
const maxControlInbox = 10000

// binding is one bound session: a network connection's, or a control
// session's (conn nil), whose received stanzas are kept in got.
type binding struct {
	name      string
	user      string
	requested string // the resource the client asked for ("" generated)
	connSeq   uint64 // Seq of its TraceConnect
	c         *sim.Client
	conn      *conn
	got       []sim.Received
	dirty     bool
	over      bool
}

func (k *core) init(s *Server) {
	k.srv = s
	prof := s.prof
	k.sim = sim.New(sim.Config{
		Seed:    s.opts.Seed,
		Start:   s.opts.Start,
		Profile: &prof,
		Host:    s.opts.Host,
		Hosts:   s.opts.Hosts,
		// What survives a restart (Control.Restart), as Prosody's
		// storage survives its process.
		Storage: &model.MemStorage{},
	})
	k.byName = map[string]*binding{}
	k.rec.init(s.opts.TraceWindow, s.opts.SpoolDir)
	k.named = map[string]int{}
}

// clientName names a session in the trace and the recorded script after
// its account ("romeo" is Romeo), the account's later sessions numbered
// ("Romeo 2", "Romeo 3"): a script's character cannot reconnect, and a
// name never reused makes the recorded script's names the trace's, so
// that its replay gives the very same trace.
func (k *core) clientName(user string) string {
	base := user
	if r, n := utf8.DecodeRuneInString(user); r != utf8.RuneError {
		base = string(unicode.ToUpper(r)) + user[n:]
	}
	// A script's client name ends at the verb; keep it one plain word.
	base = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == ':' || r == '\'' || r == '[' || r == ']' || r == '#' {
			return '_'
		}
		return r
	}, base)
	k.named[base]++
	name := base
	if n := k.named[base]; n > 1 {
		name = fmt.Sprintf("%s %d", base, n)
	}
	// Unique: a base has no space (a node has none, and the mapping
	// above keeps it so), a numbered name has one, and each base counts
	// its own.
	return name
}

// bind opens a session for user (a node of the first host, or
// "node@host": Server.account) with resource ("" lets the model pick).
func (k *core) bind(user, resource string, cn *conn) (*binding, error) {
	node, _, _ := strings.Cut(user, "@")
	name := k.clientName(node)
	c, err := k.sim.Connect(name, user, resource)
	if err != nil {
		return nil, err
	}
	b := &binding{name: name, user: user, requested: resource, c: c, conn: cn}
	tr := k.sim.Trace()
	for i := len(tr) - 1; i >= 0; i-- {
		if tr[i].Kind == sim.TraceConnect && tr[i].Client == name {
			b.connSeq = tr[i].Seq
			break
		}
	}
	k.byName[name] = b
	if resource != "" {
		// What the recorded script must request too.
		k.rec.requested[b.connSeq] = resource
	}
	if cn != nil {
		// The bind result goes out before anything the bind produced.
		cn.enqueueBound(b)
	}
	k.settle()
	return b, nil
}

// send hands a client's stanza to the model and runs it to completion.
func (k *core) send(b *binding, st *etree.Element) error {
	if b.over || !b.c.Connected() {
		return fmt.Errorf("session %s is closed", b.c.JID())
	}
	err := b.c.Send(st)
	k.settle()
	return err
}

// disconnect closes b's stream cleanly (the client sent </stream:stream>).
func (k *core) disconnect(b *binding) {
	if !b.over && b.c.Connected() {
		b.c.Disconnect()
	}
	k.settle()
}

// drop ends b's session as a cut transport does.
func (k *core) drop(b *binding) {
	if !b.over && !b.c.Ended() {
		b.c.Drop()
	}
	k.settle()
}

// settle runs the simulation until it is quiet, then hands every new
// delivery to its connection (or control session) and ends the
// connections whose sessions ended.
func (k *core) settle() {
	k.sim.RunUntilQuiet()
	tr := k.sim.Trace()
	for ; k.seen < len(tr); k.seen++ {
		e := &tr[k.seen]
		switch e.Kind {
		case sim.TraceDeliver, sim.TraceError, sim.TraceFlush, sim.TraceStreamError, sim.TraceDisconnect:
			if b := k.byName[e.Client]; b != nil && !b.dirty {
				b.dirty = true
				k.dirty = append(k.dirty, b)
			}
		}
	}
	for _, b := range k.dirty {
		b.dirty = false
		for _, rec := range b.c.TakeAll() {
			if b.conn != nil {
				b.conn.enqueue(rec.Value.Canonical())
			} else {
				if len(b.got) >= maxControlInbox {
					// A control session nobody reads (a long-lived "act
					// as" user) keeps only its newest stanzas.
					b.got = append(b.got[:0], b.got[len(b.got)/2:]...)
				}
				b.got = append(b.got, rec)
			}
		}
		if b.c.Ended() && !b.over {
			b.over = true
			if k.byName[b.name] == b {
				delete(k.byName, b.name)
			}
			if b.conn != nil {
				b.conn.finish(endReason(tr, b))
			}
		}
	}
	k.dirty = k.dirty[:0]
	// The events go to the recording and leave the simulation: serve's
	// memory does not grow with the length of the session.
	k.rec.add(tr, k.srv.opts.TraceWindow)
	k.sim.ForgetTrace()
	k.seen = 0
}

// endReason is the reason of b's TraceDisconnect.
func endReason(tr []sim.TraceEvent, b *binding) string {
	for i := len(tr) - 1; i >= 0 && tr[i].Seq > b.connSeq; i-- {
		if tr[i].Kind == sim.TraceDisconnect && tr[i].Client == b.name {
			return tr[i].Reason
		}
	}
	return sim.ReasonClosedByServer
}

// find returns the live binding whose full JID is j, or, for a bare JID,
// every live binding of that account, in connect order.
func (k *core) find(j model.JID) []*binding {
	var out []*binding
	for _, b := range k.live() {
		bj := b.c.JID()
		if bj == j || (j.Resource == "" && bj.Bare() == j) {
			out = append(out, b)
		}
	}
	return out
}

// live returns the live bindings in connect order: the map's order must
// not reach the trace.
func (k *core) live() []*binding {
	out := make([]*binding, 0, len(k.byName))
	for _, b := range k.byName {
		out = append(out, b)
	}
	slices.SortFunc(out, func(x, y *binding) int { return cmp.Compare(x.connSeq, y.connSeq) })
	return out
}
