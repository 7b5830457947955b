package model_test

import (
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
)

// harness drives a model server directly: named sessions, stanzas as XML
// text, and per-session inboxes of canonical stanzas.
type harness struct {
	t     *testing.T
	srv   *model.Server
	ids   map[string]model.SessionID
	jids  map[string]model.JID
	names map[model.SessionID]string
	inbox map[string][]*etree.Element
	drops []model.Event
}

func newHarness(t *testing.T, prof *model.Profile) *harness {
	t.Helper()
	return &harness{
		t:     t,
		srv:   model.New(model.Options{Profile: prof}),
		ids:   map[string]model.SessionID{},
		jids:  map[string]model.JID{},
		names: map[model.SessionID]string{},
		inbox: map[string][]*etree.Element{},
	}
}

func (h *harness) record(evs []model.Event) {
	for _, ev := range evs {
		switch ev.Kind {
		case model.Deliver:
			name := h.names[ev.Session]
			h.inbox[name] = append(h.inbox[name], ev.Stanza)
		case model.Drop:
			h.drops = append(h.drops, ev)
		}
	}
}

func (h *harness) bind(name, user, resource string) model.JID {
	h.t.Helper()
	id, j, evs, err := h.srv.Bind(user, resource)
	if err != nil {
		h.t.Fatalf("bind %s: %v", name, err)
	}
	h.ids[name], h.jids[name], h.names[id] = id, j, name
	h.record(evs)
	return j
}

func (h *harness) send(name, xml string) {
	h.t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		h.t.Fatalf("bad test XML %q: %v", xml, err)
	}
	h.record(h.srv.Process(h.ids[name], doc.Root()))
}

func (h *harness) close(name string, abrupt bool) {
	h.record(h.srv.Close(h.ids[name], abrupt))
}

// take returns and clears the canonical stanzas session name received.
func (h *harness) take(name string) []string {
	var out []string
	for _, el := range h.inbox[name] {
		out = append(out, model.Canonical(el))
	}
	h.inbox[name] = nil
	return out
}

// count returns how many stanzas name received matching pred, and clears.
func (h *harness) takeCount(name string, pred func(*etree.Element) bool) int {
	n := 0
	for _, el := range h.inbox[name] {
		if pred(el) {
			n++
		}
	}
	h.inbox[name] = nil
	return n
}

func isRosterPush(el *etree.Element) bool {
	if el.Tag != "iq" || el.SelectAttrValue("type", "") != "set" {
		return false
	}
	q := el.SelectElement("query")
	return q != nil && q.SelectAttrValue("xmlns", "") == "jabber:iq:roster"
}
