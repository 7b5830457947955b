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

// mod_pubsub, so far, is its service's disco on a component: the pubsub
// service identity and the features. Nodes, items and subscriptions are
// the PubSub core of issue 12, not yet modelled: any other iq to the
// service is unhandled (service-unavailable).
var _ = register(&builtin{name: "pubsub", load: func(s *Server, m *ModuleAPI) {
	if !m.IsComponent() {
		return // Prosody loads it as a component's module only
	}
	m.AddIdentity("pubsub", "service", "Prosody PubSub Service")
	m.AddFeature("http://jabber.org/protocol/pubsub")
	for _, f := range pubsubServiceFeatures {
		m.AddFeature("http://jabber.org/protocol/pubsub#" + f)
	}
}})
