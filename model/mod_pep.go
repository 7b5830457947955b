package model

import (
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// pepFeatures are mod_pep's pubsub# suffixes on account disco#info (§8.1).
var pepFeatures = []string{
	"access-presence", "auto-create", "auto-subscribe", "config-node", "config-node-max",
	"create-and-configure", "create-nodes", "delete-items", "delete-nodes",
	"filtered-notifications", "instant-nodes", "item-ids", "last-published",
	"member-affiliation", "meta-data", "modify-affiliations", "multi-items",
	"outcast-affiliation", "persistent-items", "presence-notifications",
	"presence-subscribe", "publish", "publish-options", "publisher-affiliation",
	"purge-nodes", "retract-items", "retrieve-default", "retrieve-items",
	"retrieve-subscriptions", "subscribe", "subscription-options",
}

// PEPOptions are mod_pep's options.
type PEPOptions struct {
	// PEP: mod_pep runs each account's PEP service (XEP-0163) on the
	// PubSub core. false: it only advertises its features, as the model
	// did before it modelled PEP.
	PEP bool
	// PEPNotifyPublisher: PEP notifications and last-item sends carry
	// the item's publisher (the publishing account's bare JID); item
	// lists do not. 0.12.3 (asked over the wire: bookmarks2.scs,
	// pep_nickname.scs, pep_publish_subscribe.scs); 13.0.1 only under
	// itemreply "publisher".
	PEPNotifyPublisher bool
	// PubSubForm012: the node configuration form of PEP and of the
	// pubsub component lacks pubsub#roster_groups_allowed and
	// pubsub#itemreply, as 0.12.3's does (and ignores them when
	// submitted); pubsub_config.scs and the other form scripts ask it.
	// PEP nodes then have no roster access model (pepAccessModels).
	PubSubForm012 bool
	// PubSubItemsAccessFirst: an items request (XEP-0060 §6.5) to a
	// node that does not exist is refused forbidden when the node
	// defaults' access model would refuse the requester, before
	// item-not-found (0.12.3's mod_pubsub handlers; 13.0.1 looks the node
	// up first). PEP and the pubsub component alike.
	PubSubItemsAccessFirst bool
	// PEPDisco012: a PEP node's disco (pep_disco.go) as 0.12.3 answers
	// it: disco#info checks the service's get_nodes before the node's
	// existence, lists no features and gives the node's configuration in
	// its meta-data form; disco#items names the host, not the account,
	// as each item's jid (0.12.3's pubsub.lib reads service.jid, which
	// mod_pep's service lacks, so module.host). Asked over the wire
	// (testdata/prosody-13/pep_node_disco.scs).
	PEPDisco012 bool
}

// mod_pep is Personal Eventing via PubSub (XEP-0163) as 13.0.1's mod_pep
// runs it. Always: the pep identity and the pubsub features on an
// account's disco#info (§8.1). Under PEPOptions.PEP, also:
//   - Every account has a PubSub service at its bare JID (the core in
//     pubsub_service.go and pubsub_iq.go): <pubsub/> iqs to the account,
//     or without 'to', are handled there. The account is the owner of
//     every node; others get the access model's affiliation: presence
//     (the default) makes a contact subscribed to the owner's presence a
//     member and anyone else an outcast, roster a contact in an allowed
//     group, open everyone a member, whitelist no one. Node defaults:
//     max_items 1, persist_items, access presence,
//     send_last_published_item on_sub_and_presence. A publish to a
//     missing node creates it, configured by its publish-options;
//     publish-options on an existing node are preconditions.
//   - +notify (XEP-0163 §4, XEP-0115): an available presence with caps,
//     from the account itself or from a contact subscribed to the
//     account's presence (presence/bare, 10, so after mod_blocklist's
//     inbound check at 100), whose caps hash the server has not seen,
//     makes the server ask the sender's full JID for its disco#info
//     (id "disco", from the account's bare JID, straight to the sending
//     session). The answer (an iq result to the bare JID, id "disco") is
//     hashed (XEP-0115 §5) into the caps cache: the set of nodes it lists
//     with +notify. The sender then receives the account's notifications
//     for those nodes, and at once the last item of each node new to it
//     that it may subscribe to; an answer to one's own account also
//     registers one's bare JID at every contact with a from or both
//     subscription. A presence without caps clears the sender's nodes, as
//     does unavailable, or an unsubscribe for its bare JID.
//   - Notifications come from the account's bare JID, type headline,
//     with an id drawn from the seed, to the node's subscribers and its
//     +notify recipients that may subscribe.
//
// # Blocking (XEP-0191 §3.3)
//
// Notifications and last items are messages from the owner's bare JID
// posted by the server: they pass the recipient's inbound stage, so a
// recipient who blocked the owner gets none (mod_blocklist drops them).
// The caps query answers a presence and goes straight back to its sender,
// which presence from a blocked JID never reaches (mod_blocklist drops it
// at 100, before mod_pep at 10), and the answer from a blocked JID is
// dropped the same way, so it registers nothing.
//
// Finding (XEP-0191 §3.3, X14/X15 in the invariant catalogue): the
// owner's own block does not stop her notifications or last items to
// the blocked contact. They are posted from the host, not sent by her
// session, so no outbound stage checks her blocklist, and the contact's
// +notify registration outlives the block; an answer to his own
// account's caps query even registers his bare JID at her service after
// the block. Prosody 13.0.1 behaves so (testdata/prosody-13:
// pep_publisher_blocks.scs, pep_lastitem_blocks.scs); the model keeps the
// real behaviour. The recipient's block holds (pep_blocked_recipient.scs;
// the mutant pep-notifies-blocked breaks it).
//
// A node's disco#info and disco#items: pep_disco.go and pepDiscoItems.
//
// The roster access model (13.0.1) makes a contact a member when his
// item in the owner's roster is in a group of the node's
// roster_groups_allowed; 0.12.3 has no roster model.
//
// Not modelled: subscription options, the
// service cache's eviction, XEP-0048 bookmark conversion (mod_bookmarks
// is not in the upstream configuration). mod_vcard4 and
// mod_vcard_legacy keep their own urn:xmpp:vcard4 node in account data
// (vcard_convert.go), not in this service.
var _ = register(&builtin{name: "pep", load: func(s *Server, m *ModuleAPI) {
	m.Hook(EventAccountDiscoInfo, 0, func(e *HookEvent) bool {
		e.AddIdentity("pubsub", "pep", "")
		e.AddFeature("http://jabber.org/protocol/pubsub")
		for _, f := range pepFeatures {
			e.AddFeature("http://jabber.org/protocol/pubsub#" + f)
		}
		return false
	})
	if !s.prof.PEP {
		return
	}
	// mod_pep's user-deleted hook: the account's PEP service, its nodes
	// and the +notify registrations it collected go with the account.
	// Each node is deleted through the service (service:delete(node,
	// true)), which notifies its subscribers and the +notify recipients
	// of the deletion (XEP-0060 §8.4.3.1), as 13.0.1 and 0.12.3 do (found
	// by check --server against 13.0.1, seed 29414). Prosody walks the
	// nodes in hash order; the model in sorted order.
	// The +notify registrations and the caps cache are process memory in
	// 13.0.1 (mod_pep's recipients and hash_map): a restart empties them,
	// and the next caps presence is queried again.
	m.Hook(EventServerRestart, 0, func(e *HookEvent) bool {
		pm := &e.s.mods.pep
		pm.recipients, pm.hashes = nil, nil
		return false
	})
	m.Hook(EventAccountDeleted, 0, func(e *HookEvent) bool {
		pm := &e.s.mods.pep
		if p := pm.services[e.user.node]; p != nil {
			for _, node := range sortedKeys(p.nodes) {
				if n, _ := p.deleteNode(node, ""); n != nil && n.config.NotifyDelete {
					p.broadcast(e, "delete", n, p.audience(e.s, n), nil, "")
				}
			}
		}
		delete(pm.services, e.user.node)
		delete(pm.recipients, e.user.node)
		return false
	})
	for _, t := range []string{"get", "set"} {
		for _, k := range []string{"bare", "self"} {
			m.hookIQ(iqEvent(t, k, nsPubsub, "pubsub"), 0, pepIQ)
			m.hookIQ(iqEvent(t, k, nsPubsubOwner, "pubsub"), 0, pepIQ)
		}
	}
	// Before mod_disco's answer (0), which lists no items.
	m.hookIQ(iqEvent("get", "bare", nsDiscoItems, "query"), 1, pepDiscoItems)
	m.hookIQ(iqEvent("get", "bare", nsDiscoInfo, "query"), 1, pepDiscoInfoNode)
	m.Hook("presence/bare", 10, pepPresence)
	m.Hook("iq/bare", 1, pepDiscoResult)
}, mutants: pepMutants})

// pepMutants are mod_pep's mutants. The property engine catches them
// under the prosody-13 profile, whose module actions draw PEP publishes
// and caps presences (properties: i1PEP, i2Caps, sc53).
var pepMutants = []mutantDef{
	{name: "pep-notifies-blocked", module: "pep", summary: "a PEP notification or last item goes straight to the recipient's sessions, so a recipient who blocked the publisher still gets it",
		apply: func(m *modules) { m.pep.direct = true }},
}

// pepMod is mod_pep's per-server state, and its strategy: direct (the
// mutant pep-notifies-blocked) hands notifications straight to the
// recipient's sessions, past mod_blocklist.
type pepMod struct {
	direct   bool
	services map[string]*psService // by account node
	// recipients: by account node, the +notify nodes of each JID that
	// told the account its caps.
	recipients map[string]map[string][]string
	// hashes is the caps cache: a verification string's +notify nodes.
	hashes map[string][]string
}

// pepIQ is handle_pubsub_iq on the addressed account's service.
func pepIQ(e *HookEvent) bool {
	u := e.s.bareTarget(e)
	if u == nil {
		return false
	}
	return e.s.mods.pep.service(e.s, u).handle(e)
}

// service returns u's PEP service, creating it on first use.
func (m *pepMod) service(s *Server, u *user) *psService {
	if p := m.services[u.node]; p != nil {
		return p
	}
	if m.services == nil {
		m.services = map[string]*psService{}
	}
	def := psDefaultConfig()
	def.MaxItems, def.AccessModel, def.SendLast = 1, "presence", "on_sub_and_presence"
	owner := u.bareStr
	p := &psService{jid: owner, defaults: def, maxMaxItems: 256, autocreate: true, headlineOnly: true, direct: m.direct,
		notifyPublisher: s.prof.PEPNotifyPublisher, legacyForm: s.prof.PubSubForm012, itemsAccessFirst: s.prof.PubSubItemsAccessFirst,
		accessModels: pepAccessModels(s.prof.PubSubForm012),
		serviceAffiliation: func(bare, _ string) string {
			if bare == owner {
				return "owner"
			}
			return ""
		},
		accessModel: func(model, actor string, n *psNode) string {
			switch model {
			case "presence":
				if bareOf(actor) == owner || s.isContactSubscribed(u, bareOf(actor)) {
					return "member"
				}
			case "roster":
				// 13.0.1's mod_pep: the owner's roster item for the
				// actor, in a group the node allows (load_roster, which
				// caches an offline owner's roster: D11).
				if !u.online() {
					u.rosterCached = true
				}
				if it := u.roster[bareOf(actor)]; it != nil && n != nil {
					for _, g := range n.config.RosterGroups {
						if it.groups[g] {
							return "member"
						}
					}
				}
			}
			return "outcast"
		},
	}
	p.filter = func(s *Server, n *psNode, subs []string) []string {
		for _, r := range sortedKeys(s.mods.pep.recipients[u.node]) {
			if slices.Contains(s.mods.pep.recipients[u.node][r], n.name) && p.may(n.name, r, "subscribe") && !slices.Contains(subs, r) {
				subs = append(subs, r)
			}
		}
		return subs
	}
	m.services[u.node] = p
	return p
}

// pepAccessModels are the access models a PEP node may have (mod_pep's
// check_node_config): 0.12.3's has no roster model, and a node
// configured with it is refused not-acceptable (asked over the wire:
// testdata/prosody-0.12/pep_roster_refused.scs).
func pepAccessModels(legacy bool) []string {
	if legacy {
		return []string{"presence", "whitelist", "open"}
	}
	return []string{"presence", "roster", "whitelist", "open"}
}

// pepDiscoItems answers disco#items to an account (account-disco-items
// and account-disco-items-node): the nodes the requester may see, sorted
// (Prosody lists a hash), or a node's item ids. The requester must first
// pass mod_disco's check (mayQueryAccount).
func pepDiscoItems(e *HookEvent) bool {
	s := e.s
	u, p, from := s.pepDiscoTarget(e)
	if u == nil {
		return false // mod_disco answers
	}
	r := reply(e.stanza)
	if _, ok := attr(r, "from"); !ok {
		// mod_disco answers a query to one's own account from its bare
		// JID ("COMPAT To satisfy Psi"), node or not.
		r.CreateAttr("from", u.bareStr)
	}
	q := newNS(r, "query", nsDiscoItems)
	if node, ok := attr(e.query, "node"); ok {
		q.CreateAttr("node", node)
		n := p.nodes[node]
		switch {
		case !p.may(node, from, "get_items"):
			e.send(psError(e.stanza, "forbidden", ""), "error")
			return true
		case n == nil:
			e.send(psError(e.stanza, "item-not-found", ""), "error")
			return true
		}
		itemJID := u.bareStr
		if s.prof.PEPDisco012 {
			itemJID = s.host
		}
		for i := len(n.items) - 1; i >= 0; i-- {
			it := q.CreateElement("item")
			it.CreateAttr("jid", itemJID)
			it.CreateAttr("name", n.items[i].id)
		}
		e.send(r, "result")
		return true
	}
	if p.may("", bareOf(from), "get_nodes") {
		for _, name := range sortedKeys(p.nodes) {
			it := q.CreateElement("item")
			it.CreateAttr("jid", u.bareStr)
			it.CreateAttr("node", name)
			if t := p.nodes[name].config.Title; t != "" {
				it.CreateAttr("name", t)
			}
		}
	}
	e.send(r, "result")
	return true
}

// pepPresence is mod_pep's presence/bare handler.
func pepPresence(e *HookEvent) bool {
	s := e.s
	st := e.stanza
	to, hasTo := attr(st, "to")
	var u *user
	if !hasTo {
		if e.origin.sess == nil {
			return false
		}
		u = e.origin.sess.user
	} else if u = s.localUser(mustJID(to)); u == nil {
		return false
	}
	from := attrOr(st, "from")
	m := &s.mods.pep
	switch t, hasType := attr(st, "type"); {
	case !hasType:
		if hasTo && !s.isContactSubscribed(u, bareOf(from)) {
			return false
		}
		current, known := m.recipients[u.node][from]
		ver, queryNode, ok := capsOf(st)
		if !ok {
			m.update(e, from, u, nil)
			return false
		}
		if nodes, cached := m.hashes[ver]; cached {
			if !known || !slices.Equal(current, nodes) {
				m.update(e, from, u, nodes)
			}
			return false
		}
		iq := newStanza("iq", "from", u.bareStr, "to", from, "id", "disco", "type", "get")
		q := newNS(iq, "query", nsDiscoInfo)
		q.CreateAttr("node", queryNode)
		e.send(iq, "pep")
	case t == "unavailable":
		m.update(e, from, u, nil)
	case hasTo && t == "unsubscribe":
		fb := bareOf(from)
		for _, r := range sortedKeys(m.recipients[u.node]) {
			if bareOf(r) == fb {
				m.update(e, r, u, nil)
			}
		}
	}
	return false
}

// capsOf reads a presence's XEP-0115 element: the cache key and the
// disco node to ask (ok false: no usable caps).
func capsOf(st *etree.Element) (ver, node string, ok bool) {
	c := child(st, "c", "http://jabber.org/protocol/caps")
	if c == nil {
		return "", "", false
	}
	n, v := attrOr(c, "node"), attrOr(c, "ver")
	if n == "" || v == "" {
		return "", "", false
	}
	if h, has := attr(c, "hash"); has {
		if h != "sha-1" {
			return "", "", false
		}
		return v, n + "#" + v, true
	}
	return n + "#" + v + "#" + attrOr(c, "ext"), n + "#" + v, true
}

// update is update_subscriptions: recipient's +notify nodes at u become
// nodes; the last item of each node new to it goes out at once.
func (m *pepMod) update(e *HookEvent, recipient string, u *user, nodes []string) {
	current := m.recipients[u.node][recipient]
	if len(current) == 0 && len(nodes) == 0 {
		return
	}
	p := m.service(e.s, u)
	for _, n := range nodes {
		if !slices.Contains(current, n) && p.may(n, recipient, "subscribe") {
			p.resendLast(e, recipient, n)
		}
	}
	if m.recipients == nil {
		m.recipients = map[string]map[string][]string{}
	}
	if m.recipients[u.node] == nil {
		m.recipients[u.node] = map[string][]string{}
	}
	if len(nodes) == 0 {
		delete(m.recipients[u.node], recipient)
	} else {
		m.recipients[u.node][recipient] = nodes
	}
}

// resendLast is resend_last_item: the node's last item to jid, if the
// node sends it on presence and jid may read it.
func (p *psService) resendLast(e *HookEvent, jid, node string) {
	n := p.nodes[node]
	if n == nil || n.config.SendLast != "on_sub_and_presence" || !p.may(node, jid, "get_items") || len(n.items) == 0 {
		return
	}
	it := n.items[len(n.items)-1]
	p.broadcast(e, "items", n, []string{jid}, &it, "")
}

// pepDiscoResult is iq-result/bare/disco: a client's disco#info answer to
// the caps query fills the caps cache and the sender's +notify nodes.
func pepDiscoResult(e *HookEvent) bool {
	s := e.s
	st := e.stanza
	if attrOr(st, "type") != "result" || attrOr(st, "id") != "disco" {
		return false
	}
	q := child(st, "query", nsDiscoInfo)
	if q == nil {
		return false
	}
	u := s.bareTarget(e)
	if u == nil {
		return false
	}
	var notify []string
	for _, f := range childElements(q) {
		if f.Tag == "feature" {
			if v, ok := strings.CutSuffix(attrOr(f, "var"), "+notify"); ok && !slices.Contains(notify, v) {
				notify = append(notify, v)
			}
		}
	}
	slices.Sort(notify)
	m := &s.mods.pep
	if m.hashes == nil {
		m.hashes = map[string][]string{}
	}
	m.hashes[capsHash(q)] = notify
	if e.toSelf {
		for _, jid := range u.rosterJIDs() {
			if it := u.roster[jid]; it != nil && it.subscribedFrom() {
				if c := s.localUser(mustJID(jid)); c != nil {
					m.update(e, u.bareStr, c, notify)
				}
			}
		}
	}
	m.update(e, attrOr(st, "from"), u, notify)
	return false
}
