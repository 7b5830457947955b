package compare_test

import (
	"testing"

	"github.com/scansim/scansim/compare"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

func mustJID(t *testing.T, s string) model.JID {
	t.Helper()
	j, err := model.ParseJID(s)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// Prosody fans a presence out by walking a Lua hash (§0 "Unordered"): one
// action's stanzas to one client come in any order, which is not
// behaviour. Two stanzas of one action in swapped order are equal; the
// same two stanzas in two actions, swapped, are not.
func TestOrderInsideAndAcrossActions(t *testing.T) {
	u1 := mustJID(t, "u1@localhost/a")
	u2 := mustJID(t, "u2@localhost/a")
	u3 := mustJID(t, "u3@localhost/a")
	p2 := "<presence from='u2@localhost/a' to='u1@localhost/a'/>"
	p3 := "<presence from='u3@localhost/a' to='u1@localhost/a'/>"
	connects := []sim.TraceEvent{
		{Seq: 1, Kind: sim.TraceConnect, Client: "u1a", JID: u1},
		{Seq: 2, Kind: sim.TraceConnect, Client: "u2a", JID: u2},
		{Seq: 3, Kind: sim.TraceConnect, Client: "u3a", JID: u3},
	}
	deliver := func(seq uint64, st string) sim.TraceEvent {
		return sim.TraceEvent{Seq: seq, Kind: sim.TraceDeliver, Client: "u1a", JID: u1, Text: st}
	}
	send := func(seq uint64, client string) sim.TraceEvent {
		return sim.TraceEvent{Seq: seq, Kind: sim.TraceSend, Client: client, Text: "<presence/>"}
	}
	judge := func(a, b []sim.TraceEvent) compare.Verdict {
		ma, mb := compare.NewMasker(a, "", nil), compare.NewMasker(b, "", nil)
		ba, bb := compare.Batches(a, 0, ma), compare.Batches(b, 0, mb)
		worst := compare.Same
		for i := range max(len(ba["u1a"]), len(bb["u1a"])) {
			var x, y []string
			if i < len(ba["u1a"]) {
				x = ba["u1a"][i]
			}
			if i < len(bb["u1a"]) {
				y = bb["u1a"][i]
			}
			worst = max(worst, compare.Judge(x, y, ma.Bare("u1a"), ma.Bare, compare.Allowances{}))
		}
		return worst
	}
	// one action (u1's initial presence) answered by both contacts
	one := func(first, second string) []sim.TraceEvent {
		return append(append([]sim.TraceEvent(nil), connects...), send(4, "u1a"), deliver(5, first), deliver(6, second))
	}
	if v := judge(one(p2, p3), one(p3, p2)); v != compare.Same {
		t.Errorf("one action's stanzas in swapped order: verdict %v, want Same", v)
	}
	// two actions (u2's presence, then u3's), each delivering one stanza
	two := func(first, second string) []sim.TraceEvent {
		return append(append([]sim.TraceEvent(nil), connects...), send(4, "u2a"), deliver(5, first), send(6, "u3a"), deliver(7, second))
	}
	if v := judge(two(p2, p3), two(p3, p2)); v != compare.Differ {
		t.Errorf("two actions' stanzas in swapped order: verdict %v, want Differ", v)
	}
	// and a missing stanza is a difference inside one action too
	short := append(append([]sim.TraceEvent(nil), connects...), send(4, "u1a"), deliver(5, p2))
	if v := judge(one(p2, p3), short); v != compare.Differ {
		t.Errorf("a missing stanza: verdict %v, want Differ", v)
	}
}

// Roster versions are handed out in the server's hash order (§3.1 step
// 5e): which push carries which version may differ, the pushes and the
// final version may not.
func TestRosterPushVersions(t *testing.T) {
	push := func(ver, jid string) string {
		return "<iq id='*' to='${u1a's full JID}' type='set'><query ver='" + ver + "' xmlns='jabber:iq:roster'><item ask='subscribe' jid='" + jid + "' subscription='none'/></query></iq>"
	}
	bare := func(string) string { return "u1@localhost" }
	model := []string{push("3", "u2@localhost"), push("4", "u3@localhost")}
	swapped := []string{push("4", "u2@localhost"), push("3", "u3@localhost")}
	if v := compare.Judge(model, swapped, "u1@localhost", bare, compare.Allowances{}); v != compare.Same {
		t.Errorf("versions in another order: verdict %v, want Same", v)
	}
	later := []string{push("4", "u2@localhost"), push("5", "u3@localhost")}
	if v := compare.Judge(model, later, "u1@localhost", bare, compare.Allowances{}); v != compare.Differ {
		t.Errorf("a different final version: verdict %v, want Differ", v)
	}
}

// D6 (docs/findings.md): on Prosody 0.12.3 a stored request re-sent at
// initial presence may reach U1 under another contact's 'to'. It is
// allowed only under Profile.ResentRequestsShareStanza, and never in
// strict mode.
func TestD6OnlyUnderProfileAndNotStrict(t *testing.T) {
	model012, trunk := model.Prosody012(), model.ProsodyTrunk()
	if !model012.ResentRequestsShareStanza || trunk.ResentRequestsShareStanza {
		t.Fatal("the profiles no longer select D6 as this test assumes")
	}
	want := []string{"<presence from='u2@localhost' to='u1@localhost' type='subscribe'/>"}
	got := []string{"<presence from='u2@localhost' to='u5@localhost' type='subscribe'/>"}
	bare := func(string) string { return "u1@localhost" }
	for _, c := range []struct {
		name   string
		a      compare.Allowances
		verdit compare.Verdict
	}{
		{"prosody-0.12", compare.AllowancesFor(model012, false), compare.KnownBug},
		{"prosody-0.12 strict", compare.AllowancesFor(model012, true), compare.Differ},
		{"prosody (trunk)", compare.AllowancesFor(trunk, false), compare.Differ},
	} {
		if v := compare.Judge(want, got, "u1@localhost", bare, c.a); v != c.verdit {
			t.Errorf("%s: verdict %v, want %v", c.name, v, c.verdit)
		}
	}
	// the allowance masks the 'to' of requests only: another sender is
	// still a difference
	other := []string{"<presence from='u3@localhost' to='u5@localhost' type='subscribe'/>"}
	if v := compare.Judge(want, other, "u1@localhost", bare, compare.AllowancesFor(model012, false)); v != compare.Differ {
		t.Errorf("another sender under D6: verdict %v, want Differ", v)
	}
}

// D4 (docs/findings.md): a stored request's 'to' may be the full JID its
// sender wrote or the contact's bare JID; under PendingKeepsAddressedTo
// the two are accepted for each other, and not otherwise.
func TestD4BareOrFullTo(t *testing.T) {
	want := []string{"<presence from='u2@localhost' to='u1@localhost' type='subscribe'/>"}
	got := []string{"<presence from='u2@localhost' to='${u1a's full JID}' type='subscribe'/>"}
	bareOf := func(client string) string {
		if client == "u1a" {
			return "u1@localhost"
		}
		return ""
	}
	if v := compare.Judge(want, got, "u1@localhost", bareOf, compare.Allowances{PendingKeepsAddressedTo: true}); v != compare.Same {
		t.Errorf("under PendingKeepsAddressedTo: verdict %v, want Same", v)
	}
	if v := compare.Judge(want, got, "u1@localhost", bareOf, compare.Allowances{}); v != compare.Differ {
		t.Errorf("without PendingKeepsAddressedTo: verdict %v, want Differ", v)
	}
}

// A resource conflict (RFC 6120 §7.7.2.2): the server kicks the old
// session while it binds the new one, so the old session's unavailable
// reaches a watcher before the runner records the connect; the
// simulation records the connect first. Both are the same action.
func TestConnectEffectsBeforeTheConnectEvent(t *testing.T) {
	w := mustJID(t, "w@localhost/a")
	desk := mustJID(t, "d@localhost/desk")
	unavailable := "<presence from='d@localhost/desk' to='w@localhost/a' type='unavailable'/>"
	base := []sim.TraceEvent{
		{Seq: 1, Kind: sim.TraceConnect, Client: "Watcher", JID: w},
		{Seq: 2, Kind: sim.TraceConnect, Client: "Desk", JID: desk},
		{Seq: 3, Kind: sim.TraceSend, Client: "Desk", Text: "<presence/>"},
	}
	onSim := append(append([]sim.TraceEvent(nil), base...),
		sim.TraceEvent{Seq: 4, Kind: sim.TraceConnect, Client: "Usurper", JID: desk},
		sim.TraceEvent{Seq: 5, Kind: sim.TraceDeliver, Client: "Watcher", JID: w, Text: unavailable})
	onServer := append(append([]sim.TraceEvent(nil), base...),
		sim.TraceEvent{Seq: 4, Kind: sim.TraceDeliver, Client: "Watcher", JID: w, Text: unavailable},
		sim.TraceEvent{Seq: 5, Kind: sim.TraceConnect, Client: "Usurper", JID: desk})
	ms, mv := compare.NewMasker(onSim, "", nil), compare.NewMasker(onServer, "", nil)
	a, b := compare.Batches(onSim, 0, ms)["Watcher"], compare.Batches(onServer, 0, mv)["Watcher"]
	if len(a) != len(b) {
		t.Fatalf("batches: simulation %q, server %q", a, b)
	}
	for i := range a {
		if v := compare.Judge(a[i], b[i], "w@localhost", ms.Bare, compare.Allowances{}); v != compare.Same {
			t.Errorf("batch %d: simulation %q, server %q: verdict %v", i, a[i], b[i], v)
		}
	}
}
