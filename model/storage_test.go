package model_test

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/model"
)

// TestRestartReloadsState: rosters, pending requests (with their
// extensions), pre-approvals, blocklists and offline messages survive a
// restart through the serialised store; sessions do not.
func TestRestartReloadsState(t *testing.T) {
	store := &model.MemStorage{}
	h := newHarness(t, nil)
	h.srv = model.New(model.Options{Storage: store})
	h.bind("u", "u", "r")
	h.bind("c", "c", "r")
	h.send("u", `<presence/>`)
	h.send("c", `<presence/>`)
	h.send("u", sub("subscribe", "c"))
	h.send("c", sub("subscribed", "u")) // u: To
	h.send("u", sub("subscribed", "p")) // u pre-approves p
	h.send("u", `<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='evil@localhost'/></block></iq>`)
	h.bind("x", "x", "r")
	h.send("x", `<presence type='subscribe' to='u@localhost' id='s1'><nick xmlns='http://jabber.org/protocol/nick'>X</nick></presence>`)
	h.close("u", false)
	h.send("c", `<message to='u@localhost' type='chat'><body>while you were out</body></message>`)

	before := []model.Contact{h.srv.ContactOf("u", "c@localhost"), h.srv.ContactOf("u", "p@localhost"), h.srv.ContactOf("u", "x@localhost")}
	evs := h.srv.Restart()
	closed := 0
	for _, ev := range evs {
		if ev.Kind == model.Closed && ev.Reason == "server-restart" {
			closed++
		}
	}
	if closed != 2 {
		t.Fatalf("restart closed %d sessions, want 2 (c and x)", closed)
	}
	// Read straight from storage (no session has loaded the account yet).
	after := []model.Contact{h.srv.ContactOf("u", "c@localhost"), h.srv.ContactOf("u", "p@localhost"), h.srv.ContactOf("u", "x@localhost")}
	h.bind("u2", "u", "r2")
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("contact %d: before restart %+v, after %+v", i, before[i], after[i])
		}
	}
	if bl := h.srv.Blocklist("u"); len(bl) != 1 || bl[0] != "evil@localhost" {
		t.Errorf("blocklist after restart = %v", bl)
	}
	h.take("u2")
	h.send("u2", `<presence/>`)
	got := strings.Join(h.take("u2"), "\n")
	for _, want := range []string{
		`<nick xmlns='http://jabber.org/protocol/nick'>X</nick>`, // stored request keeps its extension
		`id='s1'`,
		`<body>while you were out</body><delay from='localhost' stamp=`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("after restart and initial presence, u2 did not get %s; got:\n%s", want, got)
		}
	}
	if n := h.srv.OfflineCount("u"); n != 0 {
		t.Errorf("offline messages left after flush: %d", n)
	}
}

// TestRestartMutants: the two storage mutants are observable.
func TestRestartMutants(t *testing.T) {
	for _, m := range []string{"offline-lost-on-restart", "offline-kept-after-flush"} {
		store := &model.MemStorage{}
		h := newHarness(t, nil)
		h.srv = model.New(model.Options{Storage: store, Mutants: []string{m}})
		h.bind("c", "c", "r")
		h.send("c", `<message to='u@localhost' type='chat'><body>hi</body></message>`)
		h.srv.Restart()
		h.bind("u", "u", "r")
		h.send("u", `<presence/>`)
		h.send("u", `<presence type='unavailable'/>`)
		h.send("u", `<presence/>`)
		n := 0
		for _, s := range h.take("u") {
			if strings.Contains(s, "<body>hi</body>") {
				n++
			}
		}
		if n == 1 {
			t.Errorf("mutant %s: message delivered exactly once; the mutant is not observable", m)
		}
	}
}

// TestIntrospectionAfterRestart: ContactOf and friends read stored
// accounts that no session has loaded since the restart.
func TestIntrospectionAfterRestart(t *testing.T) {
	h := newHarness(t, nil)
	h.srv = model.New(model.Options{Storage: &model.MemStorage{}})
	h.bind("u", "u", "r")
	h.send("u", `<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='evil@localhost'/></block></iq>`)
	h.send("u", sub("subscribe", "c"))
	h.srv.Restart()
	if got := h.srv.ContactOf("u", "c@localhost").State(); got != "None+PO" {
		t.Errorf("after restart ContactOf = %s, want None+PO", got)
	}
	if bl := h.srv.Blocklist("u@localhost"); len(bl) != 1 {
		t.Errorf("after restart Blocklist = %v", bl)
	}
}
