package model

import (
	"strconv"

	"github.com/beevik/etree"
)

// hostFeatures are the features host disco#info lists under the scansion
// configuration (§8.1: "the host features", which the document does not
// enumerate). Prosody builds the list from the loaded modules, unordered;
// this is what Debian's Prosody 0.12.3 lists with testdata/prosody's
// modules_enabled, asked over the wire (a property run against it found
// four the model lacked: mod_adhoc's commands, mod_carbons' rules,
// mod_roster's and mod_vcard_legacy's). Advertising a feature does not
// mean the model answers its queries (vcard-temp and commands are not
// answered: docs/findings.md).
var hostFeatures = []string{
	nsDiscoInfo, nsDiscoItems, nsVersion, "msgoffline",
	"http://jabber.org/protocol/commands", "urn:xmpp:carbons:rules:0", nsCarbons,
	nsPing, nsBlocking, nsRoster, "vcard-temp", nsLast, nsTime,
}

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

// hostService answers iq get/set to the host (§6.4, §8).
func (s *Server) hostService(o origin, st *etree.Element, q *etree.Element) bool {
	get := attrOr(st, "type") == "get"
	r := reply(st)
	switch ns(q) + " " + q.Tag {
	case nsVersion + " query":
		if !get {
			return false
		}
		rq := newNS(r, "query", nsVersion)
		rq.CreateElement("name").SetText("Prosody")
		rq.CreateElement("version").SetText(s.prof.Version)
	case nsLast + " query":
		if !get {
			return false
		}
		rq := newNS(r, "query", nsLast)
		rq.CreateAttr("seconds", strconv.FormatInt(int64(s.now().Sub(s.start).Seconds()), 10))
	case nsPing + " ping":
		if !get {
			return false
		}
	case nsTime + " time", nsLegacyTime + " query":
		if !get || !s.timeReply(r, q) {
			return false
		}
	case nsDiscoInfo + " query":
		if !get {
			return false
		}
		rq := newNS(r, "query", nsDiscoInfo)
		if node, ok := attr(q, "node"); ok {
			rq.CreateAttr("node", node)
		}
		id := rq.CreateElement("identity")
		id.CreateAttr("category", "server")
		id.CreateAttr("type", "im")
		id.CreateAttr("name", "Prosody")
		for _, f := range hostFeatures {
			rq.CreateElement("feature").CreateAttr("var", f)
		}
		if s.prof.LegacyTime {
			rq.CreateElement("feature").CreateAttr("var", nsLegacyTime)
		}
	case nsDiscoItems + " query":
		if !get {
			return false
		}
		newNS(r, "query", nsDiscoItems)
	case nsSession + " session":
		if get {
			return false
		}
	default:
		return false
	}
	s.send(o, r, "result")
	return true
}

// timeReply fills an entity-time answer (§8.6); false if the profile does
// not answer this namespace.
func (s *Server) timeReply(r *etree.Element, q *etree.Element) bool {
	now := s.now().UTC()
	if ns(q) == nsLegacyTime {
		if !s.prof.LegacyTime {
			return false
		}
		newNS(r, "query", nsLegacyTime).CreateElement("utc").SetText(now.Format("20060102T15:04:05"))
		return true
	}
	t := newNS(r, "time", nsTime)
	t.CreateElement("tzo").SetText("+00:00")
	if s.prof.FractionalTime {
		t.CreateElement("utc").SetText(now.Format("2006-01-02T15:04:05.000000Z"))
	} else {
		t.CreateElement("utc").SetText(now.Format(stampFormat))
	}
	return true
}

// bareService runs the iq/bare handlers that answer on a user's behalf
// (§6.2): ping, time, disco#info/#items, last activity. For a
// self-addressed iq the target is the sender (toSelf) and replies carry no
// `from`, except disco#info (§6.3).
func (s *Server) bareService(o origin, st *etree.Element, q *etree.Element, toSelf bool) bool {
	if attrOr(st, "type") != "get" {
		return false
	}
	var target *user
	if toSelf {
		if o.sess == nil {
			return false
		}
		target = o.sess.user
	} else {
		target = s.localUser(mustJID(attrOr(st, "to")))
		if target == nil {
			return false
		}
	}
	requester := bareOf(attrOr(st, "from"))
	allowed := toSelf || requester == target.bareStr || s.isContactSubscribed(target, requester)
	r := reply(st)
	switch ns(q) + " " + q.Tag {
	case nsPing + " ping":
	case nsTime + " time", nsLegacyTime + " query":
		if !s.timeReply(r, q) {
			return false
		}
	case nsDiscoInfo + " query":
		if !allowed {
			s.send(o, errorReply(st, "cancel", "service-unavailable", "", nil), "error")
			return true
		}
		if _, ok := attr(q, "node"); ok {
			s.send(o, errorReply(st, "cancel", "item-not-found", s.prof.UnknownNodeText, nil), "error")
			return true
		}
		r.CreateAttr("from", target.bareStr)
		s.accountDiscoInfo(newNS(r, "query", nsDiscoInfo), target)
	case nsDiscoItems + " query":
		if !allowed {
			s.send(o, errorReply(st, "cancel", "service-unavailable", "", nil), "error")
			return true
		}
		newNS(r, "query", nsDiscoItems)
	case nsLast + " query":
		if !allowed {
			s.send(o, errorReply(st, "auth", "forbidden", "", nil), "error")
			return true
		}
		rq := newNS(r, "query", nsLast)
		la := s.lastAct[target.node]
		secs := int64(0)
		if la.has {
			secs = int64(s.now().Sub(la.at).Seconds())
			if la.status != "" {
				rq.SetText(la.status)
			}
		}
		rq.CreateAttr("seconds", strconv.FormatInt(secs, 10))
	default:
		return false
	}
	s.send(o, r, "result")
	return true
}

// accountDiscoInfo fills an account's disco#info (§8.1). Contributions
// that Prosody emits in module load order come in a fixed order here.
func (s *Server) accountDiscoInfo(q *etree.Element, u *user) {
	id := q.CreateElement("identity")
	id.CreateAttr("category", "account")
	if s.admins[u.bareStr] {
		id.CreateAttr("type", "admin")
	} else {
		id.CreateAttr("type", "registered")
	}
	if s.prof.DiscoAccountFeatures {
		q.CreateElement("feature").CreateAttr("var", nsDiscoInfo)
		q.CreateElement("feature").CreateAttr("var", nsDiscoItems)
	}
	for _, f := range []string{"urn:xmpp:mam:2", "urn:xmpp:mam:2#extended", nsStanzaID,
		"urn:ietf:params:xml:ns:vcard-4.0", "urn:xmpp:pep-vcard-conversion:0"} {
		q.CreateElement("feature").CreateAttr("var", f)
	}
	pep := q.CreateElement("identity")
	pep.CreateAttr("category", "pubsub")
	pep.CreateAttr("type", "pep")
	q.CreateElement("feature").CreateAttr("var", "http://jabber.org/protocol/pubsub")
	for _, f := range pepFeatures {
		q.CreateElement("feature").CreateAttr("var", "http://jabber.org/protocol/pubsub#"+f)
	}
}

// recordLastActivity is mod_lastactivity's pre-presence/bare hook (§8.5):
// an unavailable without `to` records time and status per user.
func (s *Server) recordLastActivity(o origin, st *etree.Element) {
	if o.sess == nil || selectAttr(st, "to") != nil || attrOr(st, "type") != "unavailable" {
		return
	}
	status, _ := childText(st, "status", nsClient)
	s.lastAct[o.sess.user.node] = lastActivity{at: s.now(), status: status, has: true}
}
