package model

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
)

// stepClock advances one second at every reading, so each archived
// message has its own stamp.
type stepClock struct{ t time.Time }

func (c *stepClock) Now() time.Time { c.t = c.t.Add(time.Second); return c.t }

// mamHarness drives a server with archiving on (the upstream
// configuration: smart enable).
type mamHarness struct {
	t   *testing.T
	srv *Server
}

func newMAMHarness(t *testing.T, opts Options) *mamHarness {
	p := ProsodyTrunk()
	p.Archive, p.SmartEnable = true, true
	opts.Profile = &p
	if opts.Clock == nil {
		opts.Clock = &stepClock{t: Epoch}
	}
	return &mamHarness{t: t, srv: New(opts)}
}

func (h *mamHarness) bind(node string) SessionID {
	id, _, _, err := h.srv.Bind(node, "r")
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

func (h *mamHarness) send(id SessionID, x string) []Event {
	h.t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(x); err != nil {
		h.t.Fatal(err)
	}
	return h.srv.Process(id, doc.Root())
}

// mamPage is what one query returned: the archived messages' ids
// ('id' attributes of the forwarded messages) and archive ids, in
// delivery order, and the <fin/>.
type mamPage struct {
	msgs, ids []string
	complete  bool
	first     string
	last      string
	count     string
	err       string // the error condition, if the query failed
}

func (h *mamHarness) query(id SessionID, payload string) mamPage {
	h.t.Helper()
	var p mamPage
	for _, ev := range h.send(id, `<iq type='set' id='q'><query xmlns='urn:xmpp:mam:2'>`+payload+`</query></iq>`) {
		st := ev.Stanza
		if ev.Kind != Deliver || st == nil {
			continue
		}
		if r := st.FindElement("result"); st.Tag == "message" && r != nil {
			p.ids = append(p.ids, r.SelectAttrValue("id", ""))
			p.msgs = append(p.msgs, r.FindElement("forwarded/message").SelectAttrValue("id", ""))
			continue
		}
		if st.Tag != "iq" {
			continue
		}
		if e := st.FindElement("error"); e != nil {
			p.err = e.ChildElements()[0].Tag
			continue
		}
		fin := st.FindElement("fin")
		p.complete = fin.SelectAttrValue("complete", "") == "true"
		p.first = text(fin.FindElement("set/first"))
		p.last = text(fin.FindElement("set/last"))
		p.count = text(fin.FindElement("set/count"))
	}
	return p
}

func text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return el.Text()
}

func rsm(kv ...string) string {
	var b strings.Builder
	b.WriteString(`<set xmlns='http://jabber.org/protocol/rsm'>`)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			b.WriteString("<" + kv[i] + "/>")
		} else {
			b.WriteString("<" + kv[i] + ">" + kv[i+1] + "</" + kv[i] + ">")
		}
	}
	return b.String() + `</set>`
}

func form(fields ...string) string {
	var b strings.Builder
	b.WriteString(`<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>`)
	for i := 0; i+1 < len(fields); i += 2 {
		b.WriteString(`<field var='` + fields[i] + `'>`)
		for _, v := range strings.Split(fields[i+1], ",") {
			b.WriteString(`<value>` + v + `</value>`)
		}
		b.WriteString(`</field>`)
	}
	return b.String() + `</x>`
}

// archiveFive: romeo enables MAM and sends m1..m5 to juliet; it
// returns romeo's session and the archive ids in order.
func archiveFive(h *mamHarness) (SessionID, []string) {
	h.t.Helper()
	r := h.bind("romeo")
	h.send(r, `<iq type='set' id='p'><prefs xmlns='urn:xmpp:mam:2' default='always'/></iq>`)
	for i := 1; i <= 5; i++ {
		h.send(r, `<message to='juliet@localhost' type='chat' id='m`+strconv.Itoa(i)+`'><body>x</body></message>`)
	}
	all := h.query(r, "")
	if !slices.Equal(all.msgs, []string{"m1", "m2", "m3", "m4", "m5"}) || !all.complete || all.count != "5" {
		h.t.Fatalf("whole archive: %+v", all)
	}
	return r, all.ids
}

// TestMAMPaging holds queries to XEP-0313 §4.3 and §6 and XEP-0059: an
// after page starts after its id, a before page ends before its id and
// is still in chronological order, a page that does not reach the end of
// the results in its direction is incomplete, <count/> counts every
// match, after-id and before-id bound a range exclusively, ids selects
// items, start and end are inclusive, and an unknown boundary id is
// item-not-found.
func TestMAMPaging(t *testing.T) {
	h := newMAMHarness(t, Options{})
	r, id := archiveFive(h)
	for _, tc := range []struct {
		name, payload string
		msgs          []string
		complete      bool
		first, last   string
	}{
		{"rsm after", rsm("max", "2", "after", id[1]), []string{"m3", "m4"}, false, id[2], id[3]},
		{"rsm after to the end", rsm("max", "5", "after", id[2]), []string{"m4", "m5"}, true, id[3], id[4]},
		{"rsm before", rsm("max", "2", "before", id[3]), []string{"m2", "m3"}, false, id[1], id[2]},
		{"rsm before to the start", rsm("max", "5", "before", id[2]), []string{"m1", "m2"}, true, id[0], id[1]},
		{"rsm last page", rsm("max", "2", "before", ""), []string{"m4", "m5"}, false, id[3], id[4]},
		{"after-id and before-id", form("after-id", id[0], "before-id", id[3]), []string{"m2", "m3"}, true, id[1], id[2]},
		{"ids", form("ids", id[4]+","+id[1]), []string{"m2", "m5"}, true, id[1], id[4]},
	} {
		p := h.query(r, tc.payload)
		if p.err != "" || !slices.Equal(p.msgs, tc.msgs) || p.complete != tc.complete || p.first != tc.first || p.last != tc.last {
			t.Errorf("%s: got %+v, want %v complete=%v first=%s last=%s", tc.name, p, tc.msgs, tc.complete, tc.first, tc.last)
		}
	}
	// Counts: RSM paging does not change the count; ids does.
	if p := h.query(r, rsm("max", "1", "after", id[0])); p.count != "5" {
		t.Errorf("count of an after page = %s, want 5", p.count)
	}
	if p := h.query(r, form("ids", id[4]+","+id[1])); p.count != "2" {
		t.Errorf("count of an ids query = %s, want 2", p.count)
	}
	// start and end are inclusive: the stamps are one second apart.
	stamps := archiveStamps(h, r)
	if p := h.query(r, form("start", stamps[1], "end", stamps[3])); !slices.Equal(p.msgs, []string{"m2", "m3", "m4"}) {
		t.Errorf("start..end: %+v (stamps %v)", p, stamps)
	}
	for _, bad := range []string{rsm("after", "nope"), rsm("before", "nope"), form("after-id", "nope")} {
		if p := h.query(r, bad); p.err != "item-not-found" {
			t.Errorf("%s: %+v, want item-not-found", bad, p)
		}
	}
}

// archiveStamps reads the delay stamps of the whole archive.
func archiveStamps(h *mamHarness, r SessionID) []string {
	var out []string
	for _, ev := range h.send(r, `<iq type='set' id='q'><query xmlns='urn:xmpp:mam:2'/></iq>`) {
		if d := ev.Stanza.FindElement("result/forwarded/delay"); d != nil {
			out = append(out, d.SelectAttrValue("stamp", ""))
		}
	}
	return out
}

// TestMAMBlockedNotArchived holds the rule in mod_mam's doc comment
// (XEP-0191 §3.3): a message bounced because its recipient blocked the
// sender is never archived, so no query returns it, even after the
// unblock; one from before the block is kept. The mutant
// mam-archives-blocked breaks exactly this.
func TestMAMBlockedNotArchived(t *testing.T) {
	run := func(mutants []string) []string {
		h := newMAMHarness(t, Options{Mutants: mutants})
		j, r := h.bind("juliet"), h.bind("romeo")
		h.send(j, `<iq type='set' id='p'><prefs xmlns='urn:xmpp:mam:2' default='always'/></iq>`)
		h.send(j, `<presence/>`)
		h.send(r, `<message to='juliet@localhost' type='chat' id='before'><body>x</body></message>`)
		h.send(j, `<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='romeo@localhost'/></block></iq>`)
		evs := h.send(r, `<message to='juliet@localhost' type='chat' id='blocked'><body>x</body></message>`)
		for _, ev := range evs {
			if ev.Kind == Deliver && ev.Session == j {
				t.Errorf("mutants %v: the blocked message reached juliet: %s", mutants, Canonical(ev.Stanza))
			}
		}
		h.send(j, `<iq type='set' id='u'><unblock xmlns='urn:xmpp:blocking'/></iq>`)
		return h.query(j, "").msgs
	}
	if got := run(nil); !slices.Equal(got, []string{"before"}) {
		t.Errorf("archive after the block: %v, want [before]", got)
	}
	if got := run([]string{"mam-archives-blocked"}); !slices.Equal(got, []string{"before", "blocked"}) {
		t.Errorf("mutant mam-archives-blocked: archive %v, want the blocked message in it", got)
	}
}

// TestMAMSurvivesRestart: preferences and archive are persistent state
// (Prosody's archive and archive_prefs stores): after a restart a query
// returns the same items with the same ids and stamps, and the stored
// default still archives new messages; without storage nothing is kept.
func TestMAMSurvivesRestart(t *testing.T) {
	h := newMAMHarness(t, Options{Storage: &MemStorage{}})
	r, ids := archiveFive(h)
	stamps := archiveStamps(h, r)
	h.srv.Restart()
	r = h.bind("romeo")
	if got := h.query(r, ""); !slices.Equal(got.ids, ids) {
		t.Errorf("after restart: ids %v, want %v", got.ids, ids)
	}
	if got := archiveStamps(h, r); !slices.Equal(got, stamps) {
		t.Errorf("after restart: stamps %v, want %v", got, stamps)
	}
	h.send(r, `<message to='juliet@localhost' type='chat' id='m6'><body>x</body></message>`)
	if n := h.srv.ArchiveCount("romeo@localhost"); n != 6 {
		t.Errorf("archive holds %d after a new message, want 6", n)
	}

	h = newMAMHarness(t, Options{})
	archiveFive(h)
	h.srv.Restart()
	if n := h.srv.ArchiveCount("romeo@localhost"); n != 0 {
		t.Errorf("without storage the archive kept %d", n)
	}
}

// TestMAMDeterministic: archive ids come from the seed and stamps from
// the clock: the same seed gives the same ids, another seed others.
func TestMAMDeterministic(t *testing.T) {
	ids := func(seed uint64) []string {
		h := newMAMHarness(t, Options{Seed: seed})
		_, id := archiveFive(h)
		return id
	}
	a, b, c := ids(1), ids(1), ids(2)
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Errorf("seed 1: %v and %v; seed 2: %v", a, b, c)
	}
	for _, id := range a {
		if len(id) != 24 {
			t.Errorf("id %q: util.id.medium is 24 characters", id)
		}
	}
	h := newMAMHarness(t, Options{})
	r, _ := archiveFive(h)
	// Stamps come from the clock, which steps a second at every reading.
	st := archiveStamps(h, r)
	for i := 1; i < len(st); i++ {
		if st[i] <= st[i-1] {
			t.Errorf("stamps not increasing: %v", st)
		}
	}
}

// TestMAMOffKeepsToday: without Archive, mod_mam archives nothing, adds
// no stanza-id and leaves MAM iqs unanswered (service-unavailable), as
// before archiving was modelled.
func TestMAMOffKeepsToday(t *testing.T) {
	trunk := ProsodyTrunk() // archives nothing (the default, prosody-13, does)
	srv := New(Options{Profile: &trunk})
	h := &mamHarness{t: t, srv: srv}
	j, r := h.bind("juliet"), h.bind("romeo")
	for _, ev := range h.send(j, `<iq type='set' id='p'><prefs xmlns='urn:xmpp:mam:2' default='always'/></iq>`) {
		if ev.Stanza.FindElement("error/service-unavailable") == nil {
			t.Errorf("prefs answered: %s", Canonical(ev.Stanza))
		}
	}
	h.send(j, `<presence/>`)
	for _, ev := range h.send(r, `<message to='juliet@localhost' type='chat' id='m'><body>x</body></message>`) {
		if ev.Stanza.FindElement("stanza-id") != nil {
			t.Errorf("stanza-id added: %s", Canonical(ev.Stanza))
		}
	}
	if n := srv.ArchiveCount("juliet@localhost"); n != 0 {
		t.Errorf("archived %d", n)
	}
}

// TestMAMQuota: the memory store holds at most 1000 items per account;
// mod_mam then drops what is older than a week (archive_expires_after),
// else keeps the newest 990 (storage_archive_item_limit * 0.99) before
// appending.
func TestMAMQuota(t *testing.T) {
	old := Epoch.Add(-30 * 24 * time.Hour)
	mk := func(n int, at time.Time) []mamItem {
		a := make([]mamItem, n)
		for i := range a {
			a[i] = mamItem{id: strconv.Itoa(i), when: at.Add(time.Duration(i) * time.Second)}
		}
		return a
	}
	// 1000 recent items: truncated to the newest 990.
	got := makeRoom(mk(1000, Epoch), Epoch.Add(time.Hour))
	if len(got) != 990 || got[0].id != "10" || got[989].id != "999" {
		t.Errorf("recent archive: %d items from %s", len(got), got[0].id)
	}
	// 10 expired items then 990 recent ones: only the expired go.
	a := append(mk(10, old), mk(990, Epoch)...)
	got = makeRoom(a, Epoch.Add(time.Hour))
	if len(got) != 990 || got[0].when != Epoch {
		t.Errorf("with expired items: %d items, first at %v", len(got), got[0].when)
	}
	// Through the server: the 1001st message leaves 991 items.
	h := newMAMHarness(t, Options{})
	r := h.bind("romeo")
	h.send(r, `<iq type='set' id='p'><prefs xmlns='urn:xmpp:mam:2' default='always'/></iq>`)
	for i := 0; i <= archiveItemLimit; i++ {
		h.send(r, `<message to='juliet@localhost' type='chat'><body>x</body></message>`)
	}
	if n := h.srv.ArchiveCount("romeo@localhost"); n != 991 {
		t.Errorf("after 1001 messages the archive holds %d, want 991", n)
	}
}

// TestMAMWithoutOffline: with mod_offline disabled, a message to an
// account without a session that MAM archived is not bounced (mod_mam's
// message/offline/handle); one it did not archive is
// (service-unavailable, §5.5).
func TestMAMWithoutOffline(t *testing.T) {
	p := ProsodyTrunk()
	p.Archive, p.SmartEnable = true, true
	p.Modules = slices.DeleteFunc(DefaultModules(), func(n string) bool { return n == "offline" })
	h := &mamHarness{t: t, srv: New(Options{Profile: &p, Clock: &stepClock{t: Epoch}})}
	j := h.bind("juliet")
	h.send(j, `<iq type='set' id='p'><prefs xmlns='urn:xmpp:mam:2' default='always'><never><jid>tybalt@localhost</jid></never></prefs></iq>`)
	h.srv.Close(j, false)
	for _, tc := range []struct {
		from    string
		bounced bool
	}{{"romeo", false}, {"tybalt", true}} {
		s := h.bind(tc.from)
		bounced := false
		for _, ev := range h.send(s, `<message to='juliet@localhost' type='chat' id='m'><body>x</body></message>`) {
			if ev.Kind == Deliver && ev.Session == s && ev.Stanza.FindElement("error/service-unavailable") != nil {
				bounced = true
			}
		}
		if bounced != tc.bounced {
			t.Errorf("message from %s: bounced %v, want %v", tc.from, bounced, tc.bounced)
		}
	}
	if n := h.srv.ArchiveCount("juliet@localhost"); n != 1 {
		t.Errorf("juliet's archive holds %d, want 1", n)
	}
}

// TestMAMStampPrecision: 13.0.1 stamps archived messages with
// microseconds (2026-12-07T05:11:46.724133Z on the real server), 0.12.3
// with whole seconds (2026-12-07T05:15:45Z); a whole second is written
// without a fraction by both (util.datetime).
func TestMAMStampPrecision(t *testing.T) {
	for _, tc := range []struct {
		whole bool
		at    time.Duration
		want  string
	}{
		{false, 1500 * time.Millisecond, "2008-08-22T21:09:05.500000Z"},
		{true, 1500 * time.Millisecond, "2008-08-22T21:09:05Z"},
		{false, time.Second, "2008-08-22T21:09:05Z"},
	} {
		p := ProsodyTrunk()
		p.Archive, p.SmartEnable, p.WholeSecondStamps = true, true, tc.whole
		h := &mamHarness{t: t, srv: New(Options{Profile: &p, Clock: FixedClock(Epoch.Add(tc.at))})}
		r := h.bind("romeo")
		h.send(r, `<iq type='set' id='p'><prefs xmlns='urn:xmpp:mam:2' default='always'/></iq>`)
		h.send(r, `<message to='juliet@localhost' type='chat'><body>x</body></message>`)
		if got := archiveStamps(h, r); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("whole seconds %v at +%v: stamps %v, want %s", tc.whole, tc.at, got, tc.want)
		}
	}
}

// TestMAMBlockedOffline: the rule holds for an offline recipient too: the
// blocked sender's message is bounced, neither stored offline nor
// archived (XEP-0191 §3.3: it is never delivered, not even later).
func TestMAMBlockedOffline(t *testing.T) {
	h := newMAMHarness(t, Options{})
	j := h.bind("juliet")
	h.send(j, `<iq type='set' id='p'><prefs xmlns='urn:xmpp:mam:2' default='always'/></iq>`)
	h.send(j, `<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='romeo@localhost'/></block></iq>`)
	h.srv.Close(j, false)
	r, n := h.bind("romeo"), h.bind("nurse")
	h.send(r, `<message to='juliet@localhost' type='chat' id='blocked'><body>x</body></message>`)
	h.send(n, `<message to='juliet@localhost' type='chat' id='kept'><body>x</body></message>`)
	a := h.srv.Archive("juliet@localhost")
	if len(a) != 1 || a[0].With != "nurse@localhost" || a[0].Stanza.SelectAttrValue("id", "") != "kept" {
		t.Errorf("juliet's archive: %+v, want only nurse's message", a)
	}
	if n := h.srv.OfflineCount("juliet@localhost"); n != 1 {
		t.Errorf("offline store holds %d, want 1 (nurse's)", n)
	}
}
