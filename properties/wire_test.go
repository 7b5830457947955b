package properties

import "testing"

// The D6 tolerance (wire.check): it applies only when the server's batch
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
	if clientUser("u1b-2") != "u1" || clientUser("u3c") != "u3" {
		t.Error("clientUser")
	}
}
