package serve

import (
	"crypto/tls"
	"time"
)

// Options configure a Server. The zero value listens on 127.0.0.1:5222
// with the default profile, seed 0, a self-signed certificate, TLS
// offered but not required, and every account existing with any password.
type Options struct {
	// Addr is the c2s listener's address; default "127.0.0.1:5222"
	// ("127.0.0.1:0" picks a free port: see Server.Addr).
	Addr string
	// Profile names the model profile (model.ProfileNames); "" is the
	// CLI's default (driver.DefaultProfile).
	Profile string
	// Seed is the simulation seed: generated resources and ids.
	Seed uint64
	// Host is the virtual host; default "localhost". The profile's
	// components are served beside it.
	Host string
	// Hosts are further virtual hosts of the same server (model.Hosts),
	// each with the profile's components under it, as one Prosody with
	// several VirtualHost sections: a client picks one with its stream's
	// 'to', and stanzas between the hosts are routed locally (no s2s).
	// An accounts file (Passwords) holds local parts valid at every host.
	Hosts []string
	// Certificate is offered with STARTTLS; nil generates a self-signed
	// one for Host, "localhost" and 127.0.0.1.
	Certificate *tls.Certificate
	// RequireTLS makes STARTTLS mandatory before authentication.
	RequireTLS bool
	// Passwords, when non-nil, are the only accounts and their passwords
	// (and SCRAM is offered). nil: every account exists with any password,
	// as in Prosody's scansion configuration (PLAIN only).
	Passwords map[string]string
	// MaxStanzaSize bounds one top-level element in bytes; default 1 MiB
	// (policy-violation beyond).
	MaxStanzaSize int
	// MaxDepth bounds element nesting; default 100.
	MaxDepth int
	// HandshakeTimeout bounds everything before the resource is bound;
	// default 60s (connection-timeout).
	HandshakeTimeout time.Duration
	// StanzaTimeout bounds the reading of one stanza once it has started;
	// default 60s. An idle bound session is never timed out (Prosody's
	// c2s has no idle timeout either).
	StanzaTimeout time.Duration
	// WriteQueue is how many stanzas may wait for a slow client before
	// its connection is cut; default 4096.
	WriteQueue int
	// WriteTimeout bounds one write to a client; default 30s.
	WriteTimeout time.Duration
	// Start is the virtual instant the server starts at; zero is
	// model.Epoch (the instant Prosody's scansion configuration pins).
	// The CLI starts at the wall clock's present.
	Start time.Time
	// Clock is the source the virtual clock follows (clock.go): the time
	// since the server started, read by the model goroutine once per
	// queued item; it must not decrease (a decrease is ignored). nil: Go's
	// monotonic clock. A test that wants a still or stepped clock sets it.
	Clock func() time.Duration
	// TraceWindow is how many of the newest trace events are kept for
	// the trace page, the text trace and Trace; default 10,000 (a few
	// MB). The recorded script has every session whatever the window.
	TraceWindow int
	// SpoolDir is where the recorded script's actions wait, in a file
	// removed from the directory at once (read through its descriptor);
	// default os.TempDir().
	SpoolDir string
	// Logf, when set, receives one line per connection event.
	Logf func(format string, args ...any)
}

func (o *Options) defaults() {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:5222"
	}
	if o.Host == "" {
		o.Host = "localhost"
	}
	if o.MaxStanzaSize <= 0 {
		o.MaxStanzaSize = 1 << 20
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = 100
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 60 * time.Second
	}
	if o.StanzaTimeout <= 0 {
		o.StanzaTimeout = 60 * time.Second
	}
	if o.WriteQueue <= 0 {
		o.WriteQueue = 4096
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 30 * time.Second
	}
	if o.Clock == nil {
		o.Clock = monotonic()
	}
	if o.TraceWindow <= 0 {
		o.TraceWindow = 10000
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
}
