// Package scram is the server side of SASL SCRAM-SHA-1 and SCRAM-SHA-256
// (RFC 5802, RFC 7677) without channel binding, for scansim's own
// servers: `scansim serve` (package serve) and the test servers of
// xmpptcp/xmpptcptest. It is written apart from the client in
// xmpptcp/scram.go and shares nothing with it, so that the client is
// tested against an independent implementation of the other side.
package scram

import (
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

// Failure is a SASL failure: the RFC 6120 §6.5 condition and a text.
type Failure struct{ Cond, Text string }

func (f *Failure) Error() string { return f.Cond + ": " + f.Text }

// Iterations is the PBKDF2 iteration count offered (RFC 7677's minimum
// recommendation, Prosody's default).
const Iterations = 4096

// Server is one SCRAM exchange on the server side.
type Server struct {
	newHash func() hash.Hash
	lookup  func(user string) (password string, ok bool)
	nonce   func() string // the server's nonce part
	salt    func() []byte

	state     int // 0: expect client-first, 1: expect client-final, 2: done
	gs2       string
	name      string
	known     bool // the user has a password
	clientFB  string
	serverF   string
	fullNonce string
	salted    []byte
}

// NewServer starts an exchange for mech ("SCRAM-SHA-1" or
// "SCRAM-SHA-256"; nil for another name). lookup gives a user's
// password; nonce the server's part of the nonce and salt a fresh salt,
// per exchange.
func NewServer(mech string, lookup func(user string) (string, bool), nonce func() string, salt func() []byte) *Server {
	var h func() hash.Hash
	switch mech {
	case "SCRAM-SHA-1":
		h = sha1.New
	case "SCRAM-SHA-256":
		h = sha256.New
	default:
		return nil
	}
	return &Server{newHash: h, lookup: lookup, nonce: nonce, salt: salt}
}

// User returns the user the client named (once the first step ran).
func (m *Server) User() string { return m.name }

// Step takes the client's next message and returns the server's answer,
// whether the exchange succeeded with it (the answer is then the
// server-final message, sent with <success/>), or the failure.
func (m *Server) Step(in []byte) ([]byte, bool, *Failure) {
	switch m.state {
	case 0:
		return m.first(string(in))
	case 1:
		return m.final(string(in))
	}
	return nil, false, &Failure{Cond: "malformed-request", Text: "exchange already complete"}
}

func (m *Server) first(msg string) ([]byte, bool, *Failure) {
	// gs2-header: cbind-flag "," [authzid] ","
	flag, rest, ok := strings.Cut(msg, ",")
	if !ok {
		return nil, false, malformed("no GS2 header")
	}
	switch {
	case flag == "n" || flag == "y":
	case strings.HasPrefix(flag, "p="):
		return nil, false, &Failure{Cond: "invalid-mechanism", Text: "channel binding is not offered"}
	default:
		return nil, false, malformed("bad channel binding flag")
	}
	authz, bare, ok := strings.Cut(rest, ",")
	if !ok {
		return nil, false, malformed("no GS2 header")
	}
	m.gs2 = flag + "," + authz + ","
	attrs, ok := attributes(bare)
	if !ok || attrs["n"] == "" || attrs["r"] == "" || strings.HasPrefix(bare, "m=") {
		return nil, false, malformed("client-first-message needs n= and r=")
	}
	name, ok := unescapeName(attrs["n"])
	if !ok {
		return nil, false, malformed("bad username encoding")
	}
	if authz != "" {
		a, ok := unescapeName(strings.TrimPrefix(authz, "a="))
		if !strings.HasPrefix(authz, "a=") || !ok || !strings.HasPrefix(a, name+"@") {
			return nil, false, &Failure{Cond: "invalid-authzid", Text: "authorization identity must be the account itself"}
		}
	}
	m.name = name
	pass, known := m.lookup(name)
	if !known {
		// Carry on with a random password so that the answer does not
		// tell which accounts exist; the proof will not match.
		pass = m.nonce()
	}
	m.known = known
	salt := m.salt()
	m.salted, _ = pbkdf2.Key(m.newHash, pass, salt, Iterations, m.newHash().Size())
	m.clientFB = bare
	m.fullNonce = attrs["r"] + m.nonce()
	m.serverF = "r=" + m.fullNonce + ",s=" + base64.StdEncoding.EncodeToString(salt) + ",i=" + strconv.Itoa(Iterations)
	m.state = 1
	return []byte(m.serverF), false, nil
}

func (m *Server) final(msg string) ([]byte, bool, *Failure) {
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		return nil, false, malformed("client-final-message needs p=")
	}
	withoutProof := msg[:i]
	attrs, ok := attributes(withoutProof)
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
	m.state = 2
	if !m.known || subtle.ConstantTimeCompare(m.sum(got), storedKey) != 1 {
		return nil, false, &Failure{Cond: "not-authorized", Text: "wrong username or password"}
	}
	serverKey := m.hmac(m.salted, []byte("Server Key"))
	return []byte("v=" + base64.StdEncoding.EncodeToString(m.hmac(serverKey, authMsg))), true, nil
}

func (m *Server) hmac(key, data []byte) []byte {
	h := hmac.New(m.newHash, key)
	h.Write(data)
	return h.Sum(nil)
}

func (m *Server) sum(b []byte) []byte {
	h := m.newHash()
	h.Write(b)
	return h.Sum(nil)
}

func malformed(text string) *Failure {
	return &Failure{Cond: "malformed-request", Text: text}
}

// attributes splits "k=v,k=v" into a map; false when a part is not k=v.
func attributes(s string) (map[string]string, bool) {
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

// unescapeName decodes "=2C" and "=3D" (RFC 5802 §5.1); any other "="
// is an error.
func unescapeName(s string) (string, bool) {
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
