package serve

import (
	"bytes"
	"crypto/subtle"

	"github.com/scansim/scansim/internal/scram"
)

// saslFailure is a SASL failure condition (RFC 6120 §6.5).
type saslFailure struct {
	cond string // e.g. "not-authorized", "malformed-request"
	text string
}

func (f *saslFailure) Error() string { return f.cond + ": " + f.text }

// mechanism is the server side of one SASL exchange. step takes the
// client's data (the initial response, then each response) and returns
// the server's data for the next challenge, or for <success/> once done.
type mechanism interface {
	step(in []byte) (out []byte, done bool, fail *saslFailure)
	// user is the authenticated local part, once done.
	user() string
}

// checkPassword verifies a password: nil passwords accept any (the
// "every account exists" configuration of Prosody's scansion tests).
type passwords map[string]string

func (p passwords) check(user, pass string) bool {
	if p == nil {
		return true
	}
	want, ok := p[user]
	return ok && subtle.ConstantTimeCompare([]byte(want), []byte(pass)) == 1
}

// plain is SASL PLAIN (RFC 4616): authzid NUL authcid NUL passwd.
type plain struct {
	host  string
	pw    passwords
	authc string
}

func (m *plain) user() string { return m.authc }

func (m *plain) step(in []byte) ([]byte, bool, *saslFailure) {
	parts := bytes.Split(in, []byte{0})
	if len(parts) != 3 || len(parts[1]) == 0 {
		return nil, false, &saslFailure{cond: "malformed-request", text: "PLAIN expects authzid NUL authcid NUL password"}
	}
	authz, authc, pass := string(parts[0]), string(parts[1]), string(parts[2])
	if authz != "" && authz != authc+"@"+m.host {
		return nil, false, &saslFailure{cond: "invalid-authzid", text: "authorization identity must be the account itself"}
	}
	if !m.pw.check(authc, pass) {
		return nil, false, &saslFailure{cond: "not-authorized", text: "wrong username or password"}
	}
	m.authc = authc
	return nil, true, nil
}

// scramMech is SCRAM-SHA-1 and SCRAM-SHA-256 (internal/scram). The
// server needs the password to check the client's proof and to sign its
// answer, so it is offered only when the passwords are known.
type scramMech struct{ *scram.Server }

func (m scramMech) user() string { return m.User() }

func (m scramMech) step(in []byte) ([]byte, bool, *saslFailure) {
	out, done, f := m.Step(in)
	if f != nil {
		return nil, false, &saslFailure{cond: f.Cond, text: f.Text}
	}
	return out, done, nil
}

// mechanismNames lists what the server offers, strongest first.
func mechanismNames(pw passwords, plainOK bool) []string {
	var out []string
	if pw != nil {
		out = append(out, "SCRAM-SHA-256", "SCRAM-SHA-1")
	}
	if plainOK {
		out = append(out, "PLAIN")
	}
	return out
}

// newMechanism starts the exchange for name, or nil if it is not offered.
func newMechanism(name, host string, pw passwords, plainOK bool, nonce func() string, salt func() []byte) mechanism {
	switch {
	case name == "PLAIN" && plainOK:
		return &plain{host: host, pw: pw}
	case (name == "SCRAM-SHA-256" || name == "SCRAM-SHA-1") && pw != nil:
		lookup := func(user string) (string, bool) { p, ok := pw[user]; return p, ok }
		return scramMech{scram.NewServer(name, lookup, nonce, salt)}
	}
	return nil
}
