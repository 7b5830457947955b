package model_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
)

func element(t *testing.T, src string) *etree.Element {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromString(src); err != nil {
		t.Fatal(err)
	}
	return d.Root()
}

// TestHostsKeepTheirOwnAccounts: two hosts of one process have accounts
// of their own (romeo@a and romeo@b are two users), number sessions in
// one sequence, keep each its records in the shared storage across a
// restart, and refuse a bind at a domain they do not serve.
func TestHostsKeepTheirOwnAccounts(t *testing.T) {
	store := &model.MemStorage{}
	h, err := model.NewHosts(model.Options{Host: "a.example", Storage: store}, "B.Example")
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Domains(); !slices.Equal(got, []string{"a.example", "b.example"}) {
		t.Fatalf("Domains() = %v", got)
	}
	ida, ja, _, err := h.Bind("romeo", "r")
	if err != nil || ja.String() != "romeo@a.example/r" {
		t.Fatalf("bind romeo: %v %v", ja, err)
	}
	idb, jb, _, err := h.Bind("romeo@b.example", "r")
	if err != nil || jb.String() != "romeo@b.example/r" {
		t.Fatalf("bind romeo@b.example: %v %v", jb, err)
	}
	if ida != 1 || idb != 2 {
		t.Errorf("session ids %d, %d: want 1, 2 (one numbering for the process)", ida, idb)
	}
	evs := h.Process(idb, element(t, `<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='a.example'/></block></iq>`))
	if len(evs) == 0 || evs[0].Kind != model.Deliver || evs[0].To != jb {
		t.Fatalf("block: events %v", evs)
	}
	if _, _, _, err := h.Bind("romeo@c.example", ""); err == nil || !strings.Contains(err.Error(), "c.example") {
		t.Errorf("bind at an unknown host: err = %v", err)
	}
	closed := 0
	for _, ev := range h.Restart() {
		if ev.Kind == model.Closed {
			closed++
		}
	}
	if closed != 2 {
		t.Errorf("restart closed %d sessions, want 2", closed)
	}
	if bl := h.Host("b.example").Blocklist("romeo"); !slices.Equal(bl, []string{"a.example"}) {
		t.Errorf("romeo@b.example's blocklist after restart = %v", bl)
	}
	if bl := h.Host("a.example").Blocklist("romeo"); len(bl) != 0 {
		t.Errorf("romeo@a.example's blocklist = %v, want empty (another account)", bl)
	}
	if _, err := model.NewHosts(model.Options{Host: "a.example"}, "conference.a.example"); err == nil {
		t.Error("a host at a component's domain was accepted")
	}
}

// TestOneHostIsAServer: a Hosts with one host gives the events a Server
// gives for the same calls.
func TestOneHostIsAServer(t *testing.T) {
	type backend interface {
		Bind(user, resource string) (model.SessionID, model.JID, []model.Event, error)
		Process(id model.SessionID, st *etree.Element) []model.Event
	}
	calls := func(b backend) []string {
		var out []string
		b.Bind("juliet", "")
		id, _, _, _ := b.Bind("romeo", "")
		evs := b.Process(id, element(t, `<presence/>`))
		evs = append(evs, b.Process(id, element(t, `<message to='juliet@localhost' type='chat'><body>hi</body></message>`))...)
		for _, ev := range evs {
			out = append(out, ev.Kind.String()+" "+ev.To.String()+" "+ev.Stanza.Tag)
		}
		return out
	}
	h, err := model.NewHosts(model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := calls(model.New(model.Options{})), calls(h); !slices.Equal(a, b) || len(a) == 0 {
		t.Errorf("Server: %v\nHosts:  %v", a, b)
	}
}
