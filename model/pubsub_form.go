package model

import (
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// This file is the pubsub#node_config data form (XEP-0060 §16.4.4) as
// 13.0.1's mod_pubsub lays it out: the fields, labels and options in its
// order, rendered from a psConfig and read back from a submitted form.

const nsPubsubNodeConfig = "http://jabber.org/protocol/pubsub#node_config"

// psField is one field of the node configuration form.
type psField struct {
	v, typ, label string
	options       [][2]string // value, label
	get           func(c *psConfig) string
	// set stores a submitted value; false: the value is not valid.
	set func(c *psConfig, v string) bool
}

func psText(get func(c *psConfig) *string) (func(*psConfig) string, func(*psConfig, string) bool) {
	return func(c *psConfig) string { return *get(c) }, func(c *psConfig, v string) bool { *get(c) = v; return true }
}

func psBool(get func(c *psConfig) *bool) (func(*psConfig) string, func(*psConfig, string) bool) {
	return func(c *psConfig) string {
			if *get(c) {
				return "1"
			}
			return "0"
		}, func(c *psConfig, v string) bool {
			switch v {
			case "1", "true":
				*get(c) = true
			case "0", "false":
				*get(c) = false
			default:
				return false
			}
			return true
		}
}

func psList(get func(c *psConfig) *string, opts [][2]string) (func(*psConfig) string, func(*psConfig, string) bool) {
	return func(c *psConfig) string { return *get(c) }, func(c *psConfig, v string) bool {
		for _, o := range opts {
			if o[0] == v {
				*get(c) = v
				return true
			}
		}
		return false
	}
}

func same(vs ...string) [][2]string {
	out := make([][2]string, len(vs))
	for i, v := range vs {
		out[i] = [2]string{v, v}
	}
	return out
}

var psFields = func() []psField {
	var fs []psField
	add := func(v, typ, label string, opts [][2]string, get func(*psConfig) string, set func(*psConfig, string) bool) {
		fs = append(fs, psField{v, typ, label, opts, get, set})
	}
	g, s := psText(func(c *psConfig) *string { return &c.Title })
	add("pubsub#title", "text-single", "Title", nil, g, s)
	g, s = psText(func(c *psConfig) *string { return &c.Description })
	add("pubsub#description", "text-single", "Description", nil, g, s)
	g, s = psText(func(c *psConfig) *string { return &c.Type })
	add("pubsub#type", "text-single", "The type of node data, usually specified by the namespace of the payload (if any)", nil, g, s)
	add("pubsub#max_items", "text-single", "Max # of items to persist", nil, func(c *psConfig) string {
		if c.MaxItemsMax {
			return "max"
		}
		return strconv.Itoa(c.MaxItems)
	}, func(c *psConfig, v string) bool {
		if v == "max" {
			c.MaxItems, c.MaxItemsMax = 0, true
			return true
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return false
		}
		c.MaxItems, c.MaxItemsMax = n, false
		return true
	})
	g, s = psBool(func(c *psConfig) *bool { return &c.PersistItems })
	add("pubsub#persist_items", "boolean", "Persist items to storage", nil, g, s)
	o := same("authorize", "open", "presence", "roster", "whitelist")
	g, s = psList(func(c *psConfig) *string { return &c.AccessModel }, o)
	add("pubsub#access_model", "list-single", "Specify the subscriber model", o, g, s)
	// roster_groups_allowed is a list-multi: its get and set carry the
	// groups joined by newlines (psConfigForm and psReadForm split and
	// join them).
	add("pubsub#roster_groups_allowed", "list-multi", "Roster groups allowed to subscribe", nil,
		func(c *psConfig) string { return strings.Join(c.RosterGroups, "\n") },
		func(c *psConfig, v string) bool {
			c.RosterGroups = nil
			if v != "" {
				c.RosterGroups = strings.Split(v, "\n")
			}
			return true
		})
	o = same("publishers", "subscribers", "open")
	g, s = psList(func(c *psConfig) *string { return &c.PublishModel }, o)
	add("pubsub#publish_model", "list-single", "Specify the publisher model", o, g, s)
	o = same("never", "on_sub", "on_sub_and_presence")
	g, s = psList(func(c *psConfig) *string { return &c.SendLast }, o)
	add("pubsub#send_last_published_item", "list-single", "", o, g, s)
	g, s = psBool(func(c *psConfig) *bool { return &c.NotifyItems })
	add("pubsub#deliver_notifications", "boolean", "Whether to deliver event notifications", nil, g, s)
	g, s = psBool(func(c *psConfig) *bool { return &c.IncludePayload })
	add("pubsub#deliver_payloads", "boolean", "Whether to deliver payloads with event notifications", nil, g, s)
	o = [][2]string{{"normal", "Messages of type normal"}, {"headline", "Messages of type headline"}}
	g, s = psList(func(c *psConfig) *string { return &c.NotificationType }, o)
	add("pubsub#notification_type", "list-single", "Specify the delivery style for notifications", o, g, s)
	g, s = psBool(func(c *psConfig) *bool { return &c.NotifyDelete })
	add("pubsub#notify_delete", "boolean", "Whether to notify subscribers when the node is deleted", nil, g, s)
	g, s = psBool(func(c *psConfig) *bool { return &c.NotifyRetract })
	add("pubsub#notify_retract", "boolean", "Whether to notify subscribers when items are removed from the node", nil, g, s)
	o = [][2]string{{"owner", "Include the node owner's JID"}, {"publisher", "Include the item publisher's JID"}, {"none", "Don't include any JID with items"}}
	g, s = psList(func(c *psConfig) *string { return &c.ItemReply }, o)
	add("pubsub#itemreply", "list-single", "Specify whose JID to include as the publisher of items", o, g, s)
	return fs
}()

// psAbsentOn012 are the node_config fields that 0.12.3's form lacks
// (pubsub.lib.lua's node_config_form; 13.0.1 added them): 0.12.3 neither
// lists them nor reads them from a submitted form.
var psAbsentOn012 = map[string]bool{"pubsub#roster_groups_allowed": true, "pubsub#itemreply": true}

// psConfigForm renders c as a form of type "form"; maxMax is the range's
// upper bound (pubsub_max_items); legacy leaves out psAbsentOn012.
func psConfigForm(c psConfig, maxMax int, legacy bool) *etree.Element {
	x := etree.NewElement("x")
	x.CreateAttr("xmlns", nsData)
	x.CreateAttr("type", "form")
	ft := x.CreateElement("field")
	ft.CreateAttr("var", "FORM_TYPE")
	ft.CreateAttr("type", "hidden")
	ft.CreateElement("value").SetText(nsPubsubNodeConfig)
	for _, f := range psFields {
		if legacy && psAbsentOn012[f.v] {
			continue
		}
		el := x.CreateElement("field")
		el.CreateAttr("var", f.v)
		if f.label != "" {
			el.CreateAttr("label", f.label)
		}
		el.CreateAttr("type", f.typ)
		if f.v == "pubsub#max_items" {
			val := el.CreateElement("validate")
			val.CreateAttr("xmlns", "http://jabber.org/protocol/xdata-validate")
			val.CreateAttr("datatype", "pubsub:integer-or-max")
			r := val.CreateElement("range")
			r.CreateAttr("min", "1")
			r.CreateAttr("max", strconv.Itoa(maxMax))
		}
		for _, o := range f.options {
			oe := el.CreateElement("option")
			oe.CreateAttr("label", o[1])
			oe.CreateElement("value").SetText(o[0])
		}
		if f.typ == "list-multi" {
			// 13.0.1 renders the allowed groups as the field's options,
			// each labelled with itself, and selects none (util.dataforms
			// takes a list-multi's table value for its options; asked
			// over the wire: testdata/prosody-13/pep_roster_groups.scs).
			for _, g := range c.RosterGroups {
				oe := el.CreateElement("option")
				oe.CreateAttr("label", g)
				oe.CreateElement("value").SetText(g)
			}
			continue
		}
		if v := f.get(&c); v != "" {
			el.CreateElement("value").SetText(v)
		}
	}
	return x
}

// psReadForm applies the fields a submitted form carries onto base; it
// returns the result, the vars it carried, and false for an invalid value
// (bad-request, as dataforms:data reports it). legacy ignores the fields
// of psAbsentOn012, as 0.12.3's form does.
func psReadForm(x *etree.Element, base psConfig, legacy bool) (psConfig, []string, bool) {
	c := base
	var vars []string
	for _, fe := range childElements(x) {
		if fe.Tag != "field" {
			continue
		}
		v := attrOr(fe, "var")
		if legacy && psAbsentOn012[v] {
			continue
		}
		for _, f := range psFields {
			if f.v != v {
				continue
			}
			val, has := childText(fe, "value", nsData)
			if f.typ == "list-multi" {
				var vals []string
				for _, ve := range childElements(fe) {
					if ve.Tag == "value" && ns(ve) == nsData {
						vals = append(vals, ve.Text())
					}
				}
				val, has = strings.Join(vals, "\n"), true
			}
			if !has {
				if f.typ == "text-single" || f.typ == "list-multi" {
					val = ""
				} else {
					break // no value: dataforms leaves the field unset
				}
			}
			if !f.set(&c, val) {
				return c, nil, false
			}
			vars = append(vars, v)
			break
		}
	}
	return c, vars, true
}

// psFieldValue is a config's value for a form var.
func psFieldValue(c psConfig, v string) string {
	for _, f := range psFields {
		if f.v == v {
			return f.get(&c)
		}
	}
	return ""
}
