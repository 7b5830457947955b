package serve

import (
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/xmpptcp"
)

func dialAt(t *testing.T, s *Server, domain, user, resource string) *xmpptcp.Conn {
	t.Helper()
	c, err := xmpptcp.Dial(xmpptcp.Config{Addr: s.Addr(), Domain: domain, User: user, Resource: resource, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("dial %s@%s: %v", user, domain, err)
	}
	return c
}

func send(t *testing.T, c *xmpptcp.Conn, x string) {
	t.Helper()
	el, err := parseStanza(x)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Send(el); err != nil {
		t.Fatal(err)
	}
}

// TestTwoHosts: users at two virtual hosts of one serve subscribe to
// each other, exchange messages, and block across the hosts (a domain
// item at one, a JID at the other), as users of two VirtualHosts of one
// Prosody do; each host has the profile's components under it; a
// stream to an unknown host is refused; and the recording replays.
func TestTwoHosts(t *testing.T) {
	s := start(t, Options{Profile: "prosody-13", Host: "a.example", Hosts: []string{"B.example"}})
	if got := strings.Join(s.Hosts(), ","); got != "a.example,b.example" {
		t.Fatalf("Hosts() = %s", got)
	}
	if _, err := xmpptcp.Dial(xmpptcp.Config{Addr: s.Addr(), Domain: "c.example", User: "x", Timeout: 5 * time.Second}); err == nil || !strings.Contains(err.Error(), "host-unknown") {
		t.Fatalf("a stream to c.example: %v, want host-unknown", err)
	}
	romeo := dialAt(t, s, "a.example", "romeo", "orchard")
	juliet := dialAt(t, s, "b.example", "juliet", "balcony")
	if got := juliet.JID(); got != "juliet@b.example/balcony" {
		t.Fatalf("juliet bound %s", got)
	}
	isTag := func(tag, typ string) func(*etree.Element) bool {
		return func(e *etree.Element) bool { return e.Tag == tag && e.SelectAttrValue("type", "") == typ }
	}

	// Each host answers disco#items with its own components.
	send(t, juliet, `<iq type='get' id='d1' to='b.example'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`)
	items := waitFor(t, juliet, isTag("iq", "result"))
	if x := stanzaText(items); !strings.Contains(x, "jid=\"conference.b.example\"") || strings.Contains(x, "a.example") {
		t.Fatalf("b.example's disco#items: %s", x)
	}

	send(t, romeo, `<presence/>`)
	send(t, juliet, `<presence/>`)
	send(t, romeo, `<presence type='subscribe' to='juliet@b.example'/>`)
	waitFor(t, juliet, isTag("presence", "subscribe"))
	send(t, juliet, `<presence type='subscribed' to='romeo@a.example'/>`)
	// Juliet's available presence reaches Romeo across the hosts.
	pres := waitFor(t, romeo, func(e *etree.Element) bool {
		return e.Tag == "presence" && e.SelectAttrValue("type", "") == "" && e.SelectAttrValue("from", "") == "juliet@b.example/balcony"
	})
	_ = pres

	send(t, romeo, `<message type='chat' to='juliet@b.example'><body>hi</body></message>`)
	if m := waitFor(t, juliet, isTag("message", "chat")); m.SelectAttrValue("from", "") != "romeo@a.example/orchard" {
		t.Fatalf("juliet got %s", stanzaText(m))
	}

	// Juliet blocks Romeo's whole host: his message bounces with
	// service-unavailable (the model's mod_blocklist, as in one host),
	// hers to him with not-acceptable and <blocked/> (XEP-0191).
	send(t, juliet, `<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='a.example'/></block></iq>`)
	waitFor(t, juliet, isTag("iq", "result"))
	send(t, romeo, `<message type='chat' to='juliet@b.example'><body>blocked?</body></message>`)
	if e := waitFor(t, romeo, isTag("message", "error")); !strings.Contains(stanzaText(e), "service-unavailable") {
		t.Fatalf("romeo got %s", stanzaText(e))
	}
	send(t, juliet, `<message type='chat' to='romeo@a.example'><body>no</body></message>`)
	if e := waitFor(t, juliet, isTag("message", "error")); !strings.Contains(stanzaText(e), "urn:xmpp:blocking:errors") {
		t.Fatalf("juliet got %s", stanzaText(e))
	}
	send(t, juliet, `<iq type='set' id='b2'><unblock xmlns='urn:xmpp:blocking'/></iq>`)
	waitFor(t, juliet, isTag("iq", "result"))

	// The control surface acts as a user at either host.
	if err := s.Block("romeo@a.example", "juliet@b.example"); err != nil {
		t.Fatal(err)
	}
	if err := s.Block("juliet@c.example", "romeo@a.example"); err == nil {
		t.Fatal("the control surface accepted an account at an unknown host")
	}
	send(t, juliet, `<message type='chat' to='romeo@a.example'><body>again</body></message>`)
	if e := waitFor(t, juliet, isTag("message", "error")); !strings.Contains(stanzaText(e), "service-unavailable") {
		t.Fatalf("juliet got %s", stanzaText(e))
	}

	romeo.Close()
	juliet.Close()
	sc, err := s.Script()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sc), "jid: juliet@b.example") {
		t.Fatalf("script:\n%s", sc)
	}
	replaySame(t, s, sc)
}
