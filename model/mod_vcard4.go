package model

import "github.com/beevik/etree"

const (
	nsVCard4   = "urn:ietf:params:xml:ns:vcard-4.0"
	nsVCardTmp = "vcard-temp"
)

// vcard4Node is the account's urn:xmpp:vcard4 PEP node as mod_vcard4 and
// mod_vcard_legacy use it: the last item's payload (<vcard/>) and the
// node's access model. PEP itself is not modelled yet; this is the part of
// it these two modules read and write, kept under the "vcard4" name in
// the account's record.
type vcard4Node struct {
	// Access is the node's pubsub#access_model: "open" when
	// mod_vcard_legacy created the node (its node defaults), "presence"
	// (mod_pep's default) when a vCard4 publish did.
	Access string `json:"access"`
	// Item is the <vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'/>
	// payload of the item "current", serialised.
	Item string `json:"item"`
}

// loadVCard4 returns u's node (ok false: no node, or no item).
func (s *Server) loadVCard4(u *user) (n vcard4Node, vcard *etree.Element, ok bool) {
	if !s.moduleJSON(u, "vcard4", &n) {
		return n, nil, false
	}
	doc := etree.NewDocument()
	if doc.ReadFromString(n.Item) != nil || doc.Root() == nil {
		return n, nil, false
	}
	return n, doc.Root(), true
}

// publishVCard4 replaces the node's item; a new node gets access model
// access, an existing one keeps its configuration (a publish without
// publish-options does not reconfigure).
func (s *Server) publishVCard4(u *user, vcard *etree.Element, access string) {
	var n vcard4Node
	if s.moduleJSON(u, "vcard4", &n) && n.Access != "" {
		access = n.Access
	}
	el := vcard.Copy()
	if _, ok := attr(el, "xmlns"); !ok {
		el.CreateAttr("xmlns", nsVCard4)
	}
	s.setModuleJSON(u, "vcard4", vcard4Node{Access: access, Item: Canonical(el)})
}

// mayReadVCard4 is the node's access check for requester (a bare JID):
// the owner always; anyone under "open"; a contact subscribed to the
// owner's presence under "presence" (XEP-0060 §4.5, XEP-0163 §4).
func (s *Server) mayReadVCard4(owner *user, n vcard4Node, requester string) bool {
	return requester == owner.bareStr || n.Access == "open" ||
		(n.Access == "presence" && s.isContactSubscribed(owner, requester))
}

// mod_vcard4 (XEP-0292 over PEP): an account's disco#info lists the
// vCard4 namespace; a get of <vcard xmlns=vcard-4.0/> to an account
// returns the node's item, item-not-found when there is none, forbidden
// when the node's access model refuses the requester; a set by the account
// itself publishes it (node "urn:xmpp:vcard4", item "current").
var _ = register(&builtin{name: "vcard4", load: func(s *Server, m *ModuleAPI) {
	m.Hook(EventAccountDiscoInfo, 0, func(e *HookEvent) bool {
		e.AddFeature(nsVCard4)
		return false
	})
	m.hookIQ(iqEvent("get", "bare", nsVCard4, "vcard"), 0, func(e *HookEvent) bool {
		target := e.s.bareTarget(e)
		if target == nil {
			return false
		}
		n, vcard, ok := e.s.loadVCard4(target)
		switch {
		case !ok:
			e.send(errorReply(e.stanza, "cancel", "item-not-found", "", nil), "error")
		case !e.s.mayReadVCard4(target, n, bareOf(attrOr(e.stanza, "from"))):
			e.send(errorReply(e.stanza, "auth", "forbidden", "", nil), "error")
		default:
			r := reply(e.stanza)
			r.AddChild(vcard)
			e.send(r, "result")
		}
		return true
	})
	m.hookIQ(iqEvent("set", "self", nsVCard4, "vcard"), 0, func(e *HookEvent) bool {
		e.s.publishVCard4(e.origin.sess.user, e.query, "presence")
		e.send(reply(e.stanza), "result")
		return true
	})
}})
