// Package servetest starts a `scansim serve` for a Go test: a real XMPP
// server on a free loopback port with the model behind it, its control
// surface as a Go value, closed when the test ends. When the test fails,
// the recorded script is logged, ready to be saved as a .scs and
// replayed with `scansim replay`.
package servetest

import (
	"testing"

	"github.com/scansim/scansim/serve"
)

// Server is a running server for one test.
type Server struct {
	*serve.Server
	// Addr is the c2s address, host:port.
	Addr string
	// Control is the control surface's HTTP address (ControlURL's host).
	Control string
	// ControlURL is "http://" + Control.
	ControlURL string
}

// Start starts a server with opts (Addr defaults to 127.0.0.1:0) and its
// HTTP control surface on another free loopback port; both stop when the
// test ends.
func Start(t testing.TB, opts serve.Options) *Server {
	t.Helper()
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	s, err := serve.Start(opts)
	if err != nil {
		t.Fatalf("servetest: %v", err)
	}
	ctl, stop, err := s.ServeControl("127.0.0.1:0")
	if err != nil {
		s.Close()
		t.Fatalf("servetest: %v", err)
	}
	t.Cleanup(func() {
		stop()
		s.Close()
		if t.Failed() {
			if sc, err := s.Script(); err == nil {
				t.Logf("servetest: the session as a script:\n%s", sc)
			}
		}
	})
	return &Server{Server: s, Addr: s.Addr(), Control: ctl, ControlURL: "http://" + ctl}
}
