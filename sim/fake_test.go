package sim_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/sim"
)

// relay is a tiny deterministic Backend for testing the simulation without
// the real model. It understands:
//
//	<message to='full-jid'>     relayed to that session, from stamped;
//	                            unknown target: an error back to the sender
//	<drop/>                     a server Drop (reason "test-drop")
//	<store to='bare'/>          a server Store for that bare JID
//	<kick/>                     stream error + server close of the sender
//	<offline/>                  a flush-tagged delivery back to the sender
//	<shout/>                    one element delivered to every session
//
// Binding a full JID already bound replaces the older session with a
// conflict, as Prosody does. Closing a session tells every other session
// with a <gone/> stanza.
type relay struct {
	host   string
	nextID model.SessionID
	byID   map[model.SessionID]model.JID
	byFull map[model.JID]model.SessionID

	// log records every call in order, for FIFO assertions, unless nolog
	// (benchmarks) is set.
	log   []string
	nolog bool
}

var _ sim.Backend = (*relay)(nil)

func newRelay() *relay {
	return &relay{
		host:   "localhost",
		byID:   map[model.SessionID]model.JID{},
		byFull: map[model.JID]model.SessionID{},
	}
}

// ids returns the live session ids sorted, so fan-out is deterministic.
func (r *relay) ids() []model.SessionID {
	ids := make([]model.SessionID, 0, len(r.byID))
	for id := range r.byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (r *relay) Bind(user, resource string) (model.SessionID, model.JID, []model.Event, error) {
	if user == "" || strings.ContainsAny(user, "@/") {
		return 0, model.JID{}, nil, errors.New("not-authorized")
	}
	r.nextID++
	id := r.nextID
	if resource == "" {
		resource = fmt.Sprintf("gen%d", id)
	}
	jid, err := model.ParseJID(user + "@" + r.host + "/" + resource)
	if err != nil {
		return 0, model.JID{}, nil, err
	}
	var evs []model.Event
	if old, ok := r.byFull[jid]; ok {
		se := etree.NewElement("stream:error")
		se.CreateElement("conflict")
		evs = append(evs,
			model.Event{Kind: model.StreamError, Session: old, To: jid, Stanza: se},
			model.Event{Kind: model.Closed, Session: old, To: jid, Reason: "conflict"})
		delete(r.byID, old)
		evs = append(evs, r.gone(jid)...)
	}
	r.byID[id] = jid
	r.byFull[jid] = id
	r.log = append(r.log, fmt.Sprintf("bind %d %s", id, jid))
	return id, jid, evs, nil
}

func (r *relay) gone(jid model.JID) []model.Event {
	var evs []model.Event
	for _, id := range r.ids() {
		g := etree.NewElement("gone")
		g.CreateAttr("jid", jid.String())
		evs = append(evs, model.Event{Kind: model.Deliver, Session: id, To: r.byID[id], Stanza: g})
	}
	return evs
}

func (r *relay) Process(id model.SessionID, st *etree.Element) []model.Event {
	from, ok := r.byID[id]
	if !ok {
		panic(fmt.Sprintf("relay: Process on dead session %d", id))
	}
	if !r.nolog {
		r.log = append(r.log, fmt.Sprintf("process %d %s", id, model.Canonical(st)))
	}
	switch st.Tag {
	case "drop":
		return []model.Event{{Kind: model.Drop, To: from, Stanza: st, Reason: "test-drop"}}
	case "store":
		to, _ := model.ParseJID(st.SelectAttrValue("to", ""))
		return []model.Event{{Kind: model.Store, To: to, Stanza: st}}
	case "kick":
		se := etree.NewElement("stream:error")
		se.CreateElement("policy-violation")
		delete(r.byID, id)
		delete(r.byFull, from)
		return []model.Event{
			{Kind: model.StreamError, Session: id, To: from, Stanza: se},
			{Kind: model.Closed, Session: id, To: from, Reason: "policy-violation"},
		}
	case "offline":
		return []model.Event{{Kind: model.Deliver, Session: id, To: from, Stanza: st, Reason: "offline"}}
	case "shout":
		var evs []model.Event
		for _, sid := range r.ids() {
			evs = append(evs, model.Event{Kind: model.Deliver, Session: sid, To: r.byID[sid], Stanza: st})
		}
		return evs
	case "message":
		st.RemoveAttr("from")
		st.CreateAttr("from", from.String())
		to, err := model.ParseJID(st.SelectAttrValue("to", ""))
		if sid, ok := r.byFull[to]; err == nil && ok {
			return []model.Event{{Kind: model.Deliver, Session: sid, To: to, Stanza: st}}
		}
		e := etree.NewElement("message")
		e.CreateAttr("type", "error")
		e.CreateAttr("to", from.String())
		e.CreateElement("error").CreateElement("item-not-found")
		return []model.Event{{Kind: model.Deliver, Session: id, To: from, Stanza: e, Reason: "error"}}
	}
	return nil
}

func (r *relay) Close(id model.SessionID, abrupt bool) []model.Event {
	jid, ok := r.byID[id]
	if !ok {
		panic(fmt.Sprintf("relay: Close on dead session %d", id))
	}
	r.log = append(r.log, fmt.Sprintf("close %d abrupt=%v", id, abrupt))
	delete(r.byID, id)
	delete(r.byFull, jid)
	evs := []model.Event{{Kind: model.Closed, Session: id, To: jid}}
	return append(evs, r.gone(jid)...)
}

// msg builds <message to='to'><body>body</body></message>.
func msg(to model.JID, body string) *etree.Element {
	m := etree.NewElement("message")
	m.CreateAttr("to", to.String())
	m.CreateElement("body").SetText(body)
	return m
}

func el(tag string) *etree.Element { return etree.NewElement(tag) }

// bodies returns the message bodies in rs, in order.
func bodies(rs []sim.Received) []string {
	var out []string
	for _, r := range rs {
		if r.Stanza.Tag == "message" {
			if b := r.Stanza.SelectElement("body"); b != nil {
				out = append(out, b.Text())
			}
		}
	}
	return out
}
