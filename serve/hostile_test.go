package serve

import (
	"encoding/base64"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
)

const hdr = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>"

// raw writes what a client sends and returns everything the server
// wrote until it closed the connection.
func raw(t *testing.T, s *Server, parts ...string) string {
	t.Helper()
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	go func() {
		for _, p := range parts {
			if _, err := io.WriteString(nc, p); err != nil {
				return
			}
		}
	}()
	b, err := io.ReadAll(nc)
	if err != nil {
		t.Fatalf("the server did not close the connection: %v (read %q)", err, b)
	}
	return string(b)
}

// authed is a client's side up to a bound session, with SASL PLAIN.
func authed(user string) string {
	return hdr + "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" +
		base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00pw")) + "</auth>" + hdr +
		"<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>r</resource></bind></iq>"
}

func wantStreamError(t *testing.T, got, cond string) {
	t.Helper()
	want := "<stream:error><" + cond + " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
	if !strings.Contains(got, want) || !strings.HasSuffix(got, "</stream:stream>") {
		t.Fatalf("want stream error %s and the stream closed, got:\n%s", cond, got)
	}
}

// RFC 6120 §4.9.3: the conditions of a stream the server cannot accept.
func TestStreamErrors(t *testing.T) {
	s := start(t, Options{})
	for _, tc := range []struct {
		name, cond string
		send       []string
	}{
		{"not well-formed", "not-well-formed", []string{hdr + "<message><body></message>"}},
		{"wrong host", "host-unknown", []string{strings.Replace(hdr, "to='localhost'", "to='example.org'", 1)}},
		{"wrong stream namespace", "invalid-namespace", []string{"<stream:stream xmlns='jabber:client' xmlns:stream='urn:wrong' to='localhost' version='1.0'>"}},
		{"wrong content namespace", "invalid-namespace", []string{strings.Replace(hdr, "jabber:client", "jabber:server", 1)}},
		{"no version", "unsupported-version", []string{strings.Replace(hdr, " version='1.0'>", ">", 1)}},
		{"stanza before auth", "not-authorized", []string{hdr + "<message to='juliet@localhost'><body>hi</body></message>"}},
		{"DTD", "restricted-xml", []string{"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>" + hdr}},
		{"comment", "restricted-xml", []string{hdr + "<!-- hi -->"}},
		{"comment inside a stanza", "restricted-xml", []string{authed("romeo") + "<message><body>hi<!-- x --></body></message>"}},
		{"processing instruction inside a stanza", "restricted-xml", []string{authed("romeo") + "<message><?pi x?></message>"}},
		{"bind skipped", "not-authorized", []string{strings.TrimSuffix(authed("romeo"), "<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>r</resource></bind></iq>") + "<message/>"}},
		{"unknown top-level element", "unsupported-stanza-type", []string{authed("romeo") + "<foo/>"}},
		{"stanza in another namespace", "invalid-namespace", []string{authed("romeo") + "<message xmlns='jabber:server'/>"}},
		{"too large", "policy-violation", []string{authed("romeo") + "<message><body>" + strings.Repeat("x", 1<<20) + "</body></message>"}},
		{"too deep", "policy-violation", []string{authed("romeo") + "<message>" + strings.Repeat("<x>", 101) + strings.Repeat("</x>", 101) + "</message>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantStreamError(t, raw(t, s, tc.send...), tc.cond)
		})
	}
}

func TestSASLFailures(t *testing.T) {
	s := start(t, Options{Passwords: map[string]string{"romeo": "secret"}})
	got := raw(t, s, hdr+"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>"+
		base64.StdEncoding.EncodeToString([]byte("\x00romeo\x00wrong"))+"</auth>"+
		"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='DIGEST-MD5'/>"+
		"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>!!!</auth></stream:stream>")
	for _, want := range []string{
		"<mechanism>SCRAM-SHA-256</mechanism><mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism>",
		"<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/>",
		"<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><invalid-mechanism/>",
		"<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><incorrect-encoding/>",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in:\n%s", want, got)
		}
	}
	// Five failures end the stream.
	five := strings.Repeat("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='X'/>", 5)
	wantStreamError(t, raw(t, s, hdr+five), "policy-violation")
}

func TestRequireTLS(t *testing.T) {
	s := start(t, Options{RequireTLS: true})
	got := raw(t, s, hdr+"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>"+
		base64.StdEncoding.EncodeToString([]byte("\x00romeo\x00pw"))+"</auth></stream:stream>")
	if !strings.Contains(got, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>") ||
		strings.Contains(got, "<mechanisms") || !strings.Contains(got, "<encryption-required/>") {
		t.Fatalf("TLS not required:\n%s", got)
	}
}

func TestHandshakeTimeout(t *testing.T) {
	s := start(t, Options{HandshakeTimeout: 200 * time.Millisecond})
	wantStreamError(t, raw(t, s, hdr), "connection-timeout")
}

// A client that stops reading is cut once its queue is full; the others
// carry on.
func TestSlowReaderIsolated(t *testing.T) {
	s := start(t, Options{WriteQueue: 2})
	slow := dial(t, s, "slow", "r")
	fast := dial(t, s, "fast", "r")
	if _, err := s.Delay("slow@localhost", time.Second); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		m := etree.NewElement("message")
		m.CreateAttr("to", "slow@localhost/r")
		m.CreateElement("body").SetText("x")
		fast.Send(m)
	}
	if err := fast.Ping(); err != nil {
		t.Fatalf("the fast client suffered: %v", err)
	}
	select {
	case <-slow.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the slow client was not cut")
	}
	if err := fast.Ping(); err != nil {
		t.Fatalf("the fast client suffered: %v", err)
	}
}

// The control surface's faults: a dropped session ends at once and its
// contact sees it go; after a restart every connection is cut, and what
// was stored survives.
func TestDropAndRestart(t *testing.T) {
	s := start(t, Options{Profile: "prosody-13"})
	if err := s.Subscribe("romeo", "juliet"); err != nil {
		t.Fatal(err)
	}
	if err := s.Block("juliet", "tybalt@localhost"); err != nil {
		t.Fatal(err)
	}
	romeo := dial(t, s, "romeo", "r")
	juliet := dial(t, s, "juliet", "b")
	romeo.SendRaw("<presence/>")
	juliet.SendRaw("<presence/>")
	romeo.Ping()
	juliet.Ping()
	if n, err := s.DropSession("juliet@localhost/b"); err != nil || n != 1 {
		t.Fatalf("drop: %d %v", n, err)
	}
	select {
	case <-juliet.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the dropped session's connection is still open")
	}
	waitFor(t, romeo, func(e *etree.Element) bool {
		return e.Tag == "presence" && e.SelectAttrValue("type", "") == "unavailable" && strings.HasPrefix(e.SelectAttrValue("from", ""), "juliet@localhost/b")
	})
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-romeo.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a restart left a connection open")
	}
	juliet = dial(t, s, "juliet", "b")
	juliet.SendRaw("<iq type='get' id='bl'><blocklist xmlns='urn:xmpp:blocking'/></iq>")
	got := waitFor(t, juliet, func(e *etree.Element) bool { return e.SelectAttrValue("id", "") == "bl" })
	if got.FindElement("blocklist/item[@jid='tybalt@localhost']") == nil {
		t.Fatalf("the blocklist did not survive the restart: %s", stanzaText(got))
	}
	juliet.Close()
	sc, err := s.Script()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sc), "session ended (abrupt)") || !strings.Contains(string(sc), "session ended (server-restart)") {
		t.Fatalf("the faults are not in the recording:\n%s", sc)
	}
}

// Connections that end at any stage leave no goroutine behind, and Close
// returns with every connection gone.
func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := Start(Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	afterBind := strings.TrimSuffix(authed("romeo"), "<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>r</resource></bind></iq>")
	raw(t, s, afterBind+"<message/>")             // bind skipped: stream error at bind
	raw(t, s, hdr+"<message/>")                   // before auth
	raw(t, s, authed("romeo")+"</stream:stream>") // a clean close after bind
	for _, part := range []string{hdr, afterBind, authed("juliet")} {
		nc, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(nc, part)
		time.Sleep(50 * time.Millisecond)
		nc.Close() // the transport dies at each stage
	}
	held := dial(t, s, "held", "r") // open when the server closes
	_ = held
	s.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 { // the held client's reader may linger briefly
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Off loopback, PLAIN waits for TLS: nothing to authenticate with is
// offered before STARTTLS, and PLAIN is refused if tried.
func TestPlainNeedsTLSOffLoopback(t *testing.T) {
	c := &conn{srv: &Server{}}
	if f := c.preAuthFeatures(); strings.Contains(f, "mechanism") || !strings.Contains(f, "<starttls") {
		t.Fatalf("off loopback, before TLS: %s", f)
	}
	if newMechanism("PLAIN", "localhost", nil, c.plainOK(), nil, nil) != nil {
		t.Fatal("PLAIN allowed off loopback without TLS")
	}
	c.secure = true
	if f := c.preAuthFeatures(); !strings.Contains(f, "<mechanism>PLAIN</mechanism>") || strings.Contains(f, "starttls") {
		t.Fatalf("after TLS: %s", f)
	}
	c = &conn{srv: &Server{pw: passwords{"romeo": "x"}}}
	if f := c.preAuthFeatures(); strings.Contains(f, "PLAIN") || !strings.Contains(f, "SCRAM-SHA-256") {
		t.Fatalf("off loopback with accounts: SCRAM only before TLS, got %s", f)
	}
}

// A stanza begun and never finished is bounded in time too.
func TestStanzaTimeout(t *testing.T) {
	s := start(t, Options{StanzaTimeout: 200 * time.Millisecond})
	wantStreamError(t, raw(t, s, authed("romeo")+"<message><body>and then nothing"), "connection-timeout")
}
