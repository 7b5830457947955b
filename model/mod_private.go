package model

import "github.com/beevik/etree"

const nsPrivate = "jabber:iq:private"

// mod_private (XEP-0049): private XML storage, for the account itself
// only (iq/self; anyone else's query to the account is unhandled:
// service-unavailable). The query must hold exactly one element, else
// bad-format (XEP-0049 §3). Data is kept per (local name, namespace). A
// get returns the stored element in a fresh query, or the query as sent
// when nothing is stored; a set stores the element, or deletes the entry
// when the element is empty (no child nodes), and answers an empty
// result. A namespace XEP-0049 reserves (jabber:iq:private itself) is not
// refused: 13.0.1 stores it too (asked over the wire). 0.12.3's module is
// the same code.
var _ = register(&builtin{name: "private", load: func(s *Server, m *ModuleAPI) {
	m.AddFeature(nsPrivate)
	m.hookIQ(iqEvent("get", "self", nsPrivate, "query"), 0, privateQuery)
	m.hookIQ(iqEvent("set", "self", nsPrivate, "query"), 0, privateQuery)
}})

func privateQuery(e *HookEvent) bool {
	s, st, q := e.s, e.stanza, e.query
	u := e.origin.sess.user // iq/self events come from a session
	kids := childElements(q)
	if len(kids) != 1 {
		e.send(errorReply(st, "modify", "bad-format", "", nil), "error")
		return true
	}
	tag := kids[0]
	key := tag.Tag + ":" + ns(tag)
	var stored map[string]string
	s.moduleJSON(u, "private", &stored)
	if attrOr(st, "type") == "get" {
		r := reply(st)
		if x, ok := stored[key]; ok {
			doc := etree.NewDocument()
			if doc.ReadFromString(x) == nil && doc.Root() != nil {
				newNS(r, "query", nsPrivate).AddChild(doc.Root())
				e.send(r, "result")
				return true
			}
		}
		r.AddChild(q.Copy())
		e.send(r, "result")
		return true
	}
	if len(tag.Child) == 0 {
		delete(stored, key)
	} else {
		if stored == nil {
			stored = map[string]string{}
		}
		el := tag.Copy()
		if _, ok := attr(el, "xmlns"); !ok {
			el.CreateAttr("xmlns", ns(tag))
		}
		stored[key] = Canonical(el)
	}
	if len(stored) == 0 {
		s.setModuleBytes(u, "private", nil)
	} else {
		s.setModuleJSON(u, "private", stored)
	}
	e.send(reply(st), "result")
	return true
}
