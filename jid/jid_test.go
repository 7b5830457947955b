package jid_test

import (
	"testing"

	"github.com/scansim/scansim/jid"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in, want string
		full     bool
	}{
		{"romeo@localhost", "romeo@localhost", false},
		{"Romeo@LocalHost", "romeo@localhost", false},                // node and domain lower-cased
		{"romeo@localhost/Orchard", "romeo@localhost/Orchard", true}, // resource kept
		{"romeo@localhost/a/b@c", "romeo@localhost/a/b@c", true},     // resource may hold / and @
		{"localhost", "localhost", false},
		{"localhost/res", "localhost/res", false},
		{"LOCALHOST.", "localhost", false}, // trailing dot of a FQDN
		// stringprep B.1: variation selector 16 and zero-width
		// characters map to nothing (Prosody answers a join as
		// "r@conference.localhost/🤖️" from ".../🤖").
		{"r@localhost/\U0001F916\uFE0F", "r@localhost/\U0001F916", true},
		{"ro\u200Bmeo@localhost", "romeo@localhost", false},
	}
	for _, c := range cases {
		j, err := jid.Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if j.String() != c.want || j.IsFull() != c.full {
			t.Errorf("Parse(%q) = %q full=%v, want %q full=%v", c.in, j, j.IsFull(), c.want, c.full)
		}
	}
	for _, bad := range []string{"", "romeo@@localhost", "@localhost", "romeo@", "romeo@localhost/",
		"ro meo@localhost", "ro<meo@localhost", "a\"b@localhost", "romeo@local..host", "/res", "romeo@localhost/\x01"} {
		if j, err := jid.Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %q, want an error", bad, j)
		}
	}
}

func TestJIDParts(t *testing.T) {
	j := jid.MustParse("juliet@localhost/balcony")
	if j.Bare().String() != "juliet@localhost" || !j.Bare().IsBare() || j.IsHost() {
		t.Errorf("Bare/IsBare/IsHost wrong for %v", j)
	}
	if h := jid.MustParse("localhost"); !h.IsHost() || h.IsBare() || h.IsFull() {
		t.Errorf("host JID classification wrong")
	}
	if !(jid.JID{}).IsZero() {
		t.Errorf("zero JID not IsZero")
	}
}
