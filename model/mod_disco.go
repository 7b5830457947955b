package model

import (
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// DiscoOptions are mod_disco's options.
type DiscoOptions struct {
	// DiscoAccountFeatures: account disco#info lists the disco#info and
	// disco#items features (trunk and 0.12.5). 0.12.3 lists neither (§9.1;
	// verified on Debian's 0.12.3 — §8.1's unconditional disco#info is
	// wrong for 0.12.3).
	DiscoAccountFeatures bool
	// UnknownNodeText is the <text> of the item-not-found error for an
	// unknown node on an account (§8.1: "Node does not exist"). On 0.12.3
	// mod_pep answers first, without text (verified on Debian's 0.12.3).
	UnknownNodeText string
	// HostNodeNotFound: disco#info and disco#items with a node, to the
	// host or to a component, answer item-not-found "Node does not exist"
	// (13.0.1 and 0.12.3 both do, asked over the wire; the model has no
	// host nodes — not even mod_adhoc's commands node). false keeps the
	// answer the trunk and 0.12 profiles were verified with: the node is
	// ignored.
	HostNodeNotFound bool
	// HostFeatures, when not empty, is the host's disco#info feature list
	// (space-separated, in the order answered) instead of the features the
	// loaded modules add: for a server whose modules the model stands in
	// for with its own (ejabberd: core features "iq" and "presence",
	// mod_privacy's, no jabber:iq:roster).
	HostFeatures string
	// ServerInfoForm: the host's disco#info ends with an empty XEP-0157
	// serverinfo form (ejabberd's mod_disco, without server_info set).
	ServerInfoForm bool
	// AccountDiscoForbidden: disco#info to another account is refused:
	// auth/subscription-required "Not subscribed" unless the account's
	// item for the requester has a subscription or a pending outbound
	// request (mod_roster:is_subscribed), and then cancel/not-allowed
	// "Query to another users is forbidden" (ejabberd's mod_disco without
	// mod_caps). Prosody answers a subscribed contact.
	AccountDiscoForbidden bool
}

// hostNodeNotFound answers a host or component disco query that names a
// node, under HostNodeNotFound; it reports whether it did.
func hostNodeNotFound(e *HookEvent) bool {
	if !e.s.prof.HostNodeNotFound {
		return false
	}
	if _, ok := attr(e.query, "node"); !ok {
		return false
	}
	e.send(errorReply(e.stanza, "cancel", "item-not-found", "Node does not exist", nil), "error")
	return true
}

// mod_disco answers service discovery (§8.1). The host's features are
// those the loaded modules added, in load order: with the default modules
// this is what Debian's Prosody 0.12.3 lists under testdata/prosody's
// modules_enabled, asked over the wire (a property run against it found
// four the model lacked: mod_adhoc's commands, mod_carbons' rules,
// mod_roster's and mod_vcard_legacy's). Advertising a feature does not
// mean the model answers its queries (vcard-temp and commands are not
// answered: docs/findings.md). An account's disco#info is built by the
// handlers of EventAccountDiscoInfo, in chain order.
var _ = register(&builtin{name: "disco", load: func(s *Server, m *ModuleAPI) {
	name := s.prof.ServerName
	if name == "" {
		name = "Prosody"
	}
	m.AddIdentity("server", "im", name)
	m.AddFeature(nsDiscoInfo)
	m.AddFeature(nsDiscoItems)
	s.hooks.refTo(&s.mods.disco.account, EventAccountDiscoInfo)
	m.hookIQ(iqEvent("get", "host", nsDiscoInfo, "query"), 0, hostDiscoInfo)
	m.hookIQ(iqEvent("get", "host", nsDiscoItems, "query"), 0, func(e *HookEvent) bool {
		if hostNodeNotFound(e) {
			return true
		}
		r := reply(e.stanza)
		q := newNS(r, "query", nsDiscoItems)
		if _, ok := attr(e.query, "node"); !ok {
			// The components are the host's items (Prosody's
			// disco_items from the hosts beside it).
			for _, d := range e.s.componentDomains() {
				q.CreateElement("item").CreateAttr("jid", d)
			}
		}
		e.send(r, "result")
		return true
	})
	m.hookIQ(iqEvent("get", "bare", nsDiscoInfo, "query"), 0, accountDiscoInfo)
	m.hookIQ(iqEvent("get", "bare", nsDiscoItems, "query"), 0, func(e *HookEvent) bool {
		target := e.s.bareTarget(e)
		if target == nil {
			return false
		}
		if !e.s.mayQueryAccount(e, target) {
			e.send(errorReply(e.stanza, "cancel", "service-unavailable", "", nil), "error")
			return true
		}
		r := reply(e.stanza)
		newNS(r, "query", nsDiscoItems)
		e.send(r, "result")
		return true
	})
	// The account identity comes first (mod_disco adds it before firing
	// account-disco-info to the other modules).
	m.Hook(EventAccountDiscoInfo, 1000, func(e *HookEvent) bool {
		typ := "registered"
		if e.s.admins[e.user.bareStr] {
			typ = "admin"
		}
		e.AddIdentity("account", typ, "")
		if e.s.prof.DiscoAccountFeatures {
			e.AddFeature(nsDiscoInfo)
			e.AddFeature(nsDiscoItems)
		}
		return false
	})
}})

// hostDiscoInfo answers disco#info to the host (§8.1).
func hostDiscoInfo(e *HookEvent) bool {
	s := e.s
	if hostNodeNotFound(e) {
		return true
	}
	if s.prof.HostFeatures != "" || s.prof.ServerInfoForm {
		features, ext := s.hostFeatures, s.hostExtensions
		if s.prof.HostFeatures != "" {
			features = strings.Fields(s.prof.HostFeatures)
		}
		if s.prof.ServerInfoForm {
			ext = append(slices.Clip(ext), serverInfoForm())
		}
		sendDiscoInfo(e, s.hostIdentities, features, ext)
		return true
	}
	sendDiscoInfo(e, s.hostIdentities, s.hostFeatures, s.hostExtensions)
	return true
}

// sendDiscoInfo answers a disco#info query to a host or a component: the
// query's node echoed, then identities, features and extension forms in
// the order given (the host's and each component's own lists).
func sendDiscoInfo(e *HookEvent, identities [][3]string, features []string, extensions []*etree.Element) {
	r := reply(e.stanza)
	q := newNS(r, "query", nsDiscoInfo)
	if node, ok := attr(e.query, "node"); ok {
		q.CreateAttr("node", node)
	}
	for _, h := range identities {
		id := q.CreateElement("identity")
		id.CreateAttr("category", h[0])
		id.CreateAttr("type", h[1])
		if h[2] != "" {
			id.CreateAttr("name", h[2])
		}
	}
	for _, f := range features {
		q.CreateElement("feature").CreateAttr("var", f)
	}
	for _, x := range extensions {
		q.AddChild(x.Copy())
	}
	e.send(r, "result")
}

// accountDiscoInfo answers disco#info to an account on its behalf (§6.2,
// §8.1); for a self-addressed query the reply still carries the account's
// bare JID as 'from' (§6.3).
func accountDiscoInfo(e *HookEvent) bool {
	s := e.s
	target := s.bareTarget(e)
	if target == nil {
		return false
	}
	st := e.stanza
	if s.prof.AccountDiscoForbidden && !e.toSelf && bareOf(attrOr(st, "from")) != target.bareStr {
		// mod_disco asks mod_roster:is_subscribed, which reads the
		// account's item for the requester: any subscription ("to"
		// included) or a pending outbound request passes; a pending
		// inbound one does not.
		site := errSiteAccountForbid
		if it := target.roster[bareOf(attrOr(st, "from"))]; it == nil || (it.sub == "none" && !it.ask) {
			site = errSiteNotSubscribed
		}
		e.send(s.errorAt(site, st, "cancel", "not-allowed", "", nil), "error")
		return true
	}
	if !s.mayQueryAccount(e, target) {
		e.send(errorReply(st, "cancel", "service-unavailable", "", nil), "error")
		return true
	}
	if _, ok := attr(e.query, "node"); ok {
		e.send(errorReply(st, "cancel", "item-not-found", s.prof.UnknownNodeText, nil), "error")
		return true
	}
	r := reply(st)
	r.CreateAttr("from", target.bareStr)
	q := newNS(r, "query", nsDiscoInfo)
	s.fireLifecycle(e, s.mods.disco.account.handlers(), func(d *HookEvent) { d.query, d.user = q, target })
	e.send(r, "result")
	return true
}

// discoMod holds the chain mod_disco fires for account disco#info.
type discoMod struct{ account chainRef }

// serverInfoForm is an empty XEP-0157 form: only its FORM_TYPE.
func serverInfoForm() *etree.Element {
	x := newElement("x")
	x.CreateAttr("xmlns", "jabber:x:data")
	x.CreateAttr("type", "result")
	f := x.CreateElement("field")
	f.CreateAttr("var", "FORM_TYPE")
	f.CreateAttr("type", "hidden")
	f.CreateElement("value").SetText("http://jabber.org/network/serverinfo")
	return x
}
