package serve

import (
	"crypto/tls"

	"github.com/scansim/scansim/internal/selfcert"
)

// selfSigned makes a throwaway certificate for the given names: what a
// test server offers when it is given no --cert/--key. Clients must be
// told not to verify it (or to trust it as their root).
func selfSigned(names ...string) (tls.Certificate, error) {
	c, _, err := selfcert.New(names...)
	return c, err
}
