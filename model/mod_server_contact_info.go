package model

import "github.com/beevik/etree"

// contactInfo is the upstream test configuration's contact_info
// (../shared/scansion-upstream/prosody.cfg.lua), by address type, sorted.
var contactInfo = [][2]any{
	{"abuse", []string{"mailto:abuse@localhost", "xmpp:abuse@localhost"}},
	{"admin", []string{"mailto:admin@localhost", "xmpp:admin@localhost"}},
	{"feedback", []string{"http://localhost/feedback.html", "mailto:feedback@localhost", "xmpp:feedback@localhost"}},
	{"sales", []string{"xmpp:sales@localhost"}},
	{"security", []string{"xmpp:security@localhost"}},
	{"status", []string{"gopher://status.localhost"}},
	{"support", []string{"https://localhost/support.html", "xmpp:support@localhost"}},
}

// mod_server_contact_info (XEP-0157): the host's disco#info carries a
// jabber:x:data result form of FORM_TYPE http://jabber.org/network/serverinfo
// with one list-multi field "<type>-addresses" per configured address
// type, sorted by type (13.0.1 lists only the configured types; 0.12.3
// lists all seven, empty ones too — the same answer under this
// configuration, which sets all seven). It is one of Prosody's
// component-inheritable modules, so every component's disco#info carries
// the same form (asked over the wire on 13.0.1).
var _ = register(&builtin{name: "server_contact_info", inheritable: true, load: func(s *Server, m *ModuleAPI) {
	m.AddExtension(contactInfoForm())
}})

func contactInfoForm() *etree.Element {
	x := etree.NewElement("x")
	x.CreateAttr("xmlns", formsNS)
	x.CreateAttr("type", "result")
	hiddenField(x, "FORM_TYPE", "http://jabber.org/network/serverinfo")
	for _, kv := range contactInfo {
		f := x.CreateElement("field")
		f.CreateAttr("type", "list-multi")
		f.CreateAttr("var", kv[0].(string)+"-addresses")
		for _, v := range kv[1].([]string) {
			f.CreateElement("value").SetText(v)
		}
	}
	return x
}

// hiddenField adds a hidden field with one value to a data form.
func hiddenField(x *etree.Element, name, value string) {
	f := x.CreateElement("field")
	f.CreateAttr("type", "hidden")
	f.CreateAttr("var", name)
	f.CreateElement("value").SetText(value)
}

// formsNS is XEP-0004's data forms namespace.
const formsNS = "jabber:x:data"
