package model

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"strconv"
	"time"
)

// extService is one entry of external_services, as mod_external_services
// prepares it.
type extService struct {
	typ, transport, host string
	port                 int
	username, password   string
	restricted           bool
	// secret: the TURN REST secret the credentials are derived from
	// ("" : none).
	secret string
}

// The upstream test configuration's external_service_* options and
// external_services list (../shared/scansion-upstream/prosody.cfg.lua):
// a service without host or port takes the defaults; secret = true takes
// external_service_secret.
const (
	extDefaultHost   = "default.example"
	extDefaultPort   = 9876
	extDefaultSecret = "<secret>"
	extTTL           = 24 * time.Hour // external_service_ttl's default, "1 day"
)

var extServices = []extService{
	{typ: "stun", transport: "udp"},
	{typ: "turn", transport: "udp", secret: extDefaultSecret},
	{typ: "turn", transport: "udp", secret: "foo"},
	{typ: "ftp", transport: "tcp", port: 2121, username: "john", password: "password"},
	{typ: "ftp", transport: "tcp", host: "ftp.example.com", port: 21, username: "john", password: "password"},
}

// mod_external_services (XEP-0215) answers services and credentials
// queries to the host, in both namespaces (urn:xmpp:extdisco:2 and :1).
//
// A service with a configured password is restricted (XEP-0215 §2: the
// client must ask for credentials). A TURN service with a secret gets
// TURN REST credentials, fresh at every query: the username is the expiry
// (now + ttl, Unix seconds), the password base64(HMAC-SHA1(secret,
// username)); no expires attribute is sent. A credentials request lists
// <service type host [port]/> and gets the restricted services matching
// type and host (and port, when given); a service element without type or
// host is a bad-request (XEP-0215 §4). Only clients of the host may ask
// (external_service_access is empty): anyone else is forbidden.
var _ = register(&builtin{name: "external_services", load: func(s *Server, m *ModuleAPI) {
	for _, space := range []string{"urn:xmpp:extdisco:2", "urn:xmpp:extdisco:1"} {
		m.AddFeature(space)
		m.hookIQ(iqEvent("get", "host", space, "services"), 0, extServicesQuery)
		m.hookIQ(iqEvent("get", "host", space, "credentials"), 0, extCredentialsQuery)
	}
}})

// extPrepared returns the configured services with defaults and
// credentials filled in at time now.
func extPrepared(now time.Time) []extService {
	out := make([]extService, 0, len(extServices))
	for _, srv := range extServices {
		if srv.host == "" {
			srv.host = extDefaultHost
		}
		if srv.port == 0 {
			srv.port = extDefaultPort
		}
		if srv.password != "" {
			srv.restricted = true
		}
		if srv.secret != "" && (srv.typ == "turn" || srv.typ == "turns") {
			srv.username = strconv.FormatInt(now.Add(extTTL).Unix(), 10)
			mac := hmac.New(sha1.New, []byte(srv.secret))
			mac.Write([]byte(srv.username))
			srv.password = base64.StdEncoding.EncodeToString(mac.Sum(nil))
			srv.restricted = true
		}
		out = append(out, srv)
	}
	return out
}

func extServicesXML(e *HookEvent, list []extService) {
	r := reply(e.stanza)
	q := newNS(r, e.query.Tag, ns(e.query))
	for _, srv := range list {
		el := q.CreateElement("service")
		el.CreateAttr("type", srv.typ)
		if srv.transport != "" {
			el.CreateAttr("transport", srv.transport)
		}
		el.CreateAttr("host", srv.host)
		el.CreateAttr("port", strconv.Itoa(srv.port))
		if srv.username != "" {
			el.CreateAttr("username", srv.username)
		}
		if srv.password != "" {
			el.CreateAttr("password", srv.password)
		}
		if srv.restricted {
			el.CreateAttr("restricted", "1")
		}
	}
	e.send(r, "result")
}

func extServicesQuery(e *HookEvent) bool {
	if e.origin.sess == nil {
		e.send(errorReply(e.stanza, "auth", "forbidden", "", nil), "error")
		return true
	}
	want, filter := attr(e.query, "type")
	var list []extService
	for _, srv := range extPrepared(e.s.now()) {
		if !filter || srv.typ == want {
			list = append(list, srv)
		}
	}
	extServicesXML(e, list)
	return true
}

func extCredentialsQuery(e *HookEvent) bool {
	if e.origin.sess == nil {
		e.send(errorReply(e.stanza, "auth", "forbidden", "", nil), "error")
		return true
	}
	type key struct {
		typ, host string
		port      int
	}
	asked := map[key]bool{}
	for _, c := range childElements(e.query) {
		if c.Tag != "service" {
			continue
		}
		t, okT := attr(c, "type")
		h, okH := attr(c, "host")
		if !okT || !okH {
			e.send(errorReply(e.stanza, "modify", "bad-request", "The 'port' and 'type' attributes are required.", nil), "error")
			return true
		}
		p, _ := strconv.Atoi(attrOr(c, "port"))
		asked[key{t, h, p}] = true
	}
	var list []extService
	for _, srv := range extPrepared(e.s.now()) {
		if srv.restricted && (asked[key{srv.typ, srv.host, srv.port}] || asked[key{srv.typ, srv.host, 0}]) {
			list = append(list, srv)
		}
	}
	extServicesXML(e, list)
	return true
}
