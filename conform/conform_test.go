package conform

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
)

const blocking = "../scenarios/testdata/blocking.scs"

// run is a conformance run of blocking.scs and a property run against a
// "server" that is the model behind a SimDriver, mutated by mutants. The
// profile is prosody-trunk, the c2s core: the core mutants are found by
// the core's actions, which the module and room actions of the upstream
// profiles would dilute within a test's few hundred checks.
func run(t *testing.T, checks int, mutants ...string) *Report {
	t.Helper()
	p := model.ProsodyTrunk()
	rep, err := Run(Config{
		Options: driver.Options{Profile: &p}, ProfileName: "prosody-trunk",
		Server:     &driver.SimDriver{Options: driver.Options{Profile: &p, Mutants: mutants}, Prefix: "c-"},
		ServerName: "sim", Scripts: []string{blocking}, Checks: checks, ShrinkTime: 3 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func rule(t *testing.T, rep *Report, cite string) *Rule {
	t.Helper()
	for _, r := range rep.Rules {
		if r.Cite == cite {
			return r
		}
	}
	t.Fatalf("no rule %q", cite)
	return nil
}

func check(r *Rule, id string) *Check {
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// A server that sends no unavailable presence to a contact it blocks
// breaks XEP-0191 §3.3 ("the server MUST send unavailable presence ... to
// the blocked contact"): the report fails that rule through inv21, with
// a shrunk script that the mutated server fails and the correct model
// passes; rules the mutant does not touch pass.
func TestMutantServerFailsItsRule(t *testing.T) {
	rep := run(t, 500, "no-unavailable-on-block")
	r := rule(t, rep, "XEP-0191 §3.3")
	if r.Status != Fail {
		t.Fatalf("XEP-0191 §3.3 is %s", r.Status)
	}
	inv := check(r, "inv21")
	if inv == nil || inv.Status != Fail || !strings.Contains(inv.Summary, "inv21UnavailableOnBlock") {
		t.Fatalf("inv21 under XEP-0191 §3.3: %+v", inv)
	}
	if inv.Script == "" || inv.ShrunkLen == 0 || inv.ShrunkLen > inv.OriginalLen {
		t.Fatalf("no shrunk script: %d of %d actions", inv.ShrunkLen, inv.OriginalLen)
	}
	// the shrunk script is a real reproduction: the mutated model fails
	// it, the correct one passes it
	s, err := scenarios.Parse("shrunk.scs", []byte(inv.Script))
	if err != nil {
		t.Fatalf("the shrunk script does not parse: %v\n%s", err, inv.Script)
	}
	p := model.ProsodyTrunk()
	if res := scenarios.Run(s, scenarios.RunOptions{Options: driver.Options{Profile: &p, Mutants: []string{"no-unavailable-on-block"}}}); res.Passed || res.Err != nil {
		t.Errorf("the mutated model passes the shrunk script (err %v)", res.Err)
	}
	if res := scenarios.Run(s, scenarios.RunOptions{Options: driver.Options{Profile: &p}}); !res.Passed {
		t.Errorf("the correct model fails the shrunk script: %v", res.Err)
	}
	// blocking.scs waits for the unavailable: it fails too, under the
	// document it cites
	if c := check(rule(t, rep, "XEP-0191"), blocking); c == nil || c.Status != Fail {
		t.Errorf("blocking.scs: %+v", c)
	}
	// the blocklist get (inv01, §3.2) is untouched by the mutant
	if r := rule(t, rep, "XEP-0191 §3.2"); check(r, "inv01").Status != Pass {
		t.Errorf("inv01 under §3.2: %s", check(r, "inv01").Status)
	}
	if !rep.Failures() {
		t.Error("Failures() is false")
	}
	var html bytes.Buffer
	if err := rep.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="rule-xep-0191-3-3"`, `class="rule status-fail" id="rule-xep-0191-3-3"`, `<a href="#rule-xep-0191-3-3">XEP-0191 §3.3</a>`, `id="inv-inv21"`, `[Client]`} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
}

// Against the correct model every script and every rule passes, the
// comparison was not empty, and the model-only invariants are not
// counted as verdicts on the server.
func TestPlainModelPasses(t *testing.T) {
	rep := run(t, 50)
	if rep.Failures() || rep.Failed != 0 || len(rep.Divergences) != 0 {
		var b bytes.Buffer
		rep.WriteSummary(&b)
		t.Fatalf("failures against the correct model:\n%s", b.String())
	}
	for _, r := range rep.Rules {
		if r.Status == Fail {
			t.Errorf("%s failed", r.Cite)
		}
	}
	if rep.Passed == 0 || rep.ServerStanzas == 0 || rep.Sequences < 50 {
		t.Errorf("passed %d, %d server stanzas, %d sequences", rep.Passed, rep.ServerStanzas, rep.Sequences)
	}
	// sc42 (the offline ledger) judges the server's store, which a
	// client never sees
	for _, r := range rep.Rules {
		if c := check(r, "sc42"); c != nil && c.Status != ModelOnly {
			t.Errorf("sc42 against a server: %s", c.Status)
		}
	}
}

// The JUnit report is well-formed and its counts are those of its cases.
func TestJUnitCounts(t *testing.T) {
	rep := run(t, 500, "no-unavailable-on-block")
	var b bytes.Buffer
	if err := rep.WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Skipped  int    `xml:"skipped,attr"`
			Cases    []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
				Skipped *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("not well-formed: %v", err)
	}
	tests, fails, skips, inv21 := 0, 0, 0, false
	for _, s := range doc.Suites {
		f, k := 0, 0
		for _, c := range s.Cases {
			if c.Failure != nil {
				f++
				inv21 = inv21 || s.Name == "XEP-0191 §3.3" && strings.HasPrefix(c.Name, "inv21 ")
			}
			if c.Skipped != nil {
				k++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Skipped != k {
			t.Errorf("suite %s: tests=%d failures=%d skipped=%d, cases %d, %d failed, %d skipped", s.Name, s.Tests, s.Failures, s.Skipped, len(s.Cases), f, k)
		}
		tests, fails, skips = tests+len(s.Cases), fails+f, skips+k
	}
	if doc.Tests != tests || doc.Failures != fails || doc.Skipped != skips {
		t.Errorf("testsuites: %d/%d/%d, cases %d/%d/%d", doc.Tests, doc.Failures, doc.Skipped, tests, fails, skips)
	}
	if !inv21 {
		t.Error("no failed inv21 case in the XEP-0191 §3.3 suite")
	}
}

// The same seed gives byte-identical reports (short sequences: the
// shrinking must end before its time limit, which is the one thing that
// depends on the machine's speed).
func TestDeterministic(t *testing.T) {
	out := func() (string, string) {
		p := model.ProsodyTrunk()
		rep, err := Run(Config{Options: driver.Options{Profile: &p, Mutants: []string{"no-unavailable-on-block"}}, ProfileName: "prosody-trunk",
			Scripts: []string{blocking}, Checks: 300, Steps: 10, ShrinkTime: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		var h, j bytes.Buffer
		if err := rep.WriteHTML(&h); err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteJUnit(&j); err != nil {
			t.Fatal(err)
		}
		return h.String(), j.String()
	}
	h1, j1 := out()
	if !strings.Contains(h1, `id="inv-inv21"`) {
		t.Fatal("the mutant was not caught: nothing to shrink")
	}
	h2, j2 := out()
	if h1 != h2 || j1 != j2 {
		t.Error("two runs with one seed differ")
	}
}

func TestProseCites(t *testing.T) {
	got := proseCites("Blocking (RFC 6121 §3.1.3, XEP-0191 §3.3; behaviour reference §7.5-§7.7, §3.1 step 5e, §9 point 3).")
	want := "RFC 6121 §3.1.3|XEP-0191 §3.3|Prosody §7.5|Prosody §7.6|Prosody §7.7|Prosody §3.1|Prosody §9"
	if strings.Join(got, "|") != want {
		t.Errorf("got %q, want %q", strings.Join(got, "|"), want)
	}
}

func TestCiteOrder(t *testing.T) {
	for _, c := range [][2]string{
		{"XEP-0191 §3.9", "XEP-0191 §3.10"}, {"XEP-0191", "XEP-0191 §3.1"}, {"XEP-0191 §5", "RFC 6121 §2.1"},
		{"RFC 6121 App. A", "RFC 6120 §8.1"}, {"RFC 6120 §8.1", "XEP-0160 §3"}, {"XEP-0160 §3", "Prosody §0.7"},
	} {
		if !citeLess(c[0], c[1]) || citeLess(c[1], c[0]) {
			t.Errorf("%s should sort before %s", c[0], c[1])
		}
	}
}

// A bad script is an error naming the file, and no report.
func TestBadScript(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.scs")
	if err := os.WriteFile(bad, []byte("[Client] A\n\tjid: a@localhost\n-----\nA sends:\n\t<message\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(Config{Scripts: []string{bad}, Checks: -1})
	if err == nil || !strings.Contains(err.Error(), "bad.scs") || strings.Contains(err.Error(), "\n") {
		t.Errorf("err %v", err)
	}
}

// WriteFile keeps the old file when writing fails, and leaves no
// temporary file behind.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.html")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(path, func(w io.Writer) error {
		w.Write([]byte("half"))
		return errors.New("boom")
	})
	if err == nil {
		t.Fatal("no error")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("file now %q", b)
	}
	if err := WriteFile(path, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("file now %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the directory", len(ents))
	}
}

// A "## spec:" tag decides a script's rules; without one, its prose does.
func TestScriptCites(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"# Blocks (XEP-0191 §3.3)\n## spec: RFC 6121 §3.1.3, XEP-0191 §3.4\n\n[Client] A\n\tjid: a@localhost\n\n-----\n\nA connects\n", "RFC 6121 §3.1.3|XEP-0191 §3.4"},
		{"# Blocks (XEP-0191 §3.3)\n\n[Client] A\n\tjid: a@localhost\n\n-----\n\nA connects\n", "XEP-0191 §3.3"},
	} {
		s, err := scenarios.Parse("x.scs", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(scriptCites(s), "|"); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

// When the model, the oracle, breaks a rule on its own, that is
// scansim's fault: an error, never a failure blamed on the server.
func TestBrokenModelIsNoServerFailure(t *testing.T) {
	p := model.ProsodyTrunk()
	_, err := Run(Config{
		Options: driver.Options{Profile: &p, Mutants: []string{"no-unavailable-on-block"}}, ProfileName: "prosody-trunk",
		Server: &driver.SimDriver{Options: driver.Options{Profile: &p}, Prefix: "c-"}, Checks: 300, Steps: 10, ShrinkTime: 3 * time.Second,
	})
	if err == nil || !strings.Contains(err.Error(), "the model itself fails") {
		t.Errorf("err %v", err)
	}
}
