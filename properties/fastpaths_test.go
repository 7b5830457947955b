package properties

import (
	"testing"

	"github.com/scansim/scansim/model"
)

// The step's fast paths must answer exactly what the general code they
// replace answers.

func TestMatchesOneIsMatches(t *testing.T) {
	items := []string{"", "u1@localhost", "u2@localhost", "localhost", "other.example", "u1@localhost/x", "u1@localhost/y",
		"localhost/x", "localhost/y", "u1@other.example", "U1@localhost", "u1@localhost/"}
	for _, anyUser := range []bool{false, true} {
		var prof model.Profile
		prof.DomainResourceMatchesAnyUser = anyUser
		for _, it := range items {
			for _, bare := range []string{"u1@localhost", "u2@localhost"} {
				for _, res := range []string{"x", "y"} {
					want := matches(prof, map[string]bool{it: true}, bare+"/"+res)
					if got := matchesOne(prof, it, bare, res); got != want {
						t.Errorf("DomainResourceMatchesAnyUser=%v: matchesOne(%q, %q/%q) = %v, matches says %v", anyUser, it, bare, res, got, want)
					}
				}
			}
		}
	}
}

func TestSameMultiset(t *testing.T) {
	for _, c := range []struct {
		a, b []string
		want bool
	}{
		{nil, nil, true},
		{[]string{"x"}, nil, false},
		{[]string{"x", "y"}, []string{"y", "x"}, true},
		{[]string{"x", "x", "y"}, []string{"x", "y", "y"}, false},
		{[]string{"x", "x", "y"}, []string{"y", "x", "x"}, true},
	} {
		if got := sameMultiset(c.a, c.b); got != c.want {
			t.Errorf("sameMultiset(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestSameSet(t *testing.T) {
	set := map[string]bool{"a": true, "b": true, "gone": false}
	for _, c := range []struct {
		list []string
		want bool
	}{
		{[]string{"a", "b"}, true},
		{[]string{"b", "a"}, true},
		{[]string{"a"}, false},
		{[]string{"a", "a"}, false},
		{[]string{"a", "gone"}, false},
		{[]string{"a", "b", "c"}, false},
	} {
		if got := sameSet(set, c.list); got != c.want {
			t.Errorf("sameSet(%v, %q) = %v, want %v", set, c.list, got, c.want)
		}
	}
}

func TestPrepFastPath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"u1@localhost", "u1@localhost"},
		{"U1@LocalHost/Res", "u1@localhost/Res"},
		{"localhost", "localhost"},
		{"u1@localhost/x", "u1@localhost/x"},
	} {
		if got, ok := prep(c.in); !ok || got != c.want {
			t.Errorf("prep(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
	for _, bad := range []string{"", "@localhost", "u1@", "u1@localhost/", "a@b@c"} {
		if _, ok := prep(bad); ok {
			t.Errorf("prep(%q) accepted", bad)
		}
	}
}

func TestContactTable(t *testing.T) {
	tb := newContactTable(3)
	tb.set([2]string{"u1", "u3"}, model.Contact{Subscription: "to"})
	if got := tb.get([2]string{"u1", "u3"}); got.Subscription != "to" {
		t.Errorf("get(u1,u3) = %+v", got)
	}
	for _, k := range [][2]string{{"u3", "u1"}, {"u1", "u1"}, {"u4", "u1"}, {"u1", "u0"}, {"x", "u1"}, {"u10", "u1"}} {
		if got := tb.get(k); got != (model.Contact{}) {
			t.Errorf("get(%v) = %+v, want the zero Contact", k, got)
		}
	}
	var keys [][2]string
	for k := range tb.all() {
		keys = append(keys, k)
	}
	want := [][2]string{{"u1", "u2"}, {"u1", "u3"}, {"u2", "u1"}, {"u2", "u3"}, {"u3", "u1"}, {"u3", "u2"}}
	if len(keys) != len(want) {
		t.Fatalf("all() = %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("all() = %v, want %v", keys, want)
		}
	}
	if userIndex("u12", 12) != 11 || userIndex("u12", 9) != -1 {
		t.Errorf("userIndex of u12 wrong")
	}
}

func TestMatchesListIsMatches(t *testing.T) {
	items := []string{"u1@localhost", "localhost", "other.example", "u1@localhost/x", "localhost/x", "u2@localhost", "U1@localhost", ""}
	jids := []string{"", "u1@localhost", "u1@localhost/x", "u1@localhost/y", "localhost", "u2@other.example/x", "u1@", "localhost/x"}
	for _, anyUser := range []bool{false, true} {
		var prof model.Profile
		prof.DomainResourceMatchesAnyUser = anyUser
		for mask := 0; mask < 1<<len(items); mask++ {
			var list []string
			set := map[string]bool{}
			for i, it := range items {
				if mask&(1<<i) != 0 {
					list = append(list, it)
					set[it] = true
				}
			}
			for _, j := range jids {
				if got, want := matchesList(prof, list, j), matches(prof, set, j); got != want {
					t.Fatalf("DomainResourceMatchesAnyUser=%v: matchesList(%q, %q) = %v, matches says %v", anyUser, list, j, got, want)
				}
			}
		}
	}
}
