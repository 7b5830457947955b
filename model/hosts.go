package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
)

// Hosts is several virtual hosts in one server process, as one Prosody
// with several VirtualHost sections. Each host is a Server of its own —
// its accounts, its modules' state, its components (the profile's, named
// under that host) — and the hosts share what one Prosody process
// shares: the session numbering, the clock and the routing of stanzas
// between them.
//
// Routing between hosts is Prosody's core_post_stanza, not s2s: a stanza
// a session on host A addresses to host B (or to a component of B) runs
// A's outbound (pre-) stage, then B's inbound stage at once, with the
// same origin — the sending client's session — so that an error B
// answers goes straight back to that session (origin.send), as it does
// in Prosody (core/stanza_router.lua fires hosts[to_host].events with
// the c2s origin). Blocking therefore applies across hosts exactly as
// within one: the sender's list on A in the outbound stage, the
// recipient's on B in the inbound stage, and a domain item ("b.example")
// matches every JID at that host.
//
// A Hosts with one host behaves as that host's Server: the same
// session ids, the same events.
type Hosts struct {
	servers   []*Server          // Options.Host first, then the others in order
	byDomain  map[string]*Server // each host and each of its components
	bySession map[SessionID]*Server
	nextID    SessionID
	out       []Event // Restart's events of every host
}

// NewHosts creates a server process for opts.Host (default "localhost")
// and the further virtual hosts more, each prepped as a JID domain.
// Every host runs opts.Profile with the same clock, mutants and modules;
// each gets its own share of opts.Storage (the primary host's records
// under their node, as a single Server keeps them; another host's under
// "node@host") and its own random stream: with one host the one a single
// Server draws from opts.Seed, with several opts.Seed mixed with each
// host's domain (the primary's too), so only a one-host Hosts draws as a
// Server does.
func NewHosts(opts Options, more ...string) (*Hosts, error) {
	primary := opts.Host
	if primary == "" {
		primary = "localhost"
	}
	domains := []string{primary}
	for _, d := range more {
		j, err := ParseJID(d)
		if err != nil || j.Node != "" || j.Resource != "" {
			return nil, fmt.Errorf("host %q: not a domain", d)
		}
		domains = append(domains, j.Domain)
	}
	h := &Hosts{byDomain: map[string]*Server{}, bySession: map[SessionID]*Server{}}
	for i, d := range domains {
		o := opts
		o.Host = d
		if len(domains) > 1 {
			// Each host draws from a stream of its own, named by its
			// domain rather than its place in the list: a recording
			// replayed with the hosts in another order (the script's
			// first client decides which is first) draws the same.
			o.Seed = opts.Seed ^ domainSeed(d)
		}
		if i > 0 {
			if opts.Storage != nil {
				o.Storage = hostStorage{inner: opts.Storage, suffix: "@" + d}
			}
		}
		s := New(o)
		s.peers = h
		for _, name := range append([]string{d}, s.componentDomains()...) {
			if _, dup := h.byDomain[name]; dup {
				return nil, fmt.Errorf("host %q: %s is already served", d, name)
			}
			h.byDomain[name] = s
		}
		h.servers = append(h.servers, s)
	}
	return h, nil
}

// Domains returns the virtual hosts, the primary first.
func (h *Hosts) Domains() []string {
	out := make([]string, len(h.servers))
	for i, s := range h.servers {
		out[i] = s.host
	}
	return out
}

// Host returns the Server of virtual host domain (nil: not one of them).
func (h *Hosts) Host(domain string) *Server {
	if s := h.byDomain[domain]; s != nil && s.host == domain {
		return s
	}
	return nil
}

// Bind binds a session for user, which is a node of the primary host
// ("romeo") or a bare JID at any of the hosts ("juliet@b.example"); see
// Server.Bind.
func (h *Hosts) Bind(user, resource string) (SessionID, JID, []Event, error) {
	s := h.servers[0]
	if i := strings.LastIndexByte(user, '@'); i >= 0 {
		j, err := ParseJID(user)
		if err != nil || j.Node == "" || j.Resource != "" {
			return 0, JID{}, nil, fmt.Errorf("bind: invalid username %q", user)
		}
		if s = h.Host(j.Domain); s == nil {
			return 0, JID{}, nil, fmt.Errorf("bind: %s is not a virtual host of this server", j.Domain)
		}
		user = j.Node
	}
	id, j, evs, err := s.Bind(user, resource)
	if err == nil {
		h.bySession[id] = s
		h.forget(evs)
	}
	return id, j, evs, err
}

// Process hands st to the host of session id (Server.Process).
func (h *Hosts) Process(id SessionID, st *etree.Element) []Event {
	return h.forget(h.hostOf(id).Process(id, st))
}

// ProcessValue is Process of v on the host that bound session id
// (Server.ProcessValue).
func (h *Hosts) ProcessValue(id SessionID, v stanza.Stanza) []Event {
	return h.forget(h.hostOf(id).ProcessValue(id, v))
}

// hostOf is the host that bound session id; for a session no host knows,
// the first, which records the no-session drop.
func (h *Hosts) hostOf(id SessionID) *Server {
	if s := h.bySession[id]; s != nil {
		return s
	}
	return h.servers[0]
}

// Close closes session id on its host (Server.Close).
func (h *Hosts) Close(id SessionID, abrupt bool) []Event {
	s := h.bySession[id]
	if s == nil {
		return nil
	}
	return h.forget(s.Close(id, abrupt))
}

// SessionJID returns the full JID bound by session id, if it is bound.
func (h *Hosts) SessionJID(id SessionID) (JID, bool) {
	if s := h.bySession[id]; s != nil {
		return s.SessionJID(id)
	}
	return JID{}, false
}

// Restart restarts every host, in order (Server.Restart): the process
// restarts, not one host.
func (h *Hosts) Restart() []Event {
	h.out = h.out[:0]
	for _, s := range h.servers {
		h.out = append(h.out, s.Restart()...)
	}
	clear(h.bySession)
	return slices.Clip(h.out)
}

// forget drops the sessions that evs closed from the session index, so
// that a long-running process does not keep every session it ever had.
func (h *Hosts) forget(evs []Event) []Event {
	for i := range evs {
		if evs[i].Kind == Closed {
			delete(h.bySession, evs[i].Session)
		}
	}
	return evs
}

// newSessionID numbers a session across every host of s's process.
func (s *Server) newSessionID() SessionID {
	if s.peers != nil {
		s.peers.nextID++
		return s.peers.nextID
	}
	s.nextID++
	return s.nextID
}

// peer returns the other host of this process that serves domain, as
// itself or as one of its components (nil: a remote domain).
func (s *Server) peer(domain string) (*Server, *component) {
	if s.peers == nil {
		return nil, nil
	}
	p := s.peers.byDomain[domain]
	if p == nil || p == s {
		return nil, nil
	}
	return p, p.componentOf(domain)
}

// routePeer runs the inbound stage of e on host p (or its component
// comp): the second half of core_post_stanza when the destination is
// another local host. The events p emits join the list of the call in
// progress on s, in order; p's changed accounts are written to its
// storage at once, as every call of s writes its own.
func (s *Server) routePeer(e *HookEvent, p *Server, comp *component, ti int) {
	pe := p.newEvent(e)
	pe.origin, pe.stanza, pe.kind = e.origin, e.stanza, e.kind
	// The call's event list moves to p for the duration (and back):
	// nested routing back to s moves it again the same way.
	saved := p.out
	p.out = s.out
	switch {
	case comp != nil:
		p.routeComponent(pe, comp)
	case fire(p.pipe.in[ti][pe.kind], pe):
	default:
		p.unhandled(pe)
	}
	s.out = p.out
	p.out = saved
	p.releaseEvent(pe)
	p.persist()
	// p's remembered children belong to this call of s; p's next call
	// starts without them.
	p.memo.Reset()
}

// hostStorage keeps a further host's records in the process's storage
// under "node@host", beside the primary host's plain nodes (a node has no
// '@', so the keys never meet).
type hostStorage struct {
	inner  Storage
	suffix string
}

func (h hostStorage) Get(node string) ([]byte, bool) { return h.inner.Get(node + h.suffix) }
func (h hostStorage) Put(node string, data []byte)   { h.inner.Put(node+h.suffix, data) }

// domainSeed is FNV-1a of domain: a host's share of the seed.
func domainSeed(domain string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(domain); i++ {
		h ^= uint64(domain[i])
		h *= 1099511628211
	}
	return h
}

// TakeDeferred collects the work every host queued since the last call
// (Server.TakeDeferred), host by host: one Process call runs the
// stanza's stages on at most the sender's and the recipient's hosts, and
// only the session's own host queues work for it.
func (h *Hosts) TakeDeferred() []SessionID {
	var ids []SessionID
	for _, s := range h.servers {
		ids = append(ids, s.TakeDeferred()...)
	}
	return ids
}

// RunDeferred runs session id's oldest queued item on the host that
// queued it (Server.RunDeferred).
func (h *Hosts) RunDeferred(id SessionID) []Event {
	for _, s := range h.servers {
		if s.hasDeferred(id) {
			return h.forget(s.RunDeferred(id))
		}
	}
	return nil
}
