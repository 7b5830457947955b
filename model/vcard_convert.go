package model

import (
	"strings"

	"github.com/beevik/etree"
)

// mod_vcard_legacy's conversion between vcard-temp (XEP-0054) and the
// vCard4 PEP node (XEP-0292), as Prosody 13.0.1 and 0.12.3 perform it
// (read from their mod_vcard_legacy; the round trip checked on 13.0.1:
// testdata/prosody-13/vcard_temp_roundtrip.scs).
//
// vcard-temp → vCard4: <fn><text>FN</text></fn> and <n> with surname,
// given, additional, prefix, suffix from N's FAMILY, GIVEN, MIDDLE,
// PREFIX, SUFFIX always come first, empty when absent; then, in document
// order, NICKNAME, TITLE, ROLE, CATEGORIES, NOTE (text), URL (uri), BDAY
// (date) with their text when they hold no elements; EMAIL's USERID (with
// a HOME or WORK type); TEL's NUMBER as a tel: URI; ORG's ORGNAME; DESC
// as a note; ADR's seven parts; JABBERID as an xmpp: URI. Anything else
// (PHOTO included: avatars are PEP nodes the model does not have yet) is
// not kept. vCard4 → vcard-temp is the inverse; FN and N are always
// present, so a vCard set without them comes back with them empty.

// vcardSimple maps the vCard4 elements copied as one text child.
var vcardSimple = map[string]string{
	"nickname": "text", "title": "text", "role": "text", "categories": "text",
	"note": "text", "url": "uri", "bday": "date",
}

// luaText is Prosody's get_text: the element's text when it has no child
// elements (ok false otherwise).
func luaText(el *etree.Element) (string, bool) {
	if el == nil || countChildElements(el) > 0 {
		return "", false
	}
	var b strings.Builder
	for _, t := range el.Child {
		if cd, ok := t.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	return b.String(), true
}

// childLuaText is get_child_text: the named child (in el's namespace)'s
// text.
func childLuaText(el *etree.Element, name string) (string, bool) {
	if el == nil {
		return "", false
	}
	return luaText(child(el, name, ns(el)))
}

// textTag appends <name>text</name> (empty when !ok), as text_tag does.
func textTag(parent *etree.Element, name, text string, ok bool) *etree.Element {
	c := parent.CreateElement(name)
	if ok && text != "" {
		c.SetText(text)
	}
	return c
}

// vcardType adds the HOME/WORK choice of a vcard-temp element as a vCard4
// <parameters><type>[<text/>]</type></parameters>.
func vcardType(from, to *etree.Element) {
	typ := to.CreateElement("parameters").CreateElement("type")
	switch {
	case child(from, "HOME", ns(from)) != nil:
		typ.CreateElement("text").SetText("home")
	case child(from, "WORK", ns(from)) != nil:
		typ.CreateElement("text").SetText("work")
	}
}

// vcardToPEP converts a vcard-temp <vCard/> to a vCard4 <vcard/>.
func vcardToPEP(vt *etree.Element) *etree.Element {
	v := etree.NewElement("vcard")
	v.CreateAttr("xmlns", nsVCard4)
	fn, ok := childLuaText(vt, "FN")
	textTag(v.CreateElement("fn"), "text", fn, ok)
	n := child(vt, "N", ns(vt))
	v4n := v.CreateElement("n")
	for _, p := range [][2]string{{"surname", "FAMILY"}, {"given", "GIVEN"}, {"additional", "MIDDLE"}, {"prefix", "PREFIX"}, {"suffix", "SUFFIX"}} {
		t, ok := childLuaText(n, p[1])
		textTag(v4n, p[0], t, ok)
	}
	for _, tag := range childElements(vt) {
		if typ, ok := vcardSimple[strings.ToLower(tag.Tag)]; ok {
			if t, ok := luaText(tag); ok {
				textTag(v.CreateElement(strings.ToLower(tag.Tag)), typ, t, true)
			}
			continue
		}
		switch tag.Tag {
		case "EMAIL":
			if t, ok := childLuaText(tag, "USERID"); ok {
				e := v.CreateElement("email")
				textTag(e, "text", t, true)
				vcardType(tag, e)
			}
		case "TEL":
			// Prosody writes a TEL without NUMBER's parameters into the
			// vcard itself and then climbs out of it: not modelled.
			if t, ok := childLuaText(tag, "NUMBER"); ok {
				e := v.CreateElement("tel")
				textTag(e, "uri", "tel:"+t, true)
				vcardType(tag, e)
			}
		case "ORG":
			if t, ok := childLuaText(tag, "ORGNAME"); ok {
				textTag(v.CreateElement("org"), "text", t, true)
			}
		case "DESC":
			if t, ok := luaText(tag); ok {
				textTag(v.CreateElement("note"), "text", t, true)
			}
		case "ADR":
			a := v.CreateElement("adr")
			for _, p := range adrParts {
				t, ok := childLuaText(tag, p[1])
				textTag(a, p[0], t, ok)
			}
			vcardType(tag, a)
		case "JABBERID":
			if t, ok := luaText(tag); ok {
				textTag(v.CreateElement("impp"), "uri", "xmpp:"+t, true)
			}
		}
	}
	return v
}

var adrParts = [][2]string{
	{"pobox", "POBOX"}, {"ext", "EXTADD"}, {"street", "STREET"}, {"locality", "LOCALITY"},
	{"region", "REGION"}, {"code", "PCODE"}, {"country", "CTRY"},
}

// vcardTypeBack adds <HOME/> or <WORK/> from a vCard4 element's
// parameters/type/text.
func vcardTypeBack(from, to *etree.Element) {
	var t string
	if p := child(from, "parameters", ns(from)); p != nil {
		if ty := child(p, "type", ns(from)); ty != nil {
			t, _ = childLuaText(ty, "text")
		}
	}
	switch t {
	case "home":
		to.CreateElement("HOME")
	case "work":
		to.CreateElement("WORK")
	}
}

// pepToVCard converts a vCard4 <vcard/> to a vcard-temp <vCard/> (v may be
// nil: an empty vCard).
func pepToVCard(v *etree.Element) *etree.Element {
	vt := etree.NewElement("vCard")
	vt.CreateAttr("xmlns", nsVCardTmp)
	if v == nil {
		return vt
	}
	var fn string
	fnOK := false
	if f := child(v, "fn", ns(v)); f != nil {
		fn, fnOK = childLuaText(f, "text")
	}
	textTag(vt, "FN", fn, fnOK)
	n := child(v, "n", ns(v))
	nt := vt.CreateElement("N")
	for _, p := range [][2]string{{"FAMILY", "surname"}, {"GIVEN", "given"}, {"MIDDLE", "additional"}, {"PREFIX", "prefix"}, {"SUFFIX", "suffix"}} {
		t, ok := childLuaText(n, p[1])
		textTag(nt, p[0], t, ok)
	}
	for _, tag := range childElements(v) {
		if typ, ok := vcardSimple[tag.Tag]; ok {
			if t, ok := childLuaText(tag, typ); ok {
				textTag(vt, strings.ToUpper(tag.Tag), t, true)
			}
			continue
		}
		switch tag.Tag {
		case "email":
			if t, ok := childLuaText(tag, "text"); ok {
				e := vt.CreateElement("EMAIL")
				textTag(e, "USERID", t, true)
				e.CreateElement("INTERNET")
				vcardTypeBack(tag, e)
			}
		case "tel":
			if t, ok := childLuaText(tag, "uri"); ok {
				e := vt.CreateElement("TEL")
				textTag(e, "NUMBER", strings.TrimPrefix(t, "tel:"), true)
				vcardTypeBack(tag, e)
			}
		case "adr":
			a := vt.CreateElement("ADR")
			for _, p := range adrParts {
				t, ok := childLuaText(tag, p[0])
				textTag(a, p[1], t, ok)
			}
			vcardTypeBack(tag, a)
		case "impp":
			if t, ok := childLuaText(tag, "uri"); ok && strings.HasPrefix(t, "xmpp:") {
				textTag(vt, "JABBERID", t[len("xmpp:"):], true)
			}
		case "org":
			t, ok := childLuaText(tag, "text")
			textTag(vt.CreateElement("ORG"), "ORGNAME", t, ok)
		}
	}
	return vt
}

// vcardTempGet answers a vcard-temp get to an account (or oneself): the
// vCard4 node's item converted, when the requester may read the node;
// otherwise an empty vCard (Prosody then falls back to the nickname and
// avatar PEP nodes, which the model does not have yet). A blocked
// requester never gets here: mod_blocklist answers its iq to the bare
// JID with service-unavailable first (XEP-0191 §3.3, verified on 13.0.1).
func vcardTempGet(e *HookEvent) bool {
	target := e.s.bareTarget(e)
	if target == nil {
		return false
	}
	var v *etree.Element
	if n, item, ok := e.s.loadVCard4(target); ok && e.s.mayReadVCard4(target, n, bareOf(attrOr(e.stanza, "from"))) {
		v = item
	}
	r := reply(e.stanza)
	r.AddChild(pepToVCard(v))
	e.send(r, "result")
	return true
}

// vcardTempSet converts the account's own vcard-temp set and publishes it
// to the vCard4 node, created with access model open (mod_vcard_legacy's
// node defaults) when it does not exist.
func vcardTempSet(e *HookEvent) bool {
	e.s.publishVCard4(e.origin.sess.user, vcardToPEP(e.query), "open")
	e.send(reply(e.stanza), "result")
	return true
}
