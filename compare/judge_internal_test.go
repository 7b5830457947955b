package compare

import "testing"

// The D6 tolerance (Judge): it applies only when the server's batch
// holds a subscription request addressed to another account, and it
// masks only the 'to' of subscription requests.
func TestSharedResendTolerance(t *testing.T) {
	leak := "<presence from='u2@localhost' to='u4@localhost' type='subscribe'/>"
	own := "<presence from='u2@localhost' to='u1@localhost' type='subscribe'/>"
	ownFull := "<presence from='u2@localhost' to=\"${u1b's full JID}\" type='subscribe'/>"
	other := "<presence from='u2@localhost' to='u1@localhost' type='unsubscribed'/>"
	if !leaksRequest([]string{own, leak}, "u1@localhost") {
		t.Error("a request to u4 in u1's batch is not seen as a leak")
	}
	for _, x := range []string{own, ownFull, other} {
		if leaksRequest([]string{x}, "u1@localhost") {
			t.Errorf("%s seen as a leak", x)
		}
	}
	m := maskRequestTo([]string{leak, own, other, ownFull})
	if m[0] != m[1] || m[1] != m[3] || m[2] != other {
		t.Errorf("masked: %q", m)
	}
}

// Roster push versions in one batch: the order-dependent values may
// differ, the number of pushes and the version the batch ends at may not.
func TestPushVersionsInABatch(t *testing.T) {
	push := func(ver, jid string) string {
		return "<iq id='*' type='set'><query ver='" + ver + "' xmlns='jabber:iq:roster'><item ask='subscribe' jid='" + jid + "' subscription='none'/></query></iq>"
	}
	model := []string{push("18", "u1@localhost"), push("18", "u3@localhost"), push("19", "u3@localhost")}
	server := []string{push("18", "u3@localhost"), push("19", "u3@localhost"), push("19", "u1@localhost")}
	mm, mv := pushVersions(model)
	sm, sv := pushVersions(server)
	if !sameMultiset(mm, sm) || !sameLastVersion(mv, sv) {
		t.Errorf("a reordered batch does not agree: %q %q", mv, sv)
	}
	_, more := pushVersions([]string{push("18", "u1@localhost"), push("18", "u3@localhost"), push("20", "u3@localhost")})
	if sameLastVersion(mv, more) {
		t.Error("a batch that saves once more agrees")
	}
}

// D4's two forms of a stored request's 'to' are accepted for each other,
// and nothing else is.
func TestBareRequestTo(t *testing.T) {
	full := "<presence from='u4@localhost' to=\"${u1b's full JID}\" type='subscribe' xml:lang='en'/>"
	unbound := "<presence from='u4@localhost' to='u1@localhost/zzz' type='subscribe' xml:lang='en'/>"
	bare := "<presence from='u4@localhost' to='u1@localhost' type='subscribe' xml:lang='en'/>"
	other := "<presence from='u4@localhost' to='u3@localhost' type='subscribe' xml:lang='en'/>"
	// as the Masker writes it: the variable inside the original quotes
	masked := "<presence from='u4@localhost' to='${u1b's full JID}' type='subscribe' xml:lang='en'/>"
	bareOf := func(client string) string {
		if client == "u1b" {
			return "u1@localhost"
		}
		return "?"
	}
	got := bareRequestTo([]string{full, unbound, bare, other, masked}, bareOf)
	if got[0] != bare || got[1] != bare || got[2] != bare || got[3] != other || got[4] != bare {
		t.Errorf("bareRequestTo: %q", got)
	}
}

// The removal's close order (Judge): the unavailables one session of a
// removed account sends a sibling as the removal closes them are not
// compared — which sibling hears which is the server's hash order (13.0.1
// and 0.12.3, check --server) — but any other difference still counts.
func TestRemovalSiblingsTolerance(t *testing.T) {
	bare := func(c string) string {
		return map[string]string{"u3b": "u3@localhost", "u3c": "u3@localhost", "u1a": "u1@localhost"}[c]
	}
	sib := func(from, to string) string {
		return "<presence from='${" + from + "'s full JID}' to='${" + to + "'s full JID}' type='unavailable'><status>Disconnected: Account deleted</status></presence>"
	}
	other := "<iq id='x' type='result'/>"
	if v := Judge([]string{other}, []string{other, sib("u3c", "u3b")}, "u3@localhost", bare, Allowances{}); v != Same {
		t.Errorf("a sibling's removal unavailable on the server only: %v", v)
	}
	if v := Judge([]string{sib("u3b", "u3c")}, nil, "u3@localhost", bare, Allowances{}); v != Same {
		t.Errorf("a sibling's removal unavailable in the model only: %v", v)
	}
	// Not siblings: another account's session.
	if v := Judge(nil, []string{sib("u1a", "u3b")}, "u3@localhost", bare, Allowances{}); v != Differ {
		t.Errorf("another account's unavailable tolerated: %v", v)
	}
	// Another status is compared.
	plain := "<presence from='${u3c's full JID}' to='${u3b's full JID}' type='unavailable'/>"
	if v := Judge(nil, []string{plain}, "u3@localhost", bare, Allowances{}); v != Differ {
		t.Errorf("a plain unavailable tolerated: %v", v)
	}
	if v := Judge([]string{other}, []string{sib("u3c", "u3b")}, "u3@localhost", bare, Allowances{}); v != Differ {
		t.Errorf("a missing stanza hidden by the tolerance: %v", v)
	}
}

// The same close order in a room (0.12.3, check --server seed 11): two
// sessions of the removed account in one room under different nicks;
// the one closed first is heard leaving by the other. Only a sibling's
// leave is tolerated.
func TestRemovalRoomSiblingsTolerance(t *testing.T) {
	bare := func(c string) string {
		return map[string]string{"u1b": "u1@localhost", "u1c": "u1@localhost", "u2c": "u2@localhost"}[c]
	}
	leave := func(nick, to, real string) string {
		return "<presence from='r1@conference.localhost/" + nick + "' to='${" + to + "'s full JID}' type='unavailable'><status>Disconnected: Account deleted</status><occupant-id id='${occupant id 2}' xmlns='urn:xmpp:occupant-id:0'/><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' jid='${" + real + "'s full JID}' role='none'/></x></presence>"
	}
	if v := Judge(nil, []string{leave("u1c", "u1b", "u1c")}, "u1@localhost", bare, Allowances{}); v != Same {
		t.Errorf("a sibling's room leave on the server only: %v", v)
	}
	if v := Judge([]string{leave("u1b", "u1c", "u1b")}, nil, "u1@localhost", bare, Allowances{}); v != Same {
		t.Errorf("a sibling's room leave in the model only: %v", v)
	}
	if v := Judge(nil, []string{leave("u2", "u1b", "u2c")}, "u1@localhost", bare, Allowances{}); v != Differ {
		t.Errorf("another account's room leave tolerated: %v", v)
	}
}
