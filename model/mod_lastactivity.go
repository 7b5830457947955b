package model

import (
	"strconv"
	"time"
)

// mod_lastactivity records when and with which status each user last went
// unavailable (§8.5) and answers jabber:iq:last on the user's behalf. The
// record lives in module memory: a restart forgets it.
var _ = register(&builtin{name: "lastactivity", load: func(s *Server, m *ModuleAPI) {
	m.AddFeature(nsLast)
	// Before mod_presence (0) and the vCard hint (1): §0.9.
	m.Hook("pre-presence/bare", 10, recordLastActivity)
	m.hookIQ(iqEvent("get", "bare", nsLast, "query"), 0, lastActivityIQ)
	m.Hook(EventServerRestart, 0, func(e *HookEvent) bool {
		clear(e.s.mods.lastactivity.at)
		return false
	})
}})

// lastActivityMod is the module's memory: the last unavailable per node.
type lastActivityMod struct {
	at map[string]lastActivity
}

type lastActivity struct {
	at     time.Time
	status string
	has    bool
}

func (m *lastActivityMod) init() { m.at = map[string]lastActivity{} }

// recordLastActivity is the pre-presence/bare hook: an unavailable
// without `to` records time and status per user.
func recordLastActivity(e *HookEvent) bool {
	s := e.s
	st := e.stanza
	if e.origin.sess == nil || selectAttr(st, "to") != nil || attrOr(st, "type") != "unavailable" {
		return false
	}
	status, _ := childText(st, "status", nsClient)
	s.mods.lastactivity.at[e.origin.sess.user.node] = lastActivity{at: s.now(), status: status, has: true}
	return false
}

// lastActivityIQ answers iq-get/bare/jabber:iq:last:query (§8.5).
func lastActivityIQ(e *HookEvent) bool {
	s := e.s
	target := s.bareTarget(e)
	if target == nil {
		return false
	}
	if !s.mayQueryAccount(e, target) {
		e.send(errorReply(e.stanza, "auth", "forbidden", "", nil), "error")
		return true
	}
	r := reply(e.stanza)
	rq := newNS(r, "query", nsLast)
	la := s.mods.lastactivity.at[target.node]
	secs := int64(0)
	if la.has {
		secs = int64(s.now().Sub(la.at).Seconds())
		if la.status != "" {
			rq.SetText(la.status)
		}
	}
	rq.CreateAttr("seconds", strconv.FormatInt(secs, 10))
	e.send(r, "result")
	return true
}
