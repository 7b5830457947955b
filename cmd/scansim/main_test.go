package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/tracefmt"
)

const (
	blocking = "../../scenarios/testdata/blocking.scs"
	failing  = "testdata/failing.scs"
)

// scansim runs the command line in-process.
func scansim(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestReplayPassAndFail(t *testing.T) {
	out, _, code := scansim(t, "replay", blocking)
	if code != exitOK || lastLine(out) != "1 passed, 0 failed" || !strings.HasPrefix(out, "PASS  "+blocking) {
		t.Errorf("pass: code %d\n%s", code, out)
	}
	out, _, code = scansim(t, "replay", blocking, failing)
	if code != exitFailed || lastLine(out) != "1 passed, 1 failed" {
		t.Errorf("fail: code %d\n%s", code, out)
	}
	if !strings.Contains(out, "FAIL  "+failing) || !strings.Contains(out, failing+":16: Romeo received a stanza that does not match") {
		t.Errorf("failure report missing:\n%s", out)
	}
	// The mutant the examples use makes blocking.scs fail.
	out, _, code = scansim(t, "replay", "--mutant", "no-unavailable-on-block", blocking)
	if code != exitFailed || !strings.Contains(out, "blocking.scs:93:") {
		t.Errorf("mutant: code %d\n%s", code, out)
	}
}

func TestReplayDirectoryRecursive(t *testing.T) {
	out, _, code := scansim(t, "replay", "testdata/tags")
	if code != exitOK || lastLine(out) != "4 passed, 0 failed" {
		t.Errorf("code %d\n%s", code, out)
	}
	// Sorted paths.
	var paths []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "PASS  ") {
			paths = append(paths, strings.Fields(l)[1])
		}
	}
	want := []string{"testdata/tags/draft.scs", "testdata/tags/slow.scs", "testdata/tags/stable.scs", "testdata/tags/untagged.scs"}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("paths %v, want %v", paths, want)
	}
}

// TestReplayErrors: each kind of bad input gives one clear line and exit 2.
func TestReplayErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		// want is the one line, on stdout (a script error: the ERROR line
		// before the summary) or stderr (a usage error: the only line).
		want     string
		onStderr bool
	}{
		{"missing file", []string{"nosuch.scs"}, "scansim replay: nosuch.scs: no such file or directory", true},
		{"directory without scripts", []string{"testdata/empty"}, "scansim replay: testdata/empty: no .scs scripts in directory", true},
		{"unknown profile", []string{"--profile", "openfire", blocking}, `scansim replay: unknown profile "openfire"`, true},
		{"unknown mutant", []string{"--mutant", "nope", blocking}, `scansim replay: unknown mutant "nope"`, true},
		{"unknown format", []string{"--format", "xml", blocking}, `scansim replay: unknown --format "xml" (text or json)`, true},
		{"no path", nil, "scansim replay: no script or directory given", true},
		{"malformed", []string{"testdata/bad/malformed.scs"}, "ERROR testdata/bad/malformed.scs:12: malformed XML: unexpected EOF", false},
		{"unknown client", []string{"testdata/bad/unknown_client.scs"}, `ERROR testdata/bad/unknown_client.scs:9: unknown client "Juliet" in "Juliet connects"`, false},
		{"undefined variable", []string{"testdata/bad/undefined_variable.scs"}, `ERROR testdata/bad/undefined_variable.scs:12: attribute to of <message>: unknown client "Mercutio" in ${Mercutio's JID}`, false},
		{"variable before connect", []string{"testdata/bad/early_variable.scs"}, `ERROR testdata/bad/early_variable.scs:15: Romeo sends: ${Juliet's full JID} used before Juliet connects`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := scansim(t, append([]string{"replay"}, c.args...)...)
			if code != exitUsage {
				t.Errorf("exit %d, want 2", code)
			}
			if c.onStderr {
				if out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, c.want) {
					t.Errorf("stdout %q\nstderr %q\nwant one stderr line starting %q", out, errOut, c.want)
				}
				return
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], c.want) || lines[1] != "0 passed, 0 failed, 1 error" || errOut != "" {
				t.Errorf("stdout %q\nstderr %q\nwant %q then the summary", out, errOut, c.want)
			}
		})
	}
}

func TestReplayTags(t *testing.T) {
	ran := func(args ...string) string {
		t.Helper()
		out, errOut, code := scansim(t, append([]string{"replay", "-v"}, append(args, "testdata/tags")...)...)
		if code != exitOK {
			t.Fatalf("code %d: %s%s", code, out, errOut)
		}
		var names []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "PASS  ") {
				names = append(names, strings.TrimSuffix(filepath.Base(strings.Fields(l)[1]), ".scs"))
			}
		}
		return strings.Join(names, ",")
	}
	// draft: "status: draft", "area: blocking, privacy"; slow: "slow",
	// "status: stable"; stable: "status: stable"; untagged: none.
	cases := []struct {
		args []string
		want string
	}{
		{nil, "draft,slow,stable,untagged"},
		{[]string{"--only-tags", "status: stable"}, "slow,stable"},
		{[]string{"--only-tags", "status:stable"}, "slow,stable"},
		{[]string{"--only-tags", "status"}, "draft,slow,stable"},
		{[]string{"--skip-tags", "slow"}, "draft,stable,untagged"},
		{[]string{"--only-tags", "status: stable", "--skip-tags", "slow"}, "stable"},
		{[]string{"--only-tags", "slow, status: draft"}, "draft,slow"},
		{[]string{"--only-tags", "slow", "--only-tags", "status: draft"}, "draft,slow"},
		{[]string{"--only-tags", "area"}, "draft"},
		{[]string{"--skip-tags", "status"}, "untagged"},
	}
	for _, c := range cases {
		if got := ran(c.args...); got != c.want {
			t.Errorf("%v: ran %q, want %q", c.args, got, c.want)
		}
	}
	out, _, _ := scansim(t, "replay", "-v", "--skip-tags", "slow", "testdata/tags")
	if !strings.Contains(out, "SKIP  testdata/tags/slow.scs (skip-tags: slow)") || lastLine(out) != "3 passed, 0 failed, 1 skipped" {
		t.Errorf("skip line or summary:\n%s", out)
	}
	out, _, _ = scansim(t, "replay", "--skip-tags", "slow", "testdata/tags")
	if strings.Contains(out, "SKIP") {
		t.Errorf("SKIP lines without -v:\n%s", out)
	}
}

func TestReplayJSON(t *testing.T) {
	out, errOut, code := scansim(t, "replay", "--format", "json", blocking, failing, "testdata/bad/malformed.scs")
	if code != exitUsage || errOut != "" {
		t.Fatalf("code %d stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want one line per script, got:\n%s", out)
	}
	type rec struct {
		Name    string  `json:"name"`
		Path    string  `json:"path"`
		Title   string  `json:"title"`
		Result  string  `json:"result"`
		TimeMS  float64 `json:"time_ms"`
		Error   string  `json:"error"`
		Failure *struct {
			File, Line, Message, Expected, Received, Path, Diff json.RawMessage
		} `json:"failure"`
		Discarded []json.RawMessage `json:"discarded"`
	}
	var rs []rec
	for _, l := range lines {
		var r rec
		dec := json.NewDecoder(strings.NewReader(l))
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		rs = append(rs, r)
	}
	if r := rs[0]; r.Name != "blocking" || r.Path != blocking || r.Title != "XEP-0191: Blocking Command" || r.Result != "pass" || r.Failure != nil || r.Discarded == nil {
		t.Errorf("pass record: %+v", r)
	}
	f := rs[1]
	if f.Result != "fail" || f.Failure == nil {
		t.Fatalf("fail record: %s", lines[1])
	}
	var file, msg, path string
	var line int
	json.Unmarshal(f.Failure.File, &file)
	json.Unmarshal(f.Failure.Line, &line)
	json.Unmarshal(f.Failure.Message, &msg)
	json.Unmarshal(f.Failure.Path, &path)
	if file != failing || line != 16 || !strings.Contains(msg, "does not match") || path != "/iq@type" ||
		len(f.Failure.Expected) < 3 || len(f.Failure.Received) < 3 || len(f.Failure.Diff) < 3 {
		t.Errorf("failure fields: %s", lines[1])
	}
	if e := rs[2]; e.Result != "error" || !strings.HasPrefix(e.Error, "testdata/bad/malformed.scs:12: ") {
		t.Errorf("error record: %s", lines[2])
	}
	// Skipped scripts appear as "skip".
	out, _, _ = scansim(t, "replay", "--format", "json", "--skip-tags", "slow", "testdata/tags/slow.scs")
	if !strings.Contains(out, `"result":"skip"`) || !strings.Contains(out, `"error":"skip-tags: slow"`) {
		t.Errorf("skip record: %s", out)
	}
}

func TestReplayJUnit(t *testing.T) {
	file := filepath.Join(t.TempDir(), "report.xml")
	_, _, code := scansim(t, "replay", "-q", "--junit", file, "--skip-tags", "slow", blocking, failing, "testdata/bad/malformed.scs", "testdata/tags/slow.scs")
	if code != exitUsage {
		t.Fatalf("code %d", code)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Errors   int      `xml:"errors,attr"`
		Skipped  int      `xml:"skipped,attr"`
		Suites   []struct {
			Cases []struct {
				Name      string    `xml:"name,attr"`
				Classname string    `xml:"classname,attr"`
				Failure   *struct{} `xml:"failure"`
				Error     *struct{} `xml:"error"`
				Skipped   *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if doc.Tests != 4 || doc.Failures != 1 || doc.Errors != 1 || doc.Skipped != 1 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 4 {
		t.Fatalf("counts: %s", data)
	}
	cs := doc.Suites[0].Cases
	if cs[0].Name != "blocking" || cs[0].Classname != "../../scenarios/testdata" || cs[0].Failure != nil || cs[0].Error != nil {
		t.Errorf("case 0: %+v", cs[0])
	}
	if cs[1].Failure == nil || cs[2].Error == nil || cs[3].Skipped == nil {
		t.Errorf("cases: %s", data)
	}
}

func TestReplayFailFastAndQuiet(t *testing.T) {
	out, _, code := scansim(t, "replay", "--fail-fast", failing, blocking)
	if code != exitFailed || strings.Contains(out, "PASS") || lastLine(out) != "0 passed, 1 failed" {
		t.Errorf("fail-fast: code %d\n%s", code, out)
	}
	out, _, code = scansim(t, "replay", "-q", blocking, failing)
	if code != exitFailed || out != "FAIL  testdata/failing.scs\n1 passed, 1 failed\n" {
		t.Errorf("quiet: code %d %q", code, out)
	}
	// Flags may follow the paths.
	out, _, _ = scansim(t, "replay", blocking, "-q")
	if out != "1 passed, 0 failed\n" {
		t.Errorf("flag after path: %q", out)
	}
}

func TestReplayColour(t *testing.T) {
	saved := isTerminal
	defer func() { isTerminal = saved }()

	out, _, _ := scansim(t, "replay", blocking, failing)
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour on a non-terminal:\n%q", out)
	}
	isTerminal = func(io.Writer) bool { return true }
	t.Setenv("NO_COLOR", "")
	out, _, _ = scansim(t, "replay", blocking, failing)
	if !strings.Contains(out, "\x1b[32mPASS\x1b[0m  ") || !strings.Contains(out, "\x1b[31mFAIL\x1b[0m  ") {
		t.Errorf("no colour on a terminal:\n%q", out)
	}
	if lastLine(out) != "1 passed, 1 failed" {
		t.Errorf("summary line coloured: %q", lastLine(out))
	}
	t.Setenv("NO_COLOR", "1")
	out, _, _ = scansim(t, "replay", blocking, failing)
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour despite NO_COLOR:\n%q", out)
	}
}

func TestHelp(t *testing.T) {
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "-h"}, {c.name, "--help"}, {"help", c.name}} {
			out, errOut, code := scansim(t, args...)
			if code != exitOK || errOut != "" || !strings.HasPrefix(out, "Usage: scansim "+c.name) || !strings.Contains(out, "Example") {
				t.Errorf("%v: code %d stderr %q\n%s", args, code, errOut, out)
			}
		}
	}
	out, _, code := scansim(t, "help")
	if code != exitOK {
		t.Errorf("help: %d", code)
	}
	for _, c := range commands {
		if !strings.Contains(out, "scansim "+c.name) {
			t.Errorf("overview lacks %s:\n%s", c.name, out)
		}
	}
	if _, errOut, code := scansim(t, "frobnicate"); code != exitUsage || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	if _, _, code := scansim(t); code != exitUsage {
		t.Errorf("no command: %d", code)
	}
	if _, errOut, code := scansim(t, "replay", "--nope", blocking); code != exitUsage || !strings.Contains(errOut, "flag provided but not defined: -nope") {
		t.Errorf("bad flag: %d %q", code, errOut)
	}
}

func TestVersionAndCheck(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, _, code := scansim(t, args...)
		if code != exitOK || out != "scansim "+version+"\n" {
			t.Errorf("%v: %d %q", args, code, out)
		}
	}
	for _, cmd := range []string{"version", "bench"} {
		if out, errOut, code := scansim(t, cmd, "extra"); code != exitUsage || out != "" || errOut != "scansim "+cmd+": takes no arguments\n" {
			t.Errorf("%s extra: %d %q %q", cmd, code, out, errOut)
		}
	}
	out, _, code := scansim(t, "check", "--list-mutants")
	// One line a mutant: its name, the module it belongs to, a summary.
	if code != exitOK || !regexp.MustCompile(`(?m)^no-unavailable-on-block +blocklist +\S.*$`).MatchString(out) ||
		strings.Count(out, "\n") != len(model.Mutants()) {
		t.Errorf("check --list-mutants: %d\n%s", code, out)
	}
}

// traceOf runs blocking.scs the way the trace command does, for counts.
func traceOf(t *testing.T, path string, mutants ...string) *scenarios.Result {
	t.Helper()
	return scenarios.Run(parseFile(t, path), scenarios.RunOptions{Options: driver.Options{Mutants: mutants}})
}

func TestTraceFormats(t *testing.T) {
	res := traceOf(t, blocking)
	arrows := tracefmt.CountArrows(res.Trace)

	out, _, code := scansim(t, "trace", blocking)
	if code != exitOK {
		t.Fatalf("code %d", code)
	}
	// text: the header, then exactly one line per event.
	body := regexp.MustCompile(`(?m)^[ !] +\d+  \+`).FindAllString(out, -1)
	if len(body) != len(res.Trace) {
		t.Errorf("text: %d event lines, want %d", len(body), len(res.Trace))
	}
	out, _, _ = scansim(t, "trace", "--format", "mermaid", blocking)
	if n := len(regexp.MustCompile(`(?m)^    (c\d+|S)(->>|--x)(c\d+|S): `).FindAllString(out, -1)); n != arrows {
		t.Errorf("mermaid: %d arrows, want %d", n, arrows)
	}
	out, _, _ = scansim(t, "trace", blocking, "--format", "html", "--seed", "0")
	if n := strings.Count(out, `class="arrow"`); n != arrows {
		t.Errorf("html: %d arrows, want %d", n, arrows)
	}
	if strings.Contains(regexp.MustCompile(`(?s)<svg .*</svg>`).FindString(out), `data-failed`) {
		t.Error("a passing trace has a failed element")
	}
	// -o picks the format from the extension.
	dir := t.TempDir()
	for ext, marker := range map[string]string{".html": "<!DOCTYPE html>", ".mmd": "sequenceDiagram", ".txt": "# XEP-0191"} {
		file := filepath.Join(dir, "t"+ext)
		if _, _, code := scansim(t, "trace", blocking, "-o", file); code != exitOK {
			t.Errorf("%s: code %d", ext, code)
		}
		data, _ := os.ReadFile(file)
		if !strings.HasPrefix(string(data), marker) {
			t.Errorf("%s: starts %.40q", ext, data)
		}
	}
}

func TestTraceFailingAndDeterministic(t *testing.T) {
	res := traceOf(t, blocking, "no-unavailable-on-block")
	if res.Passed || res.Failure == nil {
		t.Fatal("the mutant should make blocking.scs fail")
	}
	args := []string{"trace", "--mutant", "no-unavailable-on-block", "--format", "html", blocking}
	a, errOut, code := scansim(t, args...)
	if code != exitFailed || !strings.Contains(errOut, "FAIL") || !strings.Contains(errOut, "blocking.scs:93") {
		t.Errorf("code %d stderr %q", code, errOut)
	}
	b, _, _ := scansim(t, args...)
	if a != b {
		t.Error("two renderings of the same run differ")
	}
	if n := strings.Count(a, `class="arrow"`); n != tracefmt.CountArrows(res.Trace) {
		t.Errorf("%d arrows, want %d", n, tracefmt.CountArrows(res.Trace))
	}
	// The timeout has no offending stanza: a ghost arrow marks it.
	if !strings.Contains(a, `<g class="missing" data-seq="expected" data-failed="true"`) {
		t.Error("no missing-stanza marker")
	}
	// A mismatch names its stanza: that delivery is highlighted.
	out, _, code := scansim(t, "trace", "--format", "html", failing)
	if code != exitFailed {
		t.Errorf("failing.scs: code %d", code)
	}
	fres := traceOf(t, failing)
	seq := tracefmt.FindDelivery(fres.Trace, "Romeo", fres.Failure.Received)
	if seq == 0 || !regexp.MustCompile(`<g class="arrow" data-seq="`+strconv.FormatUint(seq, 10)+`" data-kind="deliver" data-failed="true"`).MatchString(out) {
		t.Errorf("delivery %d not highlighted", seq)
	}
	// A script error during the run: the trace up to it is still drawn.
	out, errOut, code = scansim(t, "trace", "testdata/bad/early_variable.scs")
	if code != exitUsage || !strings.HasPrefix(errOut, "scansim trace: ERROR testdata/bad/early_variable.scs:15: ") ||
		!strings.Contains(out, "# result: error") || !regexp.MustCompile(`(?m)^  1  \+0s  Romeo  connect `).MatchString(out) ||
		!strings.HasSuffix(out, "! ERROR: testdata/bad/early_variable.scs:15: Romeo sends: ${Juliet's full JID} used before Juliet connects: the full JID is the one the server binds\n") {
		t.Errorf("run error: %d %q\n%s", code, errOut, out)
	}
	// Errors.
	if _, errOut, code := scansim(t, "trace", "testdata/bad/malformed.scs"); code != exitUsage || !strings.HasPrefix(errOut, "scansim trace: testdata/bad/malformed.scs:12: ") {
		t.Errorf("malformed: %d %q", code, errOut)
	}
	if _, errOut, code := scansim(t, "trace", blocking, failing); code != exitUsage || !strings.Contains(errOut, "exactly one script") {
		t.Errorf("two scripts: %d %q", code, errOut)
	}
	if _, errOut, code := scansim(t, "trace", "--format", "svg", blocking); code != exitUsage || !strings.Contains(errOut, `unknown --format "svg"`) {
		t.Errorf("bad format: %d %q", code, errOut)
	}
}
