package selfcert

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
)

// A client that trusts the returned PEM verifies a TLS handshake with the
// certificate for each of its names (DNS and IP): what --ca relies on.
func TestVerifiesAsItsOwnRoot(t *testing.T) {
	cert, pemBytes, err := New("localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("the PEM does not parse")
	}
	for _, name := range []string{"localhost", "127.0.0.1"} {
		ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			c, err := ln.Accept()
			if err == nil {
				_ = c.(*tls.Conn).Handshake()
				c.Close()
			}
		}()
		c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: name})
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else {
			c.Close()
		}
		ln.Close()
	}
	// and not for another name
	ln, _ := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	if c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "example.org"}); err == nil {
		c.Close()
		t.Error("verified for a name it does not carry")
	}
}
