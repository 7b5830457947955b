package conform

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Status is a check's or a rule's verdict.
type Status string

const (
	// Pass: checked and held.
	Pass Status = "pass"
	// Fail: checked and broken.
	Fail Status = "fail"
	// ModelOnly: an invariant that judges decisions a server takes inside
	// (properties.Invariant.Wire false); against a server it judged the
	// model only, so it is no verdict on the server.
	ModelOnly Status = "model-only"
	// NotChecked: an invariant not checked per step (inv40, determinism).
	NotChecked Status = "not-checked"
)

// Check is one thing checked: an invariant of the catalogue or a script.
type Check struct {
	Kind  string // "invariant" or "script"
	ID    string // invNN / scNN, or the script's path
	Name  string // the invariant's name, or the script's title
	Doc   string // the invariant's one-line rule, or the script's description
	Level string // MUST, SHOULD, profile, derived ("" for scripts)
	Cites []string
	// Relax names the profile field that decides what the invariant
	// demands (properties.Invariant.Relax).
	Relax  string
	Status Status
	// Message is the failure (the violation, or the comparison's text),
	// Summary its one line.
	Message, Summary string
	// Script is the shrunk script of a property failure.
	Script string
	// Seed reproduces a property failure; ShrunkLen is its length in
	// actions and OriginalLen before shrinking.
	Seed                   uint64
	ShrunkLen, OriginalLen int
	// Anchor is the check's HTML id.
	Anchor string
}

// Rule is one specification section and the checks that cite it.
type Rule struct {
	Cite   string // "XEP-0191 §3.3"
	Anchor string // its HTML id
	Status Status // Fail when a check failed, Pass when one passed
	Checks []*Check
}

// citeRE finds XEP and RFC citations in a script's prose: "XEP-0191",
// "RFC 6121 §3.1.3", "XEP-0191 §3.3".
var citeRE = regexp.MustCompile(`\b(XEP-\d{4}|RFC \d{4})(?: (§\d+(?:\.\d+)*|App\. [A-Z]))?`)

// behaviourRE finds a script's list of behaviour-reference sections
// ("behaviour reference §7.3, §7.5-§7.7, §3.1 step 5e"): the list runs to
// the closing parenthesis or the end of the sentence.
var behaviourRE = regexp.MustCompile(`behaviour reference ((?:§[^)§]*)+)`)

// secRE is one section number in such a list, with an optional range end.
var secRE = regexp.MustCompile(`§(\d+)\.(\d+)(?:-§(\d+)\.(\d+))?|§(\d+)`)

// proseCites lists the citations in text, each once, in order of first
// appearance: XEP and RFC sections, and the sections of the behaviour
// reference (docs prosody-c2s-behaviour.md) as "Prosody §N", the name the
// invariant catalogue gives them. A range "§7.5-§7.7" within one section
// is every subsection of it.
func proseCites(text string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(c string) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, m := range citeRE.FindAllStringSubmatch(text, -1) {
		add(strings.TrimSpace(m[0]))
	}
	for _, list := range behaviourRE.FindAllStringSubmatch(text, -1) {
		for _, m := range secRE.FindAllStringSubmatch(list[1], -1) {
			if m[5] != "" {
				add("Prosody §" + m[5])
				continue
			}
			from, _ := strconv.Atoi(m[2])
			to := from
			if m[3] == m[1] && m[4] != "" {
				to, _ = strconv.Atoi(m[4])
			}
			for n := from; n <= to && n-from < 100; n++ {
				add("Prosody §" + m[1] + "." + strconv.Itoa(n))
			}
		}
	}
	return out
}

// docRank orders the documents: the two the report is about first, then
// the other standards, then server behaviour references.
func docRank(doc string) int {
	switch {
	case doc == "XEP-0191":
		return 0
	case doc == "RFC 6121":
		return 1
	case doc == "RFC 6120":
		return 2
	case strings.HasPrefix(doc, "RFC ") || strings.HasPrefix(doc, "XEP-"):
		return 3
	}
	return 4
}

// splitCite splits "XEP-0191 §3.3" into the document and the section.
func splitCite(c string) (doc, sec string) {
	if i := strings.Index(c, " §"); i >= 0 {
		return c[:i], c[i+1:]
	}
	if i := strings.Index(c, " App. "); i >= 0 {
		return c[:i], c[i+1:]
	}
	return c, ""
}

// citeLess orders citations by document rank, document, then section
// numerically (§3.10 after §3.9; the whole document before its sections).
func citeLess(a, b string) bool {
	da, sa := splitCite(a)
	db, sb := splitCite(b)
	if ra, rb := docRank(da), docRank(db); ra != rb {
		return ra < rb
	}
	if da != db {
		return da < db
	}
	pa := strings.Split(strings.TrimPrefix(sa, "§"), ".")
	pb := strings.Split(strings.TrimPrefix(sb, "§"), ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		if ea == nil && eb == nil {
			return na < nb
		}
		return pa[i] < pb[i]
	}
	if len(pa) != len(pb) {
		return len(pa) < len(pb)
	}
	return a < b
}

var slugRE = regexp.MustCompile(`[^a-z0-9]+`)

// slug makes an HTML id of s: lower case, runs of other characters as
// one "-".
func slug(prefix, s string) string {
	return prefix + strings.Trim(slugRE.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// buildRules groups checks by citation, sorted, each rule's checks
// invariants first (catalogue order) then scripts (path order). Checks
// citing nothing come back as uncited, in the same order.
func buildRules(checks []*Check) (rules []*Rule, uncited []*Check) {
	byCite := map[string]*Rule{}
	for _, c := range checks {
		if len(c.Cites) == 0 {
			uncited = append(uncited, c)
			continue
		}
		for _, cite := range c.Cites {
			r := byCite[cite]
			if r == nil {
				r = &Rule{Cite: cite, Anchor: slug("rule-", cite)}
				byCite[cite] = r
				rules = append(rules, r)
			}
			r.Checks = append(r.Checks, c)
		}
	}
	sort.Slice(rules, func(i, j int) bool { return citeLess(rules[i].Cite, rules[j].Cite) })
	for _, r := range rules {
		r.Status = verdict(r.Checks)
	}
	return rules, uncited
}

// verdict is a group's status: Fail if one failed, Pass if one passed,
// otherwise the first one's.
func verdict(checks []*Check) Status {
	st := Status("")
	for _, c := range checks {
		switch {
		case c.Status == Fail:
			return Fail
		case c.Status == Pass:
			st = Pass
		case st == "":
			st = c.Status
		}
	}
	return st
}
