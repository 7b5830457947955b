package main

import (
	"strings"
	"testing"
)

func TestBenchCommand(t *testing.T) {
	out, errOut, code := scansim(t, "bench", "--run", "^ParseBlocking$", "--benchtime", "20x")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"benchmark", "ParseBlocking", "allocs/op", "MB/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, _, code := scansim(t, "bench", "--run", "^nothing$"); code != exitUsage {
		t.Errorf("no match: exit %d, want %d", code, exitUsage)
	}
}
