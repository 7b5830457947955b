package serve

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/model"
)

// The control surface: what a test suite does to the server besides
// being its client. Acting as a user opens a control session for that
// user in the model, exactly as a client's would be (it is in the trace
// and in the recorded script), so pre-populated state is state the
// model built from real stanzas, not state written behind its back.

// SessionInfo describes one live session.
type SessionInfo struct {
	Name    string `json:"name"`    // the client's name in the trace and script
	JID     string `json:"jid"`     // its full JID
	Control bool   `json:"control"` // a control session (not a network client)
}

// Sessions lists the live sessions in connect order.
func (s *Server) Sessions() ([]SessionInfo, error) {
	var out []SessionInfo
	err := s.do(func() {
		for _, b := range s.core.live() {
			out = append(out, SessionInfo{Name: b.name, JID: b.c.JID().String(), Control: b.conn == nil})
		}
	})
	return out, err
}

// SendAs sends stanza (XML text) as the user of as (a bare or full JID
// of the host): through that user's live control session, or one opened
// for it (resource: as's, or "control"). It returns the canonical form
// of every stanza the control session received since its previous call,
// the answers to this one included. The session stays open until Leave.
func (s *Server) SendAs(as, stanzaXML string) ([]string, error) {
	j, err := s.localJID(as)
	if err != nil {
		return nil, err
	}
	el, err := parseStanza(stanzaXML)
	if err != nil {
		return nil, err
	}
	var got []string
	var serr error
	if err := s.do(func() {
		var b *binding
		b, serr = s.core.control(j)
		if serr != nil {
			return
		}
		if serr = s.core.send(b, el); serr != nil {
			return
		}
		got = b.take()
	}); err != nil {
		return nil, err
	}
	return got, serr
}

// Leave closes the control sessions of as (a bare JID: all of its
// account's) cleanly, returning what they received last.
func (s *Server) Leave(as string) ([]string, error) {
	j, err := s.localJID(as)
	if err != nil {
		return nil, err
	}
	var got []string
	err = s.do(func() {
		for _, b := range s.core.find(j) {
			if b.conn == nil {
				s.core.disconnect(b)
				got = append(got, b.take()...)
			}
		}
	})
	return got, err
}

// transient runs f with a control session of user (its own if one is
// open, else a fresh one closed afterwards): the populating helpers act
// through it.
func (s *Server) transient(user string, f func(b *binding) error) error {
	j, err := s.localJID(user)
	if err != nil {
		return err
	}
	var ferr error
	if err := s.do(func() {
		open := false
		for _, b := range s.core.find(j.Bare()) {
			if b.conn == nil {
				open = true
			}
		}
		b, err := s.core.control(j)
		if err != nil {
			ferr = err
			return
		}
		ferr = f(b)
		if !open {
			s.core.disconnect(b)
		}
		b.take()
	}); err != nil {
		return err
	}
	return ferr
}

// Block adds jids to user's blocklist (XEP-0191 block command).
func (s *Server) Block(user string, jids ...string) error {
	var items strings.Builder
	for _, j := range jids {
		items.WriteString("<item jid='" + escape(j) + "'/>")
	}
	return s.transientIQ(user, "<iq type='set' id='control-block'><block xmlns='urn:xmpp:blocking'>"+items.String()+"</block></iq>")
}

// Subscribe makes user and contact subscribed to each other's presence
// (subscription "both" on both rosters), through the two accounts' own
// subscription requests and approvals (RFC 6121 §3).
func (s *Server) Subscribe(user, contact string) error {
	uj, err := s.localJID(user)
	if err != nil {
		return err
	}
	cj, err := s.localJID(contact)
	if err != nil {
		return err
	}
	u, c := uj.Bare().String(), cj.Bare().String()
	for _, step := range [][2]string{
		{u, "<presence type='subscribe' to='" + escape(c) + "'/>"},
		{c, "<presence type='subscribed' to='" + escape(u) + "'/>"},
		{c, "<presence type='subscribe' to='" + escape(u) + "'/>"},
		{u, "<presence type='subscribed' to='" + escape(c) + "'/>"},
	} {
		if err := s.transientStanza(step[0], step[1]); err != nil {
			return err
		}
	}
	return nil
}

// Offline leaves a chat message from one user to another; if to has no
// session it is stored offline and flushed at its next initial presence.
func (s *Server) Offline(from, to, body string) error {
	return s.transientStanza(from, "<message type='chat' to='"+escape(to)+"'><body>"+escape(body)+"</body></message>")
}

// Publish publishes item (XML text of the payload) to user's PEP node.
func (s *Server) Publish(user, node, id, item string) error {
	return s.transientIQ(user, "<iq type='set' id='control-publish'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='"+
		escape(node)+"'><item id='"+escape(id)+"'>"+item+"</item></publish></pubsub></iq>")
}

// SetPassword adds an account with a password, or changes one (only
// with Options.Passwords: without it every password is accepted).
func (s *Server) SetPassword(user, password string) error {
	if s.pw == nil {
		return errors.New("serve: every account exists with any password (start with --accounts to fix them)")
	}
	return s.do(func() { s.pw[user] = password })
}

func (s *Server) transientStanza(user, x string) error {
	el, err := parseStanza(x)
	if err != nil {
		return err
	}
	return s.transient(user, func(b *binding) error { return s.core.send(b, el) })
}

// transientIQ sends an iq and fails unless the answer is a result.
func (s *Server) transientIQ(user, x string) error {
	el, err := parseStanza(x)
	if err != nil {
		return err
	}
	return s.transient(user, func(b *binding) error {
		if err := s.core.send(b, el); err != nil {
			return err
		}
		for _, r := range b.got {
			if r.Stanza.Tag == "iq" && attr(r.Stanza, "id") == attr(el, "id") {
				if attr(r.Stanza, "type") != "result" {
					return fmt.Errorf("serve: %s: %s", user, r.Value.Canonical())
				}
				return nil
			}
		}
		return fmt.Errorf("serve: %s: no answer to %s", user, x)
	})
}

// DropSession cuts the connections of jid (a full JID, or a bare JID for
// all of its sessions) without closing their streams, as a dead network
// would.
func (s *Server) DropSession(jid string) (int, error) {
	j, err := s.localJID(jid)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.do(func() {
		for _, b := range s.core.find(j) {
			s.core.drop(b)
			n++
		}
	})
	return n, err
}

// Restart restarts the model as a crashed and restarted server: every
// connection is cut, state survives in the model's storage.
func (s *Server) Restart() error {
	var rerr error
	err := s.do(func() {
		rerr = s.core.sim.RestartServer()
		s.core.settle()
	})
	if err != nil {
		return err
	}
	return rerr
}

// Delay holds every write to jid's connections (a full or bare JID) back
// by d, from now on: a slow link. 0 removes the delay. The model is not
// affected: it has already sent what is held back.
func (s *Server) Delay(jid string, d time.Duration) (int, error) {
	j, err := s.localJID(jid)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.do(func() {
		for _, b := range s.core.find(j) {
			if b.conn != nil {
				b.conn.delay.Store(int64(d))
				n++
			}
		}
	})
	return n, err
}

// control returns j's control session, opening one if needed.
func (k *core) control(j model.JID) (*binding, error) {
	for _, b := range k.find(j) {
		if b.conn == nil {
			return b, nil
		}
	}
	res := j.Resource
	if res == "" {
		res = "control"
	}
	return k.bind(k.srv.account(j.Node, j.Domain), res, nil)
}

// take returns and forgets what a control session received.
func (b *binding) take() []string {
	out := make([]string, 0, len(b.got))
	for _, r := range b.got {
		out = append(out, r.Value.Canonical())
	}
	b.got = nil
	return out
}

func (s *Server) localJID(x string) (model.JID, error) {
	if !strings.Contains(x, "@") {
		x += "@" + s.opts.Host
	}
	j, err := model.ParseJID(x)
	if err != nil {
		return model.JID{}, fmt.Errorf("serve: %q: %v", x, err)
	}
	if j.Node == "" || s.servedHost(j.Domain) != j.Domain {
		return model.JID{}, fmt.Errorf("serve: %q is not an account of %s", x, strings.Join(s.hosts, ", "))
	}
	return j, nil
}

// parseStanza parses one stanza as a client would send it.
func parseStanza(x string) (*etree.Element, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(x); err != nil {
		return nil, fmt.Errorf("serve: stanza: %v", err)
	}
	el := doc.Root()
	if el == nil {
		return nil, errors.New("serve: stanza: no element")
	}
	if se := checkStanza(el); se != nil {
		return nil, fmt.Errorf("serve: stanza: %s", se.text)
	}
	doc.RemoveChild(el)
	return el, nil
}
