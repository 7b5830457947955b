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
	s := &Script{Title: opts.Title}
	reuse := make(map[string]*Client)
	for _, c := range opts.Clients {
		reuse[c.Name] = c
	}
	// First pass: one character per session, keyed by the session's
	// trace name and full JID.
	type session struct{ name, trace string }
	current := make(map[string]*session) // trace name -> its latest session
	count := make(map[string]int)
	bySeq := make(map[uint64]*session) // TraceConnect Seq -> session
	for i := range events {
		e := &events[i]
		if e.Kind != sim.TraceConnect {
			continue
		}
		count[e.Client]++
		name := e.Client
		if count[e.Client] > 1 {
			name = fmt.Sprintf("%s (%d)", e.Client, count[e.Client])
		}
		ss := &session{name: name, trace: e.Client}
		bySeq[e.Seq] = ss
		c := &Client{Name: name}
		if def := reuse[name]; def != nil {
			c.Props = append([]Property(nil), def.Props...)
		} else {
			jid := e.JID.Bare()
			if opts.KeepResources {
				jid = e.JID
			}
			c.Props = []Property{{Key: PropJID, Value: jid.String()}, {Key: PropPassword, Value: "password"}}
		}
		s.Clients = append(s.Clients, c)
	}
	// Bare JID -> the first character of that account.
	bare := make(map[string]string)
	for _, c := range s.Clients {
		if b := c.JID().Bare().String(); bare[b] == "" {
			bare[b] = c.Name
		}
	}
	full := make(map[string]string) // bound full JID -> character, once connected
	owner := make(map[string]jid.JID)
	var (
		errs    ErrorList
		pending []string // comments for the next action
	)
	add := func(a *Action) {
		a.Comments, pending = pending, nil
		s.Actions = append(s.Actions, a)
	}
	for i := range events {
		e := &events[i]
		var ss *session
		if e.Kind == sim.TraceConnect {
			ss = bySeq[e.Seq]
			current[e.Client] = ss
		} else if e.Client != "" {
			ss = current[e.Client]
		}
		if ss == nil {
			continue
		}
		switch e.Kind {
		case sim.TraceConnect:
			full[e.JID.String()] = ss.name
			owner[ss.name] = e.JID
			add(&Action{Client: ss.name, Verb: Connects})
		case sim.TraceSend, sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
			verb, kind := Receives, blockReceives
			if e.Kind == sim.TraceSend {
				verb, kind = Sends, blockSends
			}
			el, err := traceStanza(e.Stanza, kind)
			if err != nil {
				errs.Addf(Pos{}, "trace event %d: %v", e.Seq, err)
				continue
			}
			if verb == Receives {
				if to := el.SelectAttr("to"); to != nil && to.Value == owner[ss.name].String() {
					el.RemoveAttr("to")
				}
			}
			s.Warnings = append(s.Warnings, generalize(el, verb == Receives, full, bare, e.Seq)...)
			st := &Stanza{Elem: el, Raw: e.Stanza}
			if n := len(s.Actions); verb == Sends && e.Reason == sim.ReasonPipelined && n > 0 &&
				s.Actions[n-1].Client == ss.name && s.Actions[n-1].Verb == Sends && len(pending) == 0 {
				// written behind the last stanza before the server
				// answered it: one sends block, which the runner
				// writes as a burst
				s.Actions[n-1].Stanzas = append(s.Actions[n-1].Stanzas, st)
				continue
			}
			add(&Action{Client: ss.name, Verb: verb, Stanzas: []*Stanza{st}})
		case sim.TraceDisconnect:
			if e.Reason == sim.ReasonClean {
				add(&Action{Client: ss.name, Verb: Disconnects})
			} else {
				pending = append(pending, fmt.Sprintf("# %s: session ended (%s)", ss.name, e.Reason))
			}
		case sim.TraceStreamError:
			pending = append(pending, fmt.Sprintf("# %s received a stream error: %s", ss.name, oneLine.Replace(e.Stanza)))
		}
	}
	s.Trailer = pending
	if len(errs) > 0 {
		return nil, errs
	}
	return s, nil
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
