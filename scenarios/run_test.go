package scenarios_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
)

// run runs s with opts.
func run(t testing.TB, s *scenarios.Script, opts scenarios.RunOptions) *scenarios.Result {
	t.Helper()
	return scenarios.Run(s, opts)
}

func parse(t testing.TB, src string) *scenarios.Script {
	t.Helper()
	s, err := scenarios.Parse("t.scs", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// echo runs s against echoServer instead of the model.
func echo(t testing.TB, src string, opts scenarios.RunOptions) *scenarios.Result {
	t.Helper()
	opts.Backend = newEchoServer()
	return scenarios.Run(parse(t, src), opts)
}

func report(res *scenarios.Result) string {
	switch {
	case res.Err != nil:
		return "error: " + res.Err.Error()
	case res.Failure != nil:
		return "failure: " + res.Failure.Report()
	}
	return "passed"
}

// sharedScripts returns ../shared/scansion/*.scs, or skips t when the
// directory is absent.
func sharedScripts(t *testing.T) []string {
	if _, err := os.Stat(sharedDir()); err != nil {
		t.Skipf("%s is absent", sharedDir())
	}
	return scripts(t, sharedDir())
}

func TestRunTestdataScripts(t *testing.T) {
	for _, f := range scripts(t, "testdata") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if res := run(t, mustParse(t, f), scenarios.RunOptions{}); !res.Passed {
				t.Fatal(report(res))
			}
		})
	}
}

func TestRunSharedScripts(t *testing.T) {
	for _, f := range sharedScripts(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if res := run(t, mustParse(t, f), scenarios.RunOptions{}); !res.Passed {
				t.Fatal(report(res))
			}
		})
	}
}

// Scripts synchronise only through receives, and the runner lets the
// network settle after every action, so latency may reorder deliveries
// across clients but never changes a client's own order: every script
// passes under any seed.
func TestRunScriptsWithLatency(t *testing.T) {
	// scripts() finds nothing when ../shared is absent; testdata still runs.
	for _, f := range append(scripts(t, "testdata"), scripts(t, sharedDir())...) {
		s := mustParse(t, f)
		for seed := uint64(1); seed <= 20; seed++ {
			res := run(t, s, scenarios.RunOptions{Options: driver.Options{Seed: seed, MaxLatency: 200 * time.Millisecond}})
			if !res.Passed {
				t.Errorf("%s seed %d: %s", filepath.Base(f), seed, report(res))
			}
			if last := res.Trace[len(res.Trace)-1]; last.Elapsed == 0 {
				t.Errorf("%s seed %d: no time passed; latency was not in effect", filepath.Base(f), seed)
			}
		}
	}
}

// The worked example of §5.2: in basic_message, the phone's presence
// reaches Juliet's laptop during action 16 (a sends, so it is stamped
// 17) and is still queued at action 22, whose message it does not
// match: the default mode discards it, strict mode fails there.
func TestRunWorkedExample(t *testing.T) {
	file := filepath.Join(sharedDir(), "basic_message.scs")
	if _, err := os.Stat(file); err != nil {
		t.Skipf("%s is absent", file)
	}
	s := mustParse(t, file)
	res := run(t, s, scenarios.RunOptions{})
	if !res.Passed {
		t.Fatal(report(res))
	}
	if len(res.Discarded) != 1 {
		t.Fatalf("discarded %+v, want one stanza", res.Discarded)
	}
	d := res.Discarded[0]
	if d.Client != "Juliet" || d.Stamp != 17 || d.Action != 22 || d.Pos != s.Actions[21].Pos ||
		!strings.HasPrefix(d.Canonical(), "<presence from='juliet@localhost/mobile'") {
		t.Errorf("discarded %+v", d)
	}

	res = run(t, s, scenarios.RunOptions{Strict: true})
	f := res.Failure
	if f == nil || res.Err != nil {
		t.Fatalf("strict mode: %s", report(res))
	}
	if f.Action != 22 || f.Pos != s.Actions[21].Pos || f.Client != "Juliet" ||
		!strings.HasPrefix(f.Received, "<presence from='juliet@localhost/mobile'") || f.Path != "/message" {
		t.Errorf("strict failure %+v", f)
	}
	if len(res.Discarded) != 0 {
		t.Errorf("strict mode discarded %v", res.Discarded)
	}
}

const twoClients = "[Client] Romeo\n\tjid: romeo@localhost\n[Client] Juliet\n\tjid: juliet@localhost\n-----\n" +
	"Romeo connects\nJuliet connects\n" // actions 1 and 2

func TestRunStaleAndFresh(t *testing.T) {
	msg := func(body string) string {
		return "Romeo sends:\n\t<message to=\"${Juliet's full JID}\"><body>" + body + "</body></message>\n"
	}
	want := func(body string) string {
		return "Juliet receives:\n\t<message from=\"${Romeo's full JID}\"><body>" + body + "</body></message>\n"
	}
	// "one" arrives during action 3 (a sends) and is stamped 4; at action
	// 6 it is stale and does not match: discarded.
	stale := twoClients + msg("one") + "Romeo receives: nothing\n" + msg("two") + want("two")
	res := echo(t, stale, scenarios.RunOptions{})
	if !res.Passed || len(res.Discarded) != 1 {
		t.Fatalf("stale: %s, discarded %v", report(res), res.Discarded)
	}
	if d := res.Discarded[0]; d.Client != "Juliet" || d.Stamp != 4 || d.Action != 6 || !strings.Contains(d.Canonical(), "<body>one</body>") {
		t.Errorf("discarded %+v", d)
	}
	// Strict mode: "one" is the head of the queue and fails action 6.
	res = echo(t, stale, scenarios.RunOptions{Strict: true})
	if res.Failure == nil || res.Failure.Action != 6 || res.Failure.Path != "/message/body/text()" {
		t.Errorf("strict: %s", report(res))
	}

	// Both messages are stamped 5 (moved past two sends); "one" is fresh at
	// action 5 and fails it.
	fresh := twoClients + msg("one") + msg("two") + want("two")
	res = echo(t, fresh, scenarios.RunOptions{})
	f := res.Failure
	if f == nil || f.Action != 5 || f.Pos.Line != 12 || f.Path != "/message/body/text()" ||
		!strings.Contains(f.Received, "<body>one</body>") || !strings.Contains(f.Expected, "<body>two</body>") {
		t.Fatalf("fresh: %s", report(res))
	}
	if !strings.Contains(f.Diff, "-   <body>two</body>") || !strings.Contains(f.Diff, "+   <body>one</body>") {
		t.Errorf("diff:\n%s", f.Diff)
	}
	if len(res.Discarded) != 0 {
		t.Errorf("discarded %v", res.Discarded)
	}
}

func TestRunReceivesNothing(t *testing.T) {
	send := "Romeo sends:\n\t<message to=\"${Juliet's full JID}\"/>\n"
	// Stale: stamped 4 (action 4 is Romeo's receives), discarded at 5.
	res := echo(t, twoClients+send+"Romeo receives: nothing\nJuliet receives: nothing\n", scenarios.RunOptions{})
	if !res.Passed || len(res.Discarded) != 1 || res.Discarded[0].Action != 5 {
		t.Fatalf("stale: %s, discarded %v", report(res), res.Discarded)
	}
	res = echo(t, twoClients+send+"Romeo receives: nothing\nJuliet receives: nothing\n", scenarios.RunOptions{Strict: true})
	if res.Failure == nil || res.Failure.Action != 5 {
		t.Fatalf("strict stale: %s", report(res))
	}
	// Fresh: stamped 4 and checked at 4.
	res = echo(t, twoClients+send+"Juliet receives: nothing\n", scenarios.RunOptions{})
	if f := res.Failure; f == nil || f.Action != 4 || f.Received == "" || f.Expected != "" ||
		f.Message != "Juliet received a stanza, expected nothing" {
		t.Fatalf("fresh: %s", report(res))
	}
}

func TestRunTimeout(t *testing.T) {
	src := twoClients + "Juliet receives:\n\t<message/>\n"
	res := echo(t, src, scenarios.RunOptions{Timeout: 2 * time.Second})
	f := res.Failure
	if f == nil || f.Action != 3 || f.Message != "Juliet received no matching stanza within 2s" || f.Expected != "<message/>" || f.Received != "" {
		t.Fatalf("%s", report(res))
	}
	// The wait is virtual: the clock moved by the timeout.
	last := res.Trace[len(res.Trace)-1]
	if last.Elapsed != 2*time.Second {
		t.Errorf("last event at +%v, want +2s", last.Elapsed)
	}
}

func TestRunMultiStanzaBlocks(t *testing.T) {
	src := twoClients + "Romeo sends:\n\t<message to=\"${Juliet's full JID}\" id='1'/>\n\t<message to=\"${Juliet's full JID}\" id='2'/>\n" +
		"Juliet receives:\n\t<message id='1'/>\n\t<message id='2'/>\n"
	if res := echo(t, src, scenarios.RunOptions{Strict: true}); !res.Passed {
		t.Fatal(report(res))
	}
}

func TestRunScriptErrors(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"sends after disconnecting", twoClients + "Romeo disconnects\nRomeo sends:\n\t<presence/>\n",
			"t.scs:9: Romeo sends after disconnecting"},
		{"receives after disconnecting", twoClients + "Romeo disconnects\nRomeo receives: nothing\n",
			"t.scs:9: Romeo receives after disconnecting"},
		{"reconnecting", twoClients + "Romeo disconnects\nRomeo connects\n",
			"t.scs:9: Romeo connects again after disconnecting"},
		{"connecting twice", twoClients + "Romeo connects\n",
			"t.scs:8: Romeo connects but is already connected"},
		{"full JID before connecting", "[Client] Romeo\n\tjid: romeo@localhost\n[Client] Juliet\n\tjid: juliet@localhost\n-----\nRomeo connects\nRomeo sends:\n\t<message to=\"${Juliet's full JID}\"/>\n",
			"t.scs:7: Romeo sends: ${Juliet's full JID} used before Juliet connects"},
		{"sends before connecting", "[Client] Romeo\n\tjid: romeo@localhost\n-----\nRomeo sends:\n\t<presence/>\n",
			"t.scs:4: Romeo sends before connecting"},
		{"disconnects before connecting", "[Client] Romeo\n\tjid: romeo@localhost\n-----\nRomeo disconnects\n",
			"t.scs:4: Romeo disconnects but never connected"},
		{"server closed the session", twoClients + "Romeo sends:\n\t<kill/>\nRomeo sends:\n\t<presence/>\n",
			"t.scs:10: Romeo sends, but the server closed its session (killed)"},
		{"server closed the session while receiving", twoClients + "Romeo sends:\n\t<kill/>\nRomeo receives:\n\t<presence/>\n",
			"t.scs:10: Romeo receives, but the server closed its session (killed)"},
		{"two domains", "[Client] Romeo\n\tjid: romeo@localhost\n[Client] Juliet\n\tjid: juliet@example.com\n-----\nRomeo connects\n",
			"t.scs:3: [Client] Juliet is on example.com but an earlier client is on localhost"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := echo(t, c.src, scenarios.RunOptions{})
			if res.Err == nil || res.Failure != nil || res.Passed {
				t.Fatalf("want a script error, got %s", report(res))
			}
			if !strings.HasPrefix(res.Err.Error(), c.want) {
				t.Errorf("error = %q\nwant prefix %q", res.Err, c.want)
			}
		})
	}
}

func TestRunDisconnects(t *testing.T) {
	// A second disconnects is tolerated (§2); at the end every client
	// still connected is disconnected.
	res := echo(t, twoClients+"Romeo disconnects\nRomeo disconnects\n", scenarios.RunOptions{})
	if !res.Passed {
		t.Fatal(report(res))
	}
	var ends []string
	for _, e := range res.Trace {
		if e.Kind == sim.TraceDisconnect {
			ends = append(ends, e.Client+" "+e.Reason)
		}
	}
	if strings.Join(ends, ", ") != "Romeo clean, Juliet clean" {
		t.Errorf("disconnects in the trace: %v", ends)
	}
}

func TestRunLeftover(t *testing.T) {
	// Stanzas nobody waited for are listed, not a failure (§5.1).
	src := twoClients + "Romeo sends:\n\t<message to=\"${Juliet's full JID}\" id='1'/>\nRomeo sends:\n\t<presence/>\n"
	res := echo(t, src, scenarios.RunOptions{})
	if !res.Passed || len(res.Leftover) != 2 {
		t.Fatalf("%s, leftover %v", report(res), res.Leftover)
	}
	if l := res.Leftover[0]; l.Client != "Juliet" || l.Stamp != 5 || !strings.Contains(l.Canonical(), "id='1'") {
		t.Errorf("leftover %+v", l)
	}
	if l := res.Leftover[1]; l.Client != "Romeo" || !strings.HasPrefix(l.Canonical(), "<presence") {
		t.Errorf("leftover %+v", l)
	}
}

func TestRunSubstitutesValues(t *testing.T) {
	// A bound JID with characters XML escapes: the value must reach the
	// server intact, and its canonical (escaped) form is what the trace
	// records.
	src := "[Client] Romeo\n\tjid: romeo@localhost\n\tresource: O'Brien & <co>\n-----\nRomeo connects\n" +
		"Romeo sends:\n\t<message to=\"${Romeo's full JID}\" id='x'/>\n" +
		"Romeo receives:\n\t<message to=\"${Romeo's full JID}\" from=\"${Romeo's full JID}\"/>\n"
	for name, opts := range map[string]scenarios.RunOptions{"echo": {Backend: newEchoServer()}, "model": {}} {
		res := run(t, parse(t, src), opts)
		if !res.Passed {
			t.Fatalf("%s: %s", name, report(res))
		}
		for _, e := range res.Trace {
			if e.Kind == sim.TraceSend && !strings.Contains(e.Canonical(), "to='romeo@localhost/O&apos;Brien &amp; &lt;co&gt;'") {
				t.Errorf("%s: sent %s", name, e.Canonical())
			}
		}
	}
}

func TestRunScansionDirectivesAreNotSent(t *testing.T) {
	src := "[Client] Romeo\n\tjid: romeo@localhost\n-----\nRomeo connects\nRomeo sends:\n\t<message scansion:strict='true'><x xmlns='urn:x' scansion:strict='false'/></message>\n"
	res := echo(t, src, scenarios.RunOptions{})
	if !res.Passed {
		t.Fatal(report(res))
	}
	for _, e := range res.Trace {
		if e.Kind == sim.TraceSend && e.Canonical() != "<message><x xmlns='urn:x'/></message>" {
			t.Errorf("sent %s", e.Canonical())
		}
	}
}

func TestRunIsDeterministic(t *testing.T) {
	s := mustParse(t, filepath.Join("testdata", "blocking.scs"))
	var traces [2]bytes.Buffer
	for i := range traces {
		res := run(t, s, scenarios.RunOptions{Options: driver.Options{Seed: 7, MaxLatency: 100 * time.Millisecond}})
		if !res.Passed {
			t.Fatal(report(res))
		}
		if err := sim.WriteTrace(&traces[i], res.Trace); err != nil {
			t.Fatal(err)
		}
	}
	if traces[0].String() != traces[1].String() {
		t.Error("two runs with the same seed gave different traces")
	}
}
