package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "accounts.txt")
	os.WriteFile(bad, []byte("romeo secret\njuliet\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--cert", "c.pem"}, "--cert and --key go together"},
		{[]string{"serve", "--accounts", bad}, bad + ":2: expected \"user password\""},
		{[]string{"serve", "--accounts", filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"serve", "--profile", "nope"}, "nope"},
		{[]string{"serve", "--addr", "not-an-address"}, "not-an-address"},
		{[]string{"serve", "extra"}, `unexpected argument "extra"`},
	} {
		_, stderr, code := scansim(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: code %d, stderr %q; want %d and one line with %q", tc.args, code, stderr, exitUsage, tc.want)
		}
	}
}
