package suite

import (
	"regexp"
	"strings"
	"testing"

	"github.com/scansim/scansim/scenarios"
)

func TestTagValueList(t *testing.T) {
	tags := []scenarios.Tag{{Name: "area", Value: "blocking, privacy"}}
	for term, want := range map[string]bool{
		"area: blocking": true, "area: privacy": true, "area: blocking, privacy": true,
		"area: block": false, "area": true, "blocking": false,
	} {
		f := TagFilter{Only: []string{term}}
		if term == "area: blocking, privacy" {
			f.Only = []string{"area: blocking, privacy"} // as a library caller may pass it, unsplit
		}
		if got, _ := f.Allows(tags); got != want {
			t.Errorf("%q: %v, want %v", term, got, want)
		}
	}
}

func TestCounts(t *testing.T) {
	var c Counts
	for _, o := range []Outcome{Pass, Pass, Fail, Error, Skip, Skip} {
		c.Add(&Record{Outcome: o})
	}
	if c.String() != "2 passed, 1 failed, 1 error, 2 skipped" {
		t.Errorf("%q", c)
	}
	if (Counts{Passed: 3}).String() != "3 passed, 0 failed" {
		t.Error("no errors or skips: the plain line")
	}
}

func TestRunnerOrderAndStop(t *testing.T) {
	r := Runner{Parallel: 3, Names: regexp.MustCompile("^(failing|blocking|carbons)$")}
	scripts, err := r.Select([]string{"../scenarios/testdata", "../cmd/scansim/testdata/failing.scs"})
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) != 3 {
		t.Fatalf("selected %v", scripts)
	}
	var order []string
	recs := r.Run(scripts, func(rec *Record) bool {
		order = append(order, rec.Name)
		return rec.Outcome != Fail
	})
	if strings.Join(order, ",") != "blocking,carbons,failing" || len(recs) != 3 || recs[2].Outcome != Fail {
		t.Errorf("order %v", order)
	}
	// A stop after the first record reports that record only.
	recs = r.Run(scripts, func(*Record) bool { return false })
	if len(recs) != 1 || recs[0].Name != "blocking" {
		t.Errorf("stop: %d records", len(recs))
	}
}

func TestRunDir(t *testing.T) {
	recs, err := RunDir("../cmd/scansim/testdata/tags", scenarios.RunOptions{})
	if err != nil || len(recs) != 4 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	for _, r := range recs {
		if r.Outcome != Pass {
			t.Errorf("%s: %s %s", r.Path, r.Outcome, r.Err)
		}
	}
	if _, err := RunDir("nosuch", scenarios.RunOptions{}); err == nil {
		t.Error("missing dir: no error")
	}
}

func TestNothingSelected(t *testing.T) {
	recs := []*Record{{Outcome: Skip, Tags: []string{"b", "a: x, y"}}, {Outcome: Skip}}
	err := NothingSelected(TagFilter{Only: []string{"c"}}, recs)
	if err == nil || !strings.HasSuffix(err.Error(), "tags in these scripts: a: x, y; b") {
		t.Errorf("%v", err)
	}
	if NothingSelected(TagFilter{Only: []string{"c"}}, append(recs, &Record{Outcome: Pass})) != nil {
		t.Error("one selected: no error")
	}
	if NothingSelected(TagFilter{}, recs) != nil {
		t.Error("no --only-tags: no error")
	}
}
