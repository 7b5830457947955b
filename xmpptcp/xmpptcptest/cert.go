package xmpptcptest

import (
	"crypto/tls"

	"github.com/scansim/scansim/internal/selfcert"
)

// selfSigned makes a certificate for host, signed by itself: what a test
// server runs with; the PEM is what a client passes as its CA.
func selfSigned(host string) (*tls.Certificate, []byte, error) {
	c, pemBytes, err := selfcert.New(host, "127.0.0.1")
	if err != nil {
		return nil, nil, err
	}
	return &c, pemBytes, nil
}
