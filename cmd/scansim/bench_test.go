package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestBenchCommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"bench", "--run", "^ParseBlocking$", "--benchtime", "20x"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"benchmark", "ParseBlocking", "allocs/op", "MB/s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if code := run([]string{"bench", "--run", "^nothing$"}, &out, &errb); code != exitUsage {
		t.Errorf("no match: exit %d, want %d", code, exitUsage)
	}
}
