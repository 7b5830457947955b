package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/serve"
)

var serveCommand = &command{
	name:    "serve",
	summary: "run the model as a real XMPP server for client developers, recording every session",
	help: `Usage: scansim serve [flags]

Runs the model as an XMPP server on a TCP port: a client library connects,
negotiates (STARTTLS with a self-signed certificate unless --cert/--key,
SASL PLAIN or SCRAM-SHA-1/-256, resource binding) and talks to the same
server the scripts run against, with the blocking semantics of the chosen
profile. One goroutine runs the model, in the order stanzas arrive.

Every account exists with any password (SASL PLAIN only, allowed without
TLS on loopback) unless --accounts names a file of "user password" lines
(then SCRAM is offered too). Several --host flags serve several virtual
hosts, each with the profile's components, as one Prosody with several
VirtualHosts: a client picks one with its stream's 'to', and users of
different hosts talk, subscribe and block as within one. Until SIGINT or SIGTERM; then --record and
--trace are written.

  --record FILE.scs   every session as a scansion script: replay it with
                      scansim replay --profile P --seed N FILE.scs
                      (streamed to a spool file as it goes: memory does
                      not grow with the session)
  --trace FILE.html   the trace page (as scansim trace draws it) of the
                      newest --trace-window events
  --control ADDR      HTTP+JSON control surface on a loopback address
                      (act as a user, populate state, drop/restart/delay;
                      see docs/serve.md)

Examples:
  scansim serve --addr 127.0.0.1:5222 --record session.scs --trace session.html
  scansim serve --profile prosody-0.12 --control 127.0.0.1:5280
  scansim serve --accounts users.txt --require-tls --cert c.pem --key k.pem
`,
	run: serveCmd,
}

func serveCmd(c *command, args []string, stdout, stderr io.Writer) int {
	var (
		o                        serve.Options
		cert, key, accounts      string
		record, trace, control   string
		handshake, stanzaTimeout time.Duration
		startAt                  string
	)
	fs := newFlags(c, stderr)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:5222", "c2s listener `HOST:PORT`")
	profileFlag(fs, &o.Profile, "server profile")
	fs.Uint64Var(&o.Seed, "seed", 0, "simulation seed (generated resources and ids)")
	o.Host = "localhost"
	fs.Var(&hostsFlag{o: &o}, "host", "a virtual `DOMAIN` (default localhost); repeat it, or list several with commas, for several virtual hosts")
	fs.StringVar(&startAt, "start", "now", "the virtual clock's starting `TIME`: now, epoch (2008-08-22T21:09:04Z, Prosody's scansion clock) or RFC 3339; it then moves with real time")
	fs.BoolFunc("fixed-clock", "keep the virtual clock at --start, as Prosody's scansion test configuration pins it (for scripts that rely on that)", func(string) error {
		o.Clock = serve.FixedClock
		return nil
	})
	fs.StringVar(&cert, "cert", "", "TLS certificate `FILE` (PEM; with --key); default: a generated self-signed one")
	fs.StringVar(&key, "key", "", "TLS key `FILE` (PEM)")
	fs.BoolVar(&o.RequireTLS, "require-tls", false, "require STARTTLS before authentication")
	fs.StringVar(&accounts, "accounts", "", "`FILE` of \"user password\" lines: the only accounts (default: every account, any password)")
	fs.StringVar(&record, "record", "", "write every session as a scansion script to `FILE.scs` on exit")
	fs.StringVar(&trace, "trace", "", "write the trace page of the newest events (--trace-window) to `FILE.html` on exit")
	fs.IntVar(&o.TraceWindow, "trace-window", 10000, "how many of the newest trace `EVENTS` the trace page and the control surface's trace keep (the recording keeps every session)")
	fs.StringVar(&control, "control", "", "serve the HTTP+JSON control surface on loopback `HOST:PORT`")
	fs.DurationVar(&handshake, "handshake-timeout", 0, "bound on the negotiation before bind (default 60s)")
	fs.DurationVar(&stanzaTimeout, "stanza-timeout", 0, "bound on reading one started stanza (default 60s)")
	fs.BoolFunc("v", "log one line per connection event to stderr", func(string) error {
		o.Logf = func(f string, a ...any) { fmt.Fprintf(stderr, "scansim serve: "+f+"\n", a...) }
		return nil
	})
	pos, code, ok := parseFlags(c, fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "scansim serve: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	o.HandshakeTimeout, o.StanzaTimeout = handshake, stanzaTimeout
	switch startAt {
	case "now":
		// The one reading of the wall clock: the model follows the
		// monotonic clock from here (serve/clock.go).
		o.Start = time.Now().UTC().Truncate(time.Second)
	case "epoch":
		o.Start = model.Epoch
	default:
		t, err := time.Parse(time.RFC3339, startAt)
		if err != nil {
			fmt.Fprintf(stderr, "scansim serve: --start %q: expected now, epoch or an RFC 3339 time (2006-01-02T15:04:05Z)\n", startAt)
			return exitUsage
		}
		o.Start = t.UTC()
	}
	// The files are written on exit: a path that cannot take them must
	// fail now, not after the whole session.
	for _, f := range []struct{ flag, path string }{{"--record", record}, {"--trace", trace}} {
		if f.path != "" {
			if err := scenarios.CheckWritable(f.path); err != nil {
				fmt.Fprintf(stderr, "scansim serve: %s: %v\n", f.flag, err)
				return exitUsage
			}
		}
	}
	if (cert == "") != (key == "") {
		fmt.Fprintln(stderr, "scansim serve: --cert and --key go together")
		return exitUsage
	}
	if cert != "" {
		kp, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			fmt.Fprintf(stderr, "scansim serve: %v\n", err)
			return exitUsage
		}
		o.Certificate = &kp
	}
	if accounts != "" {
		pw, err := serve.LoadAccounts(accounts)
		if err != nil {
			fmt.Fprintf(stderr, "scansim serve: %v\n", err)
			return exitUsage
		}
		o.Passwords = pw
	}
	s, err := serve.Start(o)
	if err != nil {
		fmt.Fprintf(stderr, "scansim serve: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "scansim serve: XMPP on %s (host %s, profile %s, seed %d)\n", s.Addr(), strings.Join(s.Hosts(), ", "), s.ProfileName(), s.Seed())
	if control != "" {
		addr, stop, err := s.ServeControl(control)
		if err != nil {
			s.Close()
			fmt.Fprintf(stderr, "scansim serve: %v\n", err)
			return exitUsage
		}
		defer stop()
		fmt.Fprintf(stdout, "scansim serve: control on http://%s\n", addr)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	signal.Stop(sig)
	s.Close()
	code = exitOK
	if record != "" {
		if err := s.WriteScriptFile(record); err != nil {
			fmt.Fprintf(stderr, "scansim serve: --record: %v\n", err)
			code = exitFailed
		}
	}
	if trace != "" {
		var b bytes.Buffer
		err := s.TraceHTML(&b)
		if err == nil {
			err = serve.WriteFileAtomic(trace, b.Bytes())
		}
		if err != nil {
			fmt.Fprintf(stderr, "scansim serve: --trace: %v\n", err)
			code = exitFailed
		}
	}
	return code
}

// hostsFlag is --host: the first given replaces the default
// (localhost), later ones (or comma-separated lists) add hosts.
type hostsFlag struct {
	o   *serve.Options
	set bool
}

func (f *hostsFlag) String() string {
	if f.o == nil {
		return ""
	}
	return strings.Join(append([]string{f.o.Host}, f.o.Hosts...), ",")
}

func (f *hostsFlag) Set(v string) error {
	for _, h := range strings.Split(v, ",") {
		if h = strings.TrimSpace(h); h == "" {
			return fmt.Errorf("empty domain in %q", v)
		}
		if !f.set {
			f.o.Host, f.set = h, true
		} else {
			f.o.Hosts = append(f.o.Hosts, h)
		}
	}
	return nil
}
