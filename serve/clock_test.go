package serve

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
)

// TestClockMoves: the virtual clock follows the injected source, so the
// answers that depend on time are those of a server whose time passes:
// uptime (XEP-0012 to the host: seconds since start), XEP-0202 time,
// and the delay stamp of an offline message (XEP-0203: when it was
// stored). The recording loosens those values and replays.
func TestClockMoves(t *testing.T) {
	var now atomic.Int64
	at := func(d time.Duration) { now.Store(int64(d)) }
	s := start(t, Options{Profile: "prosody-13", Clock: func() time.Duration { return time.Duration(now.Load()) }})
	romeo := dial(t, s, "romeo", "orchard")
	result := func(id string) func(*etree.Element) bool {
		return func(e *etree.Element) bool { return e.Tag == "iq" && e.SelectAttrValue("id", "") == id }
	}

	at(90 * time.Second)
	send(t, romeo, `<iq type='get' to='localhost' id='up'><query xmlns='jabber:iq:last'/></iq>`)
	if q := waitFor(t, romeo, result("up")).FindElement("query"); q == nil || q.SelectAttrValue("seconds", "") != "90" {
		t.Fatalf("uptime after 90 s: %v", q)
	}
	send(t, romeo, `<iq type='get' to='localhost' id='time'><time xmlns='urn:xmpp:time'/></iq>`)
	want := model.Epoch.Add(90 * time.Second).UTC().Format("2006-01-02T15:04:05")
	if utc := waitFor(t, romeo, result("time")).FindElement("time/utc"); utc == nil || !strings.HasPrefix(utc.Text(), want) {
		t.Fatalf("XEP-0202 time after 90 s: %v, want %s", utc, want)
	}

	at(100 * time.Second)
	send(t, romeo, `<message type='chat' to='juliet@localhost'><body>stored</body></message>`)
	// A round trip: the message has been handled at 100 s.
	send(t, romeo, `<iq type='get' to='localhost' id='ping'><ping xmlns='urn:xmpp:ping'/></iq>`)
	waitFor(t, romeo, result("ping"))
	at(200 * time.Second)
	juliet := dial(t, s, "juliet", "balcony")
	send(t, juliet, `<presence/>`)
	msg := waitFor(t, juliet, func(e *etree.Element) bool { return e.Tag == "message" })
	stamp := model.Epoch.Add(100 * time.Second).UTC().Format("2006-01-02T15:04:05")
	if d := msg.FindElement("delay"); d == nil || !strings.HasPrefix(d.SelectAttrValue("stamp", ""), stamp) {
		t.Fatalf("offline message's delay: %s, want stamp %s", stanzaText(msg), stamp)
	}

	romeo.Close()
	juliet.Close()
	sc, err := s.Script()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []string{"seconds='{scansion:any}'", "<utc/>", "stamp='{scansion:any}'"} {
		if !strings.Contains(string(sc), x) {
			t.Fatalf("the recording does not loosen %s:\n%s", x, sc)
		}
	}
	replaySame(t, s, sc)
}
