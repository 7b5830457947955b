// Package xmpptcptest provides a small in-process XMPP server for tests
// of code that drives a real server over TCP (xmpptcp, the scenarios
// ServerDriver), in the manner of net/http/httptest.
//
// The server listens on 127.0.0.1 on a free port and speaks just enough
// XMPP: stream headers, SASL PLAIN for any user but "bad" (no TLS), the
// stream restart, resource binding (requested, or generated "genN"),
// pings to its domain and the legacy session iq. Every other stanza is
// routed like a very small server: its "from" is stamped with the
// sender's full JID, then it is delivered to the session bound to its
// "to" when that is a full JID, and echoed back to the sender otherwise.
// A client's </stream:stream> is answered with the server's.
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
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/scansim/scansim/stanza"
	"github.com/scansim/scansim/xmpptcp/internal/xmlstream"
)

// Server is a running fake server.
type Server struct {
	// Domain is the server's domain, "localhost".
	Domain string

	ln       net.Listener
	mu       sync.Mutex
	sessions map[string]*session // by full JID
	n        int
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

// NewServer starts a server; Close stops it.
func NewServer() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Domain: "localhost", ln: ln, sessions: make(map[string]*session)}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr returns the server's address, host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops listening, cuts every connection and waits for the
// server's goroutines.
func (s *Server) Close() {
	s.ln.Close()
	s.mu.Lock()
	for _, ss := range s.sessions {
		ss.nc.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

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
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer nc.Close()
			s.serve(nc)
		}()
	}
}

const header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='fake' from='%s' version='1.0' xml:lang='en'>"

func (s *Server) serve(nc net.Conn) {
	br := bufio.NewReader(nc)
	r := &xmlstream.Reader{Dec: xml.NewDecoder(br)}
	ss := &session{nc: nc}
	if !r.Header() {
		return
	}
	ss.send(header, s.Domain)
	ss.send("<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>")
	auth := r.Element()
	if auth == nil || auth.Tag != "auth" {
		return
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(auth.Text()))
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[1] == "" || parts[1] == "bad" {
		ss.send("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure></stream:stream>")
		return
	}
	user := parts[1]
	ss.send("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
	r = &xmlstream.Reader{Dec: xml.NewDecoder(br)}
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
			if r.Closed {
				ss.send("</stream:stream>")
			}
			return
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
