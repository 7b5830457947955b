package xmpptcp

import (
	"bufio"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scansim/scansim/internal/xmlstream"
	"github.com/scansim/scansim/stanza"
)

// fakeServer is a small in-process XMPP server speaking just enough of
// the protocol to test the client: stream headers, SASL PLAIN (user
// "bad" fails), restart, bind (resource "taken" fails; "" gets a
// generated one), the session iq, pings to the domain, and a few
// commands carried in message bodies:
//
//	echo   the message comes back with from = the sender's full JID
//	kill   a conflict stream error, then the server closes the stream
//	cut    the server closes the socket without closing the stream
//	burst  ten messages come back, numbered 1..10
type fakeServer struct {
	t  *testing.T
	ln net.Listener
	// silent: pings are never answered; noClose: the client's
	// </stream:stream> is never answered; noFeatures: no PLAIN.
	silent, noClose, noPlain bool
	headerDelay              time.Duration

	mu       sync.Mutex
	sessions []string // full JIDs bound, in order
	closed   []string // how each session ended: "clean", "eof"
	received []string // canonical stanzas received after bind (pings excluded)
	wg       sync.WaitGroup
}

func newFakeServer(t *testing.T, configure func(*fakeServer)) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeServer{t: t, ln: ln}
	if configure != nil {
		configure(s)
	}
	go s.accept()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *fakeServer) addr() string { return s.ln.Addr().String() }

func (s *fakeServer) config(user, resource string) Config {
	return Config{Addr: s.addr(), User: user, Resource: resource, Timeout: 2 * time.Second}
}

func (s *fakeServer) accept() {
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

func (s *fakeServer) log(list *[]string, v string) {
	s.mu.Lock()
	*list = append(*list, v)
	s.mu.Unlock()
}

func (s *fakeServer) snapshot(list *[]string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), *list...)
}

type fakeStream struct {
	nc net.Conn
	xmlstream.Reader
}

func (f *fakeStream) send(format string, args ...any) {
	fmt.Fprintf(f.nc, format, args...)
}

const fakeHeader = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='localhost' version='1.0' xml:lang='en'>"

func (s *fakeServer) serve(nc net.Conn) {
	br := bufio.NewReader(nc)
	f := &fakeStream{nc: nc, Reader: xmlstream.Reader{Dec: xml.NewDecoder(br)}}
	if !f.Header() {
		return
	}
	time.Sleep(s.headerDelay)
	f.send(fakeHeader)
	if s.noPlain {
		f.send("<stream:features><mechanisms xmlns='%s'><mechanism>X-OAUTH2</mechanism></mechanisms></stream:features>", NSSASL)
	} else {
		f.send("<stream:features><mechanisms xmlns='%s'><mechanism>PLAIN</mechanism></mechanisms></stream:features>", NSSASL)
	}
	auth := f.Element()
	if auth == nil || auth.Tag != "auth" {
		return
	}
	raw, _ := base64.StdEncoding.DecodeString(auth.Text())
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[1] == "bad" {
		f.send("<failure xmlns='%s'><not-authorized/><text>go away</text></failure>", NSSASL)
		f.send("</stream:stream>")
		return
	}
	user := parts[1]
	f.send("<success xmlns='%s'/>", NSSASL)
	f.Reader = xmlstream.Reader{Dec: xml.NewDecoder(br)}
	if !f.Header() {
		return
	}
	f.send(fakeHeader)
	f.send("<stream:features><bind xmlns='%s'/><session xmlns='%s'><optional/></session></stream:features>", NSBind, NSSession)
	bind := f.Element()
	if bind == nil || bind.Tag != "iq" {
		return
	}
	id := bind.SelectAttrValue("id", "")
	res := ""
	if r := bind.FindElement("bind/resource"); r != nil {
		res = r.Text()
	}
	if res == "taken" {
		f.send("<iq type='error' id='%s'><error type='cancel'><conflict xmlns='%s'/></error></iq>", id, NSStanzas)
		return
	}
	if res == "" {
		res = "gen" + fmt.Sprint(len(s.snapshot(&s.sessions))+1)
	}
	full := user + "@localhost/" + res
	s.log(&s.sessions, full)
	f.send("<iq type='result' id='%s'><bind xmlns='%s'><jid>%s</jid></bind></iq>", id, NSBind, full)
	for {
		el := f.Element()
		if el == nil {
			switch {
			case !f.Closed:
				s.log(&s.closed, "eof")
			case s.noClose:
				_, _ = io.Copy(io.Discard, br)
				s.log(&s.closed, "unanswered")
			default:
				f.send("</stream:stream>")
				s.log(&s.closed, "clean")
			}
			return
		}
		if el.Tag == "iq" && el.FindElement("ping") != nil && el.SelectAttrValue("to", "") == "localhost" {
			if !s.silent {
				f.send("<iq type='result' id='%s' from='localhost' to='%s'/>", el.SelectAttrValue("id", ""), full)
			}
			continue
		}
		if el.Tag == "iq" && el.FindElement("session") != nil {
			f.send("<iq type='result' id='%s' to='%s'/>", el.SelectAttrValue("id", ""), full)
			continue
		}
		s.log(&s.received, stanza.FromElement(el).Canonical())
		switch el.FindElement("body").NotNil().Text() {
		case "echo":
			el.CreateAttr("from", full)
			f.send("%s", stanza.FromElement(el).Canonical())
		case "kill":
			f.send("<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Replaced by new connection</text></stream:error></stream:stream>")
			// Wait for the client's close, as Prosody does.
			f.Element()
			s.log(&s.closed, "killed")
			return
		case "cut":
			s.log(&s.closed, "cut")
			return
		case "burst":
			for i := 1; i <= 10; i++ {
				f.send("<message from='localhost' xml:lang='en'><body>%d</body><x xmlns='urn:example'><y/></x></message>", i)
			}
		}
	}
}
