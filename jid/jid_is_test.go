package jid

import "testing"

func TestJIDIsString(t *testing.T) {
	jids := []JID{{Domain: "h"}, {Node: "u", Domain: "h"}, {Node: "u", Domain: "h", Resource: "r"}, {Domain: "h", Resource: "r/s"}, {Node: "a", Domain: "b.c", Resource: "@/"}}
	strs := []string{"", "h", "u@h", "u@h/r", "h/r/s", "a@b.c/@/", "U@h", "u@h/", "u@hh", "u@h/rr", "@h", "uh", "u@h/r/", "h/r", "a@b.c/@", "u@", "u"}
	for _, j := range jids {
		strs = append(strs, j.String())
		for _, s := range strs {
			if got, want := j.Is(s), j.String() == s; got != want {
				t.Errorf("%#v.Is(%q) = %v, want %v", j, s, got, want)
			}
		}
	}
}
