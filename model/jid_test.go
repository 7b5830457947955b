package model_test

import (
	"testing"

	"github.com/scansim/scansim/model"
)

func TestParseJID(t *testing.T) {
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
	}
	for _, c := range cases {
		j, err := model.ParseJID(c.in)
		if err != nil {
			t.Errorf("ParseJID(%q): %v", c.in, err)
			continue
		}
		if j.String() != c.want || j.IsFull() != c.full {
			t.Errorf("ParseJID(%q) = %q full=%v, want %q full=%v", c.in, j, j.IsFull(), c.want, c.full)
		}
	}
	for _, bad := range []string{"", "romeo@@localhost", "@localhost", "romeo@", "romeo@localhost/",
		"ro meo@localhost", "ro<meo@localhost", "a\"b@localhost", "romeo@local..host", "/res", "romeo@localhost/\x01"} {
		if j, err := model.ParseJID(bad); err == nil {
			t.Errorf("ParseJID(%q) = %q, want an error", bad, j)
		}
	}
}

func TestJIDParts(t *testing.T) {
	j := model.MustJID("juliet@localhost/balcony")
	if j.Bare().String() != "juliet@localhost" || !j.Bare().IsBare() || j.IsHost() {
		t.Errorf("Bare/IsBare/IsHost wrong for %v", j)
	}
	if h := model.MustJID("localhost"); !h.IsHost() || h.IsBare() || h.IsFull() {
		t.Errorf("host JID classification wrong")
	}
	if !(model.JID{}).IsZero() {
		t.Errorf("zero JID not IsZero")
	}
}
