package model

// pubsubServiceFeatures are the pubsub# suffixes 13.0.1 lists on the
// pubsub.localhost service's disco#info (asked over the wire; Prosody
// builds them from a set, so their order is the set's, not meaningful).
var pubsubServiceFeatures = []string{
	"persistent-items", "modify-affiliations", "publisher-affiliation",
	"retrieve-subscriptions", "instant-nodes", "delete-nodes", "publish",
	"retrieve-default", "config-node", "purge-nodes", "subscribe", "delete-items",
	"member-affiliation", "create-nodes", "item-ids", "config-node-max",
	"access-open", "outcast-affiliation", "multi-items", "subscription-options",
	"retrieve-items", "meta-data", "publish-options", "retract-items",
	"create-and-configure",
}

// mod_pubsub is the PubSub service (XEP-0060) on a component, as 13.0.1's
// mod_pubsub runs it under the upstream test configuration
// (expose_publisher = true): its disco identity and features, and the
// <pubsub/> and <pubsub xmlns='…#owner'/> iqs over the PubSub core
// (pubsub_service.go, pubsub_iq.go, pubsub_form.go).
//
// Who may do what: the server's admins are owners of every node and alone
// may create nodes (prosody:admin's :create-node and :service-admin
// permissions); a node's creator is its owner; everyone else gets the
// access model's default (open: member, whitelist: outcast). Node
// defaults are util/pubsub's (max_items 20, access open, publish model
// publishers, send_last_published_item never, persist_items true);
// pubsub_max_items, the value of "max", is 256. Items keep their
// publisher, which notifications and item lists carry. Notification ids
// are util.id.medium drawn from the server's seed; an instant node's
// name is a UUID-shaped string drawn from it too.
//
// # Blocking (XEP-0191 §3.3)
//
// Notifications leave the service as messages from pubsub.localhost and
// pass the recipient's inbound stage like any routed stanza, so a user
// who blocked the service's domain gets none (mod_blocklist drops them at
// message/full and /bare). A block between two users does not concern
// the service: a subscriber still gets the items a blocked publisher
// posts, because they come from the service, not from the publisher
// (Prosody agrees: its blocklist matches the stanza's from, the
// service).
//
// State: the nodes live for the server's life, per component. Restart
// keeps them, as the model keeps every account's state across Restart
// (a server with persistent storage); Prosody under the upstream test
// configuration uses memory storage and would lose them. No real-server
// comparison restarts the server, so the difference is not observed.
var _ = register(&builtin{name: "pubsub", load: func(s *Server, m *ModuleAPI) {
	if !m.IsComponent() {
		return // Prosody loads it as a component's module only
	}
	m.AddIdentity("pubsub", "service", "Prosody PubSub Service")
	m.AddFeature("http://jabber.org/protocol/pubsub")
	for _, f := range pubsubServiceFeatures {
		m.AddFeature("http://jabber.org/protocol/pubsub#" + f)
	}
	domain := m.comp.domain
	h := func(e *HookEvent) bool { return e.s.mods.pubsub.service(e.s, domain).handle(e) }
	for _, set := range []bool{false, true} {
		m.componentIQ(set, nsPubsub, "pubsub", h)
		m.componentIQ(set, nsPubsubOwner, "pubsub", h)
	}
	// A node's disco#info (XEP-0060 §5.4): mod_pubsub's service sets a
	// metadata_subset, so the form carries the node's title,
	// description, type, access and publish models; no disco features.
	// Asked over the wire: 13.0.1 and 0.12.3 answer alike for an open
	// node (testdata/prosody-13/pubsub_node_disco.scs).
	m.componentIQ(false, nsDiscoInfo, "query", func(e *HookEvent) bool {
		node, _ := attr(e.query, "node")
		if node == "" {
			return false
		}
		e.s.mods.pubsub.service(e.s, domain).discoInfoNode(e, node, attrOr(e.stanza, "from"), "", false, true)
		return true
	})
}})

// pubsubMod is mod_pubsub's per-server state: the services by domain.
type pubsubMod struct {
	services map[string]*psService
}

// service returns the component's service, creating it on first use.
func (m *pubsubMod) service(s *Server, domain string) *psService {
	if p := m.services[domain]; p != nil {
		return p
	}
	if m.services == nil {
		m.services = map[string]*psService{}
	}
	p := &psService{jid: domain, defaults: psDefaultConfig(), maxMaxItems: 256, exposePublisher: true,
		legacyForm:   s.prof.PubSubForm012,
		accessModels: []string{"open", "whitelist"},
		serviceAffiliation: func(bare, _ string) string {
			if s.admins[bare] {
				return "owner"
			}
			return ""
		}}
	m.services[domain] = p
	return p
}
