package model

import (
	"slices"
	"sort"

	"github.com/beevik/etree"
)

// This file is the PubSub core (XEP-0060) the pubsub.localhost service
// uses, and PEP is meant to use: a service holds nodes; a node holds its
// configuration, affiliations, subscriptions and items. It follows
// Prosody 13.0.1's util/pubsub.lua: every operation first asks may()
// whether the actor's affiliation grants the capability, then acts.
//
// Determinism: Prosody walks subscribers and affiliations in hash order;
// the model walks them sorted by JID, so the order of notifications and
// of listed affiliations is a fixed one (scripts cannot rely on either).

// psConfig is a node's configuration (the pubsub#node_config form).
type psConfig struct {
	Title, Description, Type string
	// MaxItems is pubsub#max_items; 0 with MaxItemsMax means "max".
	MaxItems     int
	MaxItemsMax  bool
	PersistItems bool
	AccessModel  string
	// RosterGroups is pubsub#roster_groups_allowed (13.0.1's form; 0.12.3
	// has none), in the order submitted.
	RosterGroups     []string
	PublishModel     string
	SendLast         string
	NotifyItems      bool
	IncludePayload   bool
	NotificationType string
	NotifyDelete     bool
	NotifyRetract    bool
	ItemReply        string
}

// psDefaultConfig is util/pubsub's default_node_config merged with the
// form's field defaults, as 13.0.1's get_node_config lists them.
func psDefaultConfig() psConfig {
	return psConfig{MaxItems: 20, PersistItems: true, AccessModel: "open", PublishModel: "publishers",
		SendLast: "never", NotifyItems: true, IncludePayload: true, NotificationType: "headline",
		NotifyDelete: true, NotifyRetract: true, ItemReply: "none"}
}

// psItem is a stored item: its id, publisher (bare JID) and payload.
type psItem struct {
	id, publisher string
	payload       *etree.Element // nil: an item without payload
}

// psNode is one node.
type psNode struct {
	name         string
	config       psConfig
	affiliations map[string]string // bare JID → affiliation
	subscribers  map[string]bool   // JID as subscribed (full or bare)
	items        []psItem          // oldest first
}

// psService is one PubSub service: the component's, or an account's PEP.
type psService struct {
	jid   string
	nodes map[string]*psNode
	// defaults are the node defaults (node_defaults).
	defaults psConfig
	// maxMaxItems is pubsub_max_items (the value of "max").
	maxMaxItems int
	// serviceAffiliation is get_affiliation: the affiliation the service
	// grants a bare JID for an action ("" for none).
	serviceAffiliation func(bare, action string) string
	// accessModel grants the affiliation of an access model other than
	// open and whitelist (PEP's presence and roster; "" for none).
	accessModel     func(model, actor string, n *psNode) string
	accessModels    []string // the access models a node may have
	exposePublisher bool
	// notifyPublisher: notifications (last-item sends included) carry
	// the item's publisher even where item lists do not (0.12.3's
	// mod_pep: its broadcaster keeps the attribute that publish sets;
	// 13.0.1's strips it unless itemreply is "publisher").
	notifyPublisher bool
	// legacyForm: the node configuration form is 0.12.3's
	// (psAbsentOn012).
	legacyForm bool
	// itemsAccessFirst: an items request is checked for access before
	// the node's existence (0.12.3's handlers.get_items).
	itemsAccessFirst bool
	// autocreate: a publish to a missing node creates it, configured by
	// the publish-options (PEP's autocreate_on_publish).
	autocreate bool
	// headlineOnly: notifications are headlines whatever the node says
	// (mod_pep's broadcaster).
	headlineOnly bool
	// filter is the subscriber_filter: who a node's notifications go to
	// besides its subscribers (PEP: the +notify recipients).
	filter func(s *Server, n *psNode, subs []string) []string
	// direct: notifications skip the router (a mutant's bug).
	direct bool
}

// psCaps are util/pubsub's default capabilities, by affiliation.
var psCaps = map[string]map[string]bool{
	"outcast": {"get_subscription": true, "get_subscriptions": true, "be_unsubscribed": true},
	"none": {"get_nodes": true, "subscribe": true, "unsubscribe": true, "get_subscription": true,
		"get_subscriptions": true, "get_metadata": true, "be_subscribed": true, "be_unsubscribed": true},
	"member": {"get_nodes": true, "subscribe": true, "unsubscribe": true, "get_subscription": true,
		"get_subscriptions": true, "get_items": true, "get_metadata": true, "be_subscribed": true, "be_unsubscribed": true},
	"publisher": {"publish": true, "retract": true, "get_nodes": true, "get_configuration": true,
		"subscribe": true, "unsubscribe": true, "get_subscription": true, "get_subscriptions": true,
		"get_items": true, "get_metadata": true, "be_subscribed": true, "be_unsubscribed": true},
	"owner": {"create": true, "publish": true, "retract": true, "delete": true, "get_nodes": true,
		"configure": true, "get_configuration": true, "subscribe": true, "unsubscribe": true,
		"get_subscription": true, "get_subscriptions": true, "get_items": true, "get_metadata": true,
		"subscribe_other": true, "unsubscribe_other": true, "get_subscription_other": true,
		"get_subscriptions_other": true, "be_subscribed": true, "be_unsubscribed": true, "set_affiliation": true},
}

// may is service:may: the node's affiliation for the actor (full, then
// bare), else the service's, else the access model's default.
func (p *psService) may(node, actor, action string) bool {
	if actor == "" {
		return true // the service itself (Prosody's actor true)
	}
	aff := ""
	if n := p.nodes[node]; n != nil {
		if a, ok := n.affiliations[actor]; ok {
			aff = a
		} else if a, ok := n.affiliations[bareOf(actor)]; ok {
			aff = a
		}
	}
	if aff == "" && p.serviceAffiliation != nil {
		aff = p.serviceAffiliation(bareOf(actor), action)
	}
	if aff == "" {
		aff = p.defaultAffiliation(node, actor)
	}
	return psCaps[aff][action]
}

// defaultAffiliation is get_default_affiliation: open nodes make everyone
// a member, whitelist nodes an outcast.
func (p *psService) defaultAffiliation(node, actor string) string {
	model := p.defaults.AccessModel
	n := p.nodes[node]
	if n != nil {
		model = n.config.AccessModel
	}
	switch model {
	case "open":
		return "member"
	case "whitelist":
		return "outcast"
	}
	if p.accessModel != nil {
		if a := p.accessModel(model, actor, n); a != "" {
			return a
		}
	}
	return "none"
}

// maxItems is the node's item limit, "max" resolved.
func (p *psService) maxItems(c psConfig) int {
	if c.MaxItemsMax {
		return p.maxMaxItems
	}
	return c.MaxItems
}

// checkConfig is mod_pubsub's check_node_config.
func (p *psService) checkConfig(c psConfig) bool {
	if p.maxItems(c) > p.maxMaxItems {
		return false
	}
	return slices.Contains(p.accessModels, c.AccessModel)
}

func (p *psService) create(node, actor string, config *psConfig) string {
	if !p.may(node, actor, "create") {
		return "forbidden"
	}
	if p.nodes[node] != nil {
		return "conflict"
	}
	c := p.defaults
	if config != nil {
		c = *config
	}
	if !p.checkConfig(c) {
		return "not-acceptable"
	}
	if p.nodes == nil {
		p.nodes = map[string]*psNode{}
	}
	n := &psNode{name: node, config: c, affiliations: map[string]string{}, subscribers: map[string]bool{}}
	p.nodes[node] = n
	if actor != "" {
		n.affiliations[bareOf(actor)] = "owner"
	}
	return ""
}

func (p *psService) subscribe(node, actor, jid string) string {
	cap := "subscribe_other"
	if bareOf(actor) == bareOf(jid) {
		cap = "subscribe"
	}
	if !p.may(node, actor, cap) || !p.may(node, jid, "be_subscribed") {
		return "forbidden"
	}
	n := p.nodes[node]
	if n == nil {
		return "item-not-found"
	}
	n.subscribers[jid] = true
	return ""
}

func (p *psService) unsubscribe(node, actor, jid string) string {
	cap := "unsubscribe_other"
	if bareOf(actor) == bareOf(jid) {
		cap = "unsubscribe"
	}
	if !p.may(node, actor, cap) || !p.may(node, jid, "be_unsubscribed") {
		return "forbidden"
	}
	n := p.nodes[node]
	if n == nil {
		return "item-not-found"
	}
	if !n.subscribers[jid] {
		return "not-subscribed"
	}
	delete(n.subscribers, jid)
	return ""
}

// setAffiliation sets (aff "" removes) a bare JID's affiliation; one that
// may no longer be subscribed is unsubscribed.
func (p *psService) setAffiliation(node, actor, jid, aff string) string {
	if !p.may(node, actor, "set_affiliation") {
		return "forbidden"
	}
	n := p.nodes[node]
	if n == nil {
		return "item-not-found"
	}
	jid = bareOf(jid)
	if aff == "" {
		delete(n.affiliations, jid)
	} else {
		n.affiliations[jid] = aff
	}
	if n.subscribers[jid] && !p.may(node, jid, "be_subscribed") {
		delete(n.subscribers, jid)
	}
	return ""
}

// subscribers lists a node's subscribers sorted (see the file comment).
func (n *psNode) sortedSubscribers() []string {
	out := make([]string, 0, len(n.subscribers))
	for j := range n.subscribers {
		out = append(out, j)
	}
	sort.Strings(out)
	return out
}

// store appends an item, replacing one with the same id, and keeps the
// newest maxItems (the memory archive's append and truncate).
func (p *psService) store(n *psNode, it psItem) {
	n.items = slices.DeleteFunc(n.items, func(o psItem) bool { return o.id == it.id })
	n.items = append(n.items, it)
	if max := p.maxItems(n.config); max >= 0 && len(n.items) > max {
		n.items = slices.Delete(n.items, 0, len(n.items)-max)
	}
}

// item returns the stored item with id.
func (n *psNode) item(id string) (psItem, bool) {
	for _, it := range n.items {
		if it.id == id {
			return it, true
		}
	}
	return psItem{}, false
}

// delete removes a node; it returns the node for the delete notification.
func (p *psService) deleteNode(node, actor string) (*psNode, string) {
	if !p.may(node, actor, "delete") {
		return nil, "forbidden"
	}
	n := p.nodes[node]
	if n == nil {
		return nil, "item-not-found"
	}
	delete(p.nodes, node)
	return n, ""
}

// setConfig replaces a node's configuration (set_node_config).
func (p *psService) setConfig(node, actor string, c psConfig) string {
	if !p.may(node, actor, "configure") {
		return "forbidden"
	}
	n := p.nodes[node]
	if n == nil {
		return "item-not-found"
	}
	if !p.checkConfig(c) {
		return "not-acceptable"
	}
	old := n.config
	n.config = c
	if old.AccessModel != c.AccessModel {
		for _, j := range n.sortedSubscribers() {
			if !p.may(node, j, "be_subscribed") {
				delete(n.subscribers, j)
			}
		}
	}
	if !c.PersistItems {
		n.items = nil
	} else if max := p.maxItems(c); len(n.items) > max {
		n.items = slices.Delete(n.items, 0, len(n.items)-max)
	}
	return ""
}
