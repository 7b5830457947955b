package driver

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/scansim/scansim/xmpptcp"
)

// TLSConfig builds the certificate check of a real-server connection:
// caFile, when given, is a PEM file of the certificates to trust instead
// of the system's (a test server's self-signed certificate); insecure
// accepts any certificate, for a test server whose certificate is at
// hand nowhere. Both at once is a usage error.
func TLSConfig(caFile string, insecure bool) (*tls.Config, error) {
	if caFile != "" && insecure {
		return nil, fmt.Errorf("--ca and --insecure-skip-verify exclude each other")
	}
	cfg := &tls.Config{InsecureSkipVerify: insecure}
	if caFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca %s: no PEM certificate in the file", caFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// ParseTLSMode reads a --tls value: "starttls", "direct" or "off".
func ParseTLSMode(s string) (xmpptcp.TLSMode, error) { return xmpptcp.ParseTLSMode(s) }

// The bounds on what a real server may send, when none is given.
const (
	DefaultMaxStanzaBytes = xmpptcp.DefaultMaxStanzaBytes
	DefaultMaxDepth       = xmpptcp.DefaultMaxDepth
)
