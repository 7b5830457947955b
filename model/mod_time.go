package model

import "github.com/beevik/etree"

// TimeOptions are mod_time's options.
type TimeOptions struct {
	// FractionalTime: urn:xmpp:time answers carry microseconds (trunk, §8.6).
	FractionalTime bool
	// LegacyTime: jabber:iq:time (XEP-0090) is answered (0.12 only, §8.6).
	LegacyTime bool
}

// mod_time answers entity time (XEP-0202, and XEP-0090 under LegacyTime)
// for the host and on a user's behalf (§8.6).
var _ = register(&builtin{name: "time", load: func(s *Server, m *ModuleAPI) {
	m.AddFeature(nsTime)
	payloads := [][2]string{{nsTime, "time"}}
	if s.prof.LegacyTime {
		m.AddFeature(nsLegacyTime)
		payloads = append(payloads, [2]string{nsLegacyTime, "query"})
	}
	for _, p := range payloads {
		m.hookIQ(iqEvent("get", "host", p[0], p[1]), 0, answerTime)
		m.hookIQ(iqEvent("get", "bare", p[0], p[1]), 0, func(e *HookEvent) bool {
			return e.s.bareTarget(e) != nil && answerTime(e)
		})
	}
}})

func answerTime(e *HookEvent) bool {
	s := e.s
	r := reply(e.stanza)
	s.timeReply(r, e.query)
	e.send(r, "result")
	return true
}

// timeReply fills an entity-time answer (§8.6).
func (s *Server) timeReply(r *etree.Element, q *etree.Element) {
	now := s.now().UTC()
	if ns(q) == nsLegacyTime {
		newNS(r, "query", nsLegacyTime).CreateElement("utc").SetText(now.Format("20060102T15:04:05"))
		return
	}
	t := newNS(r, "time", nsTime)
	t.CreateElement("tzo").SetText("+00:00")
	if s.prof.FractionalTime {
		t.CreateElement("utc").SetText(now.Format("2006-01-02T15:04:05.000000Z"))
	} else {
		t.CreateElement("utc").SetText(now.Format(stampFormat))
	}
}
