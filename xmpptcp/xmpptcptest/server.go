// Package xmpptcptest provides a small in-process XMPP server for tests
// of code that drives a real server over TCP (xmpptcp, the scenarios
// ServerDriver, the commands), in the manner of net/http/httptest; and
// hostile variants of it (Hostile) for the tests that show nothing a
// server does can hang those commands.
//
// The server listens on 127.0.0.1 on a free port and speaks just enough
// XMPP: stream headers, SASL (by default PLAIN for any user but "bad";
// with Options.Accounts, PLAIN, SCRAM-SHA-1 and SCRAM-SHA-256 against
// those passwords), STARTTLS or direct TLS with a self-signed
// certificate for "localhost" (Options.TLS; CAPEM returns it), in-band
// registration (Options.Register), the stream restart, resource binding
// (requested, or generated "genN"), pings to its domain and the legacy
// session iq. Every other stanza is routed like a very small server: its
// "from" is stamped with the sender's full JID, then it is delivered to
// the session bound to its "to" when that is a full JID, and echoed back
// to the sender otherwise. A client's </stream:stream> is answered with
// the server's.
//
// Three top-level elements end the sender's session, as a server may in
// answer to an action: <kill/> with the stream error Prosody sends to
// the sessions of a deleted account (not-authorized, "Account deleted")
// and its stream close, <close/> with a clean stream close, <cut/> by
// cutting the socket without either (a transport failure). When the
// element has an id, an iq result with that id is sent first. After
// <kill/> or <close/> the server reads, and ignores, what the client
// sends until the client closes its stream, as Prosody does.
package xmpptcptest

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/scansim/scansim/internal/scram"
	"github.com/scansim/scansim/internal/xmlstream"
	"github.com/scansim/scansim/stanza"
)

// TLSMode is the server's TLS offer.
type TLSMode uint8

const (
	// NoTLS: plain TCP, no STARTTLS offered.
	NoTLS TLSMode = iota
	// StartTLS: STARTTLS offered (and required when
	// Options.RequireTLS).
	StartTLS
	// DirectTLS: TLS from the first byte.
	DirectTLS
)

// Options configure a server; the zero value is the insecure server of
// NewServer.
type Options struct {
	// Accounts maps users to passwords; nil accepts any user but "bad"
	// with any password (SASL PLAIN only).
	Accounts map[string]string
	// Mechanisms offered, in order; nil: PLAIN, or with Accounts
	// SCRAM-SHA-256, SCRAM-SHA-1 and PLAIN.
	Mechanisms []string
	// TLS offered; RequireTLS makes STARTTLS required.
	TLS        TLSMode
	RequireTLS bool
	// Register offers in-band registration (XEP-0077) before
	// authentication; a registered user joins Accounts.
	Register bool
	// Hostile makes the server misbehave (see Hostile).
	Hostile Hostile
}

// Server is a running fake server.
type Server struct {
	// Domain is the server's domain, "localhost".
	Domain string

	opts     Options
	cert     *tls.Certificate
	certPEM  []byte
	ln       net.Listener
	mu       sync.Mutex
	accounts map[string]string
	sessions map[string]*session // by full JID
	conns    map[net.Conn]bool
	n        int
	handled  atomic.Int64 // top-level elements handled after bind, all sessions
	killed   atomic.Bool
	stalled  atomic.Bool
	wg       sync.WaitGroup
}

type session struct {
	jid string
	wmu sync.Mutex
	nc  net.Conn
}

func (s *session) send(format string, args ...any) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	fmt.Fprintf(s.nc, format, args...)
}

// NewServer starts an insecure server (any user, SASL PLAIN, no TLS);
// Close stops it.
func NewServer() (*Server, error) { return NewServerWith(Options{}) }

// NewServerWith starts a server configured by opts.
func NewServerWith(opts Options) (*Server, error) {
	s := &Server{Domain: "localhost", opts: opts, sessions: make(map[string]*session), conns: map[net.Conn]bool{}}
	if opts.Accounts != nil {
		s.accounts = map[string]string{}
		for u, p := range opts.Accounts {
			s.accounts[u] = p
		}
		if opts.Mechanisms == nil {
			s.opts.Mechanisms = []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"}
		}
	} else if opts.Mechanisms == nil {
		s.opts.Mechanisms = []string{"PLAIN"}
	}
	if opts.TLS != NoTLS {
		cert, pemBytes, err := selfSigned("localhost")
		if err != nil {
			return nil, err
		}
		s.cert, s.certPEM = cert, pemBytes
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.ln = ln
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr returns the server's address, host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// CAPEM returns the server's self-signed certificate in PEM (nil without
// TLS), for a client's CA file.
func (s *Server) CAPEM() []byte { return s.certPEM }

// Close stops listening, cuts every connection and waits for the
// server's goroutines.
func (s *Server) Close() {
	s.kill()
	s.wg.Wait()
}

// kill stops listening and cuts every connection, as a killed server
// process would, without waiting.
func (s *Server) kill() {
	s.killed.Store(true)
	s.ln.Close()
	s.mu.Lock()
	for nc := range s.conns {
		nc.Close()
	}
	s.mu.Unlock()
}

// Handled returns the number of top-level elements the server has
// handled after bind so far (all sessions, pings included): what
// Hostile.After counts.
func (s *Server) Handled() int64 { return s.handled.Load() }

// Sessions returns the full JIDs currently bound, in no order.
func (s *Server) Sessions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for j := range s.sessions {
		out = append(out, j)
	}
	return out
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.killed.Load() {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[nc] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, nc)
				s.mu.Unlock()
				nc.Close()
			}()
			if s.opts.TLS == DirectTLS {
				tc := tls.Server(nc, &tls.Config{Certificates: []tls.Certificate{*s.cert}})
				if tc.Handshake() != nil {
					return
				}
				nc = tc
			}
			s.serve(nc)
		}()
	}
}

const header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='fake' from='%s' version='1.0' xml:lang='en'>"

const nsSASL = "urn:ietf:params:xml:ns:xmpp-sasl"

// features lists what the first stream offers.
func (s *Server) features(secure bool) string {
	var b strings.Builder
	b.WriteString("<stream:features>")
	if s.opts.TLS == StartTLS && !secure {
		b.WriteString("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>")
		if s.opts.RequireTLS {
			b.WriteString("<required/>")
		}
		b.WriteString("</starttls>")
		if s.opts.RequireTLS {
			b.WriteString("</stream:features>")
			return b.String()
		}
	}
	b.WriteString("<mechanisms xmlns='" + nsSASL + "'>")
	for _, m := range s.opts.Mechanisms {
		b.WriteString("<mechanism>" + m + "</mechanism>")
	}
	b.WriteString("</mechanisms>")
	if s.opts.Register {
		b.WriteString("<register xmlns='http://jabber.org/features/iq-register'/>")
	}
	b.WriteString("</stream:features>")
	return b.String()
}

// preAuth runs the first stream up to a successful authentication and
// returns the user, the connection (TLS after STARTTLS) and its reader.
func (s *Server) preAuth(nc net.Conn) (string, net.Conn, *bufio.Reader, bool) {
	br := bufio.NewReader(nc)
	r := &xmlstream.Reader{Dec: xml.NewDecoder(br)}
	ss := &session{nc: nc}
	if !r.Header() {
		return "", nil, nil, false
	}
	ss.send(header, s.Domain)
	if s.opts.Hostile.beforeBind(s, ss) {
		return "", nil, nil, false
	}
	secure := s.opts.TLS == DirectTLS
	ss.send("%s", s.features(secure))
	var sc *scram.Server
	for {
		el := r.Element()
		if el == nil {
			return "", nil, nil, false
		}
		switch el.Tag {
		case "starttls":
			if s.opts.TLS != StartTLS || secure {
				return "", nil, nil, false
			}
			ss.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
			tc := tls.Server(nc, &tls.Config{Certificates: []tls.Certificate{*s.cert}})
			if tc.Handshake() != nil {
				return "", nil, nil, false
			}
			nc, secure = tc, true
			ss.nc = tc
			br = bufio.NewReader(tc)
			r = &xmlstream.Reader{Dec: xml.NewDecoder(br)}
			if !r.Header() {
				return "", nil, nil, false
			}
			ss.send(header, s.Domain)
			ss.send("%s", s.features(true))
		case "iq":
			q := el.SelectElement("query")
			if !s.opts.Register || q == nil {
				return "", nil, nil, false
			}
			u, p := strings.TrimSpace(q.SelectElement("username").NotNil().Text()), q.SelectElement("password").NotNil().Text()
			id := el.SelectAttrValue("id", "")
			s.mu.Lock()
			_, taken := s.accounts[u]
			if !taken && u != "" {
				if s.accounts == nil {
					s.accounts = map[string]string{}
				}
				s.accounts[u] = p
			}
			s.mu.Unlock()
			if taken || u == "" {
				ss.send("<iq type='error' id='%s'><error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>The requested username already exists.</text></error></iq>", id)
				continue
			}
			ss.send("<iq type='result' id='%s'/>", id)
		case "auth":
			mech := el.SelectAttrValue("mechanism", "")
			raw, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(el.Text()))
			if mech == "PLAIN" && s.offers(mech) {
				parts := strings.Split(string(raw), "\x00")
				if len(parts) == 3 && s.check(parts[1], parts[2]) {
					ss.send("<success xmlns='%s'/>", nsSASL)
					return parts[1], nc, br, true
				}
			} else if s.offers(mech) && strings.HasPrefix(mech, "SCRAM-") {
				// A fixed nonce part and salt: these servers are for tests.
				sc = scram.NewServer(mech, s.password, func() string { return "xmpptcptest" }, func() []byte { return []byte("xmpptcptest-salt") })
				if sc != nil {
					if first, _, f := sc.Step(raw); f == nil {
						ss.send("<challenge xmlns='%s'>%s</challenge>", nsSASL, base64.StdEncoding.EncodeToString(first))
						continue
					}
				}
			}
			ss.send("<failure xmlns='%s'><not-authorized/></failure></stream:stream>", nsSASL)
			return "", nil, nil, false
		case "response":
			raw, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(el.Text()))
			if sc != nil {
				if v, done, f := sc.Step(raw); done && f == nil {
					ss.send("<success xmlns='%s'>%s</success>", nsSASL, base64.StdEncoding.EncodeToString(v))
					return sc.User(), nc, br, true
				}
			}
			ss.send("<failure xmlns='%s'><not-authorized/></failure></stream:stream>", nsSASL)
			return "", nil, nil, false
		default:
			return "", nil, nil, false
		}
	}
}

func (s *Server) offers(mech string) bool {
	for _, m := range s.opts.Mechanisms {
		if m == mech {
			return true
		}
	}
	return false
}

// password returns user's password; ok false for an unknown user.
func (s *Server) password(user string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.accounts[user]
	return p, ok
}

// check accepts PLAIN credentials.
func (s *Server) check(user, pass string) bool {
	if user == "" || user == "bad" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts == nil {
		return true // insecure: anything goes
	}
	p, ok := s.accounts[user]
	return ok && p == pass
}

func (s *Server) serve(nc net.Conn) {
	user, nc, br, ok := s.preAuth(nc)
	if !ok {
		return
	}
	ss := &session{nc: nc}
	r := &xmlstream.Reader{Dec: xml.NewDecoder(br)}
	if !r.Header() {
		return
	}
	ss.send(header, s.Domain)
	ss.send("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session></stream:features>")
	bind := r.Element()
	if bind == nil || bind.Tag != "iq" {
		return
	}
	res := ""
	if e := bind.FindElement("bind/resource"); e != nil {
		res = strings.TrimSpace(e.Text())
	}
	s.mu.Lock()
	s.n++
	if res == "" {
		res = fmt.Sprintf("gen%d", s.n)
	}
	ss.jid = strings.ToLower(user) + "@" + s.Domain + "/" + res
	if old := s.sessions[ss.jid]; old != nil {
		old.send("<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>")
		old.nc.Close()
	}
	s.sessions[ss.jid] = ss
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.sessions[ss.jid] == ss {
			delete(s.sessions, ss.jid)
		}
		s.mu.Unlock()
	}()
	ss.send("<iq type='result' id='%s'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>%s</jid></bind></iq>",
		bind.SelectAttrValue("id", ""), ss.jid)
	for {
		el := r.Element()
		if el == nil {
			if r.Closed && !s.stalled.Load() {
				ss.send("</stream:stream>")
			}
			return
		}
		if s.opts.Hostile.afterBind(s, ss, s.handled.Add(1)) {
			return
		}
		if s.stalled.Load() {
			continue // read, never answer
		}
		id := el.SelectAttrValue("id", "")
		to := el.SelectAttrValue("to", "")
		if el.Space == "" && (el.Tag == "kill" || el.Tag == "close" || el.Tag == "cut") {
			if id != "" {
				ss.send("<iq type='result' id='%s' from='%s' to='%s'/>", id, s.Domain, ss.jid)
			}
			switch el.Tag {
			case "cut":
				return
			case "kill":
				ss.send("<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Account deleted</text></stream:error>")
			}
			ss.send("</stream:stream>")
			for r.Element() != nil {
			}
			return
		}
		if el.Tag == "iq" && (el.SelectElement("ping") != nil && to == s.Domain || el.SelectElement("session") != nil) {
			ss.send("<iq type='result' id='%s' from='%s' to='%s'/>", id, s.Domain, ss.jid)
			continue
		}
		el.RemoveAttr("from")
		el.CreateAttr("from", ss.jid)
		out := stanza.FromElement(el).Canonical()
		s.mu.Lock()
		dst := s.sessions[to]
		s.mu.Unlock()
		if dst == nil {
			dst = ss
		}
		dst.send("%s", out)
	}
}
