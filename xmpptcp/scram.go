package xmpptcp

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// maxSCRAMIterations bounds the iteration count a server may ask for: a
// hostile server asking for 2^31 would otherwise hold the client in
// PBKDF2 far past every deadline. 600,000 is OWASP's figure for
// PBKDF2-SHA-256, well above what servers use (Prosody: 4096 in 0.12,
// 10000 later).
const maxSCRAMIterations = 600_000

// scram is the client side of one SCRAM exchange (RFC 5802; SCRAM-SHA-256
// is RFC 7677). Channel binding is never used: the GS2 header is "n,,"
// (client does not support it), so only the non -PLUS mechanisms are
// chosen. The password is used as given: SASLprep (RFC 4013) is not
// applied, which changes nothing for ASCII passwords.
type scram struct {
	newHash func() hash.Hash
	user    string
	pass    string
	cnonce  string

	clientFirstBare string
	serverSig       []byte
}

// newSCRAM starts an exchange for mechanism mech ("SCRAM-SHA-1" or
// "SCRAM-SHA-256"); nonce "" draws a fresh one from crypto/rand.
func newSCRAM(mech, user, pass, nonce string) (*scram, error) {
	var h func() hash.Hash
	switch mech {
	case "SCRAM-SHA-1":
		h = sha1.New
	case "SCRAM-SHA-256":
		h = sha256.New
	default:
		return nil, fmt.Errorf("xmpptcp: unsupported mechanism %s", mech)
	}
	if nonce == "" {
		var b [18]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		nonce = base64.RawStdEncoding.EncodeToString(b[:])
	}
	return &scram{newHash: h, user: user, pass: pass, cnonce: nonce}, nil
}

// saslName escapes a username for SCRAM's n= attribute (RFC 5802 §5.1).
func saslName(s string) string {
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}

// first returns the client-first message.
func (s *scram) first() string {
	s.clientFirstBare = "n=" + saslName(s.user) + ",r=" + s.cnonce
	return "n,," + s.clientFirstBare
}

// scramAttrs splits a SCRAM message into its attributes; a repeated or
// malformed attribute is an error.
func scramAttrs(msg string) (map[byte]string, error) {
	out := map[byte]string{}
	for _, part := range strings.Split(msg, ",") {
		if len(part) < 2 || part[1] != '=' {
			return nil, fmt.Errorf("malformed attribute %q", part)
		}
		if _, dup := out[part[0]]; dup {
			return nil, fmt.Errorf("attribute %c repeated", part[0])
		}
		out[part[0]] = part[2:]
	}
	return out, nil
}

// final answers the server-first message with the client-final message.
func (s *scram) final(serverFirst string) (string, error) {
	a, err := scramAttrs(serverFirst)
	if err != nil {
		return "", fmt.Errorf("xmpptcp: SCRAM server-first message: %v", err)
	}
	if _, ok := a['m']; ok {
		return "", errors.New("xmpptcp: SCRAM server-first message asks for an extension (m=) the client does not know")
	}
	nonce, salt64, iter := a['r'], a['s'], a['i']
	if !strings.HasPrefix(nonce, s.cnonce) || len(nonce) == len(s.cnonce) {
		return "", errors.New("xmpptcp: SCRAM server nonce does not extend the client's")
	}
	salt, err := base64.StdEncoding.DecodeString(salt64)
	if err != nil || len(salt) == 0 {
		return "", fmt.Errorf("xmpptcp: SCRAM salt %q is not base64", salt64)
	}
	n, err := strconv.Atoi(iter)
	if err != nil || n < 1 || n > maxSCRAMIterations {
		return "", fmt.Errorf("xmpptcp: SCRAM iteration count %q: expected 1 to %d", iter, maxSCRAMIterations)
	}
	salted, err := pbkdf2.Key(s.newHash, s.pass, salt, n, s.newHash().Size())
	if err != nil {
		return "", fmt.Errorf("xmpptcp: SCRAM: %v", err)
	}
	clientKey := s.hmac(salted, "Client Key")
	h := s.newHash()
	h.Write(clientKey)
	storedKey := h.Sum(nil)
	withoutProof := "c=biws,r=" + nonce // biws = base64("n,,")
	authMsg := s.clientFirstBare + "," + serverFirst + "," + withoutProof
	sig := s.hmac(storedKey, authMsg)
	proof := make([]byte, len(clientKey))
	for i := range clientKey {
		proof[i] = clientKey[i] ^ sig[i]
	}
	s.serverSig = s.hmac(s.hmac(salted, "Server Key"), authMsg)
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof), nil
}

// verify checks the server-final message: the server must prove it knows
// the password too (mutual authentication).
func (s *scram) verify(serverFinal string) error {
	a, err := scramAttrs(serverFinal)
	if err != nil {
		return fmt.Errorf("xmpptcp: SCRAM server-final message: %v", err)
	}
	if e, ok := a['e']; ok {
		return fmt.Errorf("xmpptcp: SCRAM: the server reports %q", e)
	}
	v, err := base64.StdEncoding.DecodeString(a['v'])
	if err != nil || s.serverSig == nil || !hmac.Equal(v, s.serverSig) {
		return errors.New("xmpptcp: SCRAM: the server's signature is wrong (it does not know the password)")
	}
	return nil
}

func (s *scram) hmac(key []byte, msg string) []byte {
	m := hmac.New(s.newHash, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
