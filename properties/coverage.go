package properties

// Spec coverage of a run: which requirements, subscription-table cells and
// module rules the steps of a run exercised, how often, and by which
// action (scansim check --coverage, Config.Coverage, Report.Coverage).
//
// The points are data, like the invariants: XEP-0191's server-relevant
// requirements (invariants.md A.2, X1–X30, X30 split by item form), every
// cell of RFC 6121 Appendix A's subscription-state tables (A.2.1–A.2.4
// outbound, A.3.1–A.3.4 inbound: nine states each) and the model's module
// rules, one per reason the model records for refusing a stanza (drop
// reasons). A point is hit when a step puts the server in the situation
// it describes — coverage measures what a run exercised, the invariants
// judge what the server did there. Points no action can reach carry the
// reason and are left out of the percentage.
//
// Counting is deterministic (fixed order, no maps in the output) and
// stops at the first failing step, so that the shrinker's replays are not
// counted.

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// CoveragePoint is one thing a run can exercise.
type CoveragePoint struct {
	ID   string // "X9", "A.3.1/From+PO", "rule:blocked-inbound"
	Kind string // "XEP-0191", "RFC 6121 App. A", "module rule"
	Doc  string // one line
	// Unreachable, when set, says why no action can reach the point;
	// such points are listed but not counted in the percentage.
	Unreachable string
	// reach, when set, decides Unreachable from the model's profile
	// (the point exists only under some option).
	reach func(p model.Profile) string
}

// CoverageRow is a point with its count in one run.
type CoverageRow struct {
	CoveragePoint
	Hits     int
	ByAction []ActionCount // sorted by action name
}

// ActionCount is how often one action hit a point.
type ActionCount struct {
	Action string
	Hits   int
}

// Coverage is the coverage of one run, in catalogue order.
type Coverage struct {
	Rows []CoverageRow
}

// Reachable, Hit: the reachable points and those of them hit.
func (c *Coverage) Reachable() (reachable, hit int) {
	for _, r := range c.Rows {
		if r.Unreachable != "" {
			continue
		}
		reachable++
		if r.Hits > 0 {
			hit++
		}
	}
	return reachable, hit
}

// Percent is the share of reachable points hit, 0–100.
func (c *Coverage) Percent() float64 {
	n, h := c.Reachable()
	if n == 0 {
		return 100
	}
	return 100 * float64(h) / float64(n)
}

// Write prints the table: one line per point (hits, the actions that hit
// it, most first), then the missed and unreachable points and the total.
func (c *Coverage) Write(w io.Writer) error {
	var b strings.Builder
	kind := ""
	for _, r := range c.Rows {
		if r.Kind != kind {
			kind = r.Kind
			fmt.Fprintf(&b, "== %s\n", kind)
		}
		switch {
		case r.Unreachable != "":
			fmt.Fprintf(&b, "  %-28s %7s  %s (unreachable: %s)\n", r.ID, "-", r.Doc, r.Unreachable)
		case r.Hits == 0:
			fmt.Fprintf(&b, "  %-28s %7s  %s\n", r.ID, "MISSED", r.Doc)
		default:
			acts := slices.Clone(r.ByAction)
			slices.SortStableFunc(acts, func(a, b ActionCount) int { return b.Hits - a.Hits })
			var parts []string
			for i, a := range acts {
				if i == 3 {
					parts = append(parts, "…")
					break
				}
				parts = append(parts, fmt.Sprintf("%s %d", a.Action, a.Hits))
			}
			fmt.Fprintf(&b, "  %-28s %7d  %s [%s]\n", r.ID, r.Hits, r.Doc, strings.Join(parts, ", "))
		}
	}
	n, h := c.Reachable()
	fmt.Fprintf(&b, "coverage: %d of %d reachable points (%.1f%%), %d unreachable\n", h, n, c.Percent(), len(c.Rows)-n)
	_, err := io.WriteString(w, b.String())
	return err
}

// CoveragePoints lists every point, in catalogue order.
func CoveragePoints() []CoveragePoint { return slices.Clone(coveragePoints) }

// covRecorder counts the points of one run (shared by its checks).
type covRecorder struct {
	index  map[string]int
	hits   []int
	by     []map[string]int
	frozen bool
}

func newCovRecorder() *covRecorder {
	r := &covRecorder{index: map[string]int{}, hits: make([]int, len(coveragePoints)), by: make([]map[string]int, len(coveragePoints))}
	for i, p := range coveragePoints {
		r.index[p.ID] = i
	}
	return r
}

func (r *covRecorder) hit(id, action string) {
	i, ok := r.index[id]
	if !ok || r.frozen {
		return
	}
	r.hits[i]++
	if r.by[i] == nil {
		r.by[i] = map[string]int{}
	}
	r.by[i][action]++
}

// add counts o's hits into r (the workers of one run, each with its own
// recorder).
func (r *covRecorder) add(o *covRecorder) {
	for i, n := range o.hits {
		r.hits[i] += n
		for a, k := range o.by[i] {
			if r.by[i] == nil {
				r.by[i] = map[string]int{}
			}
			r.by[i][a] += k
		}
	}
}

func (r *covRecorder) result(prof model.Profile) *Coverage {
	c := &Coverage{Rows: make([]CoverageRow, len(coveragePoints))}
	for i, p := range coveragePoints {
		if p.reach != nil {
			p.Unreachable = p.reach(prof)
		}
		row := CoverageRow{CoveragePoint: p, Hits: r.hits[i]}
		for _, a := range sortedMapKeys(r.by[i]) {
			row.ByAction = append(row.ByAction, ActionCount{a, r.by[i][a]})
		}
		c.Rows[i] = row
	}
	return c
}

func sortedMapKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// covState is one check's memory for the points that span steps.
type covState struct {
	// unblocked[A][J]: A unblocked J (by item, or all) and has not
	// blocked it again
	unblocked, unblockedAll map[[2]string]bool
}

// observe records the points the step c judges hits.
func (r *covRecorder) observe(c *Ctx, st *covState) {
	if r == nil || r.frozen {
		return
	}
	action := c.rec.op.Name
	if action == "" {
		action = "?"
	}
	hit := func(id string) { r.hit(id, action) }
	observeXEP(c, st, hit)
	observeRFC(c, hit)
	for _, e := range c.evs {
		if e.Kind == sim.TraceDrop && e.Reason != "" {
			hit("rule:" + e.Reason)
		}
	}
}
