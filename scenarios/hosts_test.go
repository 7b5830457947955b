package scenarios_test

import (
	"os"
	"strings"
	"testing"

	"github.com/scansim/scansim/scenarios"
)

// TestSeedScriptAcrossHosts runs the seed blocking script with Juliet on
// a second virtual host of the same server (model.Hosts): subscription,
// presence, blocking, the blocked errors and unblocking behave as within
// one host (Prosody routes between its VirtualHosts through the same
// core_post_stanza, no s2s). What differs is what names the host: the
// <delay/> on Juliet's presence is stamped by her host, b.example
// (mod_presence stamps with the host holding the presence).
func TestSeedScriptAcrossHosts(t *testing.T) {
	src, err := os.ReadFile("testdata/blocking.scs")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	juliets := 0
	for i, l := range lines {
		switch {
		case strings.Contains(l, "jid: blockee@localhost"):
			lines[i] = strings.Replace(l, "localhost", "b.example", 1)
		case strings.Contains(l, `<presence from="${Juliet's full JID}"`) && strings.Contains(lines[i+1], "<delay"):
			lines[i+1] = strings.Replace(lines[i+1], `from="localhost"`, `from="b.example"`, 1)
			juliets++
		}
	}
	if juliets != 2 {
		t.Fatalf("the seed script changed: %d of Juliet's delayed presences found, want 2", juliets)
	}
	res := run(t, parse(t, strings.Join(lines, "\n")), scenarios.RunOptions{})
	if !res.Passed {
		t.Fatal(report(res))
	}
}

// TestDomainBlockAcrossHosts: a domain item blocks every JID at that
// host (XEP-0191 §3.1 items are JIDs matched as privacy lists match
// them: a domain matches every JID at it), whichever local host it is.
// The blocker's own messages bounce with not-acceptable and <blocked/>
// (§3.6), the blocked side's messages with service-unavailable (§3.5),
// and after the unblock a message goes through.
func TestDomainBlockAcrossHosts(t *testing.T) {
	const src = `# domain block across hosts

[Client] Romeo
	jid: romeo@a.example
	password: password

[Client] Juliet
	jid: juliet@b.example
	password: password

-----

Romeo connects

Juliet connects

Romeo sends:
	<message type="chat" to="${Juliet's full JID}"><body>one</body></message>

Juliet receives:
	<message type="chat" from="${Romeo's full JID}"><body>one</body></message>

Romeo sends:
	<iq type="set" id="b1"><block xmlns="urn:xmpp:blocking"><item jid="b.example"/></block></iq>

Romeo receives:
	<iq type="result" id="b1"/>

Romeo sends:
	<message type="chat" to="${Juliet's full JID}"><body>two</body></message>

Romeo receives:
	<message type="error" from="${Juliet's full JID}">
	  <error type="cancel">
	    <not-acceptable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>
	    <blocked xmlns="urn:xmpp:blocking:errors"/>
	  </error>
	</message>

Juliet receives: nothing

Juliet sends:
	<message type="chat" to="${Romeo's JID}"><body>three</body></message>

Juliet receives:
	<message type="error" from="${Romeo's JID}">
	  <error type="cancel">
	    <service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>
	  </error>
	</message>

Romeo receives: nothing

Romeo sends:
	<iq type="set" id="b2"><unblock xmlns="urn:xmpp:blocking"><item jid="b.example"/></unblock></iq>

Romeo receives:
	<iq type="result" id="b2"/>

Juliet sends:
	<message type="chat" to="${Romeo's full JID}"><body>four</body></message>

Romeo receives:
	<message type="chat" from="${Juliet's full JID}"><body>four</body></message>
`
	res := run(t, parse(t, src), scenarios.RunOptions{})
	if !res.Passed {
		t.Fatal(report(res))
	}
}

// TestHostsComponentClash: a client's domain that is a component of
// another host cannot be a virtual host of its own; the run says so.
func TestHostsComponentClash(t *testing.T) {
	const src = `# a client at a component's domain

[Client] Romeo
	jid: romeo@localhost
	password: password

[Client] Room
	jid: room@conference.localhost
	password: password

-----

Romeo connects
`
	res := run(t, parse(t, src), scenarios.RunOptions{})
	if res.Err == nil || !strings.Contains(res.Err.Error(), "conference.localhost") {
		t.Fatalf("want an error naming conference.localhost, got %s", report(res))
	}
}
