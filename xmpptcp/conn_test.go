package xmpptcp

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
)

func parse(t *testing.T, s string) *etree.Element {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromString(s); err != nil {
		t.Fatal(err)
	}
	return d.Root()
}

func dial(t *testing.T, s *fakeServer, user, resource string) *Conn {
	t.Helper()
	c, err := Dial(s.config(user, resource))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Drop() })
	return c
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDialBindsRequestedAndAssignedResources(t *testing.T) {
	s := newFakeServer(t, nil)
	a := dial(t, s, "romeo", "balcony")
	if got := a.JID(); got != "romeo@localhost/balcony" {
		t.Errorf("JID = %q", got)
	}
	b := dial(t, s, "juliet", "")
	if got := b.JID(); got != "juliet@localhost/gen2" {
		t.Errorf("server-assigned JID = %q", got)
	}
	c, err := Dial(Config{Addr: s.addr(), User: "nurse", Resource: "r", Session: true, Timeout: time.Second})
	if err != nil {
		t.Fatal("with the session iq:", err)
	}
	c.Drop()
}

func TestDialErrors(t *testing.T) {
	s := newFakeServer(t, nil)
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Addr: s.addr(), User: "bad"}, "authentication of bad failed (PLAIN): not-authorized (go away)"},
		{Config{Addr: s.addr(), User: "romeo", Resource: "taken"}, "bind of romeo/taken failed"},
		{Config{User: "romeo"}, "no server address"},
		{Config{Addr: s.addr()}, "no user"},
	} {
		tc.cfg.Timeout = time.Second
		_, err := Dial(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Dial(%+v) = %v, want an error containing %q", tc.cfg, err, tc.want)
		}
	}
	np := newFakeServer(t, func(f *fakeServer) { f.noPlain = true })
	if _, err := Dial(np.config("romeo", "")); err == nil || !strings.Contains(err.Error(), "no SASL mechanism the client supports") {
		t.Errorf("no PLAIN: %v", err)
	}
	// Nothing listening: a connect error, not a hang.
	addr := s.addr()
	s.ln.Close()
	if _, err := Dial(Config{Addr: addr, User: "romeo", Timeout: time.Second}); err == nil {
		t.Error("Dial to a closed port succeeded")
	}
}

func TestHandshakeTimeout(t *testing.T) {
	s := newFakeServer(t, func(f *fakeServer) { f.headerDelay = time.Second })
	cfg := s.config("romeo", "")
	cfg.Timeout = 100 * time.Millisecond
	start := time.Now()
	_, err := Dial(cfg)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("Dial = %v, want a *TimeoutError", err)
	}
	if !strings.Contains(err.Error(), "the stream header") {
		t.Errorf("error %q does not say what was awaited", err)
	}
	if el := time.Since(start); el > 900*time.Millisecond {
		t.Errorf("timeout took %v", el)
	}
}

func TestSendReceiveAndDecode(t *testing.T) {
	s := newFakeServer(t, nil)
	c := dial(t, s, "romeo", "r")
	msg := parse(t, `<message to='juliet@localhost' type='chat'><body>echo</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>`)
	if err := c.Send(msg); err != nil {
		t.Fatal(err)
	}
	got, err := c.Next(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := `<message from='romeo@localhost/r' to='juliet@localhost' type='chat'><body>echo</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>`
	if g := stanza.FromElement(got.Stanza).Canonical(); g != want {
		t.Errorf("received\n %s\nwant\n %s", g, want)
	}
	if got.Stanza.SelectAttr("xmlns") != nil {
		t.Error("top-level stanza has an xmlns attribute")
	}
	if err := c.Send(parse(t, `<message><body>burst</body></message>`)); err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(); err != nil {
		t.Fatal(err)
	}
	in := c.TakeAll()
	if len(in) != 10 {
		t.Fatalf("after a ping, %d stanzas queued, want 10", len(in))
	}
	for i, st := range in {
		want := `<message from='localhost' xml:lang='en'><body>` + itoa(i+1) + `</body><x xmlns='urn:example'><y/></x></message>`
		if g := stanza.FromElement(st.Stanza).Canonical(); g != want {
			t.Errorf("stanza %d = %s, want %s", i, g, want)
		}
		if st.Seq != uint64(i+2) {
			t.Errorf("stanza %d Seq = %d", i, st.Seq)
		}
		if a := st.Stanza.SelectAttr("xml:lang"); a == nil || a.Space != "xml" {
			t.Errorf("xml:lang is not an xml-prefixed attribute: %+v", st.Stanza.Attr)
		}
	}
	if _, err := c.Next(50 * time.Millisecond); err == nil {
		t.Error("Next on an empty inbox returned a stanza")
	} else if _, ok := err.(*TimeoutError); !ok {
		t.Errorf("Next on an empty inbox: %v, want a *TimeoutError", err)
	}
	for _, r := range s.snapshot(&s.received) {
		if strings.Contains(r, "ping") {
			t.Errorf("a ping reached the stanza log: %s", r)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestPingRepliesAreFiltered(t *testing.T) {
	s := newFakeServer(t, nil)
	c := dial(t, s, "romeo", "r")
	for i := 0; i < 5; i++ {
		if err := c.Ping(); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Len(); n != 0 {
		t.Errorf("%d stanzas queued after pings, want 0: %v", n, c.TakeAll())
	}
}

func TestPingTimeout(t *testing.T) {
	s := newFakeServer(t, func(f *fakeServer) { f.silent = true })
	cfg := s.config("romeo", "r")
	cfg.Timeout = 100 * time.Millisecond
	c, err := Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Drop()
	err = c.Ping()
	var te *TimeoutError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "ping reply") {
		t.Errorf("Ping to a silent server = %v, want a ping *TimeoutError", err)
	}
}

func TestCleanClose(t *testing.T) {
	s := newFakeServer(t, nil)
	c := dial(t, s, "romeo", "r")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if !c.Ended() || c.EndReason() != ReasonClean {
		t.Errorf("after Close: Ended %v, reason %q", c.Ended(), c.EndReason())
	}
	waitFor(t, "the server to log the close", func() bool { return len(s.snapshot(&s.closed)) == 1 })
	if got := s.snapshot(&s.closed); got[0] != "clean" {
		t.Errorf("server saw %q, want clean", got[0])
	}
	if err := c.Send(parse(t, `<presence/>`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close = %v", err)
	}
	if err := c.Ping(); !errors.Is(err, ErrClosed) {
		t.Errorf("Ping after Close = %v", err)
	}
	if err := c.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close = %v", err)
	}
}

func TestCloseTimeout(t *testing.T) {
	s := newFakeServer(t, func(f *fakeServer) { f.noClose = true })
	cfg := s.config("romeo", "r")
	cfg.Timeout = 100 * time.Millisecond
	c, err := Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Close()
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Errorf("Close with an unanswering server = %v, want a *TimeoutError", err)
	}
	if !c.Ended() {
		t.Error("not ended after a timed-out Close")
	}
}

func TestDrop(t *testing.T) {
	s := newFakeServer(t, nil)
	c := dial(t, s, "romeo", "r")
	if err := c.Drop(); err != nil {
		t.Fatal(err)
	}
	if c.EndReason() != ReasonAbrupt {
		t.Errorf("reason %q", c.EndReason())
	}
	waitFor(t, "the server to see the drop", func() bool { return len(s.snapshot(&s.closed)) == 1 })
	if got := s.snapshot(&s.closed); got[0] != "eof" {
		t.Errorf("server saw %q, want eof (no stream close)", got[0])
	}
	if err := c.Drop(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Drop = %v", err)
	}
}

func TestServerStreamErrorAndCut(t *testing.T) {
	s := newFakeServer(t, nil)
	var events []Event
	evc := make(chan Event, 10)
	c, err := DialWith(s.config("romeo", "r"), func(e Event) { evc <- e })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Send(parse(t, `<message><body>kill</body></message>`)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("the connection did not end after a stream error")
	}
	if c.EndReason() != "conflict" {
		t.Errorf("reason %q, want conflict", c.EndReason())
	}
	if cond, text := c.StreamError(); cond != "conflict" || text != "Replaced by new connection" {
		t.Errorf("StreamError = %q, %q", cond, text)
	}
	if c.Len() != 0 {
		t.Error("the stream error was queued as a stanza")
	}
	close(evc)
	for e := range evc {
		events = append(events, e)
	}
	if len(events) != 2 || events[0].Kind != StreamError || events[1].Kind != Ended || events[1].Reason != "conflict" {
		t.Errorf("events = %+v", events)
	}
	waitFor(t, "the server to see the client's answer", func() bool { return len(s.snapshot(&s.closed)) == 1 })

	c2 := dial(t, s, "juliet", "r")
	if err := c2.Send(parse(t, `<message><body>cut</body></message>`)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c2.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("the connection did not end when the server cut it")
	}
	if r := c2.EndReason(); !strings.HasPrefix(r, ReasonConnectionLost) {
		t.Errorf("reason %q, want %s...", r, ReasonConnectionLost)
	}
	if err := c2.Ping(); !errors.Is(err, ErrClosed) {
		t.Errorf("Ping after a cut = %v", err)
	}
	if _, err := c2.Next(time.Second); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after a cut = %v", err)
	}
}

func TestWait(t *testing.T) {
	s := newFakeServer(t, nil)
	c := dial(t, s, "romeo", "r")
	start := time.Now()
	if c.Wait(50 * time.Millisecond) {
		t.Error("Wait reported an arrival on a quiet connection")
	}
	if time.Since(start) < 40*time.Millisecond {
		t.Error("Wait returned early")
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		c.Send(parse(t, `<message><body>echo</body></message>`))
	}()
	start = time.Now()
	if !c.Wait(2 * time.Second) {
		t.Error("Wait missed the arrival")
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("Wait took %v", el)
	}
}
