package serve

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"strconv"
	"strings"
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

// scram is SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677) without
// channel binding. The server needs the password to check the client's
// proof and to sign its answer, so it is offered only when the passwords
// are known.
type scram struct {
	newHash func() hash.Hash
	pw      passwords
	nonce   func() string // the server's nonce part
	salt    func() []byte
	iter    int

	state     int // 0: expect client-first, 1: expect client-final, 2: done
	gs2       string
	name      string
	clientFB  string // client-first-message-bare
	serverF   string // server-first-message
	fullNonce string
	salted    []byte
}

func (m *scram) user() string { return m.name }

func (m *scram) step(in []byte) ([]byte, bool, *saslFailure) {
	switch m.state {
	case 0:
		return m.first(string(in))
	case 1:
		return m.final(string(in))
	}
	return nil, false, &saslFailure{cond: "malformed-request", text: "exchange already complete"}
}

func (m *scram) first(msg string) ([]byte, bool, *saslFailure) {
	// gs2-header: cbind-flag "," [authzid] ","
	flag, rest, ok := strings.Cut(msg, ",")
	if !ok {
		return nil, false, malformed("no GS2 header")
	}
	switch {
	case flag == "n" || flag == "y":
	case strings.HasPrefix(flag, "p="):
		return nil, false, &saslFailure{cond: "invalid-mechanism", text: "channel binding is not offered"}
	default:
		return nil, false, malformed("bad channel binding flag")
	}
	authz, bare, ok := strings.Cut(rest, ",")
	if !ok {
		return nil, false, malformed("no GS2 header")
	}
	m.gs2 = flag + "," + authz + ","
	attrs, ok := scramAttrs(bare)
	if !ok || attrs["n"] == "" || attrs["r"] == "" || strings.HasPrefix(bare, "m=") {
		return nil, false, malformed("client-first-message needs n= and r=")
	}
	name, ok := unescapeSaslName(attrs["n"])
	if !ok {
		return nil, false, malformed("bad username encoding")
	}
	if authz != "" {
		a, ok := unescapeSaslName(strings.TrimPrefix(authz, "a="))
		if !strings.HasPrefix(authz, "a=") || !ok || !strings.HasPrefix(a, name+"@") {
			return nil, false, &saslFailure{cond: "invalid-authzid", text: "authorization identity must be the account itself"}
		}
	}
	m.name = name
	pass, known := m.pw[name]
	if !known {
		// Carry on with a random password so that the answer does not
		// tell which accounts exist; the proof will not match.
		pass = m.nonce()
	}
	salt := m.salt()
	m.salted, _ = pbkdf2.Key(m.newHash, pass, salt, m.iter, m.newHash().Size())
	m.clientFB = bare
	m.fullNonce = attrs["r"] + m.nonce()
	m.serverF = "r=" + m.fullNonce + ",s=" + base64.StdEncoding.EncodeToString(salt) + ",i=" + strconv.Itoa(m.iter)
	m.state = 1
	return []byte(m.serverF), false, nil
}

func (m *scram) final(msg string) ([]byte, bool, *saslFailure) {
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		return nil, false, malformed("client-final-message needs p=")
	}
	withoutProof := msg[:i]
	attrs, ok := scramAttrs(withoutProof)
	if !ok {
		return nil, false, malformed("bad client-final-message")
	}
	if attrs["c"] != base64.StdEncoding.EncodeToString([]byte(m.gs2)) {
		return nil, false, malformed("channel binding data does not match the GS2 header")
	}
	if attrs["r"] != m.fullNonce {
		return nil, false, malformed("nonce mismatch")
	}
	proof, err := base64.StdEncoding.DecodeString(msg[i+3:])
	if err != nil || len(proof) != len(m.salted) {
		return nil, false, malformed("bad proof")
	}
	authMsg := []byte(m.clientFB + "," + m.serverF + "," + withoutProof)
	clientKey := m.hmac(m.salted, []byte("Client Key"))
	storedKey := m.sum(clientKey)
	sig := m.hmac(storedKey, authMsg)
	got := make([]byte, len(proof))
	for j := range proof {
		got[j] = proof[j] ^ sig[j]
	}
	if _, known := m.pw[m.name]; !known || subtle.ConstantTimeCompare(m.sum(got), storedKey) != 1 {
		m.state = 2
		return nil, false, &saslFailure{cond: "not-authorized", text: "wrong username or password"}
	}
	serverKey := m.hmac(m.salted, []byte("Server Key"))
	m.state = 2
	return []byte("v=" + base64.StdEncoding.EncodeToString(m.hmac(serverKey, authMsg))), true, nil
}

func (m *scram) hmac(key, data []byte) []byte {
	h := hmac.New(m.newHash, key)
	h.Write(data)
	return h.Sum(nil)
}

func (m *scram) sum(b []byte) []byte {
	h := m.newHash()
	h.Write(b)
	return h.Sum(nil)
}

func malformed(text string) *saslFailure {
	return &saslFailure{cond: "malformed-request", text: text}
}

// scramAttrs splits "k=v,k=v" into a map; false when a part is not k=v.
func scramAttrs(s string) (map[string]string, bool) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || len(k) != 1 {
			return nil, false
		}
		out[k] = v
	}
	return out, true
}

// unescapeSaslName decodes "=2C" and "=3D" (RFC 5802 §5.1); any other
// "=" is an error.
func unescapeSaslName(s string) (string, bool) {
	if !strings.Contains(s, "=") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case strings.HasPrefix(s[i:], "=2C"):
			b.WriteByte(',')
		case strings.HasPrefix(s[i:], "=3D"):
			b.WriteByte('=')
		default:
			return "", false
		}
		i += 2
	}
	return b.String(), true
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
	case name == "SCRAM-SHA-256" && pw != nil:
		return &scram{newHash: sha256.New, pw: pw, nonce: nonce, salt: salt, iter: 4096}
	case name == "SCRAM-SHA-1" && pw != nil:
		return &scram{newHash: sha1.New, pw: pw, nonce: nonce, salt: salt, iter: 4096}
	}
	return nil
}
