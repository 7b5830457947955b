package model

import (
	"encoding/base64"
	"fmt"
	"slices"
	"time"

	"github.com/beevik/etree"
)

// This file is mod_mam's archive: what is stored (Prosody's should_store
// and shall_store), the per-account store, and its part of the account's
// storage record.

const (
	nsMAM        = "urn:xmpp:mam:2"
	nsRSM        = "http://jabber.org/protocol/rsm"
	nsData       = "jabber:x:data"
	nsChatStates = "http://jabber.org/protocol/chatstates"
)

// mamAccount is mod_mam's per-account state.
type mamAccount struct {
	// mamPrefs: the stored preferences; nil until set (explicitly, or by
	// SmartEnable on first use).
	mamPrefs *mamPrefs
	archive  mamArchive
}

// mamArchive is one owner's archive (Prosody's archive store for one
// user, or, for muc_mam, one room), in append order.
type mamArchive struct {
	items []mamItem
}

// mamItem is one archived message.
type mamItem struct {
	id   string
	when time.Time
	with string // the peer's bare JID
	st   *etree.Element
}

// mamSession is mod_mam's per-session state.
type mamSession struct {
	// mamRequested: the session queried the archive (origin.mam_requested).
	mamRequested bool
}

// archiveOutbound archives a message a client sends, in its own archive
// (c2s_message_handler).
func archiveOutbound(e *HookEvent) bool {
	if e.origin.sess == nil {
		return false
	}
	st := e.stanza
	u := e.origin.sess.user
	to, ok := attr(st, "to")
	if !ok {
		to = attrOr(st, "from")
	}
	e.s.archiveMessage(e, u, bareOf(to))
	return false
}

// archiveInbound archives a message to a local account, in the
// recipient's archive (message_handler).
func archiveInbound(e *HookEvent) bool {
	st := e.stanza
	from := attrOr(st, "from")
	to, ok := attr(st, "to")
	if !ok {
		to = from
	}
	j, err := ParseJID(to)
	if err != nil {
		return false
	}
	u := e.s.localUser(j)
	if u == nil {
		return false
	}
	e.s.archiveMessage(e, u, bareOf(from))
	return false
}

// archiveMessage stores the event's message in u's archive if
// should_store and u's preferences for with allow it, and marks the
// message with its stanza-id.
func (s *Server) archiveMessage(e *HookEvent, u *user, with string) {
	st := e.stanza
	removeStanzaIDs(st, u.bareStr)
	if u.missing() {
		return // mod_mam archives nothing for an account that does not exist
	}
	if !shouldStore(st) {
		return
	}
	stored := st.Copy()
	for _, c := range childElements(stored) {
		if ns(c) == nsChatStates {
			stored.RemoveChild(c)
		}
	}
	if countChildElements(stored) == 0 {
		return
	}
	if !s.shallStore(u, with) {
		return
	}
	when := s.now().UTC()
	if s.prof.WholeSecondStamps {
		when = when.Truncate(time.Second)
	}
	id := u.archive.add(s, when, with, stored)
	s.touch(u)
	sid := newNS(st, "stanza-id", nsStanzaID)
	sid.CreateAttr("by", u.bareStr)
	sid.CreateAttr("id", id)
}

// The memory store's quota (storage_archive_item_limit) and mod_mam's
// archive_expires_after, both at their defaults.
const (
	archiveItemLimit    = 1000
	archiveExpiresAfter = 7 * 24 * time.Hour
)

// makeRoom is what mod_mam does when an append hits the quota: delete
// what has expired, and if that freed nothing, keep only the newest 99%.
func makeRoom(a []mamItem, now time.Time) []mamItem {
	cut := now.Add(-archiveExpiresAfter)
	kept := slices.DeleteFunc(slices.Clone(a), func(it mamItem) bool { return !it.when.After(cut) })
	if len(kept) < archiveItemLimit {
		return kept
	}
	n := archiveItemLimit * 99 / 100
	return slices.Clone(kept[len(kept)-n:])
}

// add appends st, archived at when with the peer with, making room
// first if the archive is full; it returns the new item's id, drawn from
// the server's seed.
func (a *mamArchive) add(s *Server, when time.Time, with string, st *etree.Element) string {
	if len(a.items) >= archiveItemLimit {
		a.items = makeRoom(a.items, when)
	}
	id := s.archiveID()
	a.items = append(a.items, mamItem{id: id, when: when, with: with, st: st})
	return id
}

// archiveID is util.id.medium: 18 random bytes in base64url, drawn from
// the server's seed.
func (s *Server) archiveID() string {
	var b [18]byte
	for i := range b {
		b[i] = byte(s.rng.Uint32())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// shouldStore is Prosody's should_store: whether a message is worth
// archiving at all, before the owner's preferences.
func shouldStore(st *etree.Element) bool {
	switch t := attrOr(st, "type"); t {
	case "headline", "groupchat":
		return false
	case "error":
		// A bounce to a full JID tells the sender its message failed;
		// errors to the bare JID (such as PEP's) are not kept.
		_, _, res := splitJID(attrOr(st, "to"))
		return res != ""
	}
	switch {
	case child(st, "no-store", nsHints) != nil, child(st, "no-permanent-store", nsHints) != nil:
		return false
	case child(st, "store", nsHints) != nil,
		child(st, "body", nsClient) != nil,
		child(st, "subject", nsClient) != nil,
		child(st, "encryption", "urn:xmpp:eme:0") != nil,
		childInNS(st, "urn:xmpp:receipts"),
		childInNS(st, "urn:xmpp:chat-markers:0"),
		child(st, "x", "jabber:x:conference") != nil,
		mucInvite(st),
		childInNS(st, "urn:xmpp:jingle-message:0"),
		childInNS(st, "urn:xmpp:jingle-message:1"):
		return true
	}
	return false
}

func childInNS(st *etree.Element, space string) bool {
	return slices.ContainsFunc(childElements(st), func(c *etree.Element) bool { return ns(c) == space })
}

func mucInvite(st *etree.Element) bool {
	x := child(st, "x", nsMUCUser)
	return x != nil && child(x, "invite", nsMUCUser) != nil
}

// mamRecord is mod_mam's part of an account's storage record.
type mamRecord struct {
	MAMPrefs   *mamPrefsRec `json:"mam_prefs,omitempty"`
	MAMArchive []mamItemRec `json:"mam_archive,omitempty"`
}

type mamPrefsRec struct {
	Default string   `json:"default,omitempty"`
	Always  []string `json:"always,omitempty"`
	Never   []string `json:"never,omitempty"`
}

type mamItemRec struct {
	ID     string `json:"id"`
	When   string `json:"when"`
	With   string `json:"with"`
	Stanza string `json:"stanza"`
}

func saveMAM(e *HookEvent) bool {
	u := e.user
	if p := u.mamPrefs; p != nil {
		r := &mamPrefsRec{Default: p.def}
		for _, j := range sortedKeys(p.rules) {
			if p.rules[j] {
				r.Always = append(r.Always, j)
			} else {
				r.Never = append(r.Never, j)
			}
		}
		e.rec.MAMPrefs = r
	}
	for _, it := range u.archive.items {
		e.rec.MAMArchive = append(e.rec.MAMArchive, mamItemRec{
			ID: it.id, When: it.when.Format(time.RFC3339Nano), With: it.with, Stanza: serialise(it.st)})
	}
	return false
}

func loadMAM(e *HookEvent) bool {
	u := e.user
	if r := e.rec.MAMPrefs; r != nil {
		p := &mamPrefs{def: r.Default, rules: map[string]bool{}}
		for _, j := range r.Always {
			p.rules[j] = true
		}
		for _, j := range r.Never {
			p.rules[j] = false
		}
		u.mamPrefs = p
	}
	for _, r := range e.rec.MAMArchive {
		when, err := time.Parse(time.RFC3339Nano, r.When)
		if err != nil {
			e.rec.loadErr = fmt.Errorf("archived message: %v", err)
			return true
		}
		st, err := deserialise(r.Stanza)
		if err != nil {
			e.rec.loadErr = fmt.Errorf("archived message: %v", err)
			return true
		}
		u.archive.items = append(u.archive.items, mamItem{id: r.ID, when: when, with: r.With, st: st})
	}
	return false
}

// ArchivedMessage is one item of a user's archive, for inspection.
type ArchivedMessage struct {
	ID     string         // the archive id (the stanza-id the message carried)
	With   string         // the peer's bare JID
	Stamp  string         // the <delay/> stamp a query gives it
	Stanza *etree.Element // a copy of the stored message
}

// Archive returns the user's archive, oldest first (what an unfiltered
// query would page through), for the property engine's checks.
func (s *Server) Archive(userJID string) []ArchivedMessage {
	u := s.accountByJID(userJID)
	if u == nil {
		return nil
	}
	out := make([]ArchivedMessage, len(u.archive.items))
	for i, it := range u.archive.items {
		out[i] = ArchivedMessage{ID: it.id, With: it.with, Stamp: s.archiveStamp(it.when), Stanza: it.st.Copy()}
	}
	return out
}

// ArchiveCount returns how many messages the user's archive holds.
func (s *Server) ArchiveCount(userJID string) int {
	if u := s.accountByJID(userJID); u != nil {
		return len(u.archive.items)
	}
	return 0
}
