package model

import (
	"strconv"
	"time"

	"github.com/beevik/etree"
)

// This file is the room's subject (XEP-0045 §8.1, subject.lib) and its
// discussion history (§7.2.15, history.lib, with muc_mam's archive
// serving it as 13.0.1 does when the in-memory history is shorter than
// what is asked).

// mucHistoryEntry is one message of the in-memory history: the message
// as broadcast (with its stanza-id) plus the delay, and its time.
type mucHistoryEntry struct {
	st   *etree.Element
	when time.Time
}

// isHistoric is muc-message-is-historic: hints decide, else a body, an
// encrypted payload or a chat marker.
func isHistoric(st *etree.Element) bool {
	switch {
	case child(st, "no-store", "urn:xmpp:hints") != nil, child(st, "no-permanent-store", "urn:xmpp:hints") != nil:
		return false
	case child(st, "store", "urn:xmpp:hints") != nil, child(st, "body", nsClient) != nil,
		child(st, "encryption", "urn:xmpp:eme:0") != nil, childInNS(st, "urn:xmpp:chat-markers:0"):
		return true
	}
	return false
}

// addHistory is muc-add-history: muc_mam archives the message (and the
// live message gets the stanza-id), then history.lib keeps a copy with a
// delay, at most historyLength of them.
func (r *mucRoom) addHistory(s *Server, msg *etree.Element) {
	r.archiveMessage(s, msg)
	if r.cfg.historyLength == 0 {
		r.history = nil
		return
	}
	c := msg.Copy()
	removeAttr(c, "to")
	d := newNS(c, "delay", nsDelay)
	d.CreateAttr("from", r.jid)
	d.CreateAttr("stamp", s.stamp())
	r.history = append(r.history, mucHistoryEntry{st: c, when: s.now()})
	if n := len(r.history) - r.cfg.historyLength; n > 0 {
		r.history = append([]mucHistoryEntry(nil), r.history[n:]...)
	}
}

// sendHistory is send_history: the <history/> limits of the join (or
// the room's default number), answered from the archive when the
// in-memory history is shorter than asked (muc_mam's muc-get-history).
func (r *mucRoom) sendHistory(e *HookEvent, join *etree.Element, to string) {
	s := e.s
	maxChars, maxStanzas := -1, -1
	var since *time.Time
	if h := child(child(join, "x", nsMUC), "history", nsMUC); h != nil {
		if v, err := strconv.Atoi(attrOr(h, "maxchars")); err == nil {
			maxChars = v
		}
		if v, err := strconv.Atoi(attrOr(h, "maxstanzas")); err == nil {
			maxStanzas = v
		}
		if v, ok := attr(h, "since"); ok {
			if t, ok := parseXSDateTime(v); ok {
				since = &t
			}
		}
		if v, err := strconv.Atoi(attrOr(h, "seconds")); err == nil {
			t := s.now().Add(-time.Duration(v) * time.Second)
			if since == nil || t.After(*since) {
				since = &t
			}
		}
	}
	if maxChars < 0 && maxStanzas < 0 && since == nil {
		maxStanzas = r.cfg.defaultHistory
	}
	if msgs, ok := r.historyFromArchive(s, to, maxChars, maxStanzas, since); ok {
		for _, m := range msgs {
			s.sendFromRoom(e, m)
		}
		return
	}
	n, chars := 0, 0
	for i := len(r.history) - 1; i >= 0; i-- {
		h := r.history[i]
		if maxChars >= 0 {
			chars += len(Canonical(h.st)) + len(to)
			if chars > maxChars {
				break
			}
		}
		if since != nil && since.After(h.when) {
			break
		}
		if maxStanzas >= 0 && n+1 > maxStanzas {
			break
		}
		n++
	}
	for _, h := range r.history[len(r.history)-n:] {
		c := shareStanza(h.st)
		c.CreateAttr("to", to)
		s.sendFromRoom(e, c)
	}
}

// sendSubject is send_subject: the subject (empty when none) from whoever
// set it, with a delay when it was set.
func (r *mucRoom) sendSubject(e *HookEvent, to string) {
	from := r.subjectFrom
	if from == "" {
		from = r.jid
	}
	msg := newStanza("message", "from", from, "type", "groupchat")
	msg.CreateElement("subject").SetText(r.subject)
	msg.CreateAttr("to", to)
	if r.hasSubjectTime {
		d := newNS(msg, "delay", nsDelay)
		d.CreateAttr("from", r.jid)
		d.CreateAttr("stamp", r.subjectTime.UTC().Format(stampFormat))
	}
	e.s.sendFromRoom(e, msg)
}

// setSubject is set_subject: a change is broadcast (not kept in the
// history: it has no body).
func (r *mucRoom) setSubject(e *HookEvent, from, subject string) {
	if subject == r.subject && from == r.subjectFrom {
		return
	}
	r.subjectFrom, r.subject = from, subject
	r.subjectTime, r.hasSubjectTime = e.s.now(), true
	msg := newStanza("message", "from", from, "type", "groupchat")
	msg.CreateElement("subject").SetText(subject)
	r.broadcastMessage(e, msg)
}
