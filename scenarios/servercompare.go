package scenarios

import (
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/compare"
	"github.com/scansim/scansim/driver"
)

// CompareOptions configure Compare.
type CompareOptions struct {
	// Server is the real server's driver (usually a *driver.ServerDriver).
	Server driver.Driver
	// Options configure the simulation, the oracle (Seed is its seed, 0
	// for the scripts' own runs). A nil Profile is driver.DefaultProfile;
	// Debian's Prosody 0.12.3 (testdata/prosody) needs prosody-0.12. The
	// profile also selects the comparison's allowances
	// (compare.AllowancesFor).
	driver.Options
	// Strict, Timeout and NothingGrace are passed to both runs (Timeout
	// and NothingGrace are virtual time on the simulation, wall time on
	// the server). Strict also drops the allowance for known server bugs
	// (compare.AllowancesFor).
	Strict       bool
	Timeout      time.Duration
	NothingGrace time.Duration
}

// Comparison is the outcome of running one script on the simulation and
// on a real server.
type Comparison struct {
	Sim, Server *Result
	// Prefix is the node prefix the server run used.
	Prefix string
	// Clients holds, for every client of the script in definition order,
	// what it received on each side after masking (see Compare).
	Clients []ClientStreams
}

// ClientStreams is what one client received on each side, in arrival
// order, each stanza in model.Canonical form after masking, and how the
// two compare.
type ClientStreams struct {
	Client      string
	Sim, Server []string
	// Verdict is the comparison's, action by action (compare.Judge): the
	// worst of the client's batches.
	Verdict compare.Verdict
}

// Equal reports whether the two sides received the same stanzas, action
// by action: within one action in any order (the server's hash order),
// roster push versions by count and final version, and with the
// allowances of the profile (compare.Allowances).
func (c ClientStreams) Equal() bool { return c.Verdict != compare.Differ }

// Diff renders a line diff of the two streams, one stanza per entry:
// "-" only the simulation received it, "+" only the server sent it. A
// stanza longer than prettyWidth is written one element per line, each
// line under the same mark, rather than one line of thousands of
// characters.
func (c ClientStreams) Diff() string { return prettyLong(lineDiff(c.Sim, c.Server)) }

// prettyWidth is the longest stanza a diff keeps on one line.
const prettyWidth = 100

// prettyLong rewrites the lines of a line diff ("- x", "+ x", "  x")
// whose stanza is longer than prettyWidth as the stanza's pretty lines,
// each with the line's mark.
func prettyLong(diff string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(diff, "\n") {
		body := strings.TrimSuffix(line, "\n")
		if len(body) <= prettyWidth+2 || len(body) < 2 {
			b.WriteString(line)
			continue
		}
		doc := etree.NewDocument()
		if err := doc.ReadFromString(body[2:]); err != nil || doc.Root() == nil {
			b.WriteString(line)
			continue
		}
		for _, l := range prettyLines(doc.Root()) {
			b.WriteString(body[:2] + l + "\n")
		}
	}
	return b.String()
}

// Same reports whether both runs had the same outcome (both passed, or
// both failed at the same action, or both hit a script error) and every
// client received the same stanzas.
func (c *Comparison) Same() bool {
	if Outcome(c.Sim) != Outcome(c.Server) {
		return false
	}
	for _, cl := range c.Clients {
		if !cl.Equal() {
			return false
		}
	}
	return true
}

// Outcome summarises a result: "pass", "fail at FILE:LINE" or "error".
func Outcome(r *Result) string {
	switch {
	case r == nil:
		return "none"
	case r.Passed:
		return "pass"
	case r.Failure != nil:
		return "fail at " + r.Failure.Pos.String()
	default:
		return "error"
	}
}

// String renders the comparison: both outcomes, then the diff of every
// client whose streams differ.
func (c *Comparison) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "simulation: %s\n", describe(c.Sim))
	fmt.Fprintf(&b, "server:     %s\n", describe(c.Server))
	for _, cl := range c.Clients {
		if cl.Verdict == compare.KnownBug {
			fmt.Fprintf(&b, "%s: same %d stanzas, with the profile's allowance for a known server bug (D6)\n", cl.Client, len(cl.Sim))
			continue
		}
		if cl.Equal() {
			fmt.Fprintf(&b, "%s: same %d stanzas\n", cl.Client, len(cl.Sim))
			continue
		}
		fmt.Fprintf(&b, "%s: differs (-simulation +server):\n", cl.Client)
		b.WriteString(cl.Diff())
	}
	return b.String()
}

func describe(r *Result) string {
	switch {
	case r.Passed:
		return "pass"
	case r.Failure != nil:
		return "FAIL " + r.Failure.Error()
	case r.Err != nil:
		return "ERROR " + r.Err.Error()
	}
	return "?"
}

// Compare runs script on the simulation (opts.Options) and on the real
// server of opts.Server, and lines up what each client received. The
// server must be given fresh accounts (ServerDriver's run prefix) for the
// comparison to mean anything.
//
// Before comparing, each received stanza is canonicalised
// (model.Canonical) and masked (compare.Masker) so that values that
// legitimately differ between runs do not count; an id attribute that a
// sends of the script uses is kept. Each client's stanzas are then
// compared action by action (compare.Batches, compare.Judge): as a
// multiset within one action, in order across actions.
//
// Only what the script's actions caused is compared (Result.EndSeq):
// the runner's own closing of the clients still connected at the end is
// left out. Stream errors and pings are not stanzas and are not listed. A run
// stops at its first failure, so after a failure the streams differ by
// construction; compare the outcomes first.
func Compare(script *Script, opts CompareOptions) *Comparison {
	prof := opts.ProfileValue()
	base := RunOptions{Strict: opts.Strict, Timeout: opts.Timeout, NothingGrace: opts.NothingGrace}
	simOpts := base
	simOpts.Options = opts.Options
	srvOpts := base
	srvOpts.Driver = opts.Server
	c := &Comparison{Sim: Run(script, simOpts), Server: Run(script, srvOpts)}
	c.Prefix = c.Server.Prefix
	ids := SentIDs(script)
	simM := compare.NewMasker(c.Sim.Trace, "", ids)
	srvM := compare.NewMasker(c.Server.Trace, c.Prefix, ids)
	simB := compare.Batches(c.Sim.Trace, c.Sim.EndSeq, simM)
	srvB := compare.Batches(c.Server.Trace, c.Server.EndSeq, srvM)
	allow := compare.AllowancesFor(prof, opts.Strict)
	for _, cl := range script.Clients {
		cs := ClientStreams{
			Client: cl.Name,
			Sim:    simM.Stream(c.Sim.Trace[:c.Sim.EndSeq], cl.Name),
			Server: srvM.Stream(c.Server.Trace[:c.Server.EndSeq], cl.Name),
		}
		a, b := simB[cl.Name], srvB[cl.Name]
		for i := range max(len(a), len(b)) {
			var x, y []string
			if i < len(a) {
				x = a[i]
			}
			if i < len(b) {
				y = b[i]
			}
			if v := compare.Judge(x, y, simM.Bare(cl.Name), simM.Bare, allow); v > cs.Verdict {
				cs.Verdict = v
			}
		}
		c.Clients = append(c.Clients, cs)
	}
	return c
}

// SentIDs collects the literal id attributes of every stanza the script
// sends: the ids a Masker keeps.
func SentIDs(s *Script) map[string]bool {
	ids := make(map[string]bool)
	for _, a := range s.Actions {
		if a.Verb != Sends {
			continue
		}
		for _, st := range a.Stanzas {
			if id := st.Elem.SelectAttrValue("id", ""); id != "" {
				ids[id] = true
			}
		}
	}
	return ids
}
