package model

import "strconv"

// mod_uptime answers jabber:iq:last to the host with the seconds since the
// server (re)started (§8). The feature is mod_lastactivity's.
var _ = register(&builtin{name: "uptime", load: func(s *Server, m *ModuleAPI) {
	m.hookIQ(iqEvent("get", "host", nsLast, "query"), 0, func(e *HookEvent) bool {
		r := reply(e.stanza)
		rq := newNS(r, "query", nsLast)
		rq.CreateAttr("seconds", strconv.FormatInt(int64(e.s.now().Sub(e.s.start).Seconds()), 10))
		e.send(r, "result")
		return true
	})
}})
