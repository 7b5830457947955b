package suite

import (
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
)

func TestTagFilter(t *testing.T) {
	tags := []scenarios.Tag{{Name: "slow"}, {Name: "status", Value: "stable"}, {Name: "note", Value: "a: b"}}
	cases := []struct {
		f    TagFilter
		want bool
	}{
		{TagFilter{}, true},
		{TagFilter{Only: []string{"slow"}}, true},
		{TagFilter{Only: []string{"status"}}, true},
		{TagFilter{Only: []string{"status: stable"}}, true},
		{TagFilter{Only: []string{" status :stable "}}, true},
		{TagFilter{Only: []string{"status: draft"}}, false},
		{TagFilter{Only: []string{"stable"}}, false},
		{TagFilter{Only: []string{"Slow"}}, false}, // case-sensitive
		{TagFilter{Only: []string{"note: a: b"}}, true},
		{TagFilter{Only: []string{"slow:"}}, true}, // the bare tag has an empty value
		{TagFilter{Only: []string{"status: draft", "slow"}}, true},
		{TagFilter{Skip: []string{"slow"}}, false},
		{TagFilter{Only: []string{"status"}, Skip: []string{"slow"}}, false},
		{TagFilter{Skip: []string{"status: draft"}}, true},
	}
	for _, c := range cases {
		if got, why := c.f.Allows(tags); got != c.want {
			t.Errorf("%+v: %v (%s), want %v", c.f, got, why, c.want)
		}
	}
	if ok, why := (TagFilter{Only: []string{"x"}}).Allows(nil); ok || why != "only-tags: none of x" {
		t.Errorf("untagged with only-tags: %v %q", ok, why)
	}
	if got := SplitTags(" slow, status: stable ,,"); strings.Join(got, "|") != "slow|status: stable" {
		t.Errorf("SplitTags: %q", got)
	}
}

func TestCollect(t *testing.T) {
	got, err := Collect([]string{"../cmd/scansim/testdata/tags", "../cmd/scansim/testdata/failing.scs"})
	if err != nil {
		t.Fatal(err)
	}
	want := "../cmd/scansim/testdata/tags/draft.scs ../cmd/scansim/testdata/tags/slow.scs ../cmd/scansim/testdata/tags/stable.scs ../cmd/scansim/testdata/tags/untagged.scs ../cmd/scansim/testdata/failing.scs"
	if strings.Join(got, " ") != want {
		t.Errorf("Collect: %v", got)
	}
	if _, err := Collect([]string{"nosuch"}); err == nil || err.Error() != "nosuch: no such file or directory" {
		t.Errorf("missing: %v", err)
	}
	if _, err := Collect([]string{"../cmd/scansim/testdata/empty"}); err == nil || !strings.HasSuffix(err.Error(), "no .scs scripts in directory") {
		t.Errorf("empty dir: %v", err)
	}
}

func TestTimeoutAfter(t *testing.T) {
	at := func(seq uint64, d time.Duration) sim.TraceEvent { return sim.TraceEvent{Seq: seq, Elapsed: d} }
	// Events 1-3 before a 5s wait, 4 arriving during it, 5-6 the end of run.
	evs := []sim.TraceEvent{at(1, 0), at(2, 0), at(3, 10*time.Millisecond), at(4, 2*time.Second), at(5, 5010*time.Millisecond), at(6, 5020*time.Millisecond)}
	if got := timeoutAfter(evs, &scenarios.Failure{Expected: "<x/>"}, 5*time.Second); got != 4 {
		t.Errorf("after %d, want 4", got)
	}
	if got := timeoutAfter(evs, &scenarios.Failure{Received: "<x/>"}, 5*time.Second); got != 0 {
		t.Errorf("a mismatch names its stanza: after %d, want 0", got)
	}
}

func TestRunFileAndTraceDoc(t *testing.T) {
	rec := RunFile("../cmd/scansim/testdata/failing.scs", TagFilter{}, scenarios.RunOptions{})
	if rec.Outcome != Fail || rec.Name != "failing" || rec.Title != "Expects a reply the server does not send" {
		t.Fatalf("%+v", rec)
	}
	d := TraceDoc(rec, []string{"seed: 0"})
	if d.Failure == nil || d.Failure.Seq == 0 || d.Failure.After != 0 || d.Outcome != "fail" {
		t.Fatalf("doc failure %+v", d.Failure)
	}
	// The highlighted event is the delivery of the received stanza.
	ev := d.Events[d.Failure.Seq-1]
	if ev.Kind != sim.TraceDeliver || ev.Client != "Romeo" || ev.Canonical() != rec.Failure().Received {
		t.Errorf("highlighted %+v", ev)
	}
	if strings.Join(d.Meta, "|") != "script: ../cmd/scansim/testdata/failing.scs|seed: 0" {
		t.Errorf("meta %q", d.Meta)
	}
	bad := RunFile("../cmd/scansim/testdata/bad/malformed.scs", TagFilter{}, scenarios.RunOptions{})
	if bad.Outcome != Error || bad.Err != "../cmd/scansim/testdata/bad/malformed.scs:12: malformed XML: unexpected EOF" {
		t.Errorf("%+v", bad)
	}
}
