// Package xmpptcp is a minimal XMPP client endpoint over plain TCP, for
// replaying scansion scripts against a real server (the project's
// real-server mode).
//
// It speaks just enough of RFC 6120 for a test client on a loopback
// server configured for insecure authentication: the stream header,
// SASL PLAIN without TLS, the stream restart, resource binding, the
// optional legacy session iq, then stanza I/O. There is no TLS, no
// stream management and no reconnection.
//
// Received stanzas are decoded incrementally (encoding/xml's raw token
// stream) into etree elements that look like the model's: a top-level
// stanza carries no xmlns attribute (the stream's default namespace,
// jabber:client, is implied), payload elements keep the xmlns
// attributes the server wrote, and xml:lang is an attribute with the
// "xml" prefix.
//
// Every wait is bounded by Config.Timeout: a server that does not answer
// gives a *TimeoutError, never a hang.
package xmpptcp

import (
	"bufio"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
	"github.com/scansim/scansim/xmpptcp/internal/xmlstream"
)

// Namespaces used on the wire.
const (
	NSClient  = "jabber:client"
	NSStreams = "http://etherx.jabber.org/streams"
	NSSASL    = "urn:ietf:params:xml:ns:xmpp-sasl"
	NSBind    = "urn:ietf:params:xml:ns:xmpp-bind"
	NSSession = "urn:ietf:params:xml:ns:xmpp-session"
	NSStanzas = "urn:ietf:params:xml:ns:xmpp-stanzas"
	NSPing    = "urn:xmpp:ping"
)

// DefaultTimeout bounds every wait when Config.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// ErrClosed is returned by operations on a connection whose stream has
// ended (closed by either side, or the transport died).
var ErrClosed = errors.New("xmpptcp: connection closed")

// TimeoutError reports a wait that exceeded its bound.
type TimeoutError struct {
	Op    string // what was being waited for
	After time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("xmpptcp: timed out after %v waiting for %s", e.After, e.Op)
}

// Timeout reports true, so that a *TimeoutError satisfies net.Error's
// Timeout method.
func (e *TimeoutError) Timeout() bool { return true }

// Config describes one client connection.
type Config struct {
	// Addr is the server's TCP address, host:port.
	Addr string
	// Domain is the XMPP domain: the stream header's "to" and the domain
	// of the JID. Default "localhost".
	Domain string
	// User is the local part to authenticate as.
	User string
	// Password is sent with SASL PLAIN; default "password" (a server
	// with insecure authentication accepts anything).
	Password string
	// Resource is the resource requested at bind; "" lets the server
	// assign one.
	Resource string
	// Lang is the stream header's xml:lang; default "en".
	Lang string
	// Session sends the legacy session iq (RFC 3921) after bind. It is
	// sent anyway when the server advertises the session feature as
	// required.
	Session bool
	// Timeout bounds every wait (connect, each handshake step, pings,
	// the close handshake); 0 means DefaultTimeout.
	Timeout time.Duration
}

func (c *Config) defaults() {
	if c.Domain == "" {
		c.Domain = "localhost"
	}
	if c.Password == "" {
		c.Password = "password"
	}
	if c.Lang == "" {
		c.Lang = "en"
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
}

// Stanza is one received stanza.
type Stanza struct {
	Seq    uint64 // 1, 2, ... per connection, in arrival order
	At     time.Time
	Stanza *etree.Element
}

// Conn is an authenticated, bound client connection. Its methods are
// safe for concurrent use; a background goroutine reads the stream.
type Conn struct {
	cfg  Config
	nc   net.Conn
	br   *bufio.Reader
	dec  *xml.Decoder // the current stream's decoder, owned by the reader
	jid  string
	wmu  sync.Mutex // serialises writes
	ids  atomic.Uint64
	done chan struct{} // closed when the read side has ended

	mu       sync.Mutex
	inbox    []Stanza
	seq      uint64
	notify   chan struct{} // closed and replaced on every arrival or end
	pings    map[string]chan *etree.Element
	ended    bool
	endErr   error  // why the read side ended (nil: the server closed its stream)
	streamEr string // condition of a stream error, if one arrived
	streamTx string // its text
	closing  bool   // we sent </stream:stream> or dropped
	dropped  bool   // we dropped the socket
	onEvent  func(Event)
}

// Event describes something the reader saw, for tracing.
type Event struct {
	Kind   EventKind
	At     time.Time
	Stanza *etree.Element // for Received and StreamError
	Reason string         // for Ended
}

// EventKind classifies an Event.
type EventKind uint8

const (
	// Received: a stanza was queued in the inbox.
	Received EventKind = iota + 1
	// StreamError: the server sent a stream error (not queued).
	StreamError
	// Ended: the read side ended; Reason says why.
	Ended
)

// Dial connects, authenticates with SASL PLAIN, binds a resource and
// starts reading. On error the socket is closed.
func Dial(cfg Config) (*Conn, error) {
	return DialWith(cfg, nil)
}

// DialWith is Dial with a callback that sees every reader event (a
// received stanza, a stream error, the end of the stream) as it
// happens, on the reader's goroutine, before it is visible to
// TakeAll. It must not block.
func DialWith(cfg Config, onEvent func(Event)) (*Conn, error) {
	cfg.defaults()
	if cfg.Addr == "" {
		return nil, errors.New("xmpptcp: no server address")
	}
	if cfg.User == "" {
		return nil, errors.New("xmpptcp: no user")
	}
	nc, err := net.DialTimeout("tcp", cfg.Addr, cfg.Timeout)
	if err != nil {
		return nil, fmt.Errorf("xmpptcp: connect %s: %w", cfg.Addr, err)
	}
	c := &Conn{
		cfg:     cfg,
		nc:      nc,
		br:      bufio.NewReader(nc),
		done:    make(chan struct{}),
		notify:  make(chan struct{}),
		pings:   make(map[string]chan *etree.Element),
		onEvent: onEvent,
	}
	if err := c.handshake(); err != nil {
		nc.Close()
		return nil, err
	}
	go c.readLoop()
	return c, nil
}

// JID returns the full JID the server bound.
func (c *Conn) JID() string { return c.jid }

// Config returns the connection's configuration with defaults applied.
func (c *Conn) Config() Config { return c.cfg }

func (c *Conn) nextID(prefix string) string {
	return prefix + strconv.FormatUint(c.ids.Add(1), 10)
}

// ---- handshake (synchronous, before the reader starts) ----

func (c *Conn) write(s string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.nc.SetWriteDeadline(time.Now().Add(c.cfg.Timeout)); err != nil {
		return err
	}
	_, err := io.WriteString(c.nc, s)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return &TimeoutError{Op: "a write", After: c.cfg.Timeout}
		}
		return fmt.Errorf("xmpptcp: write: %w", err)
	}
	return nil
}

func (c *Conn) header() string {
	return fmt.Sprintf("<?xml version='1.0'?><stream:stream xmlns='%s' xmlns:stream='%s' to='%s' version='1.0' xml:lang='%s'>",
		NSClient, NSStreams, xmlEscape(c.cfg.Domain), xmlEscape(c.cfg.Lang))
}

// hsReader reads top-level elements of one stream during the handshake.
type hsReader struct {
	c   *Conn
	dec *xml.Decoder
	op  string
}

// openStream sends a stream header and reads the server's header.
func (c *Conn) openStream(op string) (*hsReader, error) {
	if err := c.write(c.header()); err != nil {
		return nil, err
	}
	r := &hsReader{c: c, dec: xml.NewDecoder(c.br), op: op}
	for {
		tok, err := r.token()
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "stream" {
				return nil, fmt.Errorf("xmpptcp: %s: expected a stream header, got <%s>", op, se.Name.Local)
			}
			return r, nil
		}
	}
}

func (r *hsReader) token() (xml.Token, error) {
	if err := r.c.nc.SetReadDeadline(time.Now().Add(r.c.cfg.Timeout)); err != nil {
		return nil, err
	}
	tok, err := r.dec.RawToken()
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, &TimeoutError{Op: r.op, After: r.c.cfg.Timeout}
		}
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("xmpptcp: %s: server closed the connection", r.op)
		}
		return nil, fmt.Errorf("xmpptcp: %s: %w", r.op, err)
	}
	return tok, nil
}

// element reads the next top-level element of the stream. The end of
// the stream or a stream error is an error.
func (r *hsReader) element() (*etree.Element, error) {
	for {
		tok, err := r.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			el, err := xmlstream.BuildElement(t, r.token)
			if err != nil {
				return nil, err
			}
			if el.Tag == "error" && el.Space == "stream" {
				cond, text := streamErrorCondition(el)
				return nil, fmt.Errorf("xmpptcp: %s: stream error %s %s", r.op, cond, text)
			}
			return el, nil
		case xml.EndElement:
			return nil, fmt.Errorf("xmpptcp: %s: server closed the stream", r.op)
		}
	}
}

func (c *Conn) handshake() error {
	r, err := c.openStream("the stream header")
	if err != nil {
		return err
	}
	r.op = "stream features"
	feats, err := r.element()
	if err != nil {
		return err
	}
	if !hasMechanism(feats, "PLAIN") {
		return fmt.Errorf("xmpptcp: the server offers no SASL PLAIN (features: %s)", stanza.FromElement(feats).Canonical())
	}
	cred := base64.StdEncoding.EncodeToString([]byte("\x00" + c.cfg.User + "\x00" + c.cfg.Password))
	if err := c.write(fmt.Sprintf("<auth xmlns='%s' mechanism='PLAIN'>%s</auth>", NSSASL, cred)); err != nil {
		return err
	}
	r.op = "the SASL outcome"
	res, err := r.element()
	if err != nil {
		return err
	}
	switch res.Tag {
	case "success":
	case "failure":
		cond := ""
		if ch := res.ChildElements(); len(ch) > 0 {
			cond = ch[0].Tag
		}
		if t := res.SelectElement("text"); t != nil {
			cond += " (" + t.Text() + ")"
		}
		return fmt.Errorf("xmpptcp: authentication of %s failed: %s", c.cfg.User, cond)
	default:
		return fmt.Errorf("xmpptcp: unexpected SASL answer %s", stanza.FromElement(res).Canonical())
	}

	r, err = c.openStream("the restarted stream header")
	if err != nil {
		return err
	}
	r.op = "stream features after authentication"
	feats, err = r.element()
	if err != nil {
		return err
	}
	if feats.SelectElement("bind") == nil {
		return fmt.Errorf("xmpptcp: the server offers no resource binding (features: %s)", stanza.FromElement(feats).Canonical())
	}
	sessionRequired := false
	if s := feats.SelectElement("session"); s != nil && s.SelectElement("optional") == nil {
		sessionRequired = true
	}
	id := c.nextID("bind")
	res0 := ""
	if c.cfg.Resource != "" {
		res0 = "<resource>" + xmlEscape(c.cfg.Resource) + "</resource>"
	}
	if err := c.write(fmt.Sprintf("<iq type='set' id='%s'><bind xmlns='%s'>%s</bind></iq>", id, NSBind, res0)); err != nil {
		return err
	}
	r.op = "the bind result"
	res, err = r.iqReply(id)
	if err != nil {
		return err
	}
	if res.SelectAttrValue("type", "") != "result" {
		return fmt.Errorf("xmpptcp: bind of %s/%s failed: %s", c.cfg.User, c.cfg.Resource, stanza.FromElement(res).Canonical())
	}
	j := res.FindElement("bind/jid")
	if j == nil || strings.TrimSpace(j.Text()) == "" {
		return fmt.Errorf("xmpptcp: bind result without a jid: %s", stanza.FromElement(res).Canonical())
	}
	c.jid = strings.TrimSpace(j.Text())
	if c.cfg.Session || sessionRequired {
		id := c.nextID("sess")
		if err := c.write(fmt.Sprintf("<iq type='set' id='%s'><session xmlns='%s'/></iq>", id, NSSession)); err != nil {
			return err
		}
		r.op = "the session result"
		res, err = r.iqReply(id)
		if err != nil {
			return err
		}
		if res.SelectAttrValue("type", "") != "result" {
			return fmt.Errorf("xmpptcp: session establishment failed: %s", stanza.FromElement(res).Canonical())
		}
	}
	// From here on the reader goroutine owns the decoder.
	c.dec = r.dec
	return nil
}

// iqReply reads elements until the iq reply with the given id. Other
// elements cannot arrive before bind completes; they are ignored.
func (r *hsReader) iqReply(id string) (*etree.Element, error) {
	for {
		el, err := r.element()
		if err != nil {
			return nil, err
		}
		if el.Tag == "iq" && el.SelectAttrValue("id", "") == id {
			return el, nil
		}
	}
}

func hasMechanism(feats *etree.Element, mech string) bool {
	m := feats.SelectElement("mechanisms")
	if m == nil {
		return false
	}
	for _, e := range m.SelectElements("mechanism") {
		if strings.TrimSpace(e.Text()) == mech {
			return true
		}
	}
	return false
}

func streamErrorCondition(el *etree.Element) (cond, text string) {
	for _, ch := range el.ChildElements() {
		if ch.Tag == "text" {
			text = strings.TrimSpace(ch.Text())
		} else if cond == "" {
			cond = ch.Tag
		}
	}
	return cond, text
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
