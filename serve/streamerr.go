package serve

import (
	"strings"
)

// Namespaces of the negotiation.
const (
	nsClient   = "jabber:client"
	nsStreams  = "http://etherx.jabber.org/streams"
	nsStreamEr = "urn:ietf:params:xml:ns:xmpp-streams"
	nsTLS      = "urn:ietf:params:xml:ns:xmpp-tls"
	nsSASL     = "urn:ietf:params:xml:ns:xmpp-sasl"
	nsBind     = "urn:ietf:params:xml:ns:xmpp-bind"
	nsSession  = "urn:ietf:params:xml:ns:xmpp-session"
	nsStanzas  = "urn:ietf:params:xml:ns:xmpp-stanzas"
)

// streamError is a stream-level error (RFC 6120 §4.9): the server sends
// it, closes its stream and the connection.
type streamError struct {
	cond string // the defined condition, e.g. "not-well-formed"
	text string // optional human-readable text
}

func (e *streamError) Error() string {
	if e.text == "" {
		return e.cond
	}
	return e.cond + ": " + e.text
}

// xml renders the error as it goes on the wire.
func (e *streamError) xml() string {
	var b strings.Builder
	b.WriteString("<stream:error><")
	b.WriteString(e.cond)
	b.WriteString(" xmlns='" + nsStreamEr + "'/>")
	if e.text != "" {
		b.WriteString("<text xmlns='" + nsStreamEr + "'>")
		b.WriteString(escape(e.text))
		b.WriteString("</text>")
	}
	b.WriteString("</stream:error>")
	return b.String()
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", `"`, "&quot;")

func escape(s string) string { return escaper.Replace(s) }
