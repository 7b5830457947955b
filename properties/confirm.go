package properties

// Model-guided search with server confirmation (scansim check --server
// --spec xep; docs/spec-mode.md).
//
// Under a spec stricter than the model's profile (--spec xep on a
// Prosody profile) the model itself breaks the demanded invariants: it
// carries the profile's departures. Beside a real server, a step the
// model's own checks fail never reached the server in the ordinary
// --server run (harness.apply stops first), so a departure found there
// was the model's, the server having agreed with the model on every step
// before it. And the search ran at the server's pace, a few checks a
// second.
//
// SearchOnServer turns this round: the search runs on the model alone,
// thousands of checks a second; each failure it finds, once shrunk, is
// replayed on the server (confirm), the failing step included, and
// judged on the server's own trace with the same invariants, the
// comparison with the model running on every step as in any --server
// run. The failure is the server's when
//
//   - the server's trace of the failing step breaks the invariant the
//     model's broke (the invariants judge the server's stanzas, with the
//     model's state as the state they read, as wire.go does for every
//     step), and
//   - the server's state after it is the model's as far as a client can
//     see it: witness actions (every user's fresh session sends initial
//     presence, fetches its roster and its blocklist; script.go) run on
//     both and the server's answers must equal the model's. An invariant
//     over state (inv30: the two rosters of a pair) is then broken by
//     the server's rosters too, not only by the model's. (A pending
//     inbound request shows in no roster answer: RFC 6121 §3.1.3 sends
//     it again at the witness's initial presence, where the comparison
//     sees it.)
//
// Otherwise the failure is reported as not the server's (with why: the
// server differed from the model before the step, its trace breaks no
// invariant there, or its state differs) and the search goes on with the
// check after the failing one. The checks are those of the same run on
// the model alone (scansim check --spec xep without --server: server
// restarts are drawn too; a failure whose shrunk sequence still needs one
// is reported as not confirmable). Every check is the one the seed gives
// (CheckSeed), so the checks run, the failing ones and their seeds are
// deterministic from the seed (the shrunk sequence, as in any Explore,
// depends on rapid's wall-clock shrinking budget too); the confirmations
// are replays of shrunk sequences, a few seconds each on a real server.
//
// The replay sends each stanza on its own (a group's ops become single
// steps, in the order the model read them): the invariants judge a
// server's trace step by step, and a group's server trace is judged by
// the comparison alone (wire_group.go). A departure that only a group
// shows is reported as not recurring.
//
// A confirmation that is not the server's is refuted (Refuted) only when
// the server ran the failing step and its own trace of it breaks no
// invariant: that, and only that, shows the server keeping to the spec
// where the model departs. The others (a restart the server cannot be
// made to do, a failure that did not recur, a server that differed
// before the step, another invariant, a state that differs) are
// inconclusive: they show nothing of what the server does at the step.
//
// Only the found failure's script is written to Config.OutDir: the
// rounds write theirs to a temporary directory removed at the end, so a
// search leaves one script, the one it reports (or none).

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
)

// serverVerdict is the server's verdict on a step the model failed
// (harness.confirm).
type serverVerdict struct {
	// inv is the invariants' violation on the server's trace of the
	// step, diff the comparison's difference from the model's stanzas
	// (wire.judge); "" when each holds.
	inv, diff string
	// err: the step could not be applied to the server (not a
	// transport failure: harness.transport has those).
	err error
}

// confirmStep applies the op of step st, which the model's own checks
// failed, to the server and keeps the server's verdict in st.srv.
func (h *harness) confirmStep(st *stepRec, op Op, name, modelFull string, before, after snap) {
	st.srvFrom = len(h.real.trace)
	evs, err := h.real.apply(op, name, modelFull, h.sim.Trace()[st.from:st.to])
	if driver.IsTransport(err) {
		h.transport = err
		st.srvTo = len(h.real.trace)
		return
	}
	v := &serverVerdict{err: err}
	if err == nil {
		v.inv, v.diff = h.real.judge(st, evs, h.sim.Trace(), before, after)
	}
	st.srvTo = len(h.real.trace)
	st.srv = v
}

// Confirmation is one failure the model found and its replay on the
// server (SearchOnServer).
type Confirmation struct {
	// Failure is the model's, shrunk, its script written (the model's
	// run, with what the spec demands where the model departs).
	Failure *Failure
	// Confirmed: the server's own trace breaks the same invariant at the
	// same step, and its state after is the model's (see confirm.go).
	Confirmed bool
	// Refuted: the server ran the failing step and its own trace of it
	// breaks no invariant, where the model's does; the model departs
	// where the server does not. A confirmation neither Confirmed nor
	// Refuted is inconclusive (see confirm.go).
	Refuted bool
	// Server is the violation on the server's trace (Confirmed), or why
	// the failure is not the server's.
	Server string
	// ServerTrace is the server's trace of the replay, in the model's
	// terms (prefix removed, generated resources renamed).
	ServerTrace string
	// ScriptServerFails: Failure's script, whose failing step expects
	// what the demanded profile's reference predicts, fails on the
	// server too (Confirmed only; ScriptNote says where, or why not:
	// a departure in state only passes, as on the model).
	ScriptServerFails bool
	ScriptNote        string
	// stanzas counts the server's deliveries compared with the model's.
	stanzas int
}

// ConfirmOptions steer SearchOnServer.
type ConfirmOptions struct {
	// Want, when set, decides whether a confirmed failure ends the
	// search; one it rejects is reported (OnConfirm, Confirmations) and
	// the search goes on, like an unconfirmed one.
	Want func(*Failure) bool
	// Max bounds the confirmations (default 20): past it the search
	// stops, unfound.
	Max int
	// OnConfirm, when set, is called after each confirmation.
	OnConfirm func(Confirmation)
}

// Search is the outcome of SearchOnServer.
type Search struct {
	// Report is the model's search: Checks is the checks of the run up
	// to and including the found failure's (all cfg.Checks when none
	// was found), Actions every model action, shrinking included;
	// Failure the found one's; Err a transport failure of the server
	// (or a run that could not start), after which nothing is reported.
	Report
	// Confirmations are the server replays, in the order the model's
	// failures were found; the last is Found when one was.
	Confirmations []Confirmation
	Found         *Confirmation
}

// Refuted counts the confirmations the server refuted
// (Confirmation.Refuted); the others not confirmed are inconclusive.
func (s Search) Refuted() int {
	n := 0
	for _, c := range s.Confirmations {
		if c.Refuted {
			n++
		}
	}
	return n
}

// MaxConfirmations is the default bound on the server replays of one
// search (ConfirmOptions.Max).
const MaxConfirmations = 20

// SearchOnServer runs cfg's checks on the model alone (cfg without its
// Server) and confirms each failure on cfg.Server, going on past those
// the server does not confirm (or opts.Want rejects) until one is
// confirmed, the checks are spent, or opts.Max confirmations were made.
// See confirm.go's comment.
func SearchOnServer(cfg Config, opts ConfirmOptions) Search {
	srv := cfg.Server
	if srv == nil {
		return Search{Report: Report{Err: fmt.Errorf("properties: SearchOnServer needs a Config.Server")}}
	}
	if opts.Max <= 0 {
		opts.Max = MaxConfirmations
	}
	if cfg.Seed == 0 {
		cfg.Seed = NewSeed()
	}
	if cfg.Checks <= 0 {
		cfg.Checks = 100
	}
	if h, ok := srv.(driver.Holder); ok {
		release, err := h.Hold("localhost")
		if err != nil {
			return Search{Report: Report{Seed: cfg.Seed, Err: fmt.Errorf("server: %w", err)}}
		}
		defer release()
	}
	if err := preflight(srv); err != nil {
		return Search{Report: Report{Seed: cfg.Seed, Err: err}}
	}
	onModel := cfg
	onModel.Server = nil
	onModel.specPred = true
	// each round's failure script goes to a temporary directory; only
	// the found one's is written to cfg.OutDir (see confirm.go)
	tmp, err := os.MkdirTemp("", "confirm-failures-")
	if err != nil {
		return Search{Report: Report{Seed: cfg.Seed, Err: fmt.Errorf("properties: a directory for the rounds' scripts: %w", err)}}
	}
	defer os.RemoveAll(tmp)
	onModel.OutDir = tmp
	s := Search{Report: Report{Seed: cfg.Seed}}
	run, acts := 0, 0 // checks and actions of the rounds before
	if p := cfg.Progress; p != nil {
		onModel.Progress = func(done, actions int) { p(run+done, acts+actions) }
	}
	for {
		r := Explore(onModel)
		run += r.Checks
		acts += r.Actions
		s.Actions += r.Actions
		s.ShrinkRuns += r.ShrinkRuns
		if r.Err != nil {
			s.Err = r.Err
			return s
		}
		f := r.Failure
		if f == nil {
			s.Checks = cfg.Checks
			return s
		}
		s.Checks = f.FirstCheck
		c, err := confirm(cfg, f)
		if err != nil {
			s.Err = fmt.Errorf("server: while confirming a failure: %w", err)
			return s
		}
		s.Confirmations = append(s.Confirmations, c)
		s.ServerStanzas += c.stanzas
		if opts.OnConfirm != nil {
			opts.OnConfirm(c)
		}
		if c.Confirmed && (opts.Want == nil || opts.Want(f)) {
			s.Found = &s.Confirmations[len(s.Confirmations)-1]
			s.Failure = f
			keepScript(f, cfg.OutDir)
			return s
		}
		if len(s.Confirmations) >= opts.Max || f.FirstCheck >= cfg.Checks {
			return s
		}
		onModel.from = f.FirstCheck // the check after the failing one
	}
}

// scriptPath is where the found failure's script is kept: in outDir
// (failuresDir) under the name the round gave it.
func scriptPath(f *Failure, outDir string) string {
	if f.ScriptPath == "" {
		return ""
	}
	return filepath.Join(failuresDir(outDir), filepath.Base(f.ScriptPath))
}

// keepScript writes the found failure's script, written by its round to
// the temporary directory, to outDir, and points f.ScriptPath at it (or
// reports in f.WriteErr why it could not be written).
func keepScript(f *Failure, outDir string) {
	if f.ScriptPath == "" {
		return // the round could not write it: f.WriteErr says why
	}
	path := scriptPath(f, outDir)
	f.ScriptPath = ""
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		f.WriteErr = err
	} else if err := scenarios.WriteFileAtomic(path, []byte(f.Script), 0o644); err != nil {
		f.WriteErr = err
	} else {
		f.ScriptPath = path
	}
}

// confirm replays f's shrunk sequence on the model and cfg.Server side by
// side, the model's failing step included, and judges the server's part
// (see confirm.go). The error is a transport failure: no verdict.
func confirm(cfg Config, f *Failure) (Confirmation, error) {
	prof, spec := cfg.profiles()
	c := Confirmation{Failure: f}
	ops := make([]Op, len(f.Ops))
	for i, op := range f.Ops {
		op.Pipe = false // each stanza its own step (see confirm.go)
		ops[i] = op
	}
	for _, op := range ops {
		if op.Kind == OpRestart {
			// the model's search draws restarts, as a model-alone run
			// does; minimize replaces one by clean disconnects when the
			// failure survives that, and this one did not
			c.Server = "not confirmable: the shrunk sequence restarts the server, which a client cannot make the server do"
			return c, nil
		}
	}
	h := newHarness(f.users, prof, spec, cfg.Mutants, 1)
	cfg.options().apply(h)
	h.confirm = true
	if err := h.attach(cfg.Server); err != nil {
		return c, err
	}
	defer h.real.close()
	failed := -1
	for i := 0; i < len(ops) && failed < 0; {
		i, failed, _, _ = h.applyAt(ops, i)
	}
	if h.transport != nil {
		return c, h.transport
	}
	key := failureKey(f.Message)
	var st stepRec
	if failed >= 0 {
		st = h.steps[len(h.steps)-1]
	}
	switch {
	case failed < 0:
		c.Server = "the model's failure did not recur with each stanza sent on its own"
	case st.onServer:
		c.Server = "the server differed from the model before the failing step: " + st.fail
	case failureKey(st.fail) != key:
		c.Server = "the model's failure did not recur with each stanza sent on its own; the model failed otherwise: " + st.fail
	case st.srv == nil:
		c.Server = "the failing step could not be held against the server"
	case st.srv.err != nil:
		c.Server = fmt.Sprintf("the failing step could not be applied to the server: %v", st.srv.err)
	case st.srv.inv == "":
		c.Refuted = true
		c.Server = "the server's trace of the failing step breaks no invariant"
		if st.srv.diff != "" {
			c.Server += "; its stanzas differ from the model's (masked):\n" + st.srv.diff
		}
	case failureKey(st.srv.inv) != key:
		c.Server = "the server's trace of the failing step breaks another invariant: " + st.srv.inv
	default:
		c.Confirmed, c.Server = true, st.srv.inv
		if st.srv.diff != "" {
			c.Server += "\n(its stanzas differ from the model's too, masked:\n" + st.srv.diff + ")"
		}
	}
	if c.Confirmed {
		// the server's state as the witnesses see it (confirm.go):
		// compared with the model's, nothing else judged
		h.custom, h.noRef = nil, true
		h.setOnly(map[string]bool{})
		msg := ""
		for _, op := range witnesses(h) {
			if applicable(h, op) {
				if msg = h.apply(op); msg != "" {
					break
				}
			}
		}
		if msg == "" {
			msg = h.finishReal()
		}
		if h.transport != nil {
			return c, h.transport
		}
		if msg != "" {
			c.Confirmed = false
			c.Server = "the server's trace breaks the invariant, but its state after the step differs from the model's: " + msg
		}
	}
	if c.Confirmed && f.Script != "" {
		replayScriptOnServer(&c, cfg.Server, scriptPath(f, cfg.OutDir))
	}
	var b bytes.Buffer
	_ = sim.WriteTrace(&b, h.real.trace)
	c.ServerTrace = b.String()
	c.stanzas = h.real.compared
	c.Server = strings.TrimRight(c.Server, "\n")
	return c, nil
}

// replayScriptOnServer replays the confirmed failure's script on the
// server with scansion's runner (as `scansim replay --server` does), in
// the mode the model's replay failed in (strict when only an extra
// stanza shows the departure).
// path names the script as it will be kept (keepScript), not the round's
// temporary copy.
func replayScriptOnServer(c *Confirmation, server driver.Driver, path string) {
	f := c.Failure
	parsed, err := scenarios.Parse(path, []byte(f.Script))
	if err != nil {
		c.ScriptNote = "the script does not parse: " + err.Error()
		return
	}
	res := scenarios.Run(parsed, scenarios.RunOptions{Driver: server, Strict: f.ReplayStrict})
	switch {
	case res.Failure != nil:
		c.ScriptServerFails, c.ScriptNote = true, res.Failure.Error()
	case res.Err != nil:
		c.ScriptNote = "server replay error: " + res.Err.Error()
	default:
		c.ScriptNote = "the script passes on the server: " + f.ReplayNote
	}
}
