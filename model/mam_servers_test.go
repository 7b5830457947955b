package model_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/driver"
)

// Paging by archive id cannot be written as a scansion script (captures
// work in received attributes only, and RSM ids are text), so this test
// drives the same sequence through a driver: on the simulation with
// archiving on, and, when SCANSIM_MAM_SERVER names one (Prosody 13.0.1:
// 127.0.0.1:25231), on a real server. Both must give the answers
// XEP-0313 §4.3 / §6 and XEP-0059 prescribe.

// mamPagingCase is one query over the archive m1..m5 (ids i0..i4); the
// payload's {iN} is replaced by the Nth archive id.
type mamPagingCase struct {
	name, payload string
	want          string // forwarded message ids, then fin: "m3 m4 | incomplete i2 i3 5"
}

var mamPagingCases = []mamPagingCase{
	{"rsm after", `<set xmlns='http://jabber.org/protocol/rsm'><max>2</max><after>{i1}</after></set>`, "m3 m4 | incomplete i2 i3 5"},
	{"rsm after to the end", `<set xmlns='http://jabber.org/protocol/rsm'><max>5</max><after>{i2}</after></set>`, "m4 m5 | complete i3 i4 5"},
	{"rsm before", `<set xmlns='http://jabber.org/protocol/rsm'><max>2</max><before>{i3}</before></set>`, "m2 m3 | incomplete i1 i2 5"},
	{"rsm before to the start", `<set xmlns='http://jabber.org/protocol/rsm'><max>5</max><before>{i2}</before></set>`, "m1 m2 | complete i0 i1 5"},
	{"rsm last page", `<set xmlns='http://jabber.org/protocol/rsm'><max>2</max><before/></set>`, "m4 m5 | incomplete i3 i4 5"},
	{"after-id and before-id", mamForm(`<field var='after-id'><value>{i0}</value></field><field var='before-id'><value>{i3}</value></field>`), "m2 m3 | complete i1 i2 5"},
	{"ids", mamForm(`<field var='ids'><value>{i4}</value><value>{i1}</value></field>`), "m2 m5 | complete i1 i4 2"},
	{"ids, flipped", mamForm(`<field var='ids'><value>{i4}</value><value>{i1}</value></field>`) + `<flip-page/>`, "m5 m2 | complete i1 i4 2"},
	{"unknown after", `<set xmlns='http://jabber.org/protocol/rsm'><after>nope</after></set>`, "item-not-found"},
	{"unknown before", `<set xmlns='http://jabber.org/protocol/rsm'><before>nope</before></set>`, "item-not-found"},
}

func mamForm(fields string) string {
	return `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>` + fields + `</x>`
}

func TestMAMPagingOnServers(t *testing.T) {
	t.Run("sim", func(t *testing.T) {
		runMAMPaging(t, &driver.SimDriver{Options: driver.Options{Profile: mamProfile()}})
	})
	addr := os.Getenv("SCANSIM_MAM_SERVER")
	if addr == "" {
		t.Log("SCANSIM_MAM_SERVER unset: real server not checked")
		return
	}
	t.Run(addr, func(t *testing.T) { runMAMPaging(t, &driver.ServerDriver{Addr: addr}) })
}

func runMAMPaging(t *testing.T, d driver.Driver) {
	net, err := d.Open("localhost")
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	prefix, _ := net.NodePrefix()
	ep, err := net.Connect("Romeo", prefix+"mampaging", "r", driver.Login{})
	if err != nil {
		t.Fatal(err)
	}
	exchange := func(x string) []*etree.Element {
		t.Helper()
		doc := etree.NewDocument()
		if err := doc.ReadFromString(x); err != nil {
			t.Fatal(err)
		}
		if err := ep.Send(doc.Root()); err != nil {
			t.Fatal(err)
		}
		if err := net.Quiesce(ep); err != nil {
			t.Fatal(err)
		}
		var out []*etree.Element
		for _, r := range ep.TakeAll() {
			out = append(out, r.Stanza)
		}
		return out
	}
	exchange(`<iq type='set' id='p'><prefs xmlns='urn:xmpp:mam:2' default='always'/></iq>`)
	for i := 1; i <= 5; i++ {
		exchange(fmt.Sprintf(`<message to='nobody@localhost' type='chat' id='m%d'><body>x</body></message>`, i))
	}
	var ids []string
	for _, st := range exchange(`<iq type='set' id='all'><query xmlns='urn:xmpp:mam:2'/></iq>`) {
		if r := st.FindElement("result"); r != nil {
			ids = append(ids, r.SelectAttrValue("id", ""))
		}
	}
	if len(ids) != 5 {
		t.Fatalf("archive holds %d ids, want 5", len(ids))
	}
	name := func(id string) string {
		if i := slices.Index(ids, id); i >= 0 {
			return fmt.Sprintf("i%d", i)
		}
		return "?" + id
	}
	for _, tc := range mamPagingCases {
		payload := tc.payload
		for i, id := range ids {
			payload = strings.ReplaceAll(payload, fmt.Sprintf("{i%d}", i), id)
		}
		var got []string
		for _, st := range exchange(`<iq type='set' id='q'><query xmlns='urn:xmpp:mam:2'>` + payload + `</query></iq>`) {
			if m := st.FindElement("result/forwarded/message"); m != nil {
				got = append(got, m.SelectAttrValue("id", ""))
				continue
			}
			if e := st.FindElement("error"); e != nil {
				got = append(got, e.ChildElements()[0].Tag)
				continue
			}
			if fin := st.FindElement("fin"); fin != nil {
				c := "incomplete"
				if fin.SelectAttrValue("complete", "") == "true" {
					c = "complete"
				}
				got = append(got, "|", c, name(text(fin.FindElement("set/first"))),
					name(text(fin.FindElement("set/last"))), text(fin.FindElement("set/count")))
			}
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, g, tc.want)
		}
	}
}

func text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return el.Text()
}

// TestMAMQuotaOnServers: 1001 messages into an archive whose quota is
// 1000 items (the memory store's default) leave the newest 991: the
// 1001st append finds nothing expired and truncates to 990 first.
func TestMAMQuotaOnServers(t *testing.T) {
	if testing.Short() {
		t.Skip("1001 messages")
	}
	t.Run("sim", func(t *testing.T) {
		runMAMQuota(t, &driver.SimDriver{Options: driver.Options{Profile: mamProfile()}})
	})
	if addr := os.Getenv("SCANSIM_MAM_SERVER"); addr != "" {
		t.Run(addr, func(t *testing.T) { runMAMQuota(t, &driver.ServerDriver{Addr: addr}) })
	}
}

func runMAMQuota(t *testing.T, d driver.Driver) {
	net, err := d.Open("localhost")
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	prefix, _ := net.NodePrefix()
	ep, err := net.Connect("Romeo", prefix+"mamquota", "r", driver.Login{})
	if err != nil {
		t.Fatal(err)
	}
	send := func(x string) {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(x); err != nil {
			t.Fatal(err)
		}
		if err := ep.Send(doc.Root()); err != nil {
			t.Fatal(err)
		}
	}
	send(`<iq type='set' id='p'><prefs xmlns='urn:xmpp:mam:2' default='always'/></iq>`)
	for i := 1; i <= 1001; i++ {
		send(fmt.Sprintf(`<message to='nobody@localhost' type='chat' id='m%d'><body>x</body></message>`, i))
	}
	send(`<iq type='set' id='q'><query xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'><max>1</max></set></query></iq>`)
	if err := net.Quiesce(ep); err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, r := range ep.TakeAll() {
		if m := r.Stanza.FindElement("result/forwarded/message"); m != nil {
			got += m.SelectAttrValue("id", "") + " "
		}
		if c := r.Stanza.FindElement("fin/set/count"); c != nil {
			got += c.Text()
		}
	}
	if got != "m11 991" {
		t.Errorf("oldest item and count: %q, want \"m11 991\"", got)
	}
}
