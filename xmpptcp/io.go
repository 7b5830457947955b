package xmpptcp

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/internal/xmlstream"
	"github.com/scansim/scansim/stanza"
)

// End reasons reported by EndReason.
const (
	ReasonClean          = "clean"            // we closed the stream and the server answered
	ReasonAbrupt         = "abrupt"           // we dropped the socket
	ReasonClosedByServer = "closed-by-server" // the server closed its stream without a stream error
	ReasonConnectionLost = "connection-lost"  // the socket ended without a stream close
)

// readLoop reads stanzas until the stream or the socket ends.
func (c *Conn) readLoop() {
	next := func() (xml.Token, error) { return c.dec.RawToken() }
	var endErr error
	for {
		// Each top-level element (or run of whitespace) gets the whole
		// byte budget; BuildElement bounds its depth.
		c.lim.reset()
		tok, err := next()
		if err != nil {
			endErr = err
			break
		}
		if _, ok := tok.(xml.EndElement); ok {
			break // </stream:stream>
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		el, err := xmlstream.BuildElement(se, next, c.cfg.MaxDepth)
		if err != nil {
			endErr = err
			break
		}
		c.dispatch(el)
	}
	c.end(endErr)
}

func (c *Conn) dispatch(el *etree.Element) {
	now := time.Now()
	if el.Tag == "error" && el.Space == "stream" {
		cond, text := streamErrorCondition(el)
		c.mu.Lock()
		c.streamEr, c.streamTx = cond, text
		c.mu.Unlock()
		if c.onEvent != nil {
			c.onEvent(Event{Kind: StreamError, At: now, Stanza: el})
		}
		return
	}
	if el.Space == "" {
		// The stream's default namespace is implied, as in the model.
		if a := el.SelectAttr("xmlns"); a != nil && a.Value == NSClient {
			el.RemoveAttr("xmlns")
		}
	}
	if el.Tag == "iq" && el.Space == "" {
		if t := el.SelectAttrValue("type", ""); t == "result" || t == "error" {
			id := el.SelectAttrValue("id", "")
			c.mu.Lock()
			ch, ok := c.pings[id]
			if ok {
				delete(c.pings, id)
			}
			c.mu.Unlock()
			if ok {
				ch <- el
				return
			}
		}
	}
	if c.onEvent != nil {
		c.onEvent(Event{Kind: Received, At: now, Stanza: el})
	}
	c.mu.Lock()
	c.seq++
	c.inbox = append(c.inbox, Stanza{Seq: c.seq, At: now, Stanza: el})
	c.wake()
	c.mu.Unlock()
}

// wake signals waiters; c.mu must be held.
func (c *Conn) wake() {
	close(c.notify)
	c.notify = make(chan struct{})
}

func (c *Conn) end(err error) {
	c.mu.Lock()
	closing := c.closing
	if errors.Is(err, io.EOF) || (closing && err != nil) {
		err = nil
		if !closing {
			err = io.ErrUnexpectedEOF
		}
	}
	c.ended = true
	c.endErr = err
	c.wake()
	c.mu.Unlock()
	if !closing && err == nil {
		// The server closed its stream: answer, as RFC 6120 §4.4 asks.
		_ = c.write("</stream:stream>")
	}
	c.nc.Close()
	if c.onEvent != nil {
		c.onEvent(Event{Kind: Ended, At: time.Now(), Reason: c.EndReason(), Err: c.EndErr()})
	}
	close(c.done)
}

// Done is closed when the read side of the connection has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Ended reports whether the read side has ended.
func (c *Conn) Ended() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// EndReason says why the connection ended: "" while it is open, the
// stream error condition ("conflict", ...) if the server sent one,
// otherwise ReasonClean, ReasonAbrupt, ReasonClosedByServer or
// ReasonConnectionLost (with the transport's error).
func (c *Conn) EndReason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.ended:
		return ""
	case c.streamEr != "":
		return c.streamEr
	case c.closing && c.dropped:
		return ReasonAbrupt
	case c.closing:
		return ReasonClean
	case c.endErr != nil:
		return ReasonConnectionLost + ": " + c.endErr.Error()
	default:
		return ReasonClosedByServer
	}
}

// EndErr says in one line why the connection ended, as an error: nil
// while it is open or when we closed it; a *ServerStreamError when the
// server sent a stream error (its condition and text); otherwise the
// server's clean close or the transport's failure (a *SizeError or
// *DepthError among them).
func (c *Conn) EndErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.ended:
		return nil
	case c.streamEr != "":
		return &ServerStreamError{Cond: c.streamEr, Text: c.streamTx}
	case c.closing:
		return nil
	case c.endErr != nil:
		return fmt.Errorf("xmpptcp: connection lost: %w", c.endErr)
	}
	return errors.New("xmpptcp: the server closed the stream")
}

// StreamError returns the condition and text of the stream error the
// server sent, if any.
func (c *Conn) StreamError() (cond, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.streamEr, c.streamTx
}

// Send writes st. Its xmlns-less top-level element is in the stream's
// jabber:client namespace; payloads must carry their xmlns attributes.
func (c *Conn) Send(st *etree.Element) error {
	return c.SendRaw(stanza.FromElement(st).Canonical())
}

// SendRaw writes raw XML to the stream.
func (c *Conn) SendRaw(s string) error {
	c.mu.Lock()
	bad := c.ended || c.closing
	c.mu.Unlock()
	if bad {
		return ErrClosed
	}
	return c.write(s)
}

// Ping makes a round trip to the server: an iq get with a unique id to
// the domain, whose reply (result or error) is filtered out of the
// inbox. When Ping returns nil, the server has processed everything
// this connection sent before it, and everything it wrote to this
// connection before the reply is in the inbox.
func (c *Conn) Ping() error { return c.PingAfter("") }

// PingAfter writes raw (stanzas, "" for none) and a ping in one write and
// waits for the ping's reply, as SendRaw then Ping would, with one
// wake-up of the server fewer.
func (c *Conn) PingAfter(raw string) error {
	id := c.nextID("scansim-ping-")
	ch := make(chan *etree.Element, 1)
	c.mu.Lock()
	if c.ended || c.closing {
		c.mu.Unlock()
		return ErrClosed
	}
	c.pings[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pings, id)
		c.mu.Unlock()
	}()
	if err := c.write(raw + fmt.Sprintf("<iq type='get' id='%s' to='%s'><ping xmlns='%s'/></iq>", id, xmlEscape(c.cfg.Domain), NSPing)); err != nil {
		return err
	}
	t := time.NewTimer(c.cfg.Timeout)
	defer t.Stop()
	select {
	case <-ch:
		return nil
	case <-c.done:
		// The reply may have raced with the end of the stream.
		select {
		case <-ch:
			return nil
		default:
		}
		return ErrClosed
	case <-t.C:
		return &TimeoutError{Op: "a ping reply", After: c.cfg.Timeout}
	}
}

// TakeAll removes and returns every queued stanza, oldest first.
func (c *Conn) TakeAll() []Stanza {
	c.mu.Lock()
	defer c.mu.Unlock()
	in := c.inbox
	c.inbox = nil
	return in
}

// Len returns the number of queued stanzas.
func (c *Conn) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.inbox)
}

// Next waits up to d for a stanza and removes it from the inbox. It
// returns ErrClosed when the stream ended with nothing queued, and a
// *TimeoutError when d passed.
func (c *Conn) Next(d time.Duration) (Stanza, error) {
	deadline := time.Now().Add(d)
	for {
		c.mu.Lock()
		if len(c.inbox) > 0 {
			s := c.inbox[0]
			c.inbox = c.inbox[1:]
			c.mu.Unlock()
			return s, nil
		}
		ended, ch := c.ended, c.notify
		c.mu.Unlock()
		if ended {
			return Stanza{}, ErrClosed
		}
		left := time.Until(deadline)
		if left <= 0 {
			return Stanza{}, &TimeoutError{Op: "a stanza", After: d}
		}
		t := time.NewTimer(left)
		select {
		case <-ch:
		case <-t.C:
		}
		t.Stop()
	}
}

// Wait waits up to d until the inbox is not empty or the stream has
// ended, and reports whether either holds.
func (c *Conn) Wait(d time.Duration) bool {
	c.mu.Lock()
	if len(c.inbox) > 0 || c.ended {
		c.mu.Unlock()
		return true
	}
	ch := c.notify
	c.mu.Unlock()
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}

// Notify returns a channel that is closed at the next arrival or at the
// end of the stream.
func (c *Conn) Notify() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.notify
}

// Close closes the stream cleanly: it writes </stream:stream>, waits up
// to the timeout for the server's end of stream, then closes the
// socket. Stanzas that arrive meanwhile are still queued. Closing an
// ended connection returns nil; a second Close returns ErrClosed.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return ErrClosed
	}
	ended := c.ended
	c.closing = true
	c.mu.Unlock()
	if ended {
		return nil
	}
	werr := c.write("</stream:stream>")
	t := time.NewTimer(c.cfg.Timeout)
	defer t.Stop()
	select {
	case <-c.done:
		return nil
	case <-t.C:
		c.nc.Close()
		<-c.done
		if werr != nil {
			return werr
		}
		return &TimeoutError{Op: "the server's end of stream", After: c.cfg.Timeout}
	}
}

// Drop closes the socket at once, without closing the stream, as a dead
// TCP connection would; the server sees the connection drop. Dropping
// an ended connection returns ErrClosed.
func (c *Conn) Drop() error {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return ErrClosed
	}
	c.closing = true
	c.dropped = true
	c.mu.Unlock()
	c.nc.Close() // a plain close (FIN), without </stream:stream>
	<-c.done
	return nil
}

// String describes the connection for messages.
func (c *Conn) String() string {
	return strings.TrimSpace(fmt.Sprintf("%s via %s", c.jid, c.cfg.Addr))
}
