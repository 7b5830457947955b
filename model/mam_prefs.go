package model

import "github.com/beevik/etree"

// This file is mod_mam's archiving preferences (XEP-0313 §5, Prosody's
// mamprefs and mamprefsxml libraries).

// mamPrefs are an account's archiving preferences.
type mamPrefs struct {
	// def is the default: "always", "never", "roster", or "" when a
	// client set preferences without one (then nothing is stored unless
	// a rule says always).
	def string
	// rules: true always, false never, by prepped JID.
	rules map[string]bool
}

// prefsFor is get_prefs: the account's preferences. explicit marks a
// client's use of MAM, which under SmartEnable stores the default policy
// the first time. The result is not stored unless stored says so.
func (s *Server) prefsFor(u *user, explicit bool) *mamPrefs {
	if u.mamPrefs != nil {
		return u.mamPrefs
	}
	policy := s.prof.DefaultPolicy
	if policy == "" {
		policy = "always"
	}
	if s.prof.SmartEnable {
		if !explicit {
			return &mamPrefs{def: "never"}
		}
		u.mamPrefs = &mamPrefs{def: policy, rules: map[string]bool{}}
		s.touch(u)
		return u.mamPrefs
	}
	return &mamPrefs{def: policy}
}

// shallStore is shall_store: the owner's rule for the peer's bare JID,
// else the default ("roster": the peer has a roster item).
func (s *Server) shallStore(u *user, with string) bool {
	p := s.prefsFor(u, false)
	if rule, ok := p.rules[with]; ok {
		return rule
	}
	switch p.def {
	case "always":
		return true
	case "roster":
		return u.roster[with] != nil
	}
	return false
}

// mamPrefsIQ answers a prefs get or set with the (new) preferences.
func mamPrefsIQ(e *HookEvent) bool {
	s, sess := e.s, e.origin.sess
	if sess == nil {
		return false
	}
	u := sess.user
	if attrOr(e.stanza, "type") == "set" {
		u.mamPrefs = prefsFromElement(e.query)
		s.touch(u)
	}
	r := reply(e.stanza)
	r.AddChild(prefsElement(s.prefsFor(u, true)))
	s.deliver(sess, r, "result")
	return true
}

// prefsFromElement reads <prefs/>: an unknown default is no default, and
// a JID that does not prep is skipped; a JID in both lists is never.
func prefsFromElement(q *etree.Element) *mamPrefs {
	p := &mamPrefs{rules: map[string]bool{}}
	switch d := attrOr(q, "default"); d {
	case "always", "never", "roster":
		p.def = d
	}
	for _, list := range []struct {
		name string
		rule bool
	}{{"always", true}, {"never", false}} {
		l := child(q, list.name, nsMAM)
		if l == nil {
			continue
		}
		for _, j := range childElements(l) {
			if j.Tag != "jid" || ns(j) != nsMAM {
				continue
			}
			if pj, err := ParseJID(j.Text()); err == nil {
				p.rules[pj.String()] = list.rule
			}
		}
	}
	return p
}

// prefsElement writes <prefs/>, the JIDs of each list sorted.
func prefsElement(p *mamPrefs) *etree.Element {
	el := etree.NewElement("prefs")
	el.CreateAttr("xmlns", nsMAM)
	if p.def != "" {
		el.CreateAttr("default", p.def)
	}
	always, never := el.CreateElement("always"), el.CreateElement("never")
	for _, j := range sortedKeys(p.rules) {
		l := never
		if p.rules[j] {
			l = always
		}
		l.CreateElement("jid").SetText(j)
	}
	return el
}
