package model

import (
	"fmt"

	"github.com/beevik/etree"
)

// mod_offline (§5.5): a message for an account without a top resource is
// stored (message/offline/handle), and the stored messages go to a session
// at its initial presence if its priority is not negative
// (message/offline/broadcast), with a delay stamp of their storage time.
var _ = register(&builtin{
	name: "offline",
	load: func(s *Server, m *ModuleAPI) {
		m.AddFeature("msgoffline")
		m.Hook(eventOfflineHandle, 0, storeOffline)
		m.Hook(EventInitialPresence, 0, s.mods.offline.broadcast)
		if h := s.mods.offline.save; h != nil {
			m.Hook(eventAccountSave, 1, h)
		}
		m.Hook(eventAccountLoad, 1, loadOffline)
	},
	mutants: []mutantDef{
		{name: "offline-flush-at-negative-priority", summary: "stored messages are flushed to a session whose initial presence has negative priority",
			apply: func(m *modules) {
				m.offline.broadcast = func(e *HookEvent) bool { e.s.flushOffline(e.sess); return false }
			}},
		{name: "offline-kept-after-flush", summary: "flushed offline messages stay stored and come again at the next login",
			apply: func(m *modules) {
				m.offline.retain = func(msgs []offlineMessage) []offlineMessage {
					return append([]offlineMessage(nil), msgs...)
				}
			}},
		{name: "offline-lost-on-restart", summary: "offline messages are never written to storage, so a restart loses them",
			apply: func(m *modules) { m.offline.save = nil }},
	},
})

// offlineAccount is mod_offline's per-account state.
type offlineAccount struct {
	offline []offlineMessage
}

type offlineMessage struct {
	st    *etree.Element
	stamp string
}

// offlineMod holds mod_offline's replaceable handlers.
type offlineMod struct {
	broadcast Handler // initial-presence
	save      Handler // account-save (nil: removed)
	// retain is what stays stored after a flush: nothing.
	retain func(flushed []offlineMessage) []offlineMessage
}

func (m *offlineMod) init() {
	m.broadcast = func(e *HookEvent) bool {
		if e.priority >= 0 {
			e.s.flushOffline(e.sess)
		}
		return false
	}
	m.save = saveOffline
	m.retain = func([]offlineMessage) []offlineMessage { return nil }
}

// storeOffline is message/offline/handle: the message is stored for the
// account e.user.
func storeOffline(e *HookEvent) bool {
	s := e.s
	acct, st := e.user, e.stanza
	acct.offline = append(acct.offline, offlineMessage{st: st.Copy(), stamp: s.stamp()})
	s.touch(acct)
	s.emit(Event{Kind: Store, To: acct.bare, Reason: "offline"}, st.Copy())
	return true
}

// flushOffline is message/offline/broadcast: stored messages go to sess,
// then are deleted.
func (s *Server) flushOffline(sess *session) {
	u := sess.user
	msgs := u.offline
	u.offline = s.mods.offline.retain(msgs)
	s.touch(u)
	for _, m := range msgs {
		if s.prof.RecheckBlocklistOnOfflineFlush && s.isBlocked(u, attrOr(m.st, "from")) {
			s.drop(m.st, "blocked-offline")
			continue
		}
		st := m.st.Copy()
		st.AddChild(s.delayElement(m.stamp))
		s.deliver(sess, st, "offline")
	}
}

// offlineRecord is mod_offline's part of an account's storage record.
type offlineRecord struct {
	Offline []offlineRec `json:"offline,omitempty"`
}

type offlineRec struct {
	Stanza string `json:"stanza"`
	Stamp  string `json:"stamp"`
}

func saveOffline(e *HookEvent) bool {
	for _, m := range e.user.offline {
		e.rec.Offline = append(e.rec.Offline, offlineRec{Stanza: serialise(m.st), Stamp: m.stamp})
	}
	return false
}

func loadOffline(e *HookEvent) bool {
	for _, o := range e.rec.Offline {
		st, err := deserialise(o.Stanza)
		if err != nil {
			e.rec.loadErr = fmt.Errorf("offline message: %v", err)
			return true
		}
		e.user.offline = append(e.user.offline, offlineMessage{st: st, stamp: o.Stamp})
	}
	return false
}

// OfflineCount returns how many messages are stored for the user.
func (s *Server) OfflineCount(userJID string) int {
	if u := s.accountByJID(userJID); u != nil {
		return len(u.offline)
	}
	return 0
}
