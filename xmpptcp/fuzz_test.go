package xmpptcp

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/stanza"
)

// serveTCP connects a client over loopback TCP to a "server" that
// writes out and then half-closes (the client reads the end of the
// stream, its writes still go through), reading and discarding whatever
// the client writes.
func serveTCP(t *testing.T, ln net.Listener, out string) net.Conn {
	cli, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer srv.Close()
		go func() {
			_, _ = io.WriteString(srv, out)
			_ = srv.(*net.TCPConn).CloseWrite()
		}()
		_, _ = io.Copy(io.Discard, srv)
	}()
	return cli
}

func listen(f *testing.F) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { ln.Close() })
	return ln
}

const (
	fuzzHeader  = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='f' from='localhost' version='1.0'>"
	fuzzToBound = fuzzHeader +
		"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>" +
		"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>" + fuzzHeader +
		"<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>" +
		"<iq type='result' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>romeo@localhost/r</jid></bind></iq>"
)

func fuzzConfig() Config {
	cfg := Config{User: "romeo", Resource: "r", Timeout: 500 * time.Millisecond, MaxStanzaBytes: 4096, MaxDepth: 20}
	cfg.defaults()
	return cfg
}

// FuzzHandshake: whatever the server answers during the handshake, Dial
// returns (an error or a connection) within its deadline, never panics,
// and an error is one line.
func FuzzHandshake(f *testing.F) {
	f.Add(fuzzToBound)
	f.Add(fuzzHeader + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features><challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>cj1hYmMscz1RU1hDUitRNnNlazhiZjkyLGk9NDA5Ng==</challenge>")
	f.Add(fuzzHeader + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>")
	f.Add(fuzzHeader + "<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>bye</text></stream:error>")
	f.Add(fuzzHeader + "<stream:features>" + strings.Repeat("<a>", 50))
	f.Add(fuzzHeader + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features><failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text>no</text></failure>")
	ln := listen(f)
	f.Fuzz(func(t *testing.T, server string) {
		cfg := fuzzConfig()
		start := time.Now()
		c, err := start0(serveTCP(t, ln, server), cfg)
		if el := time.Since(start); el > 2*cfg.Timeout {
			t.Fatalf("Dial took %v with a %v deadline", el, cfg.Timeout)
		}
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is not one line", err)
			}
			return
		}
		if c.JID() == "" {
			t.Fatal("a connection without a bound JID")
		}
		c.Drop()
	})
}

func start0(nc net.Conn, cfg Config) (*Conn, error) {
	return start(nc, cfg, time.Now().Add(cfg.Timeout), nil)
}

// FuzzStreamReader: whatever the server sends after bind, the reader
// ends when the stream does, queues only stanzas that render, and never
// panics; a stanza over the bounds ends the connection.
func FuzzStreamReader(f *testing.F) {
	f.Add("<message from='juliet@localhost/b' type='chat'><body>hi</body></message></stream:stream>")
	f.Add("<presence><x xmlns='vcard-temp:x:update'/></presence><iq type='get' id='1'><query xmlns='jabber:iq:roster'/></iq>")
	f.Add("<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>")
	f.Add(strings.Repeat("<a>", 30))
	f.Add("<message><body>" + strings.Repeat("x", 5000) + "</body></message>")
	f.Add("<message xml:lang='en' xmlns:foo='urn:x'><foo:bar/></message>   \n  <a></b>")
	ln := listen(f)
	f.Fuzz(func(t *testing.T, rest string) {
		cfg := fuzzConfig()
		c, err := start0(serveTCP(t, ln, fuzzToBound+rest), cfg)
		if err != nil {
			t.Fatalf("the handshake failed: %v", err)
		}
		select {
		case <-c.Done():
		case <-time.After(2 * time.Second):
			t.Fatal("the reader did not end with the stream")
		}
		if c.EndReason() == "" {
			t.Fatal("ended without a reason")
		}
		if err := c.EndErr(); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("end error %q is not one line", err)
		}
		for _, s := range c.TakeAll() {
			if stanza.FromElement(s.Stanza).Canonical() == "" {
				t.Fatal("a queued stanza renders empty")
			}
		}
	})
}
