package serve

import (
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/scansim/scansim/jid"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// Server is a running `scansim serve`: the listener, the connections and
// the model goroutine.
type Server struct {
	opts    Options
	prof    model.Profile
	profile string   // its name
	hosts   []string // Options.Host, then Options.Hosts
	pw      passwords
	ln      net.Listener
	tlsConf *tls.Config

	ops  chan func()   // work for the model goroutine, in arrival order
	quit chan struct{} // closed by Close
	done chan struct{} // closed when the model goroutine has stopped

	mu     sync.Mutex
	conns  map[*conn]struct{}
	closed bool
	wg     sync.WaitGroup // connection goroutines

	core  core                 // owned by the model goroutine
	clock func() time.Duration // Options.Clock, read by the model goroutine only
}

// Start listens on o.Addr and starts serving.
func Start(o Options) (*Server, error) {
	o.defaults()
	// The host is a domain: prepped as the model preps every JID (so
	// that "Example.COM" serves example.com), and nothing else.
	h, err := jid.Parse(o.Host)
	if err != nil || h.Node != "" || h.Resource != "" {
		return nil, fmt.Errorf("--host %q: not a domain", o.Host)
	}
	o.Host = h.Domain
	hosts := []string{o.Host}
	o.Hosts = slices.Clone(o.Hosts) // prepped below; the caller's slice stays as given
	for i, x := range o.Hosts {
		h, err := jid.Parse(x)
		if err != nil || h.Node != "" || h.Resource != "" {
			return nil, fmt.Errorf("--host %q: not a domain", x)
		}
		o.Hosts[i] = h.Domain
		hosts = append(hosts, h.Domain)
	}
	name := o.Profile
	if name == "" {
		name = driver.DefaultProfile
	}
	prof, err := model.ProfileByName(name)
	if err != nil {
		return nil, err
	}
	if len(o.Hosts) > 0 {
		// The hosts and the components under them must not meet
		// (sim.New relies on it).
		if _, err := model.NewHosts(model.Options{Host: o.Host, Profile: &prof}, o.Hosts...); err != nil {
			return nil, fmt.Errorf("serve: %v", err)
		}
	}
	cert := o.Certificate
	if cert == nil {
		c, err := selfSigned(append(hosts, "localhost", "127.0.0.1", "::1")...)
		if err != nil {
			return nil, fmt.Errorf("serve: self-signed certificate: %w", err)
		}
		cert = &c
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	s := &Server{
		opts:    o,
		prof:    prof,
		profile: name,
		hosts:   hosts,
		ln:      ln,
		tlsConf: &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12},
		ops:     make(chan func(), 1024),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
		conns:   map[*conn]struct{}{},
		clock:   o.Clock,
	}
	if o.Passwords != nil {
		s.pw = passwords{}
		for u, p := range o.Passwords {
			s.pw[u] = p
		}
	}
	s.core.init(s)
	go s.loop()
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr returns the listener's address (the port chosen for ":0").
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host returns the (first) virtual host.
func (s *Server) Host() string { return s.opts.Host }

// Hosts returns every virtual host, Host first.
func (s *Server) Hosts() []string { return append([]string(nil), s.hosts...) }

// servedHost returns the virtual host named domain (case-insensitively,
// as a JID domain compares), or "" when it is none of them.
func (s *Server) servedHost(domain string) string {
	for _, h := range s.hosts {
		if strings.EqualFold(h, domain) {
			return h
		}
	}
	return ""
}

// account is the user name the model binds for node at host: the node
// alone at the first host, "node@host" at another (model.Hosts.Bind).
func (s *Server) account(node, host string) string {
	if host == "" || host == s.opts.Host {
		return node
	}
	return node + "@" + host
}

// ProfileName returns the name of the model profile.
func (s *Server) ProfileName() string { return s.profile }

// Seed returns the simulation seed.
func (s *Server) Seed() uint64 { return s.opts.Seed }

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			s.opts.Logf("accept: %v", err)
			return
		}
		c := newConn(s, nc)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c.serve()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

// loop is the model goroutine: the only one that touches the simulation.
func (s *Server) loop() {
	defer close(s.done)
	for {
		select {
		case op := <-s.ops:
			s.core.tick()
			op()
		case <-s.quit:
			return
		}
	}
}

// errClosed is returned by calls on a closed server.
var errClosed = errors.New("serve: server closed")

// do runs f on the model goroutine and waits for it.
func (s *Server) do(f func()) error {
	ran := make(chan struct{})
	select {
	case s.ops <- func() { f(); close(ran) }:
	case <-s.quit:
		return errClosed
	}
	select {
	case <-ran:
		return nil
	case <-s.done:
		return errClosed
	}
}

// post queues f for the model goroutine without waiting; false once the
// server is closing.
func (s *Server) post(f func()) bool {
	select {
	case s.ops <- f:
		return true
	case <-s.quit:
		return false
	}
}

// Close stops accepting, cuts every connection and stops the model
// goroutine. The trace stays readable (Trace, Script, TraceHTML).
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	err := s.ln.Close()
	for _, c := range conns {
		c.nc.Close()
	}
	// Let the connections' last drops reach the model before it stops,
	// so that the trace ends with every session closed.
	s.wg.Wait()
	close(s.quit)
	<-s.done
	return err
}

// Trace returns the newest events (at most Options.TraceWindow) and how
// many were recorded in all: the whole session is in the recorded script
// (WriteScript), not in memory.
func (s *Server) Trace() ([]sim.TraceEvent, uint64) { return s.window() }
