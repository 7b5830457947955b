package scenarios_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
)

// A parsed script is compiled once and its stanzas are shared by every
// run, so the variables must be filled in per run: two runs whose server
// binds different full JIDs each send and expect their own, also when
// they run at the same time.
func TestRunReusesParsedScript(t *testing.T) {
	s := parse(t, "[Client] Romeo\n\tjid: romeo@localhost\n-----\nRomeo connects\n"+
		"Romeo sends:\n\t<message to=\"${Romeo's full JID}\"><x xmlns='urn:x'><item jid=\"${Romeo's full JID}\" scansion:strict='true'/></x></message>\n"+
		"Romeo receives:\n\t<message from=\"${Romeo's full JID}\"><x xmlns='urn:x'><item jid=\"${Romeo's full JID}\"/></x></message>\n")
	runWith := func(first int) *scenarios.Result {
		srv := newEchoServer()
		srv.next = model.SessionID(first)
		return scenarios.Run(s, scenarios.RunOptions{Backend: srv})
	}
	var wg sync.WaitGroup
	res := make([]*scenarios.Result, 6)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = runWith(10 * i)
		}()
	}
	wg.Wait()
	for i, r := range res {
		if !r.Passed {
			t.Fatalf("run %d: %s", i, report(r))
		}
		full := fmt.Sprintf("romeo@localhost/gen%d", 10*i+1)
		want := "<message to='" + full + "'><x xmlns='urn:x'><item jid='" + full + "'/></x></message>"
		for _, e := range r.Trace {
			if e.Kind == sim.TraceSend && e.Canonical() != want {
				t.Errorf("run %d sent %s, want %s", i, e.Canonical(), want)
			}
		}
	}
}

// A failed receives reports the expected stanza with its variables
// filled in, as it was expected in this run.
func TestRunFailureShowsSubstitutedExpected(t *testing.T) {
	s := parse(t, "[Client] Romeo\n\tjid: romeo@localhost\n\tresource: r\n-----\nRomeo connects\n"+
		"Romeo sends:\n\t<message to=\"${Romeo's full JID}\" id='1'/>\n"+
		"Romeo receives:\n\t<message from=\"${Romeo's full JID}\" id='2'/>\n")
	for range 2 {
		res := scenarios.Run(s, scenarios.RunOptions{Backend: newEchoServer()})
		if res.Failure == nil {
			t.Fatalf("want a failure, got %s", report(res))
		}
		f := res.Failure
		if f.Expected != "<message from='romeo@localhost/r' id='2'/>" || strings.Contains(f.Diff, "${") {
			t.Errorf("expected %s, diff %s", f.Expected, f.Diff)
		}
		if f.Path != "/message@id" || !strings.Contains(f.Message, `expected "2", received "1"`) {
			t.Errorf("path %s, message %s", f.Path, f.Message)
		}
	}
}
