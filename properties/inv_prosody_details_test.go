package properties

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/model"
)

// TestStoredRequestKeepsExtensions: a subscription request with an id and
// payload (a status and a XEP-0172 nick), sent to an offline user, is
// re-sent at the user's initial presence with that id and payload
// (Prosody §4.1, §3.1 step 5d): sc51 holds on the model, and fires when
// the stored request loses them (stored-subscribe-loses-extensions).
func TestStoredRequestKeepsExtensions(t *testing.T) {
	p := model.ProsodyTrunk()
	ops := []Op{
		{Kind: OpConnect, Slot: "u2a", Res: "a"},
		{Kind: OpSend, Slot: "u2a", Stanza: "<presence type='subscribe' to='u1@localhost' id='s1'><status>let me in</status><nick xmlns='http://jabber.org/protocol/nick'>Two</nick></presence>"},
		{Kind: OpConnect, Slot: "u1a", Res: "a"},
		{Kind: OpSend, Slot: "u1a", Stanza: "<presence/>"},
	}
	run := func(mutants []string) (last string, h *harness) {
		h = newHarness(2, p, p, mutants, 1)
		h.noRef = true
		h.setOnly(map[string]bool{"sc51": true})
		for _, op := range ops {
			last = h.apply(op)
		}
		return last, h
	}
	msg, h := run(nil)
	if msg != "" {
		t.Fatalf("correct model: %s", msg)
	}
	st := h.steps[len(h.steps)-1]
	resent := false
	for _, e := range h.sim.Trace()[st.from:st.to] {
		if e.Client == "u1a" && strings.Contains(e.Canonical(), "type='subscribe'") {
			resent = strings.Contains(e.Canonical(), "id='s1'") && strings.Contains(e.Canonical(), "Two</nick>")
		}
	}
	if !resent {
		t.Fatal("the stored request was not re-sent with its id and nick: the invariant judged nothing")
	}
	if msg, _ := run([]string{"stored-subscribe-loses-extensions"}); !strings.Contains(msg, "sc51StoredRequestKeepsStanza") {
		t.Fatalf("mutant: got %q, want sc51 to fire", msg)
	}
}
