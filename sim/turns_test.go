package sim_test

import (
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/sim"
)

func parseEl(t *testing.T, x string) *etree.Element {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromString(x); err != nil {
		t.Fatal(err)
	}
	return d.Root()
}

// blockThenMessage has alice block bob and then message him, either
// pipelined (both written before the server reads either) or waiting for
// the block's answer first, and returns what alice received.
func blockThenMessage(t *testing.T, mutants []string, pipelined bool, hosts ...string) (alice []string, trace string) {
	t.Helper()
	s := sim.New(sim.Config{Mutants: mutants, Hosts: hosts})
	a, err := s.Connect("alice", "alice", "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Connect("bob", "bob", "b"); err != nil {
		t.Fatal(err)
	}
	block := "<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='bob@localhost'/></block></iq>"
	send(t, a, parseEl(t, block))
	if !pipelined {
		s.RunUntilQuiet()
	}
	send(t, a, parseEl(t, "<message to='bob@localhost' type='chat' id='m1'><body>hi</body></message>"))
	s.RunUntilQuiet()
	for _, r := range a.Inbox() {
		alice = append(alice, r.Stanza.Tag+"/"+r.Stanza.SelectAttrValue("type", ""))
	}
	var b strings.Builder
	_ = sim.WriteTrace(&b, s.Trace())
	return alice, b.String()
}

// TestPipelinedSendAfterDeferredWork: a stanza written right behind
// another is marked pipelined in the trace; the model without mutants
// answers a pipelined burst as it answers the same stanzas one by one
// (XEP-0191 §3.3: the message to a JID just blocked is bounced); under
// ejabberd PR 2651's mutant the session's own copy of the list is set in
// its next turn, which the simulation queues behind the pipelined
// message: the message goes through, and only when pipelined.
func TestPipelinedSendAfterDeferredWork(t *testing.T) {
	requireModel(t)
	got, tr := blockThenMessage(t, nil, true)
	if strings.Join(got, " ") != "iq/result message/error" {
		t.Errorf("pipelined, no mutant: alice got %v, want the block's result and the message's bounce", got)
	}
	if !strings.Contains(tr, "[pipelined]") {
		t.Errorf("the second send is not marked pipelined:\n%s", tr)
	}
	if _, tr := blockThenMessage(t, nil, false); strings.Contains(tr, "[pipelined]") {
		t.Errorf("a send after the first was answered is marked pipelined:\n%s", tr)
	}
	mut := []string{"pipelined-stanza-old-list"}
	if got, _ := blockThenMessage(t, mut, false); strings.Join(got, " ") != "iq/result message/error" {
		t.Errorf("mutant, one by one: alice got %v, want the bounce (the turn ran before the message)", got)
	}
	if got, _ := blockThenMessage(t, mut, true); strings.Join(got, " ") != "iq/result" {
		t.Errorf("mutant, pipelined: alice got %v, want only the block's result (the message judged with the old list)", got)
	}
}

// TestDeferredWorkOnSeveralHosts: a process with several virtual hosts
// (model.Hosts) gives queued work its turns as one host does — without
// them the mutant's late list would never be set, and a message sent
// after the block's answer would pass.
func TestDeferredWorkOnSeveralHosts(t *testing.T) {
	requireModel(t)
	mut := []string{"pipelined-stanza-old-list"}
	if got, _ := blockThenMessage(t, mut, false, "b.example"); strings.Join(got, " ") != "iq/result message/error" {
		t.Errorf("two hosts, mutant, one by one: alice got %v, want the bounce (the turn ran before the message)", got)
	}
	if got, _ := blockThenMessage(t, mut, true, "b.example"); strings.Join(got, " ") != "iq/result" {
		t.Errorf("two hosts, mutant, pipelined: alice got %v, want only the block's result", got)
	}
}
