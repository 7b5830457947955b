package conform

import (
	_ "embed"
	"html/template"
	"io"
	"strings"
)

//go:embed report.html.tmpl
var reportTmpl string

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"join":       strings.Join,
	"firstRow":   firstLine,
	"ruleAnchor": func(cite string) string { return slug("rule-", cite) },
}).Parse(reportTmpl))

// WriteHTML writes the report as one self-contained HTML page: a summary,
// the failed rules first as links, then every rule with its checks, and
// each failure with its violation and shrunk script. The page's small
// script checks the page for the browser test (body data-links: the
// number of in-page links, data-broken: those whose target is missing,
// data-target: whether the URL's fragment names an element,
// data-failed-shown: failed rule sections rendered / all); the page
// reads the same without it.
func (r *Report) WriteHTML(w io.Writer) error {
	var failed []*Rule
	for _, rule := range r.Rules {
		if rule.Status == Fail {
			failed = append(failed, rule)
		}
	}
	return htmlTmpl.Execute(w, struct {
		*Report
		FailedRules []*Rule
	}{r, failed})
}

// FailureChecks are the failed checks of the rules and the uncited
// scripts, each once: the invariants, then the scripts, each in the order
// of the rules they first appear in (the divergences are listed apart).
func (r *Report) FailureChecks() []*Check {
	var out []*Check
	seen := map[*Check]bool{}
	for _, kind := range []string{"invariant", "script"} {
		for _, rule := range r.Rules {
			for _, c := range rule.Checks {
				if c.Kind == kind && c.Status == Fail && !seen[c] {
					seen[c] = true
					out = append(out, c)
				}
			}
		}
	}
	for _, c := range r.Uncited {
		if c.Status == Fail && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}
