package model

// pepDiscoInfoNode answers disco#info with a node to an account (mod_disco
// fires account-disco-info-node, which mod_pep answers through
// pubsub.lib's handle_disco_info_node; XEP-0060 §5.4, node meta-data). The
// requester must first pass mod_disco's check (mayQueryAccount; else
// mod_disco answers service-unavailable). Asked of the real servers
// (testdata/prosody-13/pep_node_disco.scs):
//
//   - 13.0.1: service:get_node_metadata — the node's get_metadata
//     capability first (forbidden), then the node (item-not-found, no
//     text); the answer lists mod_disco's disco#info and disco#items
//     features, the identity pubsub/leaf and a meta-data form whose five
//     fields carry no value: mod_pep's service keeps util/pubsub's empty
//     metadata_subset (only mod_pubsub's component sets one).
//   - 0.12.3 (PEPDisco012): the service's get_nodes capability first
//     (forbidden), then the node; no features (0.12.3's mod_disco adds
//     none to a node's answer), and the form carries the node's title,
//     description, payload type, access and publish models.
//
// A query with an empty node is mod_disco's account answer.
func pepDiscoInfoNode(e *HookEvent) bool {
	s := e.s
	node, _ := attr(e.query, "node")
	if node == "" {
		return false
	}
	u, p, from := s.pepDiscoTarget(e)
	if u == nil {
		return false // mod_disco answers
	}
	// 13.0.1's mod_pep keeps util/pubsub's empty metadata_subset: no
	// values; 0.12.3 gives the node's configuration.
	p.discoInfoNode(e, node, from, u.bareStr, !s.prof.PEPDisco012, s.prof.PEPDisco012)
	return true
}

// discoInfoNode answers disco#info for the service's node (pubsub.lib's
// handle_disco_info_node): refused forbidden without the capability
// (13.0.1: the node's get_metadata; legacy, 0.12.3: the service's
// get_nodes), item-not-found (no text) for a missing node, else the
// pubsub/leaf identity and the meta-data form. bareFrom, when not
// empty, is the answer's 'from' if the query had no 'to' (mod_disco's
// "COMPAT To satisfy Psi"); features lists mod_disco's two disco
// features first; values fills the form from the node's configuration.
func (p *psService) discoInfoNode(e *HookEvent, node, from, bareFrom string, features, values bool) {
	legacy := p.legacyForm
	n := p.nodes[node]
	switch {
	case legacy && !p.may("", bareOf(from), "get_nodes"),
		!legacy && !p.may(node, from, "get_metadata"):
		e.send(psError(e.stanza, "forbidden", ""), "error")
		return
	case n == nil:
		e.send(psError(e.stanza, "item-not-found", ""), "error")
		return
	}
	r := reply(e.stanza)
	if _, ok := attr(r, "from"); !ok && bareFrom != "" {
		r.CreateAttr("from", bareFrom)
	}
	q := newNS(r, "query", nsDiscoInfo)
	q.CreateAttr("node", node)
	if features {
		q.CreateElement("feature").CreateAttr("var", nsDiscoInfo)
		q.CreateElement("feature").CreateAttr("var", nsDiscoItems)
	}
	id := q.CreateElement("identity")
	id.CreateAttr("category", "pubsub")
	id.CreateAttr("type", "leaf")
	var vals [5]string
	if values {
		c := n.config
		vals = [5]string{c.Title, c.Description, c.Type, c.AccessModel, c.PublishModel}
	}
	x := newNS(q, "x", "jabber:x:data")
	x.CreateAttr("type", "result")
	ft := x.CreateElement("field")
	ft.CreateAttr("type", "hidden")
	ft.CreateAttr("var", "FORM_TYPE")
	ft.CreateElement("value").SetText("http://jabber.org/protocol/pubsub#meta-data")
	for i, v := range []string{"pubsub#title", "pubsub#description", "pubsub#type", "pubsub#access_model", "pubsub#publish_model"} {
		f := x.CreateElement("field")
		f.CreateAttr("type", "text-single")
		f.CreateAttr("var", v)
		if vals[i] != "" {
			f.CreateElement("value").SetText(vals[i])
		}
	}
	e.send(r, "result")
}

// pepDiscoTarget is the account a disco query addresses, its PEP
// service, and the requester's JID (the stanza's from, or the session's
// own for a query it sent), or a nil user when mod_disco answers
// instead: no such account, or the requester fails mod_disco's check
// (mayQueryAccount).
func (s *Server) pepDiscoTarget(e *HookEvent) (*user, *psService, string) {
	u := s.bareTarget(e)
	if u == nil || !s.mayQueryAccount(e, u) {
		return nil, nil, ""
	}
	from := attrOr(e.stanza, "from")
	if from == "" && e.origin.sess != nil {
		from = e.origin.sess.fullStr
	}
	return u, s.mods.pep.service(s, u), from
}
