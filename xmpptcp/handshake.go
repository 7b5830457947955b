package xmpptcp

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/internal/xmlstream"
)

// The handshake runs synchronously, before the reader starts, under the
// one deadline Dial set on the socket.

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
		return nil, c.hsErr(op, err)
	}
	r := &hsReader{c: c, dec: xml.NewDecoder(c.br), op: op}
	c.lim.reset()
	for {
		tok, err := r.token()
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != "stream" {
				return nil, fmt.Errorf("xmpptcp: %s: expected a stream header, got <%s>", op, oneLine(se.Name.Local))
			}
			return r, nil
		}
	}
}

// hsErr names the step a transport error happened in.
func (c *Conn) hsErr(op string, err error) error {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return &TimeoutError{Op: op, After: c.cfg.Timeout}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("xmpptcp: %s: the server closed the connection", op)
	}
	var te *TimeoutError
	var se *SizeError
	if errors.As(err, &te) || errors.As(err, &se) {
		return err
	}
	return fmt.Errorf("xmpptcp: %s: %w", op, err)
}

func (r *hsReader) token() (xml.Token, error) {
	tok, err := r.dec.RawToken()
	if err != nil {
		return nil, r.c.hsErr(r.op, err)
	}
	return tok, nil
}

// element reads the next top-level element of the stream. The end of
// the stream or a stream error is an error.
func (r *hsReader) element() (*etree.Element, error) {
	for {
		r.c.lim.reset()
		tok, err := r.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			el, err := xmlstream.BuildElement(t, r.token, r.c.cfg.MaxDepth)
			if err != nil {
				return nil, err
			}
			if el.Tag == "error" && el.Space == "stream" {
				cond, text := streamErrorCondition(el)
				return nil, &ServerStreamError{Op: r.op, Cond: cond, Text: text}
			}
			return el, nil
		case xml.EndElement:
			return nil, fmt.Errorf("xmpptcp: %s: the server closed the stream", r.op)
		}
	}
}

// send writes one handshake element.
func (r *hsReader) send(format string, args ...any) error {
	if err := r.c.write(fmt.Sprintf(format, args...)); err != nil {
		return r.c.hsErr(r.op, err)
	}
	return nil
}

func (c *Conn) tlsConfig() *tls.Config {
	var cfg *tls.Config
	if c.cfg.TLSConfig != nil {
		cfg = c.cfg.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = c.cfg.Domain
	}
	return cfg
}

// startTLS puts TLS over the current socket (the deadline carries over).
func (c *Conn) startTLS(op string) error {
	tc := tls.Client(c.nc, c.tlsConfig())
	if err := tc.Handshake(); err != nil {
		return c.hsErr(op, err)
	}
	c.setTransport(tc)
	return nil
}

func (c *Conn) handshake() error {
	if c.cfg.TLS == TLSDirect {
		if err := c.startTLS("the TLS handshake (direct TLS)"); err != nil {
			return err
		}
	}
	r, err := c.openStream("the stream header")
	if err != nil {
		return err
	}
	r.op = "stream features"
	feats, err := r.element()
	if err != nil {
		return err
	}
	if st := feats.SelectElement("starttls"); st != nil && c.cfg.TLS == TLSOff && st.SelectElement("required") != nil {
		return errors.New("xmpptcp: the server requires STARTTLS; connect with TLS (scansim: --tls starttls)")
	}
	if c.cfg.TLS == TLSStartTLS {
		if feats.SelectElement("starttls") == nil {
			return fmt.Errorf("xmpptcp: the server does not offer STARTTLS (features: %s)", show(feats))
		}
		r.op = "the STARTTLS answer"
		if err := r.send("<starttls xmlns='%s'/>", NSTLS); err != nil {
			return err
		}
		res, err := r.element()
		if err != nil {
			return err
		}
		if res.Tag != "proceed" {
			return fmt.Errorf("xmpptcp: the server refused STARTTLS: %s", show(res))
		}
		if err := c.startTLS("the TLS handshake (STARTTLS)"); err != nil {
			return err
		}
		if r, err = c.openStream("the stream header after STARTTLS"); err != nil {
			return err
		}
		r.op = "stream features after STARTTLS"
		if feats, err = r.element(); err != nil {
			return err
		}
	}
	if c.cfg.Register {
		if err := r.register(feats); err != nil {
			return err
		}
	}
	if err := r.authenticate(feats); err != nil {
		return err
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
		return fmt.Errorf("xmpptcp: the server offers no resource binding (features: %s)", show(feats))
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
	r.op = "the bind result"
	if err := r.send("<iq type='set' id='%s'><bind xmlns='%s'>%s</bind></iq>", id, NSBind, res0); err != nil {
		return err
	}
	res, err := r.iqReply(id)
	if err != nil {
		return err
	}
	if res.SelectAttrValue("type", "") != "result" {
		return fmt.Errorf("xmpptcp: bind of %s/%s failed: %s", c.cfg.User, c.cfg.Resource, show(res))
	}
	j := res.FindElement("bind/jid")
	if j == nil || strings.TrimSpace(j.Text()) == "" {
		return fmt.Errorf("xmpptcp: bind result without a jid: %s", show(res))
	}
	c.jid = strings.TrimSpace(j.Text())
	if c.cfg.Session || sessionRequired {
		id := c.nextID("sess")
		r.op = "the session result"
		if err := r.send("<iq type='set' id='%s'><session xmlns='%s'/></iq>", id, NSSession); err != nil {
			return err
		}
		res, err = r.iqReply(id)
		if err != nil {
			return err
		}
		if res.SelectAttrValue("type", "") != "result" {
			return fmt.Errorf("xmpptcp: session establishment failed: %s", show(res))
		}
	}
	// From here on the reader goroutine owns the decoder.
	c.dec = r.dec
	return nil
}

// register creates the account with XEP-0077 in-band registration, on
// the stream before authentication (XEP-0077 §3.1).
func (r *hsReader) register(feats *etree.Element) error {
	c := r.c
	if f := feats.SelectElement("register"); f == nil || f.SelectAttrValue("xmlns", "") != NSRegisterFeature {
		return fmt.Errorf("xmpptcp: the server does not offer in-band registration (XEP-0077) on this stream (features: %s)", show(feats))
	}
	id := c.nextID("reg")
	r.op = "the registration result"
	if err := r.send("<iq type='set' id='%s'><query xmlns='%s'><username>%s</username><password>%s</password></query></iq>",
		id, NSRegister, xmlEscape(c.cfg.User), xmlEscape(c.cfg.Password)); err != nil {
		return err
	}
	res, err := r.iqReply(id)
	if err != nil {
		return err
	}
	if res.SelectAttrValue("type", "") != "result" {
		return fmt.Errorf("xmpptcp: registration of %s failed: %s", c.cfg.User, stanzaErrorText(res))
	}
	return nil
}

// mechanismPreference is the order SASL mechanisms are chosen in: the
// strongest the server offers.
var mechanismPreference = []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"}

// authenticate runs SASL with the preferred mechanism the server offers.
func (r *hsReader) authenticate(feats *etree.Element) error {
	c := r.c
	mech := ""
	for _, m := range mechanismPreference {
		if hasMechanism(feats, m) {
			mech = m
			break
		}
	}
	if mech == "" {
		return fmt.Errorf("xmpptcp: the server offers no SASL mechanism the client supports (%s; features: %s)",
			strings.Join(mechanismPreference, ", "), show(feats))
	}
	b64 := base64.StdEncoding.EncodeToString
	r.op = "the SASL outcome"
	if mech == "PLAIN" {
		if err := r.send("<auth xmlns='%s' mechanism='PLAIN'>%s</auth>", NSSASL, b64([]byte("\x00"+c.cfg.User+"\x00"+c.cfg.Password))); err != nil {
			return err
		}
		res, err := r.element()
		if err != nil {
			return err
		}
		return c.saslOutcome(mech, res, nil)
	}
	sc, err := newSCRAM(mech, c.cfg.User, c.cfg.Password, "")
	if err != nil {
		return err
	}
	r.op = "the SCRAM challenge"
	if err := r.send("<auth xmlns='%s' mechanism='%s'>%s</auth>", NSSASL, mech, b64([]byte(sc.first()))); err != nil {
		return err
	}
	res, err := r.element()
	if err != nil {
		return err
	}
	if res.Tag != "challenge" {
		return c.saslOutcome(mech, res, nil)
	}
	serverFirst, err := base64.StdEncoding.DecodeString(strings.TrimSpace(res.Text()))
	if err != nil {
		return fmt.Errorf("xmpptcp: the SCRAM challenge is not base64: %v", err)
	}
	final, err := sc.final(string(serverFirst))
	if err != nil {
		_ = r.send("<abort xmlns='%s'/>", NSSASL)
		return err
	}
	r.op = "the SASL outcome"
	if err := r.send("<response xmlns='%s'>%s</response>", NSSASL, b64([]byte(final))); err != nil {
		return err
	}
	if res, err = r.element(); err != nil {
		return err
	}
	return c.saslOutcome(mech, res, sc)
}

// saslOutcome judges the server's last SASL element; with SCRAM the
// success carries the server's signature, which must be right.
func (c *Conn) saslOutcome(mech string, res *etree.Element, sc *scram) error {
	switch res.Tag {
	case "success":
		if sc == nil {
			return nil
		}
		serverFinal, err := base64.StdEncoding.DecodeString(strings.TrimSpace(res.Text()))
		if err != nil {
			return fmt.Errorf("xmpptcp: the SCRAM success data is not base64: %v", err)
		}
		return sc.verify(string(serverFinal))
	case "failure":
		cond := ""
		if ch := res.ChildElements(); len(ch) > 0 {
			cond = ch[0].Tag
		}
		if t := res.SelectElement("text"); t != nil {
			cond += " (" + t.Text() + ")"
		}
		return fmt.Errorf("xmpptcp: authentication of %s failed (%s): %s", c.cfg.User, mech, oneLine(cond))
	}
	return fmt.Errorf("xmpptcp: unexpected SASL answer %s", show(res))
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

// stanzaErrorText is an error stanza's condition and text, for messages.
func stanzaErrorText(res *etree.Element) string {
	e := res.SelectElement("error")
	if e == nil {
		return show(res)
	}
	cond, text := "", ""
	for _, ch := range e.ChildElements() {
		if ch.Tag == "text" {
			text = strings.TrimSpace(ch.Text())
		} else if cond == "" {
			cond = ch.Tag
		}
	}
	if text != "" {
		return oneLine(cond + " (" + text + ")")
	}
	return oneLine(cond)
}
