package model

import "github.com/scansim/scansim/jid"

// JID is a parsed, prepared XMPP address; it lives in the leaf package
// jid, shared with the simulator, the script language and the TCP client.
type JID = jid.JID

// ErrJIDMalformed is returned by ParseJID for addresses that do not prep.
var ErrJIDMalformed = jid.ErrMalformed

// ParseJID splits and preps s (see jid.Parse).
func ParseJID(s string) (JID, error) { return jid.Parse(s) }

// MustJID parses s and panics if it is malformed. For constants in tests
// and examples only.
func MustJID(s string) JID {
	j, err := jid.Parse(s)
	if err != nil {
		panic("model.MustJID(" + s + "): " + err.Error())
	}
	return j
}
