package main

// Tests of issue 16 ("living in it"): nothing passes by mistake, errors
// that explain themselves, and the habits of go test and scansion.

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEmptyScriptsAreErrors(t *testing.T) {
	// An empty file, blank lines, a title alone, a CR-only file that
	// reads as one comment line, /dev/null: none tests anything.
	for _, p := range []string{"empty", "blank", "title", "cr"} {
		path := "testdata/empties/" + p + ".scs"
		out, errOut, code := scansim(t, "replay", path)
		if code != exitUsage || !strings.Contains(out, "ERROR "+path+": script has no actions") || lastLine(out) != "0 passed, 0 failed, 1 error" {
			t.Errorf("%s: code %d\n%s%s", p, code, out, errOut)
		}
	}
	if _, err := os.Stat("/dev/null"); err == nil {
		out, _, code := scansim(t, "replay", "/dev/null")
		if code != exitUsage || !strings.Contains(out, "no actions") {
			t.Errorf("/dev/null: code %d\n%s", code, out)
		}
	}
	// --allow-empty runs them, and the warning is printed.
	out, _, code := scansim(t, "replay", "--allow-empty", "testdata/empties/empty.scs")
	if code != exitOK || !strings.Contains(out, "    warning: testdata/empties/empty.scs: script has no actions") {
		t.Errorf("--allow-empty: code %d\n%s", code, out)
	}
	// trace refuses one too.
	if _, errOut, code := scansim(t, "trace", "testdata/empties/title.scs"); code != exitUsage || !strings.Contains(errOut, "no actions") {
		t.Errorf("trace: code %d %q", code, errOut)
	}
}

func TestWarningsPrinted(t *testing.T) {
	out, _, code := scansim(t, "replay", "testdata/warning.scs")
	if code != exitOK || !strings.Contains(out, "    warning: testdata/warning.scs:6: unknown property \"custom\"") {
		t.Errorf("code %d\n%s", code, out)
	}
	out, _, _ = scansim(t, "replay", "--format", "json", "testdata/warning.scs")
	var j struct{ Warnings []string }
	if err := json.Unmarshal([]byte(out), &j); err != nil || len(j.Warnings) != 1 {
		t.Errorf("json warnings %v %v: %s", j.Warnings, err, out)
	}
}

func TestOnlyTagsSelectingNothing(t *testing.T) {
	for _, term := range []string{"stable", "Status: stable", "status: stabel"} {
		out, errOut, code := scansim(t, "replay", "--only-tags", term, "testdata/tags")
		want := "tags in these scripts: area: blocking, privacy; slow; status: draft; status: stable"
		if code != exitUsage || !strings.Contains(errOut, "selects none of the 4 scripts") || !strings.Contains(errOut, want) || strings.Contains(out, "passed") {
			t.Errorf("%q: code %d\nstdout %s\nstderr %s", term, code, out, errOut)
		}
	}
}

func TestTagValueInList(t *testing.T) {
	// draft.scs has "## area: blocking, privacy".
	for _, term := range []string{"area: blocking", "area: privacy", "area: blocking, privacy"} {
		out, errOut, code := scansim(t, "replay", "--only-tags", term, "testdata/tags")
		if code != exitOK || !strings.Contains(out, "PASS  testdata/tags/draft.scs") || lastLine(out) != "1 passed, 0 failed, 3 skipped" {
			t.Errorf("%q: code %d\n%s%s", term, code, out, errOut)
		}
	}
}

func TestCheckOutNotADirectory(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, []byte("keep"), 0o644)
	_, errOut, code := scansim(t, "check", "--checks", "1", "--out", f, "--mutant", "no-unavailable-on-block")
	if code != exitUsage || !strings.Contains(errOut, "not a directory") {
		t.Errorf("code %d %q", code, errOut)
	}
}

func TestFmtWriteRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	src, _ := os.ReadFile("testdata/failing.scs")
	target := filepath.Join(dir, "real.scs")
	os.WriteFile(target, append([]byte("\n\n"), src...), 0o644)
	link := filepath.Join(dir, "link.scs")
	if err := os.Symlink(target, link); err != nil {
		t.Skip(err)
	}
	_, errOut, code := scansim(t, "fmt", "-w", link)
	if code != exitUsage || !strings.Contains(errOut, "symbolic link") {
		t.Errorf("code %d %q", code, errOut)
	}
	if b, _ := os.ReadFile(target); !strings.HasPrefix(string(b), "\n\n") {
		t.Error("the link's target was rewritten")
	}
	// A plain file is replaced by rename: a new inode, never truncated in place.
	before, _ := os.Stat(target)
	if _, errOut, code := scansim(t, "fmt", "-w", target); code != exitOK {
		t.Fatalf("fmt -w: %d %s", code, errOut)
	}
	after, _ := os.Stat(target)
	if os.SameFile(before, after) {
		t.Error("fmt -w rewrote the file in place")
	}
}

func TestReportPathsCheckedBeforeRunning(t *testing.T) {
	for _, args := range [][]string{
		{"replay", "--junit", "nosuchdir/r.xml", blocking},
		{"replay", "--junit", t.TempDir(), blocking},
		{"replay", "--json", "nosuchdir/r.json", blocking},
		{"trace", "-o", "nosuchdir/t.html", blocking},
	} {
		out, errOut, code := scansim(t, args...)
		if code != exitUsage || out != "" || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: code %d\nstdout %q\nstderr %q", args, code, out, errOut)
		}
	}
}

func TestTraceOutputExtension(t *testing.T) {
	dir := t.TempDir()
	for ext, want := range map[string]string{".HTML": "<!DOCTYPE html>", ".Mmd": "sequenceDiagram", ".TXT": "   1  "} {
		p := filepath.Join(dir, "t"+ext)
		if _, errOut, code := scansim(t, "trace", "-o", p, blocking); code != exitOK {
			t.Fatalf("%s: %d %s", ext, code, errOut)
		}
		b, _ := os.ReadFile(p)
		if !strings.Contains(string(b), want) {
			t.Errorf("%s: %.80q", ext, b)
		}
	}
	_, errOut, code := scansim(t, "trace", "-o", filepath.Join(dir, "x.svg"), blocking)
	if code != exitUsage || !strings.Contains(errOut, `".svg"`) {
		t.Errorf("svg: %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.svg")); err == nil {
		t.Error("x.svg written")
	}
}

func TestParseErrorsAllListed(t *testing.T) {
	out, _, code := scansim(t, "replay", "testdata/bad/many.scs")
	if code != exitUsage || strings.Contains(out, "more error") {
		t.Fatalf("code %d\n%s", code, out)
	}
	for _, want := range []string{
		"ERROR testdata/bad/many.scs:10: malformed XML",
		"      testdata/bad/many.scs:12: unknown client \"Juliet\"",
		"      testdata/bad/many.scs:14: unknown verb \"nothing\" in \"Romeo receives nothing\": did you mean \"Romeo receives: nothing\"?",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestFlagErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"replay", "--latency", "20", blocking}, "scansim replay: --latency 20: a duration needs a unit: 20ms, 20s"},
		{[]string{"trace", "--timeout", "soon", blocking}, "scansim trace: --timeout soon: not a duration"},
		{[]string{"check", "--bogus"}, "scansim check: flag provided but not defined: -bogus"},
	}
	for _, c := range cases {
		out, errOut, code := scansim(t, c.args...)
		if code != exitUsage || out != "" || !strings.HasPrefix(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: code %d %q", c.args, code, errOut)
		}
	}
}

func TestReplayRunListJSONFile(t *testing.T) {
	out, _, code := scansim(t, "replay", "-run", "^s", "testdata/tags")
	if code != exitOK || lastLine(out) != "2 passed, 0 failed" || !strings.Contains(out, "slow.scs") || !strings.Contains(out, "stable.scs") {
		t.Errorf("-run: %d\n%s", code, out)
	}
	if _, errOut, code := scansim(t, "replay", "-run", "nomatch", "testdata/tags"); code != exitUsage || !strings.Contains(errOut, "matches no script") {
		t.Errorf("-run nomatch: %d %q", code, errOut)
	}
	out, _, code = scansim(t, "replay", "--list", "--skip-tags", "slow", "testdata/tags")
	want := "testdata/tags/draft.scs  [status: draft]  [area: blocking, privacy]\ntestdata/tags/stable.scs  [status: stable]\ntestdata/tags/untagged.scs\n"
	if code != exitOK || out != want {
		t.Errorf("--list: %d\n%s", code, out)
	}
	p := filepath.Join(t.TempDir(), "r.jsonl")
	out, _, code = scansim(t, "replay", "--json", p, blocking, failing)
	if code != exitFailed || lastLine(out) != "1 passed, 1 failed" {
		t.Errorf("--json text: %d\n%s", code, out)
	}
	f, _ := os.Open(p)
	defer f.Close()
	sc := bufio.NewScanner(f)
	var results []string
	for sc.Scan() {
		var j struct{ Result string }
		if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
			t.Fatal(err)
		}
		results = append(results, j.Result)
	}
	if strings.Join(results, ",") != "pass,fail" {
		t.Errorf("json file results %v", results)
	}
}

func TestReplayParallelKeepsOrder(t *testing.T) {
	args := []string{"../../scenarios/testdata", "testdata/failing.scs", "testdata/tags"}
	seq, _, c1 := scansim(t, append([]string{"replay", "--format", "json"}, args...)...)
	par, _, c2 := scansim(t, append([]string{"replay", "--format", "json", "-p", "4"}, args...)...)
	strip := func(s string) string {
		var out []string
		for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
			var m map[string]any
			json.Unmarshal([]byte(l), &m)
			delete(m, "time_ms")
			b, _ := json.Marshal(m)
			out = append(out, string(b))
		}
		return strings.Join(out, "\n")
	}
	if c1 != c2 || strip(seq) != strip(par) || strings.Count(seq, "\n") < 30 {
		t.Errorf("-p 4 differs from -p 1 (codes %d %d)", c1, c2)
	}
	if _, errOut, code := scansim(t, "replay", "-p", "0", blocking); code != exitUsage || !strings.Contains(errOut, "-p") {
		t.Errorf("-p 0: %d %q", code, errOut)
	}
}

// TestTimeoutNamesClosest: in the default mode a receives that times out
// after passing over a near miss names it, with where it differs and a
// diff, as --strict's mismatch would.
func TestTimeoutNamesClosest(t *testing.T) {
	out, _, code := scansim(t, "replay", "testdata/near_miss.scs")
	for _, want := range []string{
		"testdata/near_miss.scs:25: Juliet received no matching stanza within 5s\n",
		"    closest:  <message from='romeo@localhost/4mRCrO9LpwUN' to='juliet@localhost/IvtQpXqw4XwH' type='chat' xml:lang='en'><body>Hello</body></message>\n",
		"(arrived during action 5, discarded by action 6 (testdata/near_miss.scs:25))\n",
		"    at: /message/body/text(): text: expected \"Hullo\", received \"Hello\"\n",
		"    diff (-expected +closest):\n      <message from='romeo@localhost/4mRCrO9LpwUN' type='chat'>\n    -   <body>Hullo</body>\n    +   <body>Hello</body>\n      </message>\n",
	} {
		if code != exitFailed || !strings.Contains(out, want) {
			t.Errorf("code %d: missing %q in\n%s", code, want, out)
		}
	}
	out, _, _ = scansim(t, "replay", "--format", "json", "testdata/near_miss.scs")
	var j struct {
		Failure struct{ Closest, Path, Diff string }
	}
	if err := json.Unmarshal([]byte(out), &j); err != nil || !strings.Contains(j.Failure.Closest, "<body>Hello</body>") || j.Failure.Path != "/message/body/text()" {
		t.Errorf("json %+v %v", j, err)
	}
}

// TestCheckScriptWriteFailure: a failing script that cannot be written
// (here: its directory would have to be made under a file) is an error,
// not a silent omission.
func TestCheckScriptWriteFailure(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, []byte("keep"), 0o644)
	out, errOut, code := scansim(t, "check", "--checks", "50", "--seed", "1", "--shrink-time", "1s",
		"--mutant", "blocklist-push-to-all", "--out", filepath.Join(f, "sub"))
	if code != exitUsage || !strings.Contains(errOut, "scansim check: the failing script could not be written:") ||
		!strings.HasSuffix(out, "1 violation; seed 1\n") || strings.Contains(out, "script: ") {
		t.Errorf("code %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

func TestWarningsInTraceAndJUnit(t *testing.T) {
	_, errOut, code := scansim(t, "trace", "testdata/warning.scs")
	if code != exitOK || !strings.Contains(errOut, "scansim trace: warning: testdata/warning.scs:6: unknown property \"custom\"") {
		t.Errorf("trace: %d %q", code, errOut)
	}
	p := filepath.Join(t.TempDir(), "r.xml")
	scansim(t, "replay", "-q", "--junit", p, "testdata/warning.scs")
	if b, _ := os.ReadFile(p); !strings.Contains(string(b), "warning: testdata/warning.scs:6: unknown property") {
		t.Errorf("junit:\n%s", b)
	}
}

func TestDiffRefusesEmptyScript(t *testing.T) {
	// The script is refused before any server is contacted.
	out, errOut, code := scansim(t, "diff", "--server", "127.0.0.1:1", "testdata/empties/title.scs")
	if code != exitUsage || !strings.Contains(errOut, "script has no actions") || strings.Contains(out, "SAME") {
		t.Errorf("code %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}
