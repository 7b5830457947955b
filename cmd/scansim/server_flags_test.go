package main

import (
	"strings"
	"testing"
)

// TestServerFlagErrors: real-server usage mistakes are one clear line and
// exit 2, before any connection is attempted.
func TestServerFlagErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"replay", "--server", "nohostport", "testdata/none.scs"}, "expected HOST:PORT"},
		{[]string{"replay", "--server", "127.0.0.1:1", "--mutant", "no-vcard-hint", "x.scs"}, "apply to the model"},
		{[]string{"diff", "x.scs"}, "needs --server"},
		{[]string{"diff", "--server", ":5222", "x.scs"}, "expected HOST:PORT"},
		{[]string{"diff", "--server", "127.0.0.1:1", "--profile", "nope", "x.scs"}, "unknown profile"},
		{[]string{"check", "--server", "nohostport"}, "expected HOST:PORT"},
		{[]string{"check", "--server", "127.0.0.1:1", "--mutant", "no-vcard-hint"}, "not to --server"},
	}
	for _, c := range cases {
		out, errOut, code := scansim(t, c.args...)
		if code != exitUsage || !strings.Contains(out+errOut, c.want) {
			t.Errorf("scansim %s: exit %d, output %q; want exit 2 and %q", strings.Join(c.args, " "), code, out+errOut, c.want)
		}
	}
}
