package properties

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
)

// writeFailure turns a shrunk failing sequence into a replayable .scs:
//
//   - abrupt drops are replaced by clean disconnects when the failure
//     survives it (scansion has no "drops" verb; FromTrace would leave a
//     comment);
//   - the sequence is cut after the failing step;
//   - the expected stanzas come from the correct behaviour: with mutants,
//     the same sequence on the model without them; without mutants, the
//     model's trace with the failing step's deliveries replaced by the
//     reference's prediction (when the failure is a prediction mismatch);
//   - the script is built with scenarios.FromTrace and written with
//     scenarios.Format; roster push ids become {scansion:any}, archive
//     ids captures (script_archive.go);
//   - a client that must receive nothing but did gets a "receives: nothing"
//     right after the failing send, and a client that misses a stanza has
//     its receives moved first, so that scansion's stale-stanza rule
//     (scansion-language.md §5.2) cannot hide the difference;
//   - the script is then replayed with scenarios.Run on the configured
//     model and on the correct one, and the outcome recorded.
//
// A transport failure of the server during those replays is returned,
// and nothing is written.
func writeFailure(f *Failure, users int, prof, spec model.Profile, mutants []string, opt options, outDir string) error {
	ops := append([]Op(nil), f.Ops...)
	// Prefer clean disconnects.
	for i := range ops {
		if ops[i].Kind != OpDrop {
			continue
		}
		try := append([]Op(nil), ops...)
		try[i].Kind = OpDisconnect
		h, idx := replay(try, users, prof, spec, mutants, opt)
		if h.transport != nil {
			return h.transport
		}
		if idx >= 0 {
			ops = try
		}
	}
	hf, idx := replay(ops, users, prof, spec, mutants, opt)
	if hf.transport != nil {
		return hf.transport
	}
	if idx >= 0 {
		f.Message = hf.steps[idx].fail
	}
	if idx < 0 {
		f.ReplayNote = "the shrunk sequence did not fail again on replay"
		f.Trace = traceText(hf)
		return nil
	}
	ops = ops[:idx+1]
	if hf.real != nil && len(hf.ops) == idx+1 {
		// The model may have taken a real server's order of a
		// concurrent action (follow.go): its ops are then the
		// server's order, cut at the failing op, and the script
		// replays that order.
		ops = append([]Op(nil), hf.ops...)
	}
	f.Ops = ops
	f.ShrunkLen = len(ops)
	f.Trace = traceText(hf)
	failStep := hf.steps[idx]

	var events []sim.TraceEvent
	var expected map[string][]string // per client, the failing step's expected sigs
	// a group's op (group.go): its own events; the server judges a
	// group as a whole (wire_group.go)
	got := observed(hf.groupEvents(idx))
	witnessed := false
	if failStep.onServer {
		got = observed(hf.sim.Trace()[failStep.from:failStep.to])
		// The server failed: the model is the oracle, so the script is
		// the model's own run, which the server must fail.
		events = append(events, hf.sim.Trace()[:failStep.to]...)
		expected = got
		got = observed(hf.real.trace[failStep.srvFrom:failStep.srvTo])
		var b bytes.Buffer
		_ = sim.WriteTrace(&b, hf.real.trace)
		f.ServerTrace = b.String()
	} else if len(mutants) > 0 {
		g := replayAll(ops, users, prof, spec, nil)
		expected = observed(g.groupEvents(len(g.steps) - 1))
		if !differs(expected, got) {
			// The difference is in state only: make it observable.
			ops = append(ops, witnesses(hf)...)
			g = replayAll(ops, users, prof, spec, nil)
			witnessed = true
		}
		events = append(events, g.sim.Trace()...)
	} else {
		// Without mutants the model may be what is wrong: from the
		// failing step on, the expected stanzas are the reference's.
		rh := hf
		if !failStep.mismatch && strings.HasPrefix(f.Message, "reference state mismatch") {
			ops = append(ops, witnesses(hf)...)
			rh = replayAll(ops, users, prof, spec, mutants)
			witnessed = true
		}
		tr := rh.sim.Trace()
		events = append(events, tr[:failStep.from]...)
		jids := map[string]model.JID{}
		for _, e := range tr {
			if e.Kind == sim.TraceConnect {
				jids[e.Client] = e.JID
			}
		}
		usePred := failStep.mismatch || witnessed
		if opt.specPred && !rh.refGone && !moduleActionNames[failStep.op.Name] && !mucActionNames[failStep.op.Name] {
			// a spec search to be confirmed on a server (confirm.go):
			// the failing step expects what the reference, which
			// follows the demanded profile, predicts, so that a
			// server departing like the model fails the script
			usePred = true
		}
		// the ops of the failing op's group up to it (group.go) go in
		// as one unit, their sends together as the group wrote them
		k := idx
		if failStep.evs != nil {
			k0 := groupStart(rh.steps, idx)
			var own []sim.TraceEvent
			for j := k0; j <= idx; j++ {
				own = append(own, rh.steps[j].evs...)
			}
			slices.SortFunc(own, func(a, b sim.TraceEvent) int { return cmp.Compare(a.Seq, b.Seq) })
			for _, e := range own {
				if !usePred || !delivered3(e.Kind) {
					events = append(events, e)
				}
			}
			if usePred {
				obs := observed(own)
				preds := map[string][]string{}
				for j := k0; j <= idx; j++ {
					for c, p := range rh.steps[j].pred {
						preds[c] = append(preds[c], p...)
					}
				}
				for _, c := range slices.Sorted(maps.Keys(preds)) {
					for _, x := range orderLike(preds[c], obs[c]) {
						events = append(events, sim.TraceEvent{Kind: sim.TraceDeliver, Client: c, JID: jids[c], Text: x})
					}
				}
			}
			k = idx + 1
		}
		for ; k < len(rh.steps); k++ {
			st := rh.steps[k]
			if !usePred {
				events = append(events, tr[st.from:st.to]...)
				continue
			}
			for _, e := range tr[st.from:st.to] {
				switch e.Kind {
				case sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
				default:
					events = append(events, e)
				}
			}
			// the predicted stanzas, in the order the model delivered
			// the ones it got right, then the missing ones
			obs := observed(tr[st.from:st.to])
			for _, c := range slices.Sorted(maps.Keys(st.pred)) {
				for _, x := range orderLike(st.pred[c], obs[c]) {
					events = append(events, sim.TraceEvent{Kind: sim.TraceDeliver, Client: c, JID: jids[c], Text: x})
				}
			}
		}
		if usePred {
			expected = map[string][]string{}
			for j := groupStart(rh.steps, idx); j <= idx; j++ {
				for c, p := range rh.steps[j].pred {
					expected[c] = append(expected[c], p...)
				}
			}
		} else {
			expected = observed(tr[failStep.from:failStep.to])
		}
	}
	for i := range events {
		events[i].Seq = uint64(i + 1)
		events[i].Cause = 0
	}
	title := "scansim property failure"
	if len(mutants) > 0 {
		title += " (mutant " + strings.Join(mutants, ",") + ")"
	}
	script, err := scenarios.FromTrace(events, scenarios.TraceOptions{Title: title, KeepResources: true, Volatile: archiveIDCaptures()})
	if err != nil {
		f.ReplayNote = "FromTrace: " + err.Error()
		return nil
	}
	anyIDs(script, prof)
	if !witnessed {
		emphasise(script, expected, got)
	} else {
		script.Trailer = append(script.Trailer, "# the last actions only observe the state the failing step left")
	}
	desc := []string{
		fmt.Sprintf("rapid seed %d, %d actions after shrinking; profile %q (checks demand %q)", f.Seed, len(ops), prof.Name, spec.Name),
	}
	desc = append(desc, strings.Split(strings.TrimSpace(f.Message), "\n")...)
	script.Description = strings.Join(desc, "\n")
	text := string(scenarios.Format(script))
	f.Script = text

	dir := failuresDir(outDir)
	name := "failure"
	if len(mutants) > 0 {
		name = strings.Join(mutants, "+")
	} else if m := invName.FindString(f.Message); m != "" {
		name = m
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%d.scs", safeName(name), f.Seed))
	// A script that cannot be written is reported (Failure.WriteErr),
	// never dropped silently: it is the one artefact of the run.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		f.WriteErr = err
	} else if err := scenarios.WriteFileAtomic(path, []byte(text), 0o644); err != nil {
		f.WriteErr = err
	} else {
		f.ScriptPath = path
	}

	// Replay it.
	parsed, err := scenarios.Parse(path, []byte(text))
	if err != nil {
		f.ReplayNote = "the script does not parse: " + err.Error()
		return nil
	}
	p := prof
	if failStep.onServer {
		replayOnServer(f, parsed, &p, opt.server)
		return nil
	}
	for _, strict := range []bool{false, true} {
		res := scenarios.Run(parsed, scenarios.RunOptions{Options: driver.Options{Profile: &p, Seed: 1, Mutants: mutants}, Strict: strict})
		if res.Err != nil {
			f.ReplayNote = "replay error: " + res.Err.Error()
			break
		}
		if res.Passed {
			continue
		}
		f.ReplayFails, f.ReplayStrict = true, strict
		if len(mutants) > 0 {
			res2 := scenarios.Run(parsed, scenarios.RunOptions{Options: driver.Options{Profile: &p, Seed: 1}, Strict: strict})
			f.ReplayPassesCorrect = res2.Passed
			if res2.Failure != nil {
				f.ReplayNote += " correct model: " + res2.Failure.Message
			} else if res2.Err != nil {
				f.ReplayNote += " correct model: " + res2.Err.Error()
			}
		}
		break
	}
	if !f.ReplayFails && f.ReplayNote == "" {
		f.ReplayNote = "the script passes under the configured model: the difference is not visible to a scansion receives (an extra stanza at the end of a queue, or an invariant the reference and the model agree on)"
	}
	return nil
}

// groupStart returns the first op of the group step idx belongs to
// (group.go; idx itself for an op on its own).
func groupStart(steps []stepRec, idx int) int {
	k := idx
	for steps[idx].evs != nil && k > 0 && steps[k-1].evs != nil && steps[k-1].from == steps[idx].from {
		k--
	}
	return k
}

// groupEvents returns the events of step idx, and for an op of a group
// those of the group's ops up to it, in trace order: a script writes the
// group's sends together, and what they caused after them, so the
// failing step's stanzas in a script are the group's.
func (h *harness) groupEvents(idx int) []sim.TraceEvent {
	st := &h.steps[idx]
	if st.evs == nil {
		return h.stepEvents(st)
	}
	var own []sim.TraceEvent
	for j := groupStart(h.steps, idx); j <= idx; j++ {
		own = append(own, h.steps[j].evs...)
	}
	slices.SortFunc(own, func(a, b sim.TraceEvent) int { return cmp.Compare(a.Seq, b.Seq) })
	return own
}

// delivered3: a trace kind that puts a stanza in a client's inbox.
func delivered3(k sim.TraceKind) bool {
	return k == sim.TraceDeliver || k == sim.TraceError || k == sim.TraceFlush
}

// replayOnServer replays the script of a server failure: it must pass on
// the model (ReplayPassesCorrect) and fail on the server
// (ReplayServerFails), in default mode or else in strict mode.
func replayOnServer(f *Failure, parsed *scenarios.Script, p *model.Profile, server driver.Driver) {
	for _, strict := range []bool{false, true} {
		res := scenarios.Run(parsed, scenarios.RunOptions{Options: driver.Options{Profile: p, Seed: 1}, Strict: strict})
		f.ReplayPassesCorrect = res.Passed
		if !res.Passed {
			f.ReplayNote = "the model fails its own script: " + describeResult(res)
			return
		}
		srv := scenarios.Run(parsed, scenarios.RunOptions{Driver: server, Strict: strict})
		if srv.Err != nil && srv.Failure == nil {
			f.ReplayNote = "server replay error: " + srv.Err.Error()
			return
		}
		if !srv.Passed {
			f.ReplayServerFails, f.ReplayStrict = true, strict
			f.ReplayNote = "server: " + describeResult(srv)
			return
		}
	}
	f.ReplayNote = "the script passes on the server too: the difference is not visible to scansion's receives (order within a batch, masked values), or the server did not repeat it"
}

func describeResult(r *scenarios.Result) string {
	switch {
	case r.Failure != nil:
		return r.Failure.Error()
	case r.Err != nil:
		return r.Err.Error()
	}
	return "passed"
}

// orderLike returns want ordered like got for the stanzas both have,
// followed by the rest of want.
func orderLike(want, got []string) []string {
	left := map[string]int{}
	for _, w := range want {
		left[w]++
	}
	var out []string
	for _, g := range got {
		if left[g] > 0 {
			out = append(out, g)
			left[g]--
		}
	}
	for _, w := range want {
		if left[w] > 0 {
			out = append(out, w)
			left[w]--
		}
	}
	return out
}

// anyIDs replaces the random ids of roster pushes (and the reference's
// "*") in receives by {scansion:any}. Under a profile whose server gives
// its other pushes random ids too and versions rosters by an opaque hash
// (ejabberd: "push" and random digits for the blocking and privacy
// pushes, PrivacyListPush; a SHA-1 of the roster as 'ver',
// RosterVerOnlyIfAsked), those become {scansion:any} as well: the hash
// covers the account names, which a real-server run prefixes, so the
// model's value can never be the server's and the script could not fail
// on the server for the reason it was written.
func anyIDs(s *scenarios.Script, prof model.Profile) {
	for _, a := range s.Actions {
		if a.Verb != scenarios.Receives {
			continue
		}
		for _, st := range a.Stanzas {
			e := st.Elem
			if e.Tag != "iq" {
				continue
			}
			set := attrOr(e, "type") == "set"
			for _, c := range e.ChildElements() {
				roster := c.Tag == "query" && c.NamespaceURI() == nsRoster
				if roster && prof.RosterVerOnlyIfAsked && c.SelectAttr("ver") != nil {
					c.CreateAttr("ver", "{scansion:any}")
				}
				switch {
				case !set:
				case roster:
					e.CreateAttr("id", "{scansion:any}")
				case prof.PrivacyListPush && (c.NamespaceURI() == nsBlocking || c.NamespaceURI() == nsPrivacy):
					e.CreateAttr("id", "{scansion:any}")
				}
			}
		}
	}
}

// emphasise reorders the last step's receives so that a difference is
// seen by the first action after the failing send (§5.2 of the scansion
// reference: only that action sees fresh stanzas).
func emphasise(s *scenarios.Script, expected, got map[string][]string) {
	lastSend := -1
	for i, a := range s.Actions {
		if a.Verb == scenarios.Sends || a.Verb == scenarios.Connects || a.Verb == scenarios.Disconnects {
			lastSend = i
		}
	}
	if lastSend < 0 {
		return
	}
	head := append([]*scenarios.Action(nil), s.Actions[:lastSend+1]...)
	tail := append([]*scenarios.Action(nil), s.Actions[lastSend+1:]...)
	var first string
	nothing := ""
	keys := clientNames(expected, got)
	for _, n := range keys {
		if missing(expected[n], got[n]) && first == "" {
			first = n
		}
	}
	if first == "" {
		for _, n := range keys {
			if len(expected[n]) == 0 && len(got[n]) > 0 {
				nothing = n
				break
			}
		}
	}
	var front, rest []*scenarios.Action
	for _, a := range tail {
		if a.Verb == scenarios.Receives && a.Client == first {
			front = append(front, a)
		} else {
			rest = append(rest, a)
		}
	}
	if nothing != "" {
		front = append(front, &scenarios.Action{Client: nothing, Verb: scenarios.Receives, Nothing: true,
			Comments: []string{"# the correct behaviour sends nothing here"}})
	} else if first != "" && len(front) > 0 {
		front[0].Comments = append(front[0].Comments, "# the step that fails")
	}
	// Clients that got more than expected: a final "receives: nothing"
	// sees the extra stanza in strict mode (scansim replay --strict); the
	// default mode discards it as stale.
	var trail []*scenarios.Action
	for _, n := range keys {
		if n != nothing && extra(expected[n], got[n]) {
			trail = append(trail, &scenarios.Action{Client: n, Verb: scenarios.Receives, Nothing: true,
				Comments: []string{"# nothing more (seen in strict mode: scansim replay --strict)"}})
		}
	}
	s.Actions = append(append(append(head, front...), rest...), trail...)
}

// missing reports whether a stanza of want is not in got.
func missing(want, got []string) bool {
	left := map[string]int{}
	for _, g := range got {
		left[g]++
	}
	for _, w := range want {
		if left[w] == 0 {
			return true
		}
		left[w]--
	}
	return false
}

// differs reports whether a and b deliver different multisets of stanzas
// to some client.
func differs(a, b map[string][]string) bool {
	for _, n := range clientNames(a, b) {
		if !sameMultiset(a[n], b[n]) {
			return true
		}
	}
	return false
}

// witnesses are ops that make every user's state observable: a fresh
// session (or an existing one) sends initial presence (stored requests and
// offline messages are delivered), then fetches its roster and blocklist.
func witnesses(h *harness) []Op {
	var out []Op
	for _, u := range h.userNames() {
		slot := ""
		for _, l := range []string{"a", "b", "c"} {
			if !h.connected(u + l) {
				slot = u + l
				break
			}
		}
		if slot != "" {
			out = append(out, Op{Name: "witness", Kind: OpConnect, Slot: slot, Res: "w"},
				Op{Name: "witness", Kind: OpSend, Slot: slot, Stanza: "<presence/>"})
		} else {
			slot = u + "a"
		}
		out = append(out,
			Op{Name: "witness", Kind: OpSend, Slot: slot, Stanza: "<iq type='get' id='wr'><query xmlns='jabber:iq:roster'/></iq>"},
			Op{Name: "witness", Kind: OpSend, Slot: slot, Stanza: "<iq type='get' id='wb'><blocklist xmlns='urn:xmpp:blocking'/></iq>"})
	}
	return out
}

// extra reports whether got holds a stanza want does not.
func extra(want, got []string) bool { return missing(got, want) }

// attr returns the value of e's first attribute named k (any prefix).
func attr(e *etree.Element, k string) (string, bool) {
	a := e.SelectAttr(k)
	if a == nil {
		return "", false
	}
	return a.Value, true
}

// attrOr is attr's value, "" if e has none.
func attrOr(e *etree.Element, k string) string {
	v, _ := attr(e, k)
	return v
}
