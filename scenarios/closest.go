package scenarios

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
)

// A receives that times out in scansion's default mode may have passed
// over the very stanza the script meant, discarded because it arrived
// early and differs in one detail. "received no matching stanza" alone
// hides that; the report names the nearest candidate and where it differs,
// as a mismatch would.

// explainTimeout adds to f, the failure of a receives on st that timed
// out waiting for exp (compiled as e), the stanza nearest to it among
// those st's client received and the run discarded: the one whose first
// difference lies deepest (more of it matches), then with the fewest
// differing diff lines, then the latest.
func (r *runner) explainTimeout(st *clientState, e *xnode, exp *etree.Element, f *Failure) {
	var (
		best      *Mismatch
		bestDepth = -1
		bestLines int
		bestQ     queued
		bestAt    int
	)
	for i, q := range st.dropped {
		// On the simulated network a stanza arrives as a value only
		// (sim.Config.ValuesOnly); the explanation works on elements.
		recv := q.Stanza
		if recv == nil {
			recv = q.Value.Element()
		}
		rn, ok := r.matcher.matches(e, recv)
		if ok { // a capture bound since then can make it match now; still the nearest
			rn = nil
		}
		var mm *Mismatch
		if rn != nil {
			mm = r.matcher.mismatch(e, rn, exp, recv)
		} else {
			mm = newMismatch("", "it matches now, with the captures bound since", e, exp, recv)
		}
		// Deepest first difference; then the fewest differing diff
		// lines; then the latest.
		d, n := pathDepth(mm), changedLines(mm.Diff)
		if d > bestDepth || d == bestDepth && n <= bestLines {
			best, bestDepth, bestLines, bestQ, bestAt = mm, d, n, q, st.droppedBy[i]
		}
	}
	if best == nil {
		return
	}
	f.Closest = bestQ.canonical()
	f.ClosestSeq = bestQ.Seq
	note := fmt.Sprintf("arrived during action %d", bestQ.stamp)
	if bestAt > 0 && bestAt <= len(r.script.Actions) {
		note += fmt.Sprintf(", discarded by action %d (%s)", bestAt, r.script.Actions[bestAt-1].Pos)
	}
	f.ClosestNote = note
	f.Path = best.Path
	f.ClosestReason = best.Reason
	f.Diff = best.Diff
}

// pathDepth scores how far into the stanza a mismatch lies: the steps
// of its path, an attribute or text step counting half.
func pathDepth(mm *Mismatch) int {
	if strings.HasPrefix(mm.Reason, "expected element ") && strings.Count(mm.Path, "/") == 1 {
		return 0 // another kind of stanza altogether
	}
	d := 2 * strings.Count(mm.Path, "/")
	if strings.Contains(mm.Path, "@") {
		d++
	}
	return d
}

// changedLines counts the "-" and "+" lines of a diff.
func changedLines(diff string) int {
	n := 0
	for _, l := range strings.Split(diff, "\n") {
		if strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "+ ") {
			n++
		}
	}
	return n
}
