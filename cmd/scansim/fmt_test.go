package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
)

// corpus returns every script of scenarios/testdata, this command's tag
// fixtures, and ../shared/scansion when present.
func corpus(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"../../scenarios/testdata", "testdata/tags", "../../../shared/scansion"} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.scs"))
		if len(m) == 0 && strings.Contains(dir, "shared") {
			t.Logf("%s absent: shared corpus skipped", dir)
		}
		files = append(files, m...)
	}
	if len(files) < 30 {
		t.Fatalf("only %d scripts found", len(files))
	}
	return files
}

func parseFile(t *testing.T, path string) *scenarios.Script {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenarios.Parse(path, src)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// outcome summarises a run for comparison: pass, or the failure's action
// and message, or the error.
func outcome(r *scenarios.Result) string {
	switch {
	case r.Err != nil:
		return "error: " + r.Err.Error()
	case r.Failure != nil:
		return fmt.Sprintf("fail at action %d: %s", r.Failure.Action, r.Failure.Message)
	}
	return "pass"
}

// TestFmtRoundTrip: for every script x, Parse(Format(Parse(x))) means the
// same as Parse(x), formatting is idempotent, the fmt command prints
// exactly that, and replaying the formatted script gives the same result
// (on the default profile and on prosody-0.12, where disco_self fails).
func TestFmtRoundTrip(t *testing.T) {
	prof012 := model.Prosody012()
	for _, path := range corpus(t) {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			orig := parseFile(t, path)
			formatted := scenarios.Format(orig)
			again, err := scenarios.Parse(path, formatted)
			if err != nil {
				t.Fatalf("formatted script does not parse: %v\n%s", err, formatted)
			}
			if a, b := scenarios.Summary(orig), scenarios.Summary(again); a != b {
				t.Fatalf("meaning changed:\n--- original\n%s\n--- formatted\n%s", a, b)
			}
			if string(scenarios.Format(again)) != string(formatted) {
				t.Error("Format is not idempotent")
			}
			out, errOut, code := scansim(t, "fmt", path)
			if code != exitOK || errOut != "" || out != string(formatted) {
				t.Errorf("scansim fmt: code %d stderr %q", code, errOut)
			}
			for _, p := range []*model.Profile{nil, &prof012} {
				r1 := scenarios.Run(orig, scenarios.RunOptions{Options: driver.Options{Profile: p, Seed: 3}})
				r2 := scenarios.Run(again, scenarios.RunOptions{Options: driver.Options{Profile: p, Seed: 3}})
				if o1, o2 := outcome(r1), outcome(r2); o1 != o2 {
					t.Errorf("replay differs:\n original: %s\nformatted: %s", o1, o2)
				}
				if len(r1.Trace) != len(r2.Trace) {
					t.Errorf("trace lengths differ: %d, %d", len(r1.Trace), len(r2.Trace))
				}
			}
		})
	}
}

func TestFmtListAndWrite(t *testing.T) {
	dir := t.TempDir()
	// A script with a messy layout: spaces for indentation, no colon
	// after the verb, extra blank lines.
	messy := "# Messy\n\n[Client] Romeo\n    jid: romeo@localhost\n    password: password\n\n-----\n\n\n" +
		"Romeo connects\n\n\nRomeo sends\n    <presence/>\n\nRomeo receives:\n    <presence/>\n"
	mpath := filepath.Join(dir, "messy.scs")
	if err := os.WriteFile(mpath, []byte(messy), 0o600); err != nil {
		t.Fatal(err)
	}
	tidy, err := scenarios.Parse(mpath, []byte(messy))
	if err != nil {
		t.Fatal(err)
	}
	want := scenarios.Format(tidy)
	tpath := filepath.Join(dir, "tidy.scs")
	if err := os.WriteFile(tpath, want, 0o644); err != nil {
		t.Fatal(err)
	}

	// -l lists only the file whose layout differs (directories recurse).
	out, _, code := scansim(t, "fmt", "-l", dir)
	if code != exitOK || out != mpath+"\n" {
		t.Errorf("-l: code %d %q", code, out)
	}
	// -w rewrites it, keeping its permissions; afterwards -l lists nothing.
	out, _, code = scansim(t, "fmt", "-w", dir)
	if code != exitOK || out != "" {
		t.Errorf("-w: code %d %q", code, out)
	}
	got, _ := os.ReadFile(mpath)
	if string(got) != string(want) {
		t.Errorf("-w wrote:\n%s\nwant:\n%s", got, want)
	}
	if info, _ := os.Stat(mpath); info.Mode().Perm() != 0o600 {
		t.Errorf("permissions %v", info.Mode().Perm())
	}
	if out, _, _ := scansim(t, "fmt", "-l", dir); out != "" {
		t.Errorf("-l after -w: %q", out)
	}
	// A malformed script is reported with its position and left alone;
	// the other files are still processed.
	bad := filepath.Join(dir, "bad.scs")
	badSrc := "# Bad\n[Client] Romeo\n\tjid: romeo@localhost\n-----\nRomeo sends:\n\t<message\n"
	os.WriteFile(bad, []byte(badSrc), 0o644)
	out, errOut, code := scansim(t, "fmt", "-l", bad, tpath)
	if code != exitUsage || !strings.HasPrefix(errOut, "scansim fmt: "+bad+":") || out != "" {
		t.Errorf("malformed: code %d stdout %q stderr %q", code, out, errOut)
	}
	if got, _ := os.ReadFile(bad); string(got) != badSrc {
		t.Error("malformed file was modified")
	}
	if _, errOut, code := scansim(t, "fmt", "-w"); code != exitUsage || !strings.Contains(errOut, "need a file") {
		t.Errorf("-w without files: %d %q", code, errOut)
	}
}
