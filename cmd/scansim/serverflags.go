package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/scansim/scansim/driver"
)

// serverFlags are the flags of every command that can drive a real
// server (replay, diff, check): where it is, how to log in, how long to
// wait, how much to accept (docs/real-server.md).
type serverFlags struct {
	server   string
	timeout  time.Duration
	password string
	tls      string
	ca       string
	insecure bool
	noPrefix bool
	register bool
	maxBytes int64
	maxDepth int
}

// add registers the flags; serverHelp is --server's usage text.
func (s *serverFlags) add(fs *flag.FlagSet, serverHelp, timeoutHelp string) {
	fs.StringVar(&s.server, "server", "", serverHelp)
	fs.DurationVar(&s.timeout, "timeout", 0, timeoutHelp)
	fs.StringVar(&s.password, "password", "", "with --server: the password of clients whose script gives none (default \"password\")")
	fs.StringVar(&s.tls, "tls", "off", "with --server: starttls, direct (TLS from the first byte) or off")
	fs.StringVar(&s.ca, "ca", "", "with --server: trust the certificates of this PEM `FILE` (a test server's self-signed one) instead of the system's")
	fs.BoolVar(&s.insecure, "insecure-skip-verify", false, "with --server: accept any TLS certificate (a test server only)")
	fs.BoolVar(&s.noPrefix, "no-prefix", false, "with --server: use the script's accounts as they are (created beforehand), not fresh prefixed ones")
	fs.BoolVar(&s.register, "register", false, "with --server: create each run's fresh accounts by in-band registration (XEP-0077)")
	fs.Int64Var(&s.maxBytes, "max-stanza-bytes", driver.DefaultMaxStanzaBytes, "with --server: the largest stanza accepted from the server, in bytes")
	fs.IntVar(&s.maxDepth, "max-depth", driver.DefaultMaxDepth, "with --server: the deepest nesting accepted in a stanza from the server")
}

// strayFlag names a flag that only means something with --server
// was set without it.
func (s *serverFlags) strayFlag() string {
	switch {
	case s.password != "":
		return "--password"
	case s.tls != "off":
		return "--tls"
	case s.ca != "":
		return "--ca"
	case s.insecure:
		return "--insecure-skip-verify"
	case s.noPrefix:
		return "--no-prefix"
	case s.register:
		return "--register"
	case s.maxBytes != driver.DefaultMaxStanzaBytes:
		return "--max-stanza-bytes"
	case s.maxDepth != driver.DefaultMaxDepth:
		return "--max-depth"
	}
	return ""
}

// driver checks the flags and builds the real server's driver; nil
// without --server.
func (s *serverFlags) driver() (*driver.ServerDriver, error) {
	if s.server == "" {
		if f := s.strayFlag(); f != "" {
			return nil, fmt.Errorf("%s applies only with --server", f)
		}
		return nil, nil
	}
	if err := driver.CheckAddr(s.server); err != nil {
		return nil, err
	}
	if s.timeout < 0 {
		return nil, fmt.Errorf("negative --timeout %v", s.timeout)
	}
	if s.maxBytes < 1024 || s.maxDepth < 2 {
		return nil, fmt.Errorf("--max-stanza-bytes must be at least 1024 and --max-depth at least 2")
	}
	if s.noPrefix && s.register {
		return nil, fmt.Errorf("--register creates fresh prefixed accounts; it excludes --no-prefix")
	}
	mode, err := driver.ParseTLSMode(s.tls)
	if err != nil {
		return nil, fmt.Errorf("--tls: %v", err)
	}
	d := &driver.ServerDriver{Addr: s.server, Timeout: s.timeout, Password: s.password, NoPrefix: s.noPrefix,
		Register: s.register, TLS: mode, MaxStanzaBytes: s.maxBytes, MaxDepth: s.maxDepth}
	if s.ca != "" || s.insecure {
		if mode.String() == "off" {
			return nil, fmt.Errorf("--ca and --insecure-skip-verify need --tls starttls or direct")
		}
		if d.TLSConfig, err = driver.TLSConfig(s.ca, s.insecure); err != nil {
			return nil, err
		}
	}
	return d, nil
}
