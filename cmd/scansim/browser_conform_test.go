package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBrowserConform loads a conformance report of a mutated model in
// headless Chromium (SCANSIM_BROWSER=1, .ci/browser-test): the page's
// script runs without console errors, every in-page link has its target,
// the failed rule is rendered, and following the failed-rules list's link
// lands on it.
func TestBrowserConform(t *testing.T) {
	if os.Getenv("SCANSIM_BROWSER") != "1" {
		t.Skip("set SCANSIM_BROWSER=1 to run the headless-browser test (.ci/browser-test)")
	}
	browser := findBrowser()
	if browser == "" {
		t.Skip("no chromium on PATH (.ci/browser-test installs it)")
	}
	file := filepath.Join(t.TempDir(), "conform.html")
	if out, errOut, code := scansim(t, "conform", "--profile", "prosody-trunk", "--mutant", "no-unavailable-on-block",
		"--checks", "300", "--steps", "10", "--html", file, blocking); code != exitFailed {
		t.Fatalf("conform: code %d\n%s%s", code, out, errOut)
	}
	dom, logs := chromium(t, browser, "file://"+file, "--dump-dom")
	body := regexp.MustCompile(`<body[^>]*>`).FindString(dom)
	for _, want := range []string{`data-js="ok"`, `data-broken=""`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s: %s", want, body)
		}
	}
	if m := regexp.MustCompile(`data-links="(\d+)"`).FindStringSubmatch(body); m == nil || m[1] == "0" {
		t.Errorf("no in-page links: %s", body)
	}
	shown := regexp.MustCompile(`data-failed-shown="(\d+)/(\d+)"`).FindStringSubmatch(body)
	if shown == nil || shown[2] == "0" || shown[1] != shown[2] {
		t.Errorf("failed rules rendered: %v", shown)
	}
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "Uncaught") || strings.Contains(l, ":CONSOLE") {
			t.Errorf("console output: %s", l)
		}
	}
	// the failed-rules list links to XEP-0191 §3.3's section
	list := regexp.MustCompile(`(?s)<ul id="failed-rules">(.*?)</ul>`).FindStringSubmatch(dom)
	if list == nil || !strings.Contains(list[1], `href="#rule-xep-0191-3-3"`) {
		t.Fatalf("failed-rules list: %v", list)
	}
	dom, _ = chromium(t, browser, "file://"+file+"#rule-xep-0191-3-3", "--dump-dom")
	if body := regexp.MustCompile(`<body[^>]*>`).FindString(dom); !strings.Contains(body, `data-target="found"`) {
		t.Errorf("the link's target is not found: %s", body)
	}
	if !regexp.MustCompile(`<section class="rule status-fail" id="rule-xep-0191-3-3">`).MatchString(dom) {
		t.Error("XEP-0191 §3.3 is not shown as failed")
	}
}
