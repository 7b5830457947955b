package xmpptcptest

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"strings"
)

// serverSCRAM is the server side of one SCRAM exchange (RFC 5802), with
// a fixed salt and 4096 iterations; enough to check a client's proof and
// to prove the server knows the password.
type serverSCRAM struct {
	h                        func() hash.Hash
	user, pass               string
	clientFirstBare          string
	serverFirst, nonce, salt string
}

func newServerSCRAM(mech, clientFirst string, password func(string) (string, bool)) *serverSCRAM {
	var h func() hash.Hash
	switch mech {
	case "SCRAM-SHA-1":
		h = sha1.New
	case "SCRAM-SHA-256":
		h = sha256.New
	default:
		return nil
	}
	bare, ok := strings.CutPrefix(clientFirst, "n,,")
	if !ok {
		return nil
	}
	var user, cnonce string
	for _, p := range strings.Split(bare, ",") {
		if v, ok := strings.CutPrefix(p, "n="); ok {
			user = strings.NewReplacer("=2C", ",", "=3D", "=").Replace(v)
		} else if v, ok := strings.CutPrefix(p, "r="); ok {
			cnonce = v
		}
	}
	pass, ok := password(user)
	if !ok || cnonce == "" {
		return nil
	}
	s := &serverSCRAM{h: h, user: user, pass: pass, clientFirstBare: bare,
		nonce: cnonce + "xmpptcptest", salt: base64.StdEncoding.EncodeToString([]byte("xmpptcptest-salt"))}
	s.serverFirst = "r=" + s.nonce + ",s=" + s.salt + ",i=4096"
	return s
}

func (s *serverSCRAM) mac(key []byte, msg string) []byte {
	m := hmac.New(s.h, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// verify checks the client-final message and returns the server-final.
func (s *serverSCRAM) verify(clientFinal string) (string, bool) {
	without, proof64, ok := strings.Cut(clientFinal, ",p=")
	if !ok || without != "c=biws,r="+s.nonce {
		return "", false
	}
	proof, err := base64.StdEncoding.DecodeString(proof64)
	salt, _ := base64.StdEncoding.DecodeString(s.salt)
	salted, err2 := pbkdf2.Key(s.h, s.pass, salt, 4096, s.h().Size())
	if err != nil || err2 != nil || len(proof) != len(salted) {
		return "", false
	}
	authMsg := s.clientFirstBare + "," + s.serverFirst + "," + without
	clientKey := s.mac(salted, "Client Key")
	h := s.h()
	h.Write(clientKey)
	sig := s.mac(h.Sum(nil), authMsg)
	for i := range proof {
		if proof[i]^sig[i] != clientKey[i] {
			return "", false
		}
	}
	return "v=" + base64.StdEncoding.EncodeToString(s.mac(s.mac(salted, "Server Key"), authMsg)), true
}
