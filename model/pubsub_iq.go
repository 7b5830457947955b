package model

import (
	"slices"
	"strconv"

	"github.com/beevik/etree"
)

// This file is the PubSub protocol over the core (pubsub_service.go):
// 13.0.1's pubsub.lib.lua handlers, one per <pubsub/> action, and the
// notifications (mod_pubsub's simple_broadcast).

const (
	nsPubsub       = "http://jabber.org/protocol/pubsub"
	nsPubsubOwner  = "http://jabber.org/protocol/pubsub#owner"
	nsPubsubEvent  = "http://jabber.org/protocol/pubsub#event"
	nsPubsubErrors = "http://jabber.org/protocol/pubsub#errors"
)

// psErrors maps the core's errors to stanza errors: type, condition and
// the pubsub#errors application condition ("" for none).
var psErrors = map[string][3]string{
	"conflict":                     {"cancel", "conflict", ""},
	"invalid-jid":                  {"modify", "bad-request", "invalid-jid"},
	"jid-required":                 {"modify", "bad-request", "jid-required"},
	"nodeid-required":              {"modify", "bad-request", "nodeid-required"},
	"item-not-found":               {"cancel", "item-not-found", ""},
	"not-subscribed":               {"modify", "unexpected-request", "not-subscribed"},
	"forbidden":                    {"auth", "forbidden", ""},
	"not-allowed":                  {"cancel", "not-allowed", ""},
	"not-acceptable":               {"modify", "not-acceptable", ""},
	"precondition-not-met":         {"cancel", "conflict", "precondition-not-met"},
	"persistent-items-unsupported": {"cancel", "feature-not-implemented", "persistent-items"},
}

// psError is pubsub_error_reply.
func psError(st *etree.Element, err, text string) *etree.Element {
	d, ok := psErrors[err]
	if !ok {
		d = [3]string{"wait", "internal-server-error", ""}
	}
	var app *etree.Element
	if d[2] != "" {
		app = etree.NewElement(d[2])
		app.CreateAttr("xmlns", nsPubsubErrors)
	}
	return errorReply(st, d[0], d[1], text, app)
}

// psPrep is jid.prep of an attribute ("" when absent or invalid).
func psPrep(el *etree.Element, key string) string {
	v, ok := attr(el, key)
	if !ok {
		return ""
	}
	j, err := ParseJID(v)
	if err != nil {
		return ""
	}
	return j.String()
}

// handle answers a <pubsub/> iq to the service; false: no handler for
// its action (the iq is unhandled).
func (p *psService) handle(e *HookEvent) bool {
	st := e.stanza
	ps := e.query
	kids := childElements(ps)
	if len(kids) == 0 {
		e.send(errorReply(st, "cancel", "bad-request", "", nil), "error")
		return true
	}
	action := kids[0]
	owner := ns(ps) == nsPubsubOwner
	set := attrOr(st, "type") == "set"
	from := attrOr(st, "from")
	node, hasNode := attr(action, "node")
	needNode := func() bool {
		if !hasNode {
			e.send(psError(st, "nodeid-required", ""), "error")
			return false
		}
		return true
	}
	result := func(err string) {
		if err != "" {
			e.send(psError(st, err, ""), "error")
			return
		}
		e.send(reply(st), "result")
	}
	switch {
	case !owner && set && action.Tag == "create":
		p.handleCreate(e, ps, action, from)
	case !owner && set && action.Tag == "publish":
		p.handlePublish(e, ps, action, from)
	case !owner && set && action.Tag == "retract":
		p.handleRetract(e, action, from)
	case !owner && set && (action.Tag == "subscribe" || action.Tag == "unsubscribe"):
		jid := psPrep(action, "jid")
		if !hasNode || jid == "" {
			err := "invalid-jid"
			if jid != "" {
				err = "nodeid-required"
			}
			e.send(psError(st, err, ""), "error")
			return true
		}
		sub := "subscribed"
		var err string
		if action.Tag == "subscribe" {
			err = p.subscribe(node, from, jid)
		} else {
			sub = "none"
			err = p.unsubscribe(node, from, jid)
		}
		if err != "" {
			e.send(psError(st, err, ""), "error")
		} else {
			r := reply(st)
			s := newNS(r, "pubsub", nsPubsub).CreateElement("subscription")
			s.CreateAttr("node", node)
			s.CreateAttr("jid", jid)
			s.CreateAttr("subscription", sub)
			e.send(r, "result")
		}
		if action.Tag == "subscribe" {
			// The last item goes out after the reply, whatever it was.
			if n := p.nodes[node]; n != nil && n.config.SendLast != "never" && p.may(node, jid, "get_items") && len(n.items) > 0 {
				it := n.items[len(n.items)-1]
				p.broadcast(e, "items", n, []string{jid}, &it, "")
			}
		}
	case !owner && !set && action.Tag == "items":
		p.handleItems(e, action, from)
	case !owner && !set && action.Tag == "subscriptions":
		p.handleSubscriptions(e, action, from, nsPubsub)
	case owner && !set && action.Tag == "subscriptions":
		p.handleSubscriptions(e, action, from, nsPubsubOwner)
	case owner && set && action.Tag == "delete":
		if !needNode() {
			return true
		}
		n, err := p.deleteNode(node, from)
		result(err)
		if n != nil && n.config.NotifyDelete {
			p.broadcast(e, "delete", n, p.audience(e.s, n), nil, from)
		}
	case owner && set && action.Tag == "purge":
		if !needNode() {
			return true
		}
		err := ""
		n := p.nodes[node]
		if !p.may(node, from, "retract") {
			err = "forbidden"
		} else if n == nil {
			err = "item-not-found"
		} else {
			n.items = nil
		}
		result(err)
		if err == "" {
			p.broadcast(e, "purge", n, p.audience(e.s, n), nil, from)
		}
	case owner && !set && action.Tag == "configure":
		if !needNode() {
			return true
		}
		n := p.nodes[node]
		if !p.may(node, from, "get_configuration") {
			result("forbidden")
			return true
		} else if n == nil {
			result("item-not-found")
			return true
		}
		r := reply(st)
		c := newNS(r, "pubsub", nsPubsubOwner).CreateElement("configure")
		c.CreateAttr("node", node)
		c.AddChild(psConfigForm(n.config, p.maxMaxItems, p.legacyForm))
		e.send(r, "result")
	case owner && set && action.Tag == "configure":
		if !needNode() {
			return true
		}
		if !p.may(node, from, "configure") {
			result("forbidden")
			return true
		}
		x := child(action, "x", nsData)
		if x == nil {
			e.send(errorReply(st, "modify", "bad-request", "Missing dataform", nil), "error")
			return true
		}
		n := p.nodes[node]
		if n == nil {
			result("item-not-found")
			return true
		}
		c, _, ok := psReadForm(x, n.config, p.legacyForm)
		if !ok {
			e.send(errorReply(st, "modify", "bad-request", "", nil), "error")
			return true
		}
		result(p.setConfig(node, from, c))
	case owner && !set && action.Tag == "default":
		r := reply(st)
		newNS(r, "pubsub", nsPubsubOwner).CreateElement("default").AddChild(psConfigForm(p.defaults, p.maxMaxItems, p.legacyForm))
		e.send(r, "result")
	case owner && (action.Tag == "affiliations"):
		if !needNode() {
			return true
		}
		if !p.may(node, from, "set_affiliation") {
			result("forbidden")
			return true
		}
		n := p.nodes[node]
		if n == nil {
			result("item-not-found")
			return true
		}
		if !set {
			r := reply(st)
			a := newNS(r, "pubsub", nsPubsubOwner).CreateElement("affiliations")
			a.CreateAttr("node", node)
			for _, j := range sortedKeys(n.affiliations) {
				el := a.CreateElement("affiliation")
				el.CreateAttr("jid", j)
				el.CreateAttr("affiliation", n.affiliations[j])
			}
			e.send(r, "result")
			return true
		}
		for _, a := range childElements(action) {
			if a.Tag != "affiliation" {
				continue
			}
			aff := attrOr(a, "affiliation")
			if aff == "none" {
				aff = ""
			}
			if err := p.setAffiliation(node, from, psPrep(a, "jid"), aff); err != "" {
				result(err)
				return true
			}
		}
		result("")
	default:
		return false
	}
	return true
}

func (p *psService) handleCreate(e *HookEvent, ps, action *etree.Element, from string) {
	st := e.stanza
	var config *psConfig
	if cf := child(ps, "configure", nsPubsub); cf != nil {
		x := child(cf, "x", nsData)
		if x == nil {
			e.send(errorReply(st, "modify", "bad-request", "Missing dataform", nil), "error")
			return
		}
		c, _, ok := psReadForm(x, p.defaults, p.legacyForm)
		if !ok {
			e.send(errorReply(st, "modify", "bad-request", "", nil), "error")
			return
		}
		config = &c
	}
	node, named := attr(action, "node")
	if !named {
		// An instant node: Prosody names it with a UUID; the model draws
		// its name from the seed.
		node = p.newNodeName(e.s)
	}
	if err := p.create(node, from, config); err != "" {
		e.send(psError(st, err, ""), "error")
		return
	}
	r := reply(st)
	if !named {
		newNS(r, "pubsub", nsPubsub).CreateElement("create").CreateAttr("node", node)
	}
	e.send(r, "result")
}

// newNodeName draws a UUID-shaped name from the server's seed.
func (p *psService) newNodeName(s *Server) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 36)
	for i := 0; i < 32; i++ {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b = append(b, '-')
		}
		b = append(b, hex[s.rng.Uint32()&15])
	}
	return string(b)
}

func (p *psService) handlePublish(e *HookEvent, ps, action *etree.Element, from string) {
	st := e.stanza
	node, ok := attr(action, "node")
	if !ok {
		e.send(psError(st, "nodeid-required", ""), "error")
		return
	}
	var required []string
	want := p.defaults
	if po := child(ps, "publish-options", nsPubsub); po != nil {
		x := child(po, "x", nsData)
		if x == nil {
			e.send(errorReply(st, "modify", "bad-request", "", nil), "error")
			return
		}
		var good bool
		if want, required, good = psReadForm(x, p.defaults, p.legacyForm); !good {
			e.send(errorReply(st, "modify", "bad-request", "", nil), "error")
			return
		}
	}
	item := child(action, "item", nsPubsub)
	id := ""
	if item != nil {
		id = attrOr(item, "id")
	}
	if id == "" {
		id = p.newNodeName(e.s)
	}
	n := p.nodes[node]
	mayPublish := p.may(node, from, "publish") ||
		(n != nil && (n.config.PublishModel == "open" || (n.config.PublishModel == "subscribers" && n.subscribers[from])))
	switch {
	case !mayPublish:
		e.send(psError(st, "forbidden", ""), "error")
		return
	case n == nil && !p.autocreate:
		e.send(psError(st, "item-not-found", ""), "error")
		return
	case n == nil:
		if err := p.create(node, "", &want); err != "" {
			e.send(psError(st, err, ""), "error")
			return
		}
		n = p.nodes[node]
	default:
		for _, v := range required {
			// A list-multi (roster_groups_allowed) never matches: 13.0.1
			// compares the two Lua tables by identity (asked over the
			// wire: the same groups are refused too).
			if psFieldValue(n.config, v) != psFieldValue(want, v) || v == "pubsub#roster_groups_allowed" {
				e.send(psError(st, "precondition-not-met", "Field does not match: "+psFieldName(v)), "error")
				return
			}
		}
	}
	// itemcheck: one <item/> with exactly one payload.
	if item == nil || countChildElements(item) != 1 {
		e.send(errorReply(st, "modify", "bad-request", "invalid item", nil), "error")
		return
	}
	it := psItem{id: id, publisher: bareOf(from)}
	if item != nil {
		if kids := childElements(item); len(kids) > 0 {
			it.payload = kids[0].Copy()
		}
	}
	if n.config.PersistItems {
		p.store(n, it)
	}
	p.broadcast(e, "items", n, p.audience(e.s, n), &it, from)
	r := reply(st)
	pe := newNS(r, "pubsub", nsPubsub).CreateElement("publish")
	pe.CreateAttr("node", node)
	pe.CreateElement("item").CreateAttr("id", id)
	e.send(r, "result")
}

// psFieldName is a form var's name in util/pubsub's config table (what
// the precondition error names).
func psFieldName(v string) string {
	switch v {
	case "pubsub#type":
		return "payload_type"
	case "pubsub#deliver_notifications":
		return "notify_items"
	case "pubsub#deliver_payloads":
		return "include_payload"
	}
	return v[len("pubsub#"):]
}

func (p *psService) handleRetract(e *HookEvent, action *etree.Element, from string) {
	st := e.stanza
	node, hasNode := attr(action, "node")
	notify := attrOr(action, "notify")
	var id string
	if it := child(action, "item", nsPubsub); it != nil {
		id = attrOr(it, "id")
	}
	if !hasNode || id == "" {
		err := "nodeid-required"
		if hasNode {
			err = "item-not-found"
		}
		e.send(psError(st, err, ""), "error")
		return
	}
	n := p.nodes[node]
	switch {
	case !p.may(node, from, "retract"):
		e.send(psError(st, "forbidden", ""), "error")
		return
	case n == nil:
		e.send(psError(st, "item-not-found", ""), "error")
		return
	}
	if n.config.PersistItems {
		if _, ok := n.item(id); !ok {
			e.send(psError(st, "item-not-found", ""), "error")
			return
		}
		n.items = slices.DeleteFunc(n.items, func(o psItem) bool { return o.id == id })
	}
	if notify == "1" || notify == "true" {
		p.broadcast(e, "retract", n, p.audience(e.s, n), &psItem{id: id}, from)
	}
	e.send(reply(st), "result")
}

func (p *psService) handleItems(e *HookEvent, action *etree.Element, from string) {
	st := e.stanza
	node, ok := attr(action, "node")
	if !ok {
		e.send(psError(st, "nodeid-required", ""), "error")
		return
	}
	// 0.12.3's handlers.get_items asks service:get_items at once, which
	// checks access (with the node defaults' access model for a missing
	// node) before existence: forbidden where 13.0.1, which looks the
	// node up first, says item-not-found (asked over the wire: check
	// --server against 0.12.3, seed 89).
	if p.itemsAccessFirst && !p.may(node, from, "get_items") {
		e.send(psError(st, "forbidden", ""), "error")
		return
	}
	n := p.nodes[node]
	if n == nil {
		e.send(psError(st, "item-not-found", ""), "error")
		return
	}
	if !p.may(node, from, "get_items") {
		e.send(psError(st, "forbidden", ""), "error")
		return
	}
	if !n.config.PersistItems {
		e.send(psError(st, "persistent-items-unsupported", ""), "error")
		return
	}
	limit := -1
	if m, ok := attr(action, "max_items"); ok {
		if v, err := strconv.Atoi(m); err == nil {
			limit = v
		}
	}
	var ids []string
	for _, it := range childElements(action) {
		if it.Tag == "item" {
			if id, ok := attr(it, "id"); ok {
				ids = append(ids, id)
			}
		}
	}
	var out []psItem
	if ids != nil {
		for _, id := range ids {
			if it, ok := n.item(id); ok {
				out = append(out, it)
				if limit >= 0 && len(out) >= limit {
					break
				}
			}
		}
	} else {
		// Newest first up to the limit, then listed oldest first.
		for i := len(n.items) - 1; i >= 0; i-- {
			if limit >= 0 && len(out) >= limit {
				break
			}
			out = append(out, n.items[i])
		}
		slices.Reverse(out)
	}
	r := reply(st)
	items := newNS(r, "pubsub", nsPubsub).CreateElement("items")
	items.CreateAttr("node", node)
	for _, it := range out {
		items.AddChild(p.itemElement(it, p.exposes(n)))
	}
	e.send(r, "result")
}

// exposes reports whether items carry their publisher.
func (p *psService) exposes(n *psNode) bool {
	return p.exposePublisher || n.config.ItemReply == "publisher"
}

// itemElement is an item as listed or notified.
func (p *psService) itemElement(it psItem, publisher bool) *etree.Element {
	el := etree.NewElement("item")
	el.CreateAttr("id", it.id)
	if publisher && it.publisher != "" {
		el.CreateAttr("publisher", it.publisher)
	}
	if it.payload != nil {
		el.AddChild(it.payload.Copy())
	}
	return el
}

func (p *psService) handleSubscriptions(e *HookEvent, action *etree.Element, from, space string) {
	st := e.stanza
	node, hasNode := attr(action, "node")
	own := space == nsPubsub
	if hasNode {
		cap := "get_subscriptions_other"
		if own {
			cap = "get_subscriptions"
		}
		if !p.may(node, from, cap) {
			e.send(psError(st, "forbidden", ""), "error")
			return
		}
		if p.nodes[node] == nil {
			e.send(psError(st, "item-not-found", ""), "error")
			return
		}
	}
	r := reply(st)
	subs := newNS(r, "pubsub", space).CreateElement("subscriptions")
	for _, name := range sortedKeys(p.nodes) {
		if hasNode && name != node {
			continue
		}
		for _, j := range p.nodes[name].sortedSubscribers() {
			if own && bareOf(j) != bareOf(from) {
				continue
			}
			s := subs.CreateElement("subscription")
			s.CreateAttr("node", name)
			s.CreateAttr("jid", j)
			s.CreateAttr("subscription", "subscribed")
		}
	}
	e.send(r, "result")
}

// audience is service:broadcast's subscriber_filter over the node's
// subscribers.
func (p *psService) audience(s *Server, n *psNode) []string {
	subs := n.sortedSubscribers()
	if p.filter != nil {
		subs = p.filter(s, n, subs)
	}
	return subs
}

// broadcast is simple_broadcast: one message per subscriber, from the
// service, of the node's notification type, each with its own id.
func (p *psService) broadcast(e *HookEvent, kind string, n *psNode, to []string, it *psItem, actor string) {
	switch kind {
	case "items":
		if !n.config.NotifyItems {
			return
		}
	case "delete":
		if !n.config.NotifyDelete {
			return
		}
	case "retract":
		if !n.config.NotifyRetract {
			return
		}
	}
	retract := kind == "retract"
	if retract {
		kind = "items" // XEP-0060 signals retraction in an <items> container
	}
	typ := n.config.NotificationType
	if p.headlineOnly {
		typ = "headline"
	}
	for _, j := range to {
		m := newStanza("message", "from", p.jid, "type", typ, "id", e.s.archiveID())
		ev := newNS(m, "event", nsPubsubEvent).CreateElement(kind)
		ev.CreateAttr("node", n.name)
		if it != nil {
			if retract {
				r := ev.CreateElement("retract")
				r.CreateAttr("id", it.id)
				// mod_pubsub's broadcaster gives the retraction the
				// actor as publisher too (it sees an <items/> event).
				if p.exposePublisher && actor != "" {
					r.CreateAttr("publisher", bareOf(actor))
				}
			} else {
				cp := *it
				if !n.config.IncludePayload {
					cp.payload = nil
				}
				ev.AddChild(p.itemElement(cp, p.exposes(n) || p.notifyPublisher))
			}
		}
		m.CreateAttr("to", j)
		if p.direct {
			p.deliverDirect(e.s, j, m)
			continue
		}
		e.s.post(e, false, hostOrigin, m, false)
	}
}

// deliverDirect writes a notification to the recipient's sessions (the
// full JID's, or every available one of a bare JID) without routing it.
func (p *psService) deliverDirect(s *Server, to string, m *etree.Element) {
	if sess := s.sessionOf(to); sess != nil {
		s.deliver(sess, m, "")
		return
	}
	if u := s.localUser(mustJID(to)); u != nil {
		for _, sess := range u.sessions {
			if sess.presence != nil {
				s.deliver(sess, m.Copy(), "")
			}
		}
	}
}
