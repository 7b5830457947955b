package conform

import (
	"fmt"
	"io"
)

// WriteSummary writes the report in a few lines for a terminal or a CI
// log: each failed rule with its failed checks, then the figures.
func (r *Report) WriteSummary(w io.Writer) error {
	failedRules := 0
	for _, rule := range r.Rules {
		if rule.Status != Fail {
			continue
		}
		failedRules++
		fmt.Fprintf(w, "FAIL  %s\n", rule.Cite)
		for _, c := range rule.Checks {
			if c.Status == Fail {
				fmt.Fprintf(w, "      %s: %s\n", caseName(c), c.Summary)
			}
		}
	}
	for _, c := range r.Divergences {
		fmt.Fprintf(w, "FAIL  %s: %s\n", c.Name, c.Summary)
	}
	for _, c := range r.Uncited {
		if c.Status == Fail {
			fmt.Fprintf(w, "FAIL  %s (cites no rule): %s\n", c.ID, c.Summary)
		}
	}
	_, err := fmt.Fprintf(w, "%d of %d rules failed; checks: %d passed, %d failed, %d skipped; property run: %d round(s), %d sequences, %d actions, %d server stanzas compared\n",
		failedRules, len(r.Rules), r.Passed, r.Failed, r.Skipped, r.Rounds, r.Sequences, r.Actions, r.ServerStanzas)
	return err
}
