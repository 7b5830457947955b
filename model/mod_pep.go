package model

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

// mod_pep is, so far, only what it advertises on an account's disco#info
// (§8.1): the pep identity and the pubsub features. PEP itself is not
// modelled.
var _ = register(&builtin{name: "pep", load: func(s *Server, m *ModuleAPI) {
	m.Hook(EventAccountDiscoInfo, 0, func(e *HookEvent) bool {
		e.AddIdentity("pubsub", "pep", "")
		e.AddFeature("http://jabber.org/protocol/pubsub")
		for _, f := range pepFeatures {
			e.AddFeature("http://jabber.org/protocol/pubsub#" + f)
		}
		return false
	})
}})
