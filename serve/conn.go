package serve

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/sim"
)

// conn is one client connection. Its goroutine (serve) negotiates the
// stream and then only parses and queues stanzas for the model
// goroutine; a writer goroutine writes what the model sent, so a slow
// reader never holds up the model or another client.
type conn struct {
	srv *Server
	raw net.Conn // the TCP connection
	nc  net.Conn // raw, or the TLS connection over it
	br  *bufio.Reader
	sr  *streamReader

	secure     bool
	writing    bool // the writer goroutine runs: all writes go through it
	sentHeader bool
	loopback   bool
	user       string
	host       string // the virtual host of the stream's 'to' ("" none yet)
	bindID     string // id of the bind iq being answered

	b     *binding // set once bound (by the model goroutine, read after do)
	delay atomic.Int64

	mu         sync.Mutex
	pending    []string      // what the writer has not taken yet
	notify     chan struct{} // one token: the writer has something to do
	ended      bool          // the session ended: nothing more is queued
	graceful   bool          // when ended: write </stream:stream> before closing
	errQueued  bool          // a stream error is queued: end gracefully
	writerDone chan struct{}
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{srv: s, raw: nc, nc: nc, notify: make(chan struct{}, 1), writerDone: make(chan struct{})}
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		c.loopback = a.IP.IsLoopback()
	}
	return c
}

// serve runs the connection to its end.
func (c *conn) serve() {
	defer c.raw.Close()
	o := &c.srv.opts
	c.raw.SetDeadline(time.Now().Add(o.HandshakeTimeout))
	c.br = bufio.NewReaderSize(c.raw, 4096)
	if err := c.negotiate(); err != nil {
		if c.writing {
			// Failed at bind: the writer owns the socket now.
			c.failBind(err)
			<-c.writerDone
			return
		}
		c.failHandshake(err)
		return
	}
	c.raw.SetDeadline(time.Time{})
	c.stanzas()
	<-c.writerDone
}

// failBind ends a connection that failed between the stream restart and
// the bind, through the writer: the stream error if there is one, then
// the end of the stream.
func (c *conn) failBind(err error) {
	var se *streamError
	var ne net.Error
	switch {
	case errors.As(err, &se):
		c.enqueueError(se)
	case errors.As(err, &ne) && ne.Timeout():
		c.enqueueError(&streamError{cond: "connection-timeout"})
	}
	c.finish(sim.ReasonAbrupt)
}

// failHandshake ends a connection that never bound: a stream error if
// there is one to send, then the close.
func (c *conn) failHandshake(err error) {
	var se *streamError
	if !c.sentHeader {
		c.writeHeader()
	}
	if errors.As(err, &se) {
		c.srv.opts.Logf("%s: %v", c.raw.RemoteAddr(), se)
		c.nc.SetWriteDeadline(time.Now().Add(time.Second))
		io.WriteString(c.nc, se.xml()+"</stream:stream>")
		return
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.nc.SetWriteDeadline(time.Now().Add(time.Second))
		io.WriteString(c.nc, (&streamError{cond: "connection-timeout"}).xml()+"</stream:stream>")
	}
}

// stanzas is the bound session's read loop: parse, check, queue.
func (c *conn) stanzas() {
	o := &c.srv.opts
	c.sr.started = func() { c.nc.SetReadDeadline(time.Now().Add(o.StanzaTimeout)) }
	core := &c.srv.core
	for {
		c.nc.SetReadDeadline(time.Time{})
		el, err := c.sr.next()
		if err == nil {
			if se := checkStanza(el); se != nil {
				err = se
			}
		}
		if err != nil {
			var se *streamError
			var ne net.Error
			switch {
			case errors.Is(err, io.EOF):
				// </stream:stream>: a clean close.
				c.srv.post(func() { core.disconnect(c.b) })
			case errors.As(err, &se):
				// The model sees the session end as a cut transport: it
				// has no notion of a stream error the server raised for
				// bad input (Prosody closes the session with the error
				// as its reason).
				c.srv.opts.Logf("%s: %v", c.b.c.JID(), se)
				c.srv.post(func() {
					c.enqueueError(se)
					core.drop(c.b)
				})
			case errors.As(err, &ne) && ne.Timeout():
				c.srv.post(func() {
					c.enqueueError(&streamError{cond: "connection-timeout", text: "stanza not completed in time"})
					core.drop(c.b)
				})
			default:
				c.srv.post(func() { core.drop(c.b) })
			}
			return
		}
		c.srv.post(func() { core.send(c.b, el) })
	}
}

// checkStanza accepts the three stanzas of jabber:client; the stream's
// default namespace, when a client repeats it, is dropped so that the
// model sees the stanza as a script's parser builds it.
func checkStanza(el *etree.Element) *streamError {
	if el.Space != "" {
		return &streamError{cond: "invalid-namespace", text: "stanzas must be in " + nsClient}
	}
	if a := el.SelectAttr("xmlns"); a != nil {
		if a.Value != nsClient {
			return &streamError{cond: "invalid-namespace", text: "stanzas must be in " + nsClient}
		}
		el.RemoveAttr("xmlns")
	}
	switch el.Tag {
	case "message", "presence", "iq":
		return nil
	}
	return &streamError{cond: "unsupported-stanza-type", text: "<" + el.Tag + "/> is not a stanza"}
}

// enqueue queues data for the writer. It never blocks: a client that
// lets WriteQueue items pile up is cut, so one slow reader cannot hold
// up the model or the other clients.
func (c *conn) enqueue(data string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return
	}
	if len(c.pending) >= c.srv.opts.WriteQueue {
		c.srv.opts.Logf("%s: write queue full, cutting the connection", c.raw.RemoteAddr())
		c.raw.Close()
		return
	}
	c.pending = append(c.pending, data)
	c.wake()
}

// wake tells the writer there is work (c.mu held).
func (c *conn) wake() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (c *conn) enqueueError(se *streamError) {
	c.enqueue(se.xml())
	c.mu.Lock()
	c.errQueued = true
	c.mu.Unlock()
}

// enqueueBound queues the bind result (model goroutine, at bind).
func (c *conn) enqueueBound(b *binding) {
	c.b = b
	c.enqueue("<iq type='result' id='" + escape(c.bindID) + "'><bind xmlns='" + nsBind + "'><jid>" + escape(b.c.JID().String()) + "</jid></bind></iq>")
}

// finish queues the end of the connection: reason is the session's
// TraceDisconnect reason. A cut session (Drop, a restart: the process
// died) closes the socket without a word; any other end closes the
// stream first.
func (c *conn) finish(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return
	}
	c.ended = true
	c.graceful = c.errQueued || (reason != sim.ReasonAbrupt && reason != sim.ReasonServerRestart)
	c.wake()
}

// writer writes what is queued, everything queued at once in one write,
// until the end.
func (c *conn) writer() {
	defer close(c.writerDone)
	defer c.raw.Close()
	var (
		batch  []string
		buf    []byte
		failed bool
	)
	for range c.notify {
		c.mu.Lock()
		batch, c.pending = c.pending, batch[:0]
		ended, graceful := c.ended, c.graceful
		c.mu.Unlock()
		if !failed && len(batch) > 0 {
			if d := time.Duration(c.delay.Load()); d > 0 {
				time.Sleep(d)
			}
			buf = buf[:0]
			for _, s := range batch {
				buf = append(buf, s...)
			}
			c.nc.SetWriteDeadline(time.Now().Add(c.srv.opts.WriteTimeout))
			if _, err := c.nc.Write(buf); err != nil {
				failed = true
				c.raw.Close()
			}
			if cap(buf) > 64<<10 {
				buf = nil // do not keep a burst's buffer for an idle client
			}
		}
		clear(batch)
		if ended {
			if graceful && !failed {
				c.nc.SetWriteDeadline(time.Now().Add(c.srv.opts.WriteTimeout))
				io.WriteString(c.nc, "</stream:stream>")
			}
			return
		}
	}
}

// negotiate runs the stream up to the bound session: STARTTLS, SASL,
// the restart, resource binding. Errors are *streamError or transport
// errors.
func (c *conn) negotiate() error {
	o := &c.srv.opts
	c.sr = newStreamReader(c.br, o.MaxStanzaSize, o.MaxDepth)
	authed := false
	failures := 0
	for {
		if err := c.openStream(); err != nil {
			return err
		}
		if authed {
			break
		}
		c.writeRaw(c.preAuthFeatures())
	restart:
		for {
			el, err := c.sr.next()
			if err != nil {
				if errors.Is(err, io.EOF) {
					io.WriteString(c.nc, "</stream:stream>")
				}
				return err
			}
			switch {
			case el.Tag == "starttls" && attr(el, "xmlns") == nsTLS && !c.secure:
				c.writeRaw("<proceed xmlns='" + nsTLS + "'/>")
				tc := tls.Server(c.raw, c.srv.tlsConf)
				if err := tc.Handshake(); err != nil {
					return err
				}
				c.nc, c.secure = tc, true
				c.br = bufio.NewReaderSize(tc, 4096)
				c.sr = newStreamReader(c.br, o.MaxStanzaSize, o.MaxDepth)
				break restart
			case el.Tag == "auth" && attr(el, "xmlns") == nsSASL:
				ok, err := c.authenticate(el)
				if err != nil {
					return err
				}
				if ok {
					authed = true
					c.sr = newStreamReader(c.br, o.MaxStanzaSize, o.MaxDepth)
					break restart
				}
				if failures++; failures >= 5 {
					return &streamError{cond: "policy-violation", text: "too many failed authentication attempts"}
				}
			default:
				return &streamError{cond: "not-authorized", text: "authenticate first"}
			}
		}
	}
	c.writeRaw("<stream:features><bind xmlns='" + nsBind + "'/><session xmlns='" + nsSession + "'><optional/></session></stream:features>")
	c.writing = true
	go c.writer()
	return c.bind()
}

// openStream reads the client's header and answers with the server's.
func (c *conn) openStream() error {
	h, err := c.sr.readHeader()
	if err != nil {
		return err
	}
	if d := h["xmlns"]; d != nsClient {
		c.writeHeader()
		return &streamError{cond: "invalid-namespace", text: "the content namespace must be " + nsClient}
	}
	if to := h["to"]; to != "" {
		// Components are not c2s hosts (Prosody refuses a client
		// stream to a component too); a stream restarted after
		// authentication stays at the host that authenticated it.
		if host := c.srv.servedHost(to); host == "" || (c.user != "" && host != c.streamHost()) {
			c.host = c.streamHost()
			c.writeHeader()
			return &streamError{cond: "host-unknown", text: "this server serves " + strings.Join(c.srv.hosts, ", ")}
		}
		c.host = c.srv.servedHost(to)
	}
	if v := h["version"]; v == "" || !strings.HasPrefix(v, "1.") {
		c.writeHeader()
		return &streamError{cond: "unsupported-version", text: "XMPP 1.0 streams only"}
	}
	c.writeHeader()
	return nil
}

func (c *conn) writeHeader() {
	c.sentHeader = true
	c.writeRaw("<?xml version='1.0'?><stream:stream xmlns='" + nsClient + "' xmlns:stream='" + nsStreams +
		"' id='" + randomToken(12) + "' from='" + escape(c.streamHost()) + "' version='1.0' xml:lang='en'>")
}

// streamHost is the virtual host the client's stream is to: its 'to',
// or the first host when it named none.
func (c *conn) streamHost() string {
	if c.host == "" {
		return c.srv.opts.Host
	}
	return c.host
}

func (c *conn) writeRaw(s string) {
	io.WriteString(c.nc, s)
}

// plainOK says whether PLAIN may be used on this connection: over TLS,
// or on loopback, where nothing can listen in.
func (c *conn) plainOK() bool { return c.secure || c.loopback }

func (c *conn) preAuthFeatures() string {
	var b strings.Builder
	b.WriteString("<stream:features>")
	if !c.secure {
		b.WriteString("<starttls xmlns='" + nsTLS + "'>")
		if c.srv.opts.RequireTLS {
			b.WriteString("<required/>")
		}
		b.WriteString("</starttls>")
	}
	// No mechanisms element at all when none may be used yet (PLAIN
	// only, off loopback, before TLS): the client must STARTTLS first.
	if names := mechanismNames(c.srv.pw, c.plainOK()); len(names) > 0 && (c.secure || !c.srv.opts.RequireTLS) {
		b.WriteString("<mechanisms xmlns='" + nsSASL + "'>")
		for _, m := range names {
			b.WriteString("<mechanism>" + m + "</mechanism>")
		}
		b.WriteString("</mechanisms>")
	}
	b.WriteString("</stream:features>")
	return b.String()
}

// authenticate runs one SASL exchange; true once it succeeded.
func (c *conn) authenticate(auth *etree.Element) (bool, error) {
	fail := func(cond, text string) (bool, error) {
		x := "<failure xmlns='" + nsSASL + "'><" + cond + "/>"
		if text != "" {
			x += "<text>" + escape(text) + "</text>"
		}
		c.writeRaw(x + "</failure>")
		return false, nil
	}
	if c.srv.opts.RequireTLS && !c.secure {
		return fail("encryption-required", "STARTTLS first")
	}
	mech := newMechanism(attr(auth, "mechanism"), c.streamHost(), c.srv.pw, c.plainOK(),
		func() string { return randomToken(18) }, func() []byte { return []byte(randomToken(12)) })
	if mech == nil {
		return fail("invalid-mechanism", "")
	}
	data, ok := saslData(auth.Text())
	if strings.TrimSpace(auth.Text()) == "" {
		// No initial response: an empty challenge asks for it (RFC 6120
		// §6.4.2).
		c.writeRaw("<challenge xmlns='" + nsSASL + "'/>")
		el, err := c.sr.next()
		if err != nil {
			return false, err
		}
		if el.Tag != "response" || attr(el, "xmlns") != nsSASL {
			return fail("aborted", "")
		}
		data, ok = saslData(el.Text())
	}
	for {
		if !ok {
			return fail("incorrect-encoding", "")
		}
		out, done, f := mech.step(data)
		if f != nil {
			return fail(f.cond, f.text)
		}
		if done {
			if !c.accountOK(mech.user()) {
				return fail("not-authorized", "no such account")
			}
			c.user = mech.user()
			c.srv.opts.Logf("%s: authenticated %s with %s (tls: %v)", c.raw.RemoteAddr(), c.user, attr(auth, "mechanism"), c.secure)
			c.writeRaw("<success xmlns='" + nsSASL + "'>" + b64(out) + "</success>")
			return true, nil
		}
		c.writeRaw("<challenge xmlns='" + nsSASL + "'>" + b64(out) + "</challenge>")
		el, err := c.sr.next()
		if err != nil {
			return false, err
		}
		switch {
		case el.Tag == "response" && attr(el, "xmlns") == nsSASL:
			data, ok = saslData(el.Text())
		case el.Tag == "abort" && attr(el, "xmlns") == nsSASL:
			return fail("aborted", "")
		default:
			return false, &streamError{cond: "not-authorized", text: "authentication in progress"}
		}
	}
}

// accountOK checks that the local part is one the model can bind.
func (c *conn) accountOK(user string) bool {
	return user != "" && !strings.ContainsAny(user, "@/\"&'<>: ")
}

// bind answers the bind iq with a session from the model.
func (c *conn) bind() error {
	for {
		el, err := c.sr.next()
		if err != nil {
			return err
		}
		bind := el.FindElement("bind")
		if el.Tag != "iq" || attr(el, "type") != "set" || bind == nil || attr(bind, "xmlns") != nsBind {
			return &streamError{cond: "not-authorized", text: "bind a resource first"}
		}
		resource := ""
		if r := bind.FindElement("resource"); r != nil {
			resource = strings.TrimSpace(r.Text())
		}
		c.bindID = attr(el, "id")
		var berr error
		if err := c.srv.do(func() { _, berr = c.srv.core.bind(c.srv.account(c.user, c.streamHost()), resource, c) }); err != nil {
			return err
		}
		if berr == nil {
			return nil
		}
		c.enqueue("<iq type='error' id='" + escape(c.bindID) + "'><bind xmlns='" + nsBind + "'/><error type='modify'><bad-request xmlns='" +
			nsStanzas + "'/><text xmlns='" + nsStanzas + "'>" + escape(berr.Error()) + "</text></error></iq>")
	}
}

func attr(el *etree.Element, key string) string {
	if a := el.SelectAttr(key); a != nil {
		return a.Value
	}
	return ""
}

// saslData decodes a SASL payload: "=" is the empty response (RFC 6120
// §6.4.2), no text at all is no initial response.
func saslData(s string) ([]byte, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "=" {
		return nil, true
	}
	b, err := base64.StdEncoding.DecodeString(s)
	return b, err == nil
}

func b64(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}

// randomToken is a random base64url string of n bytes' worth: stream ids
// and SCRAM nonces, which never reach the model.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
