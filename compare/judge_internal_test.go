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
