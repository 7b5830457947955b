package model

import (
	"time"

	"github.com/beevik/etree"
)

// This file is mod_muc_mam: the room's archive (XEP-0313 on a MUC
// service), as 13.0.1 runs it over memory storage. Archiving is on by
// default (muc_log_by_default) and per room (muc#roomconfig_
// enablearchiving); a historic groupchat message is appended and the
// broadcast copy gets <stanza-id by=room/>; in a non-anonymous room the
// stored copy carries the sender's real JID, and results are stripped of
// it when the room is (now) semi-anonymous. Queries use the account
// archive's paging (runMAMQuery). Differences: Prosody ignores a query's
// `with` field on a room (it filters on the stanza type only); the model
// stores no peer, so a `with` matches nothing.

// archiveMessage is save_to_history.
func (r *mucRoom) archiveMessage(s *Server, msg *etree.Element) {
	stored := msg
	if r.cfg.whois == "anyone" {
		stored = msg.Copy()
		removeAttr(stored, "to")
		if o := r.occupant(attrOr(msg, "from")); o != nil {
			actor := bareOf(o.primary)
			aff := r.affiliation(actor)
			role := o.role
			x := newNS(stored, "x", nsMUCUser)
			addMUCItem(x, aff, role, actor, "", "", "", "", false)
		}
	}
	if !r.cfg.archiving {
		return
	}
	id := r.archive.add(s, s.now(), "", stored.Copy())
	sid := newNS(msg, "stanza-id", nsStanzaSID)
	sid.CreateAttr("by", r.jid)
	sid.CreateAttr("id", id)
}

// historyFromArchive is muc_mam's muc-get-history: when archiving, and the
// in-memory history holds fewer messages than asked, the history comes
// from the archive, each message with a delay and its stanza-id. ok is
// false when the in-memory history is to answer.
func (r *mucRoom) historyFromArchive(s *Server, to string, maxChars, maxStanzas int, since *time.Time) ([]*etree.Element, bool) {
	if !r.cfg.archiving || maxStanzas == 0 || maxChars == 0 {
		return nil, false
	}
	if maxStanzas < 0 || maxStanzas > r.cfg.historyLength {
		maxStanzas = r.cfg.historyLength
	}
	if len(r.history) >= maxStanzas {
		return nil, false
	}
	f := mamFind{reverse: true, limit: maxStanzas, hasLimit: true, start: since}
	items, _, _ := r.archive.find(&f)
	var out []*etree.Element
	for _, it := range items {
		m := it.st.Copy()
		m.CreateAttr("to", to)
		d := newNS(m, "delay", nsDelay)
		d.CreateAttr("from", r.jid)
		d.CreateAttr("stamp", s.archiveStamp(it.when))
		sid := newNS(m, "stanza-id", nsStanzaSID)
		sid.CreateAttr("by", r.jid)
		sid.CreateAttr("id", it.id)
		if r.cfg.whois != "anyone" {
			stripMUCUserX(m)
		}
		if maxChars > 0 {
			n := len(Canonical(m))
			if maxChars-n < 0 {
				break
			}
			maxChars -= n
		}
		out = append(out, m)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, true
}

func stripMUCUserX(m *etree.Element) {
	for _, k := range childElements(m) {
		if k.Tag == "x" && ns(k) == nsMUCUser {
			m.RemoveChild(k)
		}
	}
}

// mamIQ answers MAM on the room: the query form, and queries from those
// who may join (not outcasts; members in a members-only room).
func (r *mucRoom) mamIQ(e *HookEvent) {
	s, st := e.s, e.stanza
	q := firstChildElement(st)
	if attrOr(st, "type") == "get" {
		rep := reply(st)
		rq := newNS(rep, "query", nsMAM)
		x := newNS(rq, "x", nsData)
		x.CreateAttr("type", "form")
		for _, fd := range [][2]string{{"FORM_TYPE", "hidden"}, {"with", "jid-single"}, {"start", "text-single"},
			{"end", "text-single"}, {"before-id", "text-single"}, {"after-id", "text-single"}, {"ids", "list-multi"}} {
			f := x.CreateElement("field")
			f.CreateAttr("type", fd[1])
			f.CreateAttr("var", fd[0])
			if fd[0] == "FORM_TYPE" {
				f.CreateElement("value").SetText(nsMAM)
			}
		}
		e.send(rep, "result")
		return
	}
	aff := r.affiliation(bareOf(attrOr(st, "from")))
	if aff == "outcast" || r.cfg.membersOnly && aff == "" {
		e.send(errorReply(st, "auth", "forbidden", "", nil), "error")
		return
	}
	a := &r.archive
	if r.cfg.whois != "anyone" {
		c := mamArchive{items: make([]mamItem, len(a.items))}
		for i, it := range a.items {
			it.st = it.st.Copy()
			stripMUCUserX(it.st)
			c.items[i] = it
		}
		a = &c
	}
	s.runMAMQuery(st, q, a, func(m *etree.Element, reason string) { e.send(m, reason) })
}
