// Package xmpptcp is a minimal XMPP client endpoint over TCP (and TLS), for
// replaying scansion scripts against a real server (the project's
// real-server mode).
//
// It speaks what a test client needs of RFC 6120 against a server
// configured as its users run it: the stream header, STARTTLS or direct
// TLS (Config.TLS), in-band registration (XEP-0077, Config.Register),
// SASL SCRAM-SHA-256, SCRAM-SHA-1 or PLAIN (the first the server offers,
// in that order; never the channel-binding -PLUS variants), the stream
// restart, resource binding, the optional legacy session iq, then stanza
// I/O. There is no stream management and no reconnection.
//
// Received stanzas are decoded incrementally (encoding/xml's raw token
// stream) into etree elements that look like the model's: a top-level
// stanza carries no xmlns attribute (the stream's default namespace,
// jabber:client, is implied), payload elements keep the xmlns
// attributes the server wrote, and xml:lang is an attribute with the
// "xml" prefix.
//
// Nothing the server does can hang the client or exhaust its memory.
// Every operation has one deadline, set when it starts (Config.Timeout):
// the whole of Dial (TCP, TLS, SASL, bind), each ping, the close; a
// server that trickles bytes cannot extend it, and passing it is a
// *TimeoutError. Every top-level element read is bounded in size
// (Config.MaxStanzaBytes, a *SizeError) and depth (Config.MaxDepth, a
// *DepthError); either ends the connection. A stream error from the
// server is a *ServerStreamError carrying its condition and text.
package xmpptcp

import (
	"bufio"
	"crypto/tls"
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
	"github.com/scansim/scansim/internal/xmlstream"
	"github.com/scansim/scansim/stanza"
)

// Namespaces used on the wire.
const (
	NSClient          = "jabber:client"
	NSStreams         = "http://etherx.jabber.org/streams"
	NSSASL            = "urn:ietf:params:xml:ns:xmpp-sasl"
	NSBind            = "urn:ietf:params:xml:ns:xmpp-bind"
	NSSession         = "urn:ietf:params:xml:ns:xmpp-session"
	NSStanzas         = "urn:ietf:params:xml:ns:xmpp-stanzas"
	NSPing            = "urn:xmpp:ping"
	NSTLS             = "urn:ietf:params:xml:ns:xmpp-tls"
	NSRegister        = "jabber:iq:register"
	NSRegisterFeature = "http://jabber.org/features/iq-register"
)

// TLSMode says whether and how a connection is encrypted.
type TLSMode uint8

const (
	// TLSOff: plain TCP; a server that requires STARTTLS is an error.
	TLSOff TLSMode = iota
	// TLSStartTLS: plain TCP upgraded with STARTTLS (RFC 6120 §5),
	// which the server must offer.
	TLSStartTLS
	// TLSDirect: TLS from the first byte (XEP-0368's direct TLS).
	TLSDirect
)

// ParseTLSMode reads "off", "starttls" or "direct".
func ParseTLSMode(s string) (TLSMode, error) {
	switch s {
	case "off", "":
		return TLSOff, nil
	case "starttls":
		return TLSStartTLS, nil
	case "direct":
		return TLSDirect, nil
	}
	return TLSOff, fmt.Errorf("TLS mode %q: expected starttls, direct or off", s)
}

func (m TLSMode) String() string {
	switch m {
	case TLSStartTLS:
		return "starttls"
	case TLSDirect:
		return "direct"
	}
	return "off"
}

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

// ServerStreamError is a stream error the server sent (RFC 6120 §4.9): its
// defined condition and its text, if any.
type ServerStreamError struct {
	Op   string // what was being done ("" after bind)
	Cond string
	Text string
}

func (e *ServerStreamError) Error() string {
	msg := "xmpptcp: "
	if e.Op != "" {
		msg += e.Op + ": "
	}
	msg += "the server closed the stream with the stream error " + oneLine(e.Cond)
	if e.Text != "" {
		msg += " (" + oneLine(e.Text) + ")"
	}
	return msg
}

// Config describes one client connection.
type Config struct {
	// Addr is the server's TCP address, host:port.
	Addr string
	// Domain is the XMPP domain: the stream header's "to" and the domain
	// of the JID. Default "localhost".
	Domain string
	// User is the local part to authenticate as.
	User string
	// Password authenticates User (and registers it with Register);
	// default "password" (a server with insecure authentication accepts
	// anything).
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
	// Timeout is the deadline of each operation: the whole of Dial
	// (connect, TLS, registration, SASL, bind), each ping, the close
	// handshake, each write; 0 means DefaultTimeout.
	Timeout time.Duration
	// TLS selects plain TCP, STARTTLS or direct TLS.
	TLS TLSMode
	// TLSConfig verifies the server's certificate; nil means the system
	// roots. Its ServerName defaults to Domain.
	TLSConfig *tls.Config
	// Register creates the account with in-band registration (XEP-0077)
	// before authenticating; the server must offer it.
	Register bool
	// MaxStanzaBytes bounds each top-level element read (0:
	// DefaultMaxStanzaBytes); MaxDepth its nesting (0: 100 levels).
	MaxStanzaBytes int64
	MaxDepth       int
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
	if c.MaxStanzaBytes <= 0 {
		c.MaxStanzaBytes = DefaultMaxStanzaBytes
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = xmlstream.DefaultMaxDepth
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
	lim  *budgetReader // under br: the per-stanza byte budget
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
	Err    error          // for Ended: Conn.EndErr
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

// Dial connects (with TLS as configured), registers the account if asked,
// authenticates, binds a resource and starts reading, all within one
// deadline (Config.Timeout). On error the socket is closed.
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
	deadline := time.Now().Add(cfg.Timeout)
	d := net.Dialer{Deadline: deadline}
	nc, err := d.Dial("tcp", cfg.Addr)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, &TimeoutError{Op: "the TCP connection to " + cfg.Addr, After: cfg.Timeout}
		}
		return nil, fmt.Errorf("xmpptcp: connect %s: %w", cfg.Addr, err)
	}
	return start(nc, cfg, deadline, onEvent)
}

// start runs the handshake on a connected socket under deadline and
// starts the reader; on error nc is closed.
func start(nc net.Conn, cfg Config, deadline time.Time, onEvent func(Event)) (*Conn, error) {
	c := &Conn{
		cfg:     cfg,
		done:    make(chan struct{}),
		notify:  make(chan struct{}),
		pings:   make(map[string]chan *etree.Element),
		onEvent: onEvent,
	}
	// One deadline for the whole handshake, read and write: a server
	// that trickles its answers byte by byte cannot extend it.
	if err := nc.SetDeadline(deadline); err != nil {
		nc.Close()
		return nil, err
	}
	c.setTransport(nc)
	if err := c.handshake(); err != nil {
		c.nc.Close()
		return nil, err
	}
	if err := c.nc.SetDeadline(time.Time{}); err != nil {
		c.nc.Close()
		return nil, err
	}
	go c.readLoop()
	return c, nil
}

// setTransport (re)builds the reading stack over nc: the byte budget,
// then the buffer the decoders read.
func (c *Conn) setTransport(nc net.Conn) {
	c.nc = nc
	c.lim = newBudgetReader(nc, c.cfg.MaxStanzaBytes)
	c.br = bufio.NewReader(c.lim)
}

// JID returns the full JID the server bound.
func (c *Conn) JID() string { return c.jid }

// Config returns the connection's configuration with defaults applied.
func (c *Conn) Config() Config { return c.cfg }

func (c *Conn) nextID(prefix string) string {
	return prefix + strconv.FormatUint(c.ids.Add(1), 10)
}

// write writes s with a deadline of its own (after the handshake; during
// it the handshake's deadline holds).
func (c *Conn) write(s string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.dec != nil { // the handshake is over
		if err := c.nc.SetWriteDeadline(time.Now().Add(c.cfg.Timeout)); err != nil {
			return err
		}
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

// oneLine makes text the server chose fit in a one-line message.
func oneLine(s string) string {
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}

// show renders an element the server sent for a one-line message.
func show(el *etree.Element) string {
	return oneLine(stanza.FromElement(el).Canonical())
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
