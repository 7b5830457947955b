package scenarios

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/jid"
	"github.com/scansim/scansim/sim"
)

// TraceOptions configure FromTrace.
type TraceOptions struct {
	// Title becomes the script's title line.
	Title string
	// Clients are definitions to reuse, matched by name: typically the
	// Clients of the script whose run produced the trace, so that
	// requested resources and other properties carry over.
	Clients []*Client
	// KeepResources keeps the bound resource in the jid of clients not in
	// Clients. By default it is dropped: a trace cannot tell a requested
	// resource from one the server generated, and a generated one must not
	// appear literally (it is reached through ${Name's full JID}).
	KeepResources bool
	// Props, when set, gives further properties for the character of a
	// session not in Clients (e is its TraceConnect), after jid and
	// password: a recorder that knows which resource a session asked
	// for says so.
	Props func(e *sim.TraceEvent) []Property
	// Volatile, when set, is called on each received stanza after the
	// JIDs were generalized: it may loosen values a replay cannot
	// reproduce (an attribute to {scansion:any}, an element's text to
	// none, which matches any text), as the delay stamps are loosened.
	Volatile func(el *etree.Element)
}

// FromTrace builds a script from a simulation trace, in the manner of
// mod_scansion_record (§8): one [Client] per session (a name reused for a
// later session becomes "Name (2)", as a character cannot reconnect),
// then "connects" at each TraceConnect, "sends" at each TraceSend,
// "receives" at each delivery (TraceDeliver, TraceError, TraceFlush) with
// a "to" equal to the receiver's own full JID left out, and "disconnects"
// at each clean TraceDisconnect. A session the server or the transport
// ended becomes a comment. Server-side events (drops, stores) are left
// out.
//
// Attribute values equal to a client's bound full JID become ${Name's
// full JID} (once that client has connected), and values equal to a
// client's bare JID become ${Name's JID} (the first client of that
// account), so the script does not depend on generated resources. The
// stamp of a received <delay/> becomes {scansion:any}, as Prosody's
// hand-edited recordings have it: it depends on virtual time, which
// waits that leave no trace (receives: nothing, timeouts) advance.
//
// Stanzas sent in the same instant by different clients appear in trace
// order, which with latency need not be the order the server processed
// them in; replaying such a script runs them one at a time. A send the
// trace marks pipelined (sim.ReasonPipelined: written before the
// server answered the one before) right after a send of the same client
// joins that sends block, which Run writes as one burst.
func FromTrace(events []sim.TraceEvent, opts TraceOptions) (*Script, error) {
	r := NewRecorder(opts)
	// Every session's character first, so that a bare JID names its
	// account's first character even before that one connects.
	for i := range events {
		if events[i].Kind == sim.TraceConnect {
			r.declare(&events[i])
		}
	}
	actions, err := r.Add(events)
	if err != nil {
		return nil, err
	}
	s := r.Script()
	s.Actions = actions
	return s, nil
}

// Recorder is FromTrace for a trace that arrives in parts and is never
// held whole (scansim serve streams its recording): Add turns each part
// into actions, in order, keeping only what later parts need — one
// character per session and the JIDs that name them, not the events.
// One difference from FromTrace: a bare JID becomes ${Name's JID} only
// once that account's first character has connected (a later part cannot
// reach back), so a stanza to an account before its first session stays
// literal; both forms replay the same.
type Recorder struct {
	s       *Script // title, clients and trailer; no actions
	reuse   map[string]*Client
	current map[string]*recSession // trace name -> its latest session
	count   map[string]int
	bySeq   map[uint64]*recSession // TraceConnect Seq -> session
	bare    map[string]string      // bare JID -> the first character of that account
	full    map[string]string      // bound full JID -> character, once connected
	owner   map[string]jid.JID
	pending []string // comments for the next action
	keep    bool     // TraceOptions.KeepResources
	props   func(e *sim.TraceEvent) []Property
	vol     func(el *etree.Element)
}

type recSession struct{ name, trace string }

// NewRecorder starts an empty recording.
func NewRecorder(opts TraceOptions) *Recorder {
	r := &Recorder{
		s:       &Script{Title: opts.Title},
		reuse:   make(map[string]*Client),
		current: make(map[string]*recSession),
		count:   make(map[string]int),
		bySeq:   make(map[uint64]*recSession),
		bare:    make(map[string]string),
		full:    make(map[string]string),
		owner:   make(map[string]jid.JID),
		keep:    opts.KeepResources,
		props:   opts.Props,
		vol:     opts.Volatile,
	}
	for _, c := range opts.Clients {
		r.reuse[c.Name] = c
	}
	return r
}

// declare makes the character of the session a TraceConnect opens
// (once per Seq).
func (r *Recorder) declare(e *sim.TraceEvent) *recSession {
	if ss := r.bySeq[e.Seq]; ss != nil {
		return ss
	}
	r.count[e.Client]++
	name := e.Client
	if r.count[e.Client] > 1 {
		name = fmt.Sprintf("%s (%d)", e.Client, r.count[e.Client])
	}
	ss := &recSession{name: name, trace: e.Client}
	r.bySeq[e.Seq] = ss
	c := &Client{Name: name}
	if def := r.reuse[name]; def != nil {
		c.Props = append([]Property(nil), def.Props...)
	} else {
		jid := e.JID.Bare()
		if r.keep {
			jid = e.JID
		}
		c.Props = []Property{{Key: PropJID, Value: jid.String()}, {Key: PropPassword, Value: "password"}}
		if r.props != nil {
			c.Props = append(c.Props, r.props(e)...)
		}
	}
	r.s.Clients = append(r.s.Clients, c)
	if b := c.JID().Bare().String(); r.bare[b] == "" {
		r.bare[b] = c.Name
	}
	return ss
}

// Add turns the next events of the trace (in Seq order, after those of
// earlier calls) into actions.
func (r *Recorder) Add(events []sim.TraceEvent) ([]*Action, error) {
	var (
		errs    ErrorList
		actions []*Action
	)
	add := func(a *Action) {
		a.Comments, r.pending = r.pending, nil
		actions = append(actions, a)
	}
	for i := range events {
		e := &events[i]
		var ss *recSession
		if e.Kind == sim.TraceConnect {
			ss = r.declare(e)
			r.current[e.Client] = ss
		} else if e.Client != "" {
			ss = r.current[e.Client]
		}
		if ss == nil {
			continue
		}
		switch e.Kind {
		case sim.TraceConnect:
			r.full[e.JID.String()] = ss.name
			r.owner[ss.name] = e.JID
			add(&Action{Client: ss.name, Verb: Connects})
		case sim.TraceSend, sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
			verb, kind := Receives, blockReceives
			if e.Kind == sim.TraceSend {
				verb, kind = Sends, blockSends
			}
			el, err := traceStanza(e.Canonical(), kind)
			if err != nil {
				errs.Addf(Pos{}, "trace event %d: %v", e.Seq, err)
				continue
			}
			if verb == Receives {
				if to := el.SelectAttr("to"); to != nil && to.Value == r.owner[ss.name].String() {
					el.RemoveAttr("to")
				}
			}
			r.s.Warnings = append(r.s.Warnings, generalize(el, verb == Receives, r.full, r.bare, e.Seq)...)
			if verb == Receives && r.vol != nil {
				r.vol(el)
			}
			st := &Stanza{Elem: el, Raw: e.Canonical()}
			if n := len(actions); verb == Sends && e.Reason == sim.ReasonPipelined && n > 0 &&
				actions[n-1].Client == ss.name && actions[n-1].Verb == Sends && len(r.pending) == 0 {
				// written behind the last stanza before the server
				// answered it: one sends block, which the runner
				// writes as a burst (within one Add: a part already
				// handed out stays as it is)
				actions[n-1].Stanzas = append(actions[n-1].Stanzas, st)
				continue
			}
			add(&Action{Client: ss.name, Verb: verb, Stanzas: []*Stanza{st}})
		case sim.TraceDisconnect:
			if e.Reason == sim.ReasonClean {
				add(&Action{Client: ss.name, Verb: Disconnects})
			} else {
				r.pending = append(r.pending, fmt.Sprintf("# %s: session ended (%s)", ss.name, e.Reason))
			}
		case sim.TraceStreamError:
			r.pending = append(r.pending, fmt.Sprintf("# %s received a stream error: %s", ss.name, oneLine.Replace(e.Canonical())))
		}
	}
	if len(errs) > 0 {
		return actions, errs
	}
	return actions, nil
}

// Script returns the recording's script without its actions: the title,
// one client per session so far, the warnings, and as its Trailer the
// comments no action has taken yet. The caller may set its Description
// and Tags; later calls of Add keep adding to the same clients.
func (r *Recorder) Script() *Script {
	r.s.Trailer = r.pending
	return r.s
}

// traceStanza parses a canonical stanza from a trace as a block of kind.
func traceStanza(canon string, kind blockKind) (*etree.Element, error) {
	var errs, warns ErrorList
	p := blockParser{errs: &errs, warns: &warns, base: Pos{Line: 1}, kind: kind, data: true}
	sts := p.parse(canon)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if len(sts) != 1 {
		return nil, fmt.Errorf("expected one stanza, found %d in %q", len(sts), canon)
	}
	return sts[0].Elem, nil
}

// generalize replaces attribute values that are a known full or bare
// JID by variables and, in received stanzas, delay stamps by
// {scansion:any}; it warns about values a script cannot express.
func generalize(el *etree.Element, received bool, full, bare map[string]string, seq uint64) ErrorList {
	var warns ErrorList
	var walk func(e *etree.Element, scope *nsScope)
	walk = func(e *etree.Element, scope *nsScope) {
		scope = scope.push(e)
		stamped := received && delayNS[scope.resolve(e.Space)]
		for i := range e.Attr {
			a := &e.Attr[i]
			if name := full[a.Value]; name != "" {
				a.Value = varRef{Client: name, Full: true}.String()
			} else if name := bare[a.Value]; name != "" {
				a.Value = varRef{Client: name}.String()
			} else if stamped && a.Space == "" && a.Key == "stamp" {
				a.Value = directiveAny
			} else if strings.Contains(a.Value, "${") || strings.HasPrefix(a.Value, "{scansion:") {
				warns.Addf(Pos{}, "trace event %d: attribute %s=%q would be read as a variable or directive", seq, a.FullKey(), a.Value)
			}
		}
		for _, c := range e.ChildElements() {
			walk(c, scope)
		}
	}
	walk(el, receivedRoot)
	return warns
}

// delayNS are the namespaces of delayed-delivery stamps (XEP-0203 and
// the legacy XEP-0091). A stamp records when the server stored a
// stanza, which depends on waits a recording does not contain (a
// receives: nothing, a timeout), so FromTrace does not write it out.
var delayNS = map[string]bool{"urn:xmpp:delay": true, "jabber:x:delay": true}

var oneLine = strings.NewReplacer("\n", "&#10;", "\r", "&#13;")
