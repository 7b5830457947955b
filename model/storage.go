package model

import (
	"encoding/json"
	"fmt"
	"sort"

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

// record is the serialised form of an account. Stanzas are stored as XML
// text; maps are written as sorted slices so the bytes are deterministic.
type record struct {
	Version   int          `json:"version,omitempty"`
	Items     []itemRecord `json:"items,omitempty"`
	Pending   []pendingRec `json:"pending,omitempty"`
	Blocklist []string     `json:"blocklist,omitempty"`
	Offline   []offlineRec `json:"offline,omitempty"`
}

type itemRecord struct {
	JID          string   `json:"jid"`
	Subscription string   `json:"subscription"`
	Ask          bool     `json:"ask,omitempty"`
	Name         string   `json:"name,omitempty"`
	Groups       []string `json:"groups,omitempty"`
	Approved     bool     `json:"approved,omitempty"`
}

type pendingRec struct {
	JID    string `json:"jid"`
	Stanza string `json:"stanza,omitempty"` // empty: a bare marker
}

type offlineRec struct {
	Stanza string `json:"stanza"`
	Stamp  string `json:"stamp"`
}

func (u *user) marshal(mutOfflineLost bool) []byte {
	var r record
	r.Version = u.rosterVer
	for _, jid := range u.rosterJIDs() {
		it := u.roster[jid]
		ir := itemRecord{JID: jid, Subscription: it.sub, Ask: it.ask, Name: it.name, Approved: it.approved}
		ir.Groups = sortedKeys(it.groups)
		r.Items = append(r.Items, ir)
	}
	for _, jid := range sortedKeys(u.pending) {
		p := pendingRec{JID: jid}
		if st := u.pending[jid]; st != nil {
			if u.pendingRevert[jid] {
				// storage holds it bare (PendingKeepsAddressedTo)
				st = st.Copy()
				st.CreateAttr("to", u.bare.String())
			}
			p.Stanza = serialise(st)
		}
		r.Pending = append(r.Pending, p)
	}
	r.Blocklist = sortedKeys(u.blocklist)
	for _, m := range u.offline {
		if mutOfflineLost {
			break
		}
		r.Offline = append(r.Offline, offlineRec{Stanza: serialise(m.st), Stamp: m.stamp})
	}
	b, _ := json.Marshal(r) // only strings, ints and bools: cannot fail
	return b
}

// serialise writes a stanza as XML text, keeping attribute order.
func serialise(st *etree.Element) string {
	doc := etree.NewDocument()
	doc.SetRoot(st.Copy())
	s, _ := doc.WriteToString()
	return s
}

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

func (u *user) unmarshal(b []byte) error {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	u.rosterVer = r.Version
	for _, ir := range r.Items {
		it := &rosterItem{sub: ir.Subscription, ask: ir.Ask, name: ir.Name, approved: ir.Approved, groups: map[string]bool{}}
		for _, g := range ir.Groups {
			it.groups[g] = true
		}
		u.roster[ir.JID] = it
		u.rosterKeys = nil
	}
	for _, p := range r.Pending {
		var st *etree.Element
		if p.Stanza != "" {
			var err error
			if st, err = deserialise(p.Stanza); err != nil {
				return fmt.Errorf("pending request from %s: %v", p.JID, err)
			}
		}
		u.pending[p.JID] = st
	}
	for _, jid := range r.Blocklist {
		u.blocklist[jid] = true
	}
	for _, o := range r.Offline {
		st, err := deserialise(o.Stanza)
		if err != nil {
			return fmt.Errorf("offline message: %v", err)
		}
		u.offline = append(u.offline, offlineMessage{st: st, stamp: o.Stamp})
	}
	return nil
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
	sort.Slice(s.dirty, func(i, j int) bool { return s.dirty[i].node < s.dirty[j].node })
	for _, u := range s.dirty {
		u.dirty = false
		s.store.Put(u.node, u.marshal(s.mut.has(mutOfflineLostOnRestart)))
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
	if err := u.unmarshal(b); err != nil {
		*u = user{node: u.node, bare: u.bare, bareStr: u.bareStr,
			roster: map[string]*rosterItem{}, pending: map[string]*etree.Element{}, blocklist: map[string]bool{}}
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
	s.lastAct = make(map[string]lastActivity)
	s.start = s.now()
	return s.flush()
}
