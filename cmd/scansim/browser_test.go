package main

import (
	"bytes"
	"context"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/tracefmt"
)

// TestBrowser loads HTML traces in headless Chromium and checks, in the DOM
// the browser built, that the page's script ran without errors and that
// the SVG holds one arrow per traced stanza. It runs only with
// SCANSIM_BROWSER=1 (see .ci/browser-test, which installs Chromium).
func TestBrowser(t *testing.T) {
	if os.Getenv("SCANSIM_BROWSER") != "1" {
		t.Skip("set SCANSIM_BROWSER=1 to run the headless-browser test (.ci/browser-test)")
	}
	browser := findBrowser()
	if browser == "" {
		t.Skip("no chromium on PATH (.ci/browser-test installs it)")
	}
	dir := t.TempDir()
	cases := []struct {
		name, frag string
		args       []string
		mutant     string
		wantHead   string // the detail panel's heading after load
		wantCode   int
	}{
		{"pass", "", []string{blocking}, "", "Click an arrow to see its stanza", exitOK},
		{"fragment", "#25", []string{blocking}, "", "#25 error [error] · Server → Romeo", exitOK},
		{"fail", "", []string{"--mutant", "no-unavailable-on-block", blocking}, "no-unavailable-on-block", "expected by Juliet, never arrived", exitFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(dir, c.name+".html")
			if _, errOut, code := scansim(t, append([]string{"trace", "-o", file}, c.args...)...); code != c.wantCode {
				t.Fatalf("trace: code %d %s", code, errOut)
			}
			var mutants []string
			if c.mutant != "" {
				mutants = []string{c.mutant}
			}
			arrows := tracefmt.CountArrows(traceOf(t, blocking, mutants...).Trace)

			dom, logs := chromium(t, browser, "file://"+file+c.frag, "--dump-dom")
			if n := strings.Count(dom, `class="arrow"`); n != arrows {
				t.Errorf("DOM holds %d arrows, the trace %d stanzas", n, arrows)
			}
			body := regexp.MustCompile(`<body[^>]*>`).FindString(dom)
			for _, want := range []string{`data-js="ok"`, `data-errors=""`, `data-arrows="` + strconv.Itoa(arrows) + `"`} {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %s: %s", want, body)
				}
			}
			for _, l := range strings.Split(logs, "\n") {
				// The page writes nothing to the console: any console
				// line (Chromium logs them as INFO:CONSOLE) is an error.
				if strings.Contains(l, "Uncaught") || strings.Contains(l, ":CONSOLE") {
					t.Errorf("console output: %s", l)
				}
			}
			if head := regexp.MustCompile(`<h2 id="detail-head">([^<]*)</h2>`).FindStringSubmatch(dom); head == nil || html.UnescapeString(head[1]) != c.wantHead {
				t.Errorf("detail heading %q, want %q", head, c.wantHead)
			}
			if c.frag == "#25" && !strings.Contains(dom, "You have blocked this JID") {
				t.Error("the detail panel does not show stanza 25")
			}
			if c.frag == "" && c.wantCode == exitFailed && !strings.Contains(dom, `<a class="goto" href="#expected">`) {
				t.Error("the failure does not link to its event")
			}
			png := filepath.Join(dir, c.name+".png")
			chromium(t, browser, "file://"+file+c.frag, "--screenshot="+png, "--window-size=1400,1400")
			if data, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(data, []byte("\x89PNG")) {
				t.Errorf("no screenshot: %v", err)
			}
		})
	}
}

// TestBrowserLongTrace renders a 200+-event, five-client trace that fails
// near its end and checks, with the page's own measurements (?selftest),
// what a reader sees on load in a 1400×1000 window: the failing arrow in
// view, every lifeline reachable in the diagram's scroll box (whose
// scroll bar is inside the window), no label cut without its full text as
// a title, and no time column (time never moves). With
// SCANSIM_SCREENSHOTS=DIR it also leaves the screenshot there (the
// committed docs/examples/five-clients.png comes from regenerate.sh).
func TestBrowserLongTrace(t *testing.T) {
	if os.Getenv("SCANSIM_BROWSER") != "1" {
		t.Skip("set SCANSIM_BROWSER=1 to run the headless-browser test (.ci/browser-test)")
	}
	browser := findBrowser()
	if browser == "" {
		t.Skip("no chromium on PATH (.ci/browser-test installs it)")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "five.html")
	if _, errOut, code := scansim(t, "trace", "-o", file, "testdata/five_clients.scs"); code != exitFailed {
		t.Fatalf("trace: code %d %s", code, errOut)
	}
	res := traceOf(t, "testdata/five_clients.scs")
	clients := map[string]bool{}
	for _, ev := range res.Trace {
		if ev.Client != "" {
			clients[ev.Client] = true
		}
	}
	if len(res.Trace) < 200 || len(clients) != 5 {
		t.Fatalf("%d events, %d clients: not the long, wide trace this test is about", len(res.Trace), len(clients))
	}
	dom, _ := chromium(t, browser, "file://"+file+"?selftest", "--dump-dom", "--window-size=1400,1000")
	body := regexp.MustCompile(`<body[^>]*>`).FindString(dom)
	for _, want := range []string{`data-js="ok"`, `data-errors=""`, `data-check-selected-in-view="true"`,
		`data-check-lifelines="ok"`, `data-check-labels="ok"`, `data-check-time-column="0"`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s: %s", want, body)
		}
	}
	if head := regexp.MustCompile(`<h2 id="detail-head">([^<]*)</h2>`).FindStringSubmatch(dom); head == nil || !strings.HasPrefix(html.UnescapeString(head[1]), "#225 deliver · Server → Juliet") {
		t.Errorf("detail heading %q: the failing delivery is not selected", head)
	}
	if strings.Count(dom, `class="participant client"`) != 5 {
		t.Error("not five client lifelines in the header")
	}
	out := os.Getenv("SCANSIM_SCREENSHOTS")
	if out == "" {
		out = dir
	}
	png := filepath.Join(out, "five-clients.png")
	chromium(t, browser, "file://"+file, "--screenshot="+png, "--window-size=1400,1000")
	if data, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(data, []byte("\x89PNG")) {
		t.Errorf("no screenshot: %v", err)
	}
}

func findBrowser() string {
	for _, name := range []string{os.Getenv("SCANSIM_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// chromium runs headless Chromium on url with extra flags and returns its
// stdout and stderr.
func chromium(t *testing.T, browser, url string, extra ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
	}
	args = append(append(args, extra...), url)
	cmd := exec.CommandContext(ctx, browser, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, errOut.String())
	}
	return out.String(), errOut.String()
}
