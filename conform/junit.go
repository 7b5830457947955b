package conform

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// The JUnit XML shape CI systems read (Jenkins, GitLab, GitHub actions):
// one <testsuite> per rule, one <testcase> per check of the rule; a check
// that belongs to several rules is a case in each. Failures carry the
// violation and the shrunk script; model-only and unchecked invariants
// are <skipped/>. The divergences from the model and the uncited scripts
// are suites of their own.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes the report as JUnit XML.
func (r *Report) WriteJUnit(w io.Writer) error {
	top := junitSuites{Name: "scansim conform " + r.Server + " (" + r.Profile + ")"}
	add := func(name string, checks []*Check) {
		s := junitSuite{Name: name}
		for _, c := range checks {
			jc := junitCase{Name: caseName(c), Classname: name}
			switch c.Status {
			case Fail:
				jc.Failure = &junitFailure{Message: c.Summary, Type: c.Kind, Text: failureText(c)}
				s.Failures++
			case ModelOnly:
				jc.Skipped = &junitSkipped{Message: "judges what a server decides inside: checked on the model only"}
				s.Skipped++
			case NotChecked:
				jc.Skipped = &junitSkipped{Message: "not checked per step"}
				s.Skipped++
			}
			s.Cases = append(s.Cases, jc)
		}
		s.Tests = len(s.Cases)
		top.Tests += s.Tests
		top.Failures += s.Failures
		top.Skipped += s.Skipped
		top.Suites = append(top.Suites, s)
	}
	for _, rule := range r.Rules {
		add(rule.Cite, rule.Checks)
	}
	if len(r.Divergences) > 0 {
		add("agreement with the model", r.Divergences)
	}
	if len(r.Uncited) > 0 {
		add("scripts citing no rule", r.Uncited)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(top); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// caseName names a check in one line.
func caseName(c *Check) string {
	if c.Kind == "invariant" {
		return c.ID + " " + c.Name
	}
	return c.ID
}

// failureText is a failure's full text: the check's rule, the violation,
// how to reproduce it and the shrunk script.
func failureText(c *Check) string {
	var b strings.Builder
	if c.Doc != "" {
		fmt.Fprintf(&b, "rule: %s\n", c.Doc)
	}
	if len(c.Cites) > 0 {
		fmt.Fprintf(&b, "cites: %s\n", strings.Join(c.Cites, "; "))
	}
	fmt.Fprintf(&b, "%s\n", c.Message)
	if c.Script != "" {
		fmt.Fprintf(&b, "shrunk from %d to %d actions (rapid seed %d):\n%s", c.OriginalLen, c.ShrunkLen, c.Seed, c.Script)
	}
	return b.String()
}
