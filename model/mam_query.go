package model

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// This file is mod_mam's archive queries (XEP-0313 §4, the extended
// features of §6 and XEP-0059 paging), with the paging of Prosody's
// memory store (mod_storage_memory's archive find).

const (
	mamDefaultMax = 20 // results without RSM max
	mamMaxMax     = 50 // max_archive_query_results
)

// optString is a string that may be absent (a Lua nil).
type optString struct {
	v  string
	ok bool
}

// mamFind is one archive:find.
type mamFind struct {
	with       optString
	start, end *time.Time
	ids        []string
	hasIDs     bool
	before     optString
	after      optString
	reverse    bool
	limit      int
	hasLimit   bool
}

// mamQueryForm answers the query form request (iq-get query).
func mamQueryForm(e *HookEvent) bool {
	s, sess := e.s, e.origin.sess
	if sess == nil {
		return false
	}
	s.prefsFor(sess.user, true)
	r := reply(e.stanza)
	q := newNS(r, "query", nsMAM)
	x := newNS(q, "x", nsData)
	x.CreateAttr("type", "form")
	field := func(v, t string) *etree.Element {
		f := x.CreateElement("field")
		f.CreateAttr("var", v)
		f.CreateAttr("type", t)
		return f
	}
	field("FORM_TYPE", "hidden").CreateElement("value").SetText(nsMAM)
	field("with", "jid-single")
	for _, v := range []string{"start", "end"} {
		val := newNS(field(v, "text-single"), "validate", "http://jabber.org/protocol/xdata-validate")
		val.CreateAttr("datatype", "xs:dateTime")
	}
	field("before-id", "text-single")
	field("after-id", "text-single")
	field("ids", "list-multi")
	s.deliver(sess, r, "result")
	return true
}

// mamQuery runs an archive query on the user's archive (iq-set query).
func mamQuery(e *HookEvent) bool {
	s, sess := e.s, e.origin.sess
	if sess == nil {
		return false
	}
	sess.mamRequested = true
	s.prefsFor(sess.user, true)
	s.runMAMQuery(e.stanza, e.query, &sess.user.archive, func(st *etree.Element, reason string) {
		s.deliver(sess, st, reason)
	})
	return true
}

// runMAMQuery answers the query q of the iq st over archive a: the
// results, then the iq result with <fin/>, or an error, each passed to
// send with its Event reason ("mam", "result", "error"). It is the part
// of a query an archive of another owner shares (muc_mam's room archive
// answers the same queries: build a mamArchive per room, append with
// mamArchive.add, answer with runMAMQuery, sending from the room).
func (s *Server) runMAMQuery(st, q *etree.Element, a *mamArchive, send func(st *etree.Element, reason string)) {
	var f mamFind
	var qbefore, qafter optString
	if x := child(q, "x", nsData); x != nil {
		if ft, _ := formField(x, "FORM_TYPE"); ft.v != nsMAM {
			send(errorReply(st, "modify", "bad-request", "Unexpected FORM_TYPE, expected '"+nsMAM+"'", nil), "error")
			return
		}
		var errText string
		fail := func(t string) {
			if errText == "" {
				errText = t
			}
		}
		if v, _ := formField(x, "with"); v.ok {
			if j, err := ParseJID(v.v); err != nil {
				fail("Invalid JID: " + v.v)
			} else {
				f.with = optString{j.Bare().String(), true}
			}
		}
		for _, b := range []struct {
			name string
			to   **time.Time
		}{{"start", &f.start}, {"end", &f.end}} {
			if v, _ := formField(x, b.name); v.ok {
				t, ok := parseXSDateTime(v.v)
				if !ok {
					fail("invalid timestamp")
					continue
				}
				if s.prof.WholeSecondStamps {
					t = t.Truncate(time.Second)
				}
				*b.to = &t
			}
		}
		if errText != "" {
			send(errorReply(st, "modify", "bad-request", errText, nil), "error")
			return
		}
		qbefore, _ = formField(x, "before-id")
		qafter, _ = formField(x, "after-id")
		if fl := formFieldElement(x, "ids"); fl != nil {
			f.hasIDs = true
			for _, v := range childElements(fl) {
				if v.Tag == "value" && ns(v) == nsData {
					f.ids = append(f.ids, v.Text())
				}
			}
		}
	}
	// RSM (util.rsm.get: a <set/> without children is no set).
	qmax := mamDefaultMax
	var rsmBefore, rsmAfter optString
	rsmSet := false
	if set := child(q, "set", nsRSM); set != nil && countChildElements(set) > 0 {
		rsmSet = true
		for _, c := range childElements(set) {
			switch c.Tag {
			case "max":
				if n, err := strconv.Atoi(strings.TrimSpace(c.Text())); err == nil {
					qmax = n
				}
			case "before":
				rsmBefore = optString{c.Text(), true}
			case "after":
				rsmAfter = optString{c.Text(), true}
			}
		}
	}
	qmax = min(qmax, mamMaxMax)
	f.reverse = rsmSet && rsmBefore.ok
	switch {
	case rsmBefore.ok && rsmBefore.v != "":
		f.before = rsmBefore
	case rsmBefore.ok: // <before/>: the last page, no before id
	default:
		f.before = qbefore
	}
	f.after = qafter
	if rsmAfter.ok {
		f.after = rsmAfter
	}
	f.hasLimit = true
	if qmax != 0 {
		f.limit = qmax + 1
	}
	flip := f.reverse
	if child(q, "flip-page", nsMAM) != nil {
		flip = !flip
	}
	items, total, ok := a.find(&f)
	if !ok {
		send(errorReply(st, "modify", "item-not-found", "", nil), "error")
		return
	}
	qid := attrOr(q, "queryid")
	var results []*etree.Element
	var first, last string
	complete := true
	for i, it := range items {
		if i+1 > qmax {
			complete = false
			break
		}
		m := newStanza("message", "to", attrOr(st, "from"), "from", attrOr(st, "to"))
		res := newNS(m, "result", nsMAM)
		if qid != "" {
			res.CreateAttr("queryid", qid)
		}
		res.CreateAttr("id", it.id)
		fwd := newNS(res, "forwarded", nsForward)
		newNS(fwd, "delay", nsDelay).CreateAttr("stamp", s.archiveStamp(it.when))
		cp := it.st.Copy()
		cp.CreateAttr("xmlns", nsClient)
		fwd.AddChild(cp)
		if first == "" {
			first = it.id
		}
		last = it.id
		results = append(results, m)
	}
	if flip {
		slices.Reverse(results)
	}
	for _, m := range results {
		send(m, "mam")
	}
	if f.reverse {
		first, last = last, first
	}
	r := reply(st)
	fin := newNS(r, "fin", nsMAM)
	if complete {
		fin.CreateAttr("complete", "true")
	}
	set := newNS(fin, "set", nsRSM)
	if first != "" {
		set.CreateElement("first").SetText(first)
	}
	if last != "" {
		set.CreateElement("last").SetText(last)
	}
	set.CreateElement("count").SetText(strconv.Itoa(total))
	send(r, "result")
}

// find is the memory store's archive find: filter by ids, with,
// start and end (total counts what is left), then page. ok is false for
// item-not-found: a before or after id that is not there when paging
// starts from it, or any before or after on an empty archive.
func (a *mamArchive) find(f *mamFind) (items []mamItem, total int, ok bool) {
	if len(a.items) == 0 {
		if f.before.ok || f.after.ok {
			return nil, 0, false
		}
		return nil, 0, true
	}
	for _, it := range a.items {
		if f.hasIDs && !slices.Contains(f.ids, it.id) ||
			f.with.ok && it.with != f.with.v ||
			f.start != nil && it.when.Before(*f.start) ||
			f.end != nil && it.when.After(*f.end) {
			continue
		}
		items = append(items, it)
	}
	total = len(items)
	indexOf := func(id string) int {
		return slices.IndexFunc(items, func(it mamItem) bool { return it.id == id })
	}
	from := 0 // index of the first item returned
	var stop optString
	switch {
	case f.reverse:
		slices.Reverse(items)
		if f.before.ok {
			i := indexOf(f.before.v)
			if i < 0 {
				return nil, total, false
			}
			from = i + 1
		}
		stop = f.after
	case f.after.ok:
		i := indexOf(f.after.v)
		if i < 0 {
			return nil, total, false
		}
		from = i + 1
		stop = f.before
	case f.before.ok:
		stop = f.before
	}
	items = items[from:]
	if f.hasLimit && f.limit >= 0 && len(items) > f.limit {
		items = items[:f.limit]
	}
	if stop.ok {
		if i := slices.IndexFunc(items, func(it mamItem) bool { return it.id == stop.v }); i >= 0 {
			items = items[:i]
		}
	}
	return items, total, true
}

// mamMetadata answers the archive metadata request: the first and last
// archived items.
func mamMetadata(e *HookEvent) bool {
	s, sess := e.s, e.origin.sess
	if sess == nil {
		return false
	}
	r := reply(e.stanza)
	md := newNS(r, "metadata", nsMAM)
	if a := sess.user.archive.items; len(a) > 0 {
		for _, x := range []struct {
			tag string
			it  mamItem
		}{{"start", a[0]}, {"end", a[len(a)-1]}} {
			el := md.CreateElement(x.tag)
			el.CreateAttr("id", x.it.id)
			el.CreateAttr("timestamp", s.archiveStamp(x.it.when))
		}
	}
	s.deliver(sess, r, "result")
	return true
}

// archiveStamp is util.datetime.datetime: microseconds only when the
// time has a fraction.
func (s *Server) archiveStamp(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format(stampFormat)
	}
	return t.Format("2006-01-02T15:04:05.000000Z")
}

// parseXSDateTime reads an xs:dateTime as util.datetime.parse does: an
// optional fraction, a zone of Z, ±hh:mm, or none (UTC).
func parseXSDateTime(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999-0700"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// formField returns the first <value/> text of the data form field var
// (absent when the field or its value is).
func formField(x *etree.Element, v string) (optString, bool) {
	f := formFieldElement(x, v)
	if f == nil {
		return optString{}, false
	}
	if val := child(f, "value", nsData); val != nil {
		return optString{val.Text(), true}, true
	}
	return optString{}, true
}

func formFieldElement(x *etree.Element, v string) *etree.Element {
	for _, f := range childElements(x) {
		if f.Tag == "field" && ns(f) == nsData && attrOr(f, "var") == v {
			return f
		}
	}
	return nil
}
