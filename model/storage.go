package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/beevik/etree"
)

// Storage keeps each account's persistent state (roster, pending
// requests, pre-approvals, blocklist, offline messages) as bytes, so that
// a restarted server really reloads it. Sessions, presence, carbons state
// and last activity live in server memory only, as in Prosody (module
// memory), and are lost on restart.
type Storage interface {
	Get(node string) ([]byte, bool)
	Put(node string, data []byte)
}

// MemStorage is an in-memory Storage. The zero value is ready to use.
type MemStorage struct{ m map[string][]byte }

// Get returns the stored record of node.
func (m *MemStorage) Get(node string) ([]byte, bool) {
	b, ok := m.m[node]
	return b, ok
}

// Put replaces the record of node (the slice is copied).
func (m *MemStorage) Put(node string, data []byte) {
	if m.m == nil {
		m.m = make(map[string][]byte)
	}
	m.m[node] = append([]byte(nil), data...)
}

// Nodes lists the stored accounts, sorted.
func (m *MemStorage) Nodes() []string { return sortedKeys(m.m) }

// marshal serialises u's persistent state: each module writes its part
// of the record on account-save. Maps are written as sorted slices and
// stanzas as XML text, so the bytes are deterministic.
func (s *Server) marshal(u *user) []byte {
	var r record
	s.fireLifecycle(nil, s.pipe.accountSave, func(e *HookEvent) { e.user, e.rec = u, &r })
	r.Modules = u.moduleData
	b, _ := json.Marshal(r) // only strings, ints and bools: cannot fail
	return b
}

// serialise writes a stanza as XML text, keeping attribute order: what
// a document holding it writes, without copying it into one (SetRoot
// would take st from its parent; the copy that avoided this was most of
// a persist's cost).
func serialise(st *etree.Element) string {
	var b strings.Builder
	ws := docWriteSettings
	st.WriteTo(&b, &ws)
	return b.String()
}

// docWriteSettings are a new document's write settings.
var docWriteSettings = etree.NewDocument().WriteSettings

func deserialise(s string) (*etree.Element, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(s); err != nil {
		return nil, err
	}
	if doc.Root() == nil {
		return nil, fmt.Errorf("empty stanza")
	}
	return doc.Root(), nil
}

// unmarshal fills u from a stored record: each module reads its part on
// account-load, and the first that cannot stops the chain with an error.
func (s *Server) unmarshal(u *user, b []byte) error {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	s.fireLifecycle(nil, s.pipe.accountLoad, func(e *HookEvent) { e.user, e.rec = u, &r })
	u.moduleData = r.Modules
	return r.loadErr
}

// touch marks u's persistent state as changed in this call.
func (s *Server) touch(u *user) {
	if s.store != nil && !u.dirty {
		u.dirty = true
		s.dirty = append(s.dirty, u)
	}
}

// persist writes the accounts changed by the current call to storage, in
// node order. Called at the end of each public call, so storage always
// holds the state as of the last completed input.
func (s *Server) persist() {
	if len(s.dirty) == 0 {
		return
	}
	slices.SortFunc(s.dirty, func(a, b *user) int { return strings.Compare(a.node, b.node) })
	for _, u := range s.dirty {
		u.dirty = false
		b := s.marshal(u)
		// A touched account whose record came out the same (a repeated
		// block, a presence that changed nothing stored) is not
		// written again: the stored bytes already say it, and a write
		// tells storage watchers (the property harness) that the account
		// changed.
		if old, ok := s.store.Get(u.node); ok && bytes.Equal(old, b) {
			continue
		}
		s.store.Put(u.node, b)
	}
	s.dirty = s.dirty[:0]
}

// load fills a freshly created account from storage, if it has a record.
// A record that does not decode is reported as a Drop event and the
// account starts empty rather than half-loaded.
func (s *Server) load(u *user) {
	if s.store == nil {
		return
	}
	b, ok := s.store.Get(u.node)
	if !ok {
		return
	}
	if err := s.unmarshal(u, b); err != nil {
		u.accountState = newAccountState()
		s.out = append(s.out, Event{Kind: Drop, To: u.bare, Reason: "storage-corrupt: " + err.Error()})
	}
}

// Restart simulates a server restart: every session is lost at once (no
// unavailable presence is sent: the process died), in-memory state is
// discarded, and accounts are reloaded from Options.Storage on demand.
// Without a Storage, nothing survives. Closed events (Reason
// "server-restart") report the lost sessions in bind order.
func (s *Server) Restart() []Event {
	s.persist()
	ids := make([]SessionID, 0, len(s.sessions))
	for id := range s.sessions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		sess := s.sessions[id]
		sess.bound = false
		s.out = append(s.out, Event{Kind: Closed, Session: id, To: sess.jid, Reason: "server-restart"})
	}
	s.sessions = make(map[SessionID]*session)
	s.full = make(map[string]*session)
	s.users = make(map[string]*user)
	s.lastNode, s.lastUser = "", nil
	s.deferQ, s.deferNew = nil, nil // the processes died with their work
	s.start = s.now()
	s.fireLifecycle(nil, s.pipe.restart, func(*HookEvent) {})
	return s.flush()
}
