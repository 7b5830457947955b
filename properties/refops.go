package properties

import (
	"maps"
	"slices"
	"strconv"

	"github.com/scansim/scansim/stanza"
)

// clientSend is §1.1–§1.3 for a stanza session s wrote, then the handler
// of its kind.
//
// st is the stanza as the client sent it; what the server stamps on it
// (xml:lang, from, the prepared to) makes one derived value.
func (r *ref) clientSend(s *rSess, st stanza.Stanza) {
	var buf [8]stanza.Attr // WithAttrs copies the list
	attrs := append(buf[:0], st.Attrs()...)
	if _, ok := st.Attr("xml", "lang"); !ok {
		attrs = append(attrs, stanza.Attr{Space: "xml", Key: "lang", Value: "en"})
	}
	typ, _ := getAttr(attrs, "type")
	if typ == "error" && vFirst(st).IsZero() {
		return
	}
	attrs = putAttr(attrs, "from", s.full)
	toSelf := false
	if raw, ok := getAttr(attrs, "to"); ok {
		j, ok := prep(raw)
		if !ok {
			if typ != "error" && typ != "result" {
				e := errorReply(st.WithAttrs(attrs), "modify", "jid-malformed", "The destination address is invalid: "+raw, false)
				r.deliver(s, e)
			}
			return
		}
		attrs = putAttr(attrs, "to", j)
		if j == s.u.bare {
			attrs = dropAttr(attrs, "to")
			toSelf = true
		}
	} else {
		toSelf = true
	}
	st = st.WithAttrs(attrs)
	switch st.Tag() {
	case "presence":
		if !toSelf {
			r.postFromSession(s, st, false)
			return
		}
		t, hasType := vAttr(st, "type")
		if hasType && t != "unavailable" {
			r.deliver(s, errorReply(st, "modify", "bad-request", "Invalid presence type", false))
			return
		}
		st = r.hint(s, st)
		r.deliver(s, st) // reflection (§3.1 step 1)
		r.broadcast(s, st)
	case "message":
		r.clientMessage(s, st, toSelf)
	case "iq":
		r.clientIQ(s, st, toSelf)
	}
}

// clientMessage is §5 with §7.6/§7.7.
func (r *ref) clientMessage(s *rSess, st stanza.Stanza, toSelf bool) {
	typ := vAttrOr(st, "type")
	to, hasTo := vAttr(st, "to")
	if hasTo && r.blocked(s.u, to) {
		if typ != "error" {
			r.deliver(s, errorReply(st, "cancel", "not-acceptable", "You have blocked this JID", true))
		}
		return
	}
	node, _, res := splitJID(to)
	if hasTo && node == "" {
		if typ != "error" {
			r.deliver(s, errorReply(st, "cancel", "service-unavailable", "", false))
		}
		return
	}
	bare := s.u.bare
	if hasTo {
		bare = bareOf(to)
	}
	c := r.local(bare)
	if hasTo && r.blocked(c, s.full) {
		switch typ {
		case "chat", "normal", "":
			if res != "" && r.sessByFull(to) != nil {
				return // Prosody issue #690
			}
			if r.prof.BounceBlockedMessages {
				r.deliver(s, errorReply(st, "cancel", "service-unavailable", "", false))
			}
		}
		return
	}
	if res != "" {
		if t := r.sessByFull(to); t != nil {
			r.deliver(t, st)
			return
		}
	}
	switch typ {
	case "error":
	case "groupchat":
		r.deliver(s, errorReply(st, "cancel", "service-unavailable", "", false))
	case "headline":
		if hasTo && to == bare {
			for _, t := range r.sessionsOf(c) {
				if !t.pres.IsZero() && t.prio >= 0 {
					r.deliver(t, st)
				}
			}
		}
	default:
		top := r.top(c)
		if len(top) > 0 {
			for _, t := range top {
				r.deliver(t, st)
			}
			return
		}
		c.offline = append(c.offline, rOffline{st: st, stamp: r.stamp})
	}
}

// top is §2.6.
func (r *ref) top(u *rUser) []*rSess {
	var top []*rSess
	best := 0
	for _, t := range r.sessionsOf(u) {
		if t.pres.IsZero() {
			continue
		}
		switch {
		case t.prio > best:
			best, top = t.prio, []*rSess{t}
		case t.prio == best:
			top = append(top, t)
		}
	}
	return top
}

// clientIQ is §6, §4.2, §7.2–7.3, §8 for the iqs the actions send.
func (r *ref) clientIQ(s *rSess, st stanza.Stanza, toSelf bool) {
	typ := vAttrOr(st, "type")
	to, hasTo := vAttr(st, "to")
	if hasTo && r.blocked(s.u, to) {
		if typ == "get" || typ == "set" {
			r.deliver(s, errorReply(st, "cancel", "not-acceptable", "You have blocked this JID", true))
		}
		return
	}
	node, _, res := splitJID(to)
	q := vFirst(st)
	qns := vAttrOr(q, "xmlns")
	get := typ == "get"
	unavailable := func() {
		if typ == "get" || typ == "set" {
			r.deliver(s, errorReply(st, "cancel", "service-unavailable", "", false))
		}
	}
	switch {
	case hasTo && node == "": // the host (§6.4)
		if !get {
			unavailable()
			return
		}
		switch qns {
		case nsVersion, nsLast, nsPing, nsDiscoInfo:
			var payload stanza.Child
			if q.Tag() == "query" && qns != nsPing {
				payload = stanza.Elem(nsEl(q.Tag(), qns))
			}
			r.deliver(s, reply(st, payload))
		default:
			unavailable()
		}
		return
	case hasTo && res != "": // §6.1
		c := r.local(to)
		if r.blocked(c, s.full) {
			unavailable()
			return
		}
		if t := r.sessByFull(to); t != nil {
			r.deliver(t, st)
			return
		}
		unavailable()
		return
	}
	// bare JID of another user, or self (§6.2, §6.3)
	target := s.u
	if !toSelf {
		target = r.local(to)
		if r.blocked(target, s.full) {
			unavailable()
			return
		}
	}
	if typ != "get" && typ != "set" {
		return
	}
	allowed := toSelf || r.contactSubscribed(target.bare, s.u.bare)
	if get {
		switch qns {
		case nsPing:
			r.deliver(s, reply(st))
			return
		case nsDiscoInfo:
			if !allowed {
				unavailable()
				return
			}
			rep := setAttr(reply(st, stanza.Elem(nsEl("query", nsDiscoInfo))), "from", target.bare)
			r.deliver(s, rep)
			return
		case nsLast:
			if !allowed {
				r.deliver(s, errorReply(st, "auth", "forbidden", "", false))
				return
			}
			r.deliver(s, reply(st, stanza.Elem(nsEl("query", nsLast))))
			return
		}
	}
	if !toSelf {
		unavailable()
		return
	}
	switch {
	case qns == nsRoster:
		r.rosterIQ(s, st, q)
	case qns == nsBlocking && q.Tag() == "blocklist" && get:
		r.blocklistGet(s, st)
	case qns == nsBlocking && (q.Tag() == "block" || q.Tag() == "unblock") && typ == "set":
		r.editBlocklist(s, st, q)
	default:
		unavailable()
	}
}

// rosterIQ is §4.2 with the removal side effects of §4.7.
func (r *ref) rosterIQ(s *rSess, st stanza.Stanza, q stanza.Stanza) {
	u := s.u
	if vAttrOr(st, "type") == "get" {
		var payload stanza.Child
		if cv, ok := vAttr(q, "ver"); !ok || cv != strconv.Itoa(u.reportedVer()) {
			items := make([]stanza.Child, 0, len(u.roster))
			for _, j := range slices.Sorted(maps.Keys(u.roster)) {
				items = append(items, stanza.Elem(itemEl(j, u.roster[j])))
			}
			payload = stanza.Elem(elKids("query", []string{"xmlns", nsRoster, "ver", strconv.Itoa(u.reportedVer())}, items...))
		}
		r.deliver(s, reply(st, payload))
		s.interested = true
		return
	}
	items := q.Elements()
	if len(items) != 1 || items[0].Tag() != "item" || !vHas(items[0], "jid") {
		r.deliver(s, errorReply(st, "modify", "bad-request", "", false))
		return
	}
	item := items[0]
	jid, ok := prep(vAttrOr(item, "jid"))
	if _, _, res := splitJID(jid); !ok || res != "" {
		r.deliver(s, errorReply(st, "modify", "bad-request", "", false))
		return
	}
	if jid == u.bare {
		r.deliver(s, errorReply(st, "cancel", "not-allowed", "", false))
		return
	}
	if vAttrOr(item, "subscription") == "remove" {
		old := u.roster[jid]
		if old == nil {
			r.deliver(s, errorReply(st, "modify", "item-not-found", "", false))
			return
		}
		_, pend := u.pending[jid]
		if isFrom(old.sub) || pend {
			r.inboundPresence(el("presence", "type", "unsubscribed", "from", s.full, "to", jid))
		}
		if isTo(old.sub) || old.ask {
			r.presenceOfAvailable(u, jid, "unavailable")
			r.inboundPresence(el("presence", "type", "unsubscribe", "from", s.full, "to", jid))
		}
		delete(u.roster, jid)
		r.save(u)
		r.deliver(s, reply(st))
		r.rosterPush(u, jid)
		return
	}
	nit := &rItem{sub: "none", name: vAttrOr(item, "name")}
	if old := u.roster[jid]; old != nil {
		nit.sub, nit.ask = old.sub, old.ask
	}
	if g := vChild(item, "group"); !g.IsZero() {
		nit.group = vText(g)
	}
	u.roster[jid] = nit
	r.save(u)
	r.deliver(s, reply(st))
	r.rosterPush(u, jid)
}

// blocklistGet is §7.2.
func (r *ref) blocklistGet(s *rSess, st stanza.Stanza) {
	var items []stanza.Child
	for _, j := range sortedSet(s.u.bl) {
		items = append(items, stanza.Elem(stanza.New("", "item", []stanza.Attr{{Key: "jid", Value: j}})))
	}
	s.interestedBL = true
	r.deliver(s, reply(st, stanza.Elem(nsEl("blocklist", nsBlocking, items...))))
}

// editBlocklist is §7.3.
func (r *ref) editBlocklist(s *rSess, st stanza.Stanza, action stanza.Stanza) {
	u := s.u
	blocking := action.Tag() == "block"
	var items, presenceSet, removePending []string
	seen := map[string]bool{}
	// echo: action's children, each item's jid prepared (the push
	// echoes the prepared JIDs)
	echo := children(action)
	for i := range echo {
		it, _ := action.ChildAt(i)
		if it.IsZero() || it.Tag() != "item" {
			continue
		}
		raw, ok := vAttr(it, "jid")
		j, ok2 := prep(raw)
		if !ok || !ok2 {
			r.deliver(s, errorReply(st, "modify", "jid-malformed", "", false))
			return
		}
		echo[i] = stanza.Elem(setAttr(it, "jid", j))
		if seen[j] {
			continue
		}
		seen[j] = true
		items = append(items, j)
		if r.contactSubscribed(u.bare, j) {
			presenceSet = append(presenceSet, j)
		} else if _, pend := u.pending[j]; blocking && pend {
			removePending = append(removePending, j)
		}
	}
	if blocking && len(items) == 0 {
		r.deliver(s, errorReply(st, "modify", "bad-request", "", false))
		return
	}
	old := u.bl
	nbl := map[string]bool{}
	if blocking || len(items) > 0 {
		for k := range old {
			nbl[k] = true
		}
		for _, j := range items {
			if blocking {
				nbl[j] = true
			} else {
				delete(nbl, j)
			}
		}
	}
	u.bl = nbl
	r.deliver(s, reply(st))
	if blocking {
		for _, j := range presenceSet {
			if old[j] {
				continue
			}
			if r.prof.UnavailableSenderIsFullJID {
				for _, o := range r.sessionsOf(u) {
					if !o.pres.IsZero() {
						r.inboundPresence(el("presence", "type", "unavailable", "to", j, "from", o.full))
					}
				}
			} else if len(r.availableOf(u)) > 0 {
				r.inboundPresence(el("presence", "type", "unavailable", "to", j, "from", u.bare))
			}
		}
		if len(removePending) > 0 && r.prof.DropPendingInOnBlock {
			for _, j := range removePending {
				delete(u.pending, j)
			}
			r.save(u)
		}
	} else {
		targets := presenceSet
		if len(items) == 0 && r.prof.PresenceOnUnblockAll {
			for _, j := range sortedSet(old) {
				if r.contactSubscribed(u.bare, j) {
					targets = append(targets, j)
				}
			}
		}
		if len(items) > 0 || r.prof.PresenceOnUnblockAll {
			for _, j := range targets {
				r.inboundPresence(el("presence", "type", "probe", "to", u.bare, "from", j))
			}
		}
	}
	push := elKids("iq", []string{"type", "set", "id", "blocklist-push"},
		stanza.Elem(stanza.New(action.Space(), action.Tag(), action.Attrs(), echo...)))
	for _, o := range r.sessionsOf(u) {
		if o.interestedBL || !r.prof.PushOnlyInterested {
			r.deliver(o, setAttr(push, "to", o.full))
		}
	}
}

func (r *ref) availableOf(u *rUser) []*rSess {
	var out []*rSess
	for _, s := range r.sessionsOf(u) {
		if !s.pres.IsZero() {
			out = append(out, s)
		}
	}
	return out
}
