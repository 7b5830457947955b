package scenarios_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
)

func TestFromTrace(t *testing.T) {
	romeo := model.MustJID("romeo@localhost/gen1")
	juliet := model.MustJID("juliet@localhost/phone")
	romeo2 := model.MustJID("romeo@localhost/gen3")
	ev := func(kind sim.TraceKind, client string, jid model.JID, stanza, reason string) sim.TraceEvent {
		return sim.TraceEvent{Kind: kind, Client: client, JID: jid, Text: stanza, Reason: reason}
	}
	trace := []sim.TraceEvent{
		ev(sim.TraceConnect, "Romeo", romeo, "", ""),
		ev(sim.TraceConnect, "Juliet", juliet, "", ""),
		ev(sim.TraceSend, "Romeo", romeo, "<message to='juliet@localhost/phone' type='chat'><body>hi</body></message>", ""),
		ev(sim.TraceDeliver, "Juliet", juliet, "<message from='romeo@localhost/gen1' to='juliet@localhost/phone' type='chat'><body>hi</body></message>", ""),
		ev(sim.TraceSend, "Juliet", juliet, "<presence/>", ""),
		ev(sim.TraceDeliver, "Juliet", juliet, "<presence from='juliet@localhost/phone' to='juliet@localhost/phone'/>", ""),
		ev(sim.TraceDeliver, "Romeo", romeo, "<presence from='juliet@localhost' to='romeo@localhost'/>", ""),
		ev(sim.TraceFlush, "Juliet", juliet, "<message from='romeo@localhost' type='chat'><delay from='localhost' stamp='2008-08-22T21:09:04Z' xmlns='urn:xmpp:delay'/></message>", "offline"),
		ev(sim.TraceDrop, "", model.JID{}, "<message/>", "no-session"),
		ev(sim.TraceDisconnect, "Romeo", romeo, "", sim.ReasonClean),
		ev(sim.TraceStreamError, "Juliet", juliet, "<stream:error/>", ""),
		ev(sim.TraceDisconnect, "Juliet", juliet, "", sim.ReasonClosedByServer),
		ev(sim.TraceConnect, "Romeo", romeo2, "", ""),
		ev(sim.TraceDisconnect, "Romeo", romeo2, "", sim.ReasonClean),
	}
	for i := range trace {
		trace[i].Seq = uint64(i + 1)
	}
	def := &scenarios.Client{Name: "Juliet", Props: []scenarios.Property{{Key: "jid", Value: "juliet@localhost"}, {Key: "resource", Value: "phone"}}}
	s, err := scenarios.FromTrace(trace, scenarios.TraceOptions{Title: "recorded", Clients: []*scenarios.Client{def}})
	if err != nil {
		t.Fatal(err)
	}
	// The layout of §8, with JIDs turned into variables, the receiver's
	// own full JID as "to" left out, a delay stamp as {scansion:any}, and
	// the second Romeo session as a character of its own.
	want := `# recorded

[Client] Romeo
	jid: romeo@localhost
	password: password

[Client] Juliet
	jid: juliet@localhost
	resource: phone

[Client] Romeo (2)
	jid: romeo@localhost
	password: password

-----

Romeo connects

Juliet connects

Romeo sends:
	<message to="${Juliet's full JID}" type='chat'>
		<body>hi</body>
	</message>

Juliet receives:
	<message from="${Romeo's full JID}" type='chat'>
		<body>hi</body>
	</message>

Juliet sends:
	<presence/>

Juliet receives:
	<presence from="${Juliet's full JID}"/>

Romeo receives:
	<presence from="${Juliet's JID}" to="${Romeo's JID}"/>

Juliet receives:
	<message from="${Romeo's JID}" type='chat'>
		<delay from='localhost' stamp='{scansion:any}' xmlns='urn:xmpp:delay'/>
	</message>

Romeo disconnects

# Juliet received a stream error: <stream:error/>
# Juliet: session ended (closed-by-server)
Romeo (2) connects

Romeo (2) disconnects

`
	out := string(scenarios.Format(s))
	if out != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
	if _, err := scenarios.Parse("recorded.scs", []byte(out)); err != nil {
		t.Errorf("the written script does not parse: %v", err)
	}
}

// Record and replay: a script's trace, written as a script, passes on
// the same simulation, in both modes (it lists every stanza each client
// received, in order), and never names a generated resource literally.
func TestFromTraceReplay(t *testing.T) {
	files := scripts(t, "testdata")
	files = append(files, scripts(t, sharedDir())...)
	for _, f := range files {
		s := mustParse(t, f)
		opts := scenarios.RunOptions{Options: driver.Options{Seed: 3, MaxLatency: 30e6}}
		res := run(t, s, opts)
		if !res.Passed {
			t.Errorf("%s: the original run fails, so it cannot be recorded: %s", f, report(res))
			continue
		}
		// Without the original definitions, FromTrace drops every
		// resource (a trace cannot tell requested from generated ones), so
		// that variant replays faithfully only when none was requested.
		requested := false
		for _, c := range s.Clients {
			requested = requested || c.Resource() != ""
		}
		for _, keep := range []bool{true, false} {
			var clients []*scenarios.Client
			if keep {
				clients = s.Clients
			} else if requested {
				continue
			}
			rec, err := scenarios.FromTrace(res.Trace, scenarios.TraceOptions{Title: s.Title, Clients: clients})
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out := scenarios.Format(rec)
			for _, e := range res.Trace {
				if c := s.Client(e.Client); e.Kind == sim.TraceConnect && c != nil && c.Resource() == "" &&
					strings.Contains(string(out), e.JID.Resource) {
					t.Errorf("%s: generated resource %q appears in the recorded script", f, e.JID.Resource)
				}
			}
			replay, err := scenarios.Parse(filepath.Base(f)+".recorded", out)
			if err != nil {
				t.Fatalf("%s: %v\n%s", f, err, out)
			}
			for _, strict := range []bool{false, true} {
				o := opts
				o.Strict = strict
				if res := run(t, replay, o); !res.Passed {
					t.Errorf("%s (definitions kept: %v, strict: %v): replay: %s\n%s", f, keep, strict, report(res), out)
				}
			}
		}
	}
}

// TestFromTracePipelinedBurst: sends the trace marks pipelined, right
// after a send of the same client, join its sends block; the runner
// writes that block as a burst, so the replay's trace marks them
// pipelined again. A pipelined send after another client's is a sends
// action of its own.
func TestFromTracePipelinedBurst(t *testing.T) {
	romeo := model.MustJID("romeo@localhost/a")
	juliet := model.MustJID("juliet@localhost/b")
	ev := func(kind sim.TraceKind, client string, jid model.JID, stanza, reason string) sim.TraceEvent {
		return sim.TraceEvent{Kind: kind, Client: client, JID: jid, Text: stanza, Reason: reason}
	}
	trace := []sim.TraceEvent{
		ev(sim.TraceConnect, "Romeo", romeo, "", ""),
		ev(sim.TraceConnect, "Juliet", juliet, "", ""),
		ev(sim.TraceSend, "Romeo", romeo, "<iq id='b1' type='set'><block xmlns='urn:xmpp:blocking'><item jid='juliet@localhost'/></block></iq>", ""),
		ev(sim.TraceSend, "Romeo", romeo, "<message id='m1' to='juliet@localhost' type='chat'><body>hi</body></message>", sim.ReasonPipelined),
		ev(sim.TraceSend, "Juliet", juliet, "<presence/>", ""),
		ev(sim.TraceSend, "Romeo", romeo, "<presence/>", sim.ReasonPipelined),
	}
	for i := range trace {
		trace[i].Seq = uint64(i + 1)
	}
	s, err := scenarios.FromTrace(trace, scenarios.TraceOptions{Title: "burst"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range s.Actions {
		got = append(got, a.Client+" "+a.Verb.String()+" "+strings.Repeat("x", len(a.Stanzas)))
	}
	if want := "Romeo connects |Juliet connects |Romeo sends xx|Juliet sends x|Romeo sends x"; strings.Join(got, "|") != want {
		t.Fatalf("actions %q, want %q", strings.Join(got, "|"), want)
	}
	text := scenarios.Format(s)
	parsed, err := scenarios.Parse("burst.scs", text)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	res := scenarios.Run(parsed, scenarios.RunOptions{})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	pipelined := 0
	for _, e := range res.Trace {
		if e.Kind == sim.TraceSend && e.Reason == sim.ReasonPipelined {
			pipelined++
		}
	}
	if pipelined != 1 {
		t.Errorf("%d pipelined sends in the replay, want the burst's second stanza only\n%s", pipelined, text)
	}
}
