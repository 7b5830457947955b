package differential

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
)

// Config configures a differential run.
type Config struct {
	// Server is the server under test (a *scenarios.ServerDriver for a
	// real server). Required.
	Server scenarios.Driver
	// Profile is the model's profile, the oracle's notion of the server
	// (prosody-0.12 for Debian's Prosody 0.12.3). nil: model.Prosody012().
	Profile *model.Profile
	// Seed makes the run reproducible: sequence i is drawn from Seed and i.
	Seed uint64
	// Sequences (default 100), Actions per sequence (default 25) and Users
	// (2 or 3, default 3; each with two resources).
	Sequences, Actions, Users int
	// Timeout bounds each wait on the server (default 5s).
	Timeout time.Duration
	// OutDir receives the shrunk script of a divergence ("" = not written).
	OutDir string
	// MaxShrinkRuns bounds the re-runs spent shrinking (default 300).
	MaxShrinkRuns int
	// Progress, when set, is called after each sequence.
	Progress func(done, total int)
}

// Report is the outcome of a differential run.
type Report struct {
	Sequences, Actions int // sequences run and actions sent to both sides
	// Stanzas counts the stanzas the server delivered that were compared
	// (and matched the model's): evidence the comparison was not empty.
	Stanzas    int
	Divergence *Divergence
}

// Divergence is the first sequence on which the server and the model
// disagreed, shrunk.
type Divergence struct {
	Seed             uint64 // the sequence's own seed
	Index            int    // which sequence of the run
	Original, Shrunk int    // its length before and after shrinking
	Detail           string // the first differing batch, per client
	Script           string // the shrunk sequence as a .scs script
	Path             string // where Script was written ("" if not)
}

// Run draws random sequences, runs each on the model and on the server,
// and stops at the first divergence, which it shrinks.
//
// Both runs are compared batch by batch: a batch is everything the clients
// received between one client action and the next (each action is
// synchronised with ping round trips on a real server, so the batches line
// up). Within a batch each client's stanzas are compared as a multiset,
// because Prosody iterates hash tables when it fans out (sessions, roster
// items: §0 "Unordered"); across batches order must match. Stanzas are
// masked as scenarios.Compare describes (ids, stamps, generated
// resources, the run prefix).
func Run(cfg Config) Report {
	if cfg.Sequences <= 0 {
		cfg.Sequences = 100
	}
	if cfg.Actions <= 0 {
		cfg.Actions = 25
	}
	if cfg.Users < 2 || cfg.Users > 3 {
		cfg.Users = 3
	}
	if cfg.MaxShrinkRuns <= 0 {
		cfg.MaxShrinkRuns = 300
	}
	var rep Report
	for i := 0; i < cfg.Sequences; i++ {
		seed := mix(cfg.Seed + uint64(i))
		seq := newGenerator(seed, cfg.Users).generate(cfg.Actions)
		detail, n, err := cfg.diverges(seq)
		rep.Sequences++
		rep.Stanzas += n
		rep.Actions += len(seq.actions)
		if cfg.Progress != nil {
			cfg.Progress(i+1, cfg.Sequences)
		}
		if err != nil {
			rep.Divergence = &Divergence{Seed: seed, Index: i, Original: len(seq.actions), Shrunk: len(seq.actions),
				Detail: "the sequence could not run: " + err.Error(), Script: seq.render("could not run")}
			return rep
		}
		if detail == "" {
			continue
		}
		small, smallDetail := cfg.shrink(seq, detail)
		d := &Divergence{Seed: seed, Index: i, Original: len(seq.actions), Shrunk: len(small.actions), Detail: smallDetail}
		d.Script = header(d) + small.render(fmt.Sprintf("differential divergence, sequence %d (seed %d)", i, seed))
		if cfg.OutDir != "" {
			if err := os.MkdirAll(cfg.OutDir, 0o755); err == nil {
				p := filepath.Join(cfg.OutDir, fmt.Sprintf("divergence-%d.scs", seed))
				if os.WriteFile(p, []byte(d.Script), 0o644) == nil {
					d.Path = p
				}
			}
		}
		rep.Divergence = d
		return rep
	}
	return rep
}

func header(d *Divergence) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# The server and the model (the oracle) disagree on this sequence.\n")
	fmt.Fprintf(&b, "# Reproduce: scansim diff --server HOST:PORT --profile PROFILE THIS_FILE\n")
	for _, l := range strings.Split(strings.TrimRight(d.Detail, "\n"), "\n") {
		fmt.Fprintf(&b, "# %s\n", l)
	}
	return b.String()
}

// mix is SplitMix64's finaliser: sequence seeds from the run's seed.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// diverges runs seq on both sides and describes the first difference
// ("" when they agree). An error means the sequence is not a valid script
// (only possible after shrinking removed a connects).
func (cfg *Config) diverges(seq sequence) (string, int, error) {
	script, err := scenarios.Parse("sequence.scs", []byte(seq.render("sequence")))
	if err != nil {
		return "", 0, err
	}
	// The two runs scenarios.Compare makes, without its per-client
	// streams: the batches below mask each stanza once.
	prof := model.Prosody012()
	if cfg.Profile != nil {
		prof = *cfg.Profile
	}
	simRes := scenarios.Run(script, scenarios.RunOptions{Profile: &prof, Timeout: cfg.Timeout})
	srvRes := scenarios.Run(script, scenarios.RunOptions{Driver: cfg.Server, Timeout: cfg.Timeout})
	if simRes.Err != nil {
		return "", 0, simRes.Err
	}
	if srvRes.Err != nil {
		return "the server run failed: " + srvRes.Err.Error() + "\n(the model ran it: " + scenarios.Outcome(simRes) + ")", 0, nil
	}
	// The trace-only invariants, on the server's trace first: a violation
	// there is a server bug whatever the model does.
	if v := traceViolation(srvRes.Trace, srvRes.EndSeq, prof, "localhost"); v != "" {
		return "invariant violated on the server: " + v, 0, nil
	}
	if v := traceViolation(simRes.Trace, simRes.EndSeq, prof, "localhost"); v != "" {
		return "invariant violated on the model: " + v, 0, nil
	}
	keep := scenarios.SentIDs(script)
	simB := batches(simRes, "", keep)
	srvB := batches(srvRes, srvRes.Prefix, keep)
	n := 0
	for _, bs := range srvB {
		for _, b := range bs {
			n += len(b)
		}
	}
	return firstDifference(script, simB, srvB), n, nil
}

// batches splits what each client received into per-action batches,
// masked and sorted.
func batches(res *scenarios.Result, prefix string, keep map[string]bool) map[string][][]string {
	m := scenarios.NewMasker(res.Trace, prefix, keep)
	out := map[string][][]string{}
	batch := 0
	end := uint64(len(res.Trace))
	if res.EndSeq > 0 {
		end = res.EndSeq
	}
	for _, ev := range res.Trace {
		if ev.Seq > end {
			break
		}
		switch ev.Kind {
		case sim.TraceSend, sim.TraceConnect:
			batch++
		case sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
			b := out[ev.Client]
			for len(b) <= batch {
				b = append(b, nil)
			}
			b[batch] = append(b[batch], m.Stanza(ev.Stanza))
			out[ev.Client] = b
		}
	}
	for _, bs := range out {
		for _, b := range bs {
			sort.Strings(b)
		}
	}
	return out
}

// firstDifference compares the batches of every client of the script, in
// definition order, and describes the earliest differing batch.
func firstDifference(script *scenarios.Script, simB, srvB map[string][][]string) string {
	best, bestAt := "", -1
	for _, c := range script.Clients {
		a, b := simB[c.Name], srvB[c.Name]
		n := max(len(a), len(b))
		for i := 0; i < n; i++ {
			var x, y []string
			if i < len(a) {
				x = a[i]
			}
			if i < len(b) {
				y = b[i]
			}
			if strings.Join(x, "\n") == strings.Join(y, "\n") {
				continue
			}
			if bestAt < 0 || i < bestAt {
				var d strings.Builder
				fmt.Fprintf(&d, "client %s, after action %d: model (-) vs server (+)\n", c.Name, i)
				for _, s := range x {
					fmt.Fprintf(&d, "- %s\n", s)
				}
				for _, s := range y {
					fmt.Fprintf(&d, "+ %s\n", s)
				}
				best, bestAt = d.String(), i
			}
			break
		}
	}
	return best
}

// shrink removes actions while the sequence still diverges: first halves,
// then single actions from the end (greedy, bounded by MaxShrinkRuns).
func (cfg *Config) shrink(seq sequence, detail string) (sequence, string) {
	runs := 0
	try := func(cand sequence) (string, bool) {
		if runs >= cfg.MaxShrinkRuns || len(cand.actions) == 0 {
			return "", false
		}
		runs++
		d, _, err := cfg.diverges(cand)
		return d, err == nil && d != ""
	}
	for chunk := len(seq.actions) / 2; chunk >= 1; chunk /= 2 {
		for start := len(seq.actions) - chunk; start >= 0; start -= chunk {
			drop := map[int]bool{}
			for i := start; i < start+chunk && i < len(seq.actions); i++ {
				drop[i] = true
			}
			cand := seq.without(drop)
			if d, ok := try(cand); ok {
				seq, detail = cand, d
				if start > len(seq.actions) {
					start = len(seq.actions)
				}
			}
		}
	}
	return seq, detail
}
