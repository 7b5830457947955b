package properties

// The reference: an abstract model of what prosody-c2s-behaviour.md says
// the server does, written from that document (cited as §N.M) and the
// profile fields, not from the model's code. It holds rosters, pending
// requests, blocklists, offline stores and sessions as plain Go values,
// applies each action to them, and predicts, for the stanza classes it
// covers in that action, exactly what every session receives.
//
// Its stanzas are stanza values (immutable: an edit is a derived value
// that shares the rest, so a copy costs nothing and a subtree rendered
// once is not rendered again), rendered by their canonical form; no
// decision is taken by model code.

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/stanza"
)

type rItem struct {
	sub      string // none, to, from, both
	ask      bool
	approved bool
	name     string
	group    string
}

type rUser struct {
	bare    string
	roster  map[string]*rItem
	pending map[string]stanza.Stanza // stored request (zero: bare marker)
	// online: requests whose addressed 'to' lasts only while u stays
	// online, unless u's roster is saved again (PendingKeepsAddressedTo)
	online map[string]bool
	// cached: u's roster was loaded while u had no session, and stays in
	// memory (PendingKeepsAddressedTo): online requests keep their 'to'
	cached  bool
	bl      map[string]bool
	offline []rOffline
	ver     int // saves; clients are told max(ver,1)
}

type rOffline struct {
	st    stanza.Stanza
	stamp string
}

type rSess struct {
	name         string // sim client name
	full         string
	u            *rUser
	pres         stanza.Stanza // stored presence (zero: unavailable)
	prio         int
	interested   bool
	interestedBL bool
	directed     map[string]bool
	bound        bool
}

type ref struct {
	prof model.Profile
	// addressedTo: while an outbound subscribe is handled, the 'to' its
	// sender wrote (PendingKeepsAddressedTo)
	addressedTo string
	host        string
	stamp       string
	users       map[string]*rUser
	sess        []*rSess // bound, in bind order
	// out collects the predicted deliveries of the current step, per
	// session name, as signatures (see sigValue).
	out map[string][]string
	// delayEl: the delay element of stamp (delay)
	delayEl stanza.Stanza
}

func newRef(prof model.Profile) *ref {
	return &ref{
		prof:  prof,
		host:  "localhost",
		stamp: model.Epoch.UTC().Format("2006-01-02T15:04:05Z"),
		users: map[string]*rUser{},
	}
}

// ---------------------------------------------------------------- JIDs

func bareOf(j string) string {
	if i := strings.IndexByte(j, '/'); i >= 0 {
		return j[:i]
	}
	return j
}

func splitJID(j string) (node, dom, res string) {
	b := j
	if i := strings.IndexByte(j, '/'); i >= 0 {
		b, res = j[:i], j[i+1:]
	}
	if i := strings.IndexByte(b, '@'); i >= 0 {
		return b[:i], b[i+1:], res
	}
	return "", b, res
}

// prep is the reference's JID preparation (§0.5) for the addresses the
// generator produces: node and domain lower-cased, resource kept; empty
// parts, a second '@' or an empty string are malformed.
func prep(j string) (string, bool) {
	if j == "" {
		return "", false
	}
	b, res, hasRes := j, "", false
	if i := strings.IndexByte(j, '/'); i >= 0 {
		b, res, hasRes = j[:i], j[i+1:], true
		if res == "" {
			return "", false
		}
	}
	node, dom := "", b
	if i := strings.IndexByte(b, '@'); i >= 0 {
		node, dom = b[:i], b[i+1:]
		if node == "" || strings.ContainsAny(node, "@\"&'/:<>") {
			return "", false
		}
	}
	if dom == "" || strings.ContainsAny(dom, "@") {
		return "", false
	}
	if !hasUpper(node) && !hasUpper(dom) {
		// already prepared: the result would be j itself
		return j, true
	}
	out := dom
	if node != "" {
		out = strings.ToLower(node) + "@" + strings.ToLower(dom)
	} else {
		out = strings.ToLower(dom)
	}
	if hasRes {
		out += "/" + res
	}
	return out, true
}

// hasUpper reports whether strings.ToLower could change s.
func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return true
		}
	}
	return false
}

// matches is the blocklist match m(BL, j) of §7.4 / invariants.md A.4:
// the exact JID, its bare JID, its domain; "domain/resource" items match
// any user with that resource only under DomainResourceMatchesAnyUser.
func matches(prof model.Profile, bl map[string]bool, j string) bool {
	if len(bl) == 0 || j == "" {
		return false
	}
	node, dom, res := splitJID(j)
	if bl[j] || bl[dom] {
		return true
	}
	if node != "" && bl[node+"@"+dom] {
		return true
	}
	if prof.DomainResourceMatchesAnyUser && node != "" && res != "" && bl[dom+"/"+res] {
		return true
	}
	return false
}

// matchesList is matches for the blocklist list (its items as the set),
// without building the set.
func matchesList(prof model.Profile, list []string, j string) bool {
	if len(list) == 0 || j == "" {
		return false
	}
	node, dom, res := splitJID(j)
	for _, it := range list {
		if it == j || it == dom ||
			node != "" && len(it) == len(node)+1+len(dom) && strings.HasPrefix(it, node) && it[len(node)] == '@' && it[len(node)+1:] == dom ||
			prof.DomainResourceMatchesAnyUser && node != "" && res != "" && len(it) == len(dom)+1+len(res) &&
				strings.HasPrefix(it, dom) && it[len(dom)] == '/' && it[len(dom)+1:] == res {
			return true
		}
	}
	return false
}

// matchesOne is matches for the one-item list {item} and the JID
// bare+"/"+res (bare a bare JID with a node), without building either.
func matchesOne(prof model.Profile, item, bare, res string) bool {
	if item == "" {
		return false
	}
	_, dom, _ := splitJID(bare)
	full := len(item) == len(bare)+1+len(res) && strings.HasPrefix(item, bare) && item[len(bare)] == '/' && item[len(bare)+1:] == res
	return full || item == dom || item == bare ||
		prof.DomainResourceMatchesAnyUser && res != "" && len(item) == len(dom)+1+len(res) &&
			strings.HasPrefix(item, dom) && item[len(dom)] == '/' && item[len(dom)+1:] == res
}

// ---------------------------------------------------------------- state

func (r *ref) user(bare string) *rUser {
	u := r.users[bare]
	if u == nil {
		u = &rUser{bare: bare, roster: map[string]*rItem{}, pending: map[string]stanza.Stanza{}, online: map[string]bool{}, bl: map[string]bool{}}
		r.users[bare] = u
	}
	return u
}

// local returns the account for a local bare JID with a node, or nil.
func (r *ref) local(j string) *rUser {
	node, dom, _ := splitJID(j)
	if node == "" || dom != r.host {
		return nil
	}
	// node+"@"+dom is j up to its resource: no new string
	return r.user(bareOf(j))
}

func (r *ref) sessionsOf(u *rUser) []*rSess {
	var out []*rSess
	for _, s := range r.sess {
		if s.u == u {
			out = append(out, s)
		}
	}
	return out
}

func (r *ref) online(bare string) bool {
	for _, s := range r.sess {
		if s.u.bare == bare {
			return true
		}
	}
	return false
}

func (r *ref) sessByFull(full string) *rSess {
	for _, s := range r.sess {
		if s.full == full {
			return s
		}
	}
	return nil
}

func (r *ref) sessByName(name string) *rSess {
	for _, s := range r.sess {
		if s.name == name {
			return s
		}
	}
	return nil
}

func subOf(u *rUser, c string) string {
	if u == nil {
		return "none"
	}
	if it := u.roster[c]; it != nil {
		return it.sub
	}
	return "none"
}

func isFrom(sub string) bool { return sub == "from" || sub == "both" }
func isTo(sub string) bool   { return sub == "to" || sub == "both" }

// contactSubscribed: "c is subscribed to u" with the online shortcut of §4.3.
func (r *ref) contactSubscribed(u, c string) bool {
	if r.online(u) {
		return isFrom(subOf(r.users[u], c))
	}
	if r.online(c) {
		return isTo(subOf(r.users[c], u))
	}
	return isFrom(subOf(r.users[u], c))
}

// userSubscribed: "u is subscribed to c", §4.3.
func (r *ref) userSubscribed(u, c string) bool {
	if r.online(u) {
		return isTo(subOf(r.users[u], c))
	}
	if r.online(c) {
		return isFrom(subOf(r.users[c], u))
	}
	return isTo(subOf(r.users[u], c))
}

func (r *ref) blocked(u *rUser, j string) bool {
	return u != nil && matches(r.prof, u.bl, j)
}

// save counts a save of u's roster. Storage takes a copy each time
// (Prosody's memory storage serialises), so a request that kept its
// addressed 'to' only in memory is now stored with it (online).
func (r *ref) save(u *rUser) {
	u.ver++
	clear(u.online)
}

func (u *rUser) reportedVer() int {
	if u.ver == 0 {
		return 1
	}
	return u.ver
}

// ---------------------------------------------------------------- output

func (r *ref) deliver(s *rSess, v stanza.Stanza) {
	if s == nil || !s.bound {
		return
	}
	if r.out == nil {
		r.out = map[string][]string{}
	}
	l := r.out[s.name]
	if l == nil {
		l = make([]string, 0, 4) // a step delivers a few stanzas to a session
	}
	r.out[s.name] = append(l, sigValue(v))
}

// el builds an element with the attributes kv (key, value pairs; an
// empty value leaves its attribute out).
func el(tag string, kv ...string) stanza.Stanza {
	return elKids(tag, kv)
}

// elKids is el with children.
func elKids(tag string, kv []string, kids ...stanza.Child) stanza.Stanza {
	var buf [6]stanza.Attr // stanza.New copies the list
	attrs := buf[:0]
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			attrs = append(attrs, stanza.Attr{Key: kv[i], Value: kv[i+1]})
		}
	}
	return stanza.New("", tag, attrs, kids...)
}

// setAttr is etree's CreateAttr of an unprefixed key: the attribute's
// value replaced where it is, or the attribute appended.
func setAttr(v stanza.Stanza, k, val string) stanza.Stanza { return v.WithAttr("", k, val) }

// setAttrs is setAttr of each key, value pair of kv in turn, as one
// derived value.
func setAttrs(v stanza.Stanza, kv ...string) stanza.Stanza {
	var buf [8]stanza.Attr // WithAttrs copies the list
	attrs := append(buf[:0], v.Attrs()...)
	for i := 0; i+1 < len(kv); i += 2 {
		attrs = putAttr(attrs, kv[i], kv[i+1])
	}
	return v.WithAttrs(attrs)
}

// putAttr is etree's CreateAttr of an unprefixed key on the list attrs.
func putAttr(attrs []stanza.Attr, k, val string) []stanza.Attr {
	for i := range attrs {
		if attrs[i].Space == "" && attrs[i].Key == k {
			attrs[i].Value = val
			return attrs
		}
	}
	return append(attrs, stanza.Attr{Key: k, Value: val})
}

// getAttr is vAttr on the list attrs: the first attribute named k, any
// prefix (etree's SelectAttr).
func getAttr(attrs []stanza.Attr, k string) (string, bool) {
	for _, a := range attrs {
		if a.Key == k {
			return a.Value, true
		}
	}
	return "", false
}

// dropAttr is etree's RemoveAttr of an unprefixed key on the list attrs:
// the first such attribute removed.
func dropAttr(attrs []stanza.Attr, k string) []stanza.Attr {
	for i, a := range attrs {
		if a.Space == "" && a.Key == k {
			return append(attrs[:i], attrs[i+1:]...)
		}
	}
	return attrs
}

// children returns v's children, for building a stanza from them.
func children(v stanza.Stanza) []stanza.Child {
	n := v.NumChild()
	if n == 0 {
		return nil
	}
	out := make([]stanza.Child, 0, n+1)
	for i := 0; i < n; i++ {
		c, text := v.ChildAt(i)
		if c.IsZero() {
			out = append(out, stanza.Text(text))
		} else {
			out = append(out, stanza.Elem(c))
		}
	}
	return out
}

// nsEl is <tag xmlns='ns'/>.
func nsEl(tag, ns string, kids ...stanza.Child) stanza.Stanza {
	return stanza.New("", tag, []stanza.Attr{{Key: "xmlns", Value: ns}}, kids...)
}

// Elements the reference adds unchanged, built once (values are
// immutable; each is rendered once, then its text is reused).
var (
	// the vCard hint (§0.6)
	vcardHint = nsEl("x", nsVCardHint, stanza.Elem(el("photo")))
	photoEl   = el("photo")
	blockedEl = nsEl("blocked", nsBlockErr)
	// the error conditions of errorReply, by name
	condEls = func() map[string]stanza.Stanza {
		m := map[string]stanza.Stanza{}
		for _, c := range []string{"not-acceptable", "jid-malformed", "service-unavailable", "bad-request",
			"forbidden", "item-not-found", "not-allowed"} {
			m[c] = nsEl(c, nsStanzas)
		}
		return m
	}()
	blockedText = nsEl("text", nsStanzas, stanza.Text("You have blocked this JID"))
)

// errorReply is §0.7.
func errorReply(st stanza.Stanza, typ, cond, text string, blocked bool) stanza.Stanza {
	var buf [4]stanza.Attr
	attrs := replyAttrs(buf[:0], st, "error")
	c, ok := condEls[cond]
	if !ok {
		c = nsEl(cond, nsStanzas)
	}
	var txt, blk stanza.Child
	switch text {
	case "":
	case "You have blocked this JID":
		txt = stanza.Elem(blockedText)
	default:
		txt = stanza.Elem(nsEl("text", nsStanzas, stanza.Text(text)))
	}
	if blocked {
		blk = stanza.Elem(blockedEl)
	}
	e := stanza.New("", "error", []stanza.Attr{{Key: "type", Value: typ}}, stanza.Elem(c), txt, blk)
	return stanza.New("", st.Tag(), attrs, stanza.Elem(e))
}

// reply is st.reply (§0.7), with the children kids.
func reply(st stanza.Stanza, kids ...stanza.Child) stanza.Stanza {
	var buf [4]stanza.Attr
	return stanza.New("", st.Tag(), replyAttrs(buf[:0], st, "result"), kids...)
}

// replyAttrs appends the root attributes of st.reply of type typ to dst:
// st's id, the type, and st's from and to swapped.
func replyAttrs(dst []stanza.Attr, st stanza.Stanza, typ string) []stanza.Attr {
	if id, ok := vAttr(st, "id"); ok {
		dst = append(dst, stanza.Attr{Key: "id", Value: id})
	}
	dst = append(dst, stanza.Attr{Key: "type", Value: typ})
	if f, ok := vAttr(st, "from"); ok {
		dst = append(dst, stanza.Attr{Key: "to", Value: f})
	}
	if t, ok := vAttr(st, "to"); ok {
		dst = append(dst, stanza.Attr{Key: "from", Value: t})
	}
	return dst
}

// delay is the delay element the server stamps (XEP-0203); the
// reference's own stamp's is built once.
func (r *ref) delay(stamp string) stanza.Stanza {
	if stamp == r.stamp {
		if r.delayEl.IsZero() {
			r.delayEl = el("delay", "xmlns", nsDelay, "from", r.host, "stamp", stamp)
		}
		return r.delayEl
	}
	return el("delay", "xmlns", nsDelay, "from", r.host, "stamp", stamp)
}

// sigValue (stanzaview.go) renders a stanza for comparison: its
// canonical form, with the parts a prediction cannot or need not fix
// normalised: roster push ids, the payload of service answers (disco#info,
// version, last), and the order of roster and blocklist items (Prosody
// iterates hashes, §4.2, §7.2). The reference's predictions and the
// stanzas the clients received are both rendered by it.

// ---------------------------------------------------------------- sessions

// bind: a new session (§2.1); a session with the same full JID is
// replaced first (§2.2).
func (r *ref) bind(name, full string) {
	if old := r.sessByFull(full); old != nil {
		r.destroy(old, "Replaced by new connection")
	}
	u := r.user(bareOf(full))
	r.sess = append(r.sess, &rSess{name: name, full: full, u: u, bound: true})
}

// destroy removes s and runs resource-unbind (§2.7, §3.8).
func (r *ref) destroy(s *rSess, reason string) {
	for i, o := range r.sess {
		if o == s {
			r.sess = append(r.sess[:i:i], r.sess[i+1:]...)
			break
		}
	}
	s.bound = false
	if len(r.sessionsOf(s.u)) == 0 && !s.u.cached {
		s.u.wentOffline()
	}
	var status []stanza.Child
	if reason != "" {
		status = []stanza.Child{stanza.Elem(stanza.New("", "status", nil, stanza.Text("Disconnected: "+reason)))}
	}
	if !s.pres.IsZero() {
		p := elKids("presence", []string{"type", "unavailable", "from", s.full}, status...)
		// §1.1 path: the broadcast, no reflection (the session is gone;
		// last activity is not predicted: sig drops jabber:iq:last
		// payloads).
		r.broadcast(s, p)
		return
	}
	if len(s.directed) > 0 {
		for _, j := range sortedSet(s.directed) {
			p := elKids("presence", []string{"type", "unavailable", "from", s.full, "to", j}, status...)
			r.postFromSession(s, p, true)
		}
		s.directed = nil
	}
}

// ---------------------------------------------------------------- presence

// postFromSession posts presence p (with `to`) with session o as origin
// and the outbound stage (§1.4, §3.3, §7.6). generated marks presence the
// server sends on the user's behalf (ErrorOnBlockedBroadcast).
func (r *ref) postFromSession(o *rSess, p stanza.Stanza, generated bool) {
	to := vAttrOr(p, "to")
	node, _, res := splitJID(to)
	full := node != "" && res != ""
	typ, hasType := vAttr(p, "type")
	if full {
		if r.bounceOutgoing(o, o.u, p, generated) {
			return
		}
		p = r.hint(o, p)
		if hasType && typ != "unavailable" && typ != "error" {
			if typ != "probe" {
				r.outboundSubscription(o, p)
				return
			}
		} else {
			r.directedBook(o, p)
		}
	} else {
		p = r.hint(o, p)
		if hasType && typ != "unavailable" && typ != "error" {
			if typ != "probe" {
				// Prosody's mod_presence handles bare-addressed
				// subscription presences before the blocklist (§4.4);
				// without LocalRosterChangeOnBlockedOutboundSub the
				// XEP-0191 §3.3 rule applies: bounced, nothing changes.
				if !r.prof.LocalRosterChangeOnBlockedOutboundSub && r.bounceOutgoing(o, o.u, p, generated) {
					return
				}
				r.outboundSubscription(o, p)
				return
			}
		} else {
			r.directedBook(o, p)
		}
		if r.bounceOutgoing(o, o.u, p, generated) {
			return
		}
	}
	r.inboundPresence(p)
}

// hint is §0.6: available presence from a user session gets the vCard
// hint. It returns p with the hint.
func (r *ref) hint(o *rSess, p stanza.Stanza) stanza.Stanza {
	if o == nil || vHas(p, "type") {
		return p
	}
	for i := 0; i < p.NumChild(); i++ {
		if c, _ := p.ChildAt(i); !c.IsZero() && c.Tag() == "x" && vAttrOr(c, "xmlns") == nsVCardHint {
			if !vChild(c, "photo").IsZero() {
				return p
			}
			kids := children(p)
			kids[i] = stanza.Elem(c.WithChild(photoEl))
			return stanza.New(p.Space(), p.Tag(), p.Attrs(), kids...)
		}
	}
	return p.WithChild(vcardHint)
}

// directedBook is the directed-set bookkeeping of §3.3.
func (r *ref) directedBook(o *rSess, p stanza.Stanza) {
	if o == nil {
		return
	}
	to := vAttrOr(p, "to")
	if isFrom(subOf(o.u, bareOf(to))) {
		return
	}
	if o.directed == nil {
		o.directed = map[string]bool{}
	}
	if _, has := vAttr(p, "type"); has {
		delete(o.directed, to)
	} else {
		o.directed[to] = true
	}
}

// bounceOutgoing is §7.6 for a stanza posted by origin o (nil: the host,
// whose user is taken from the `from` node) of user u.
func (r *ref) bounceOutgoing(o *rSess, u *rUser, st stanza.Stanza, generated bool) bool {
	to, ok := vAttr(st, "to")
	if !ok || u == nil || !r.blocked(u, to) {
		return false
	}
	t := vAttrOr(st, "type")
	if t == "error" || (st.Tag() == "iq" && t == "result") {
		return true
	}
	if o == nil {
		return true // host_send drops errors
	}
	if st.Tag() == "presence" && generated && !r.prof.ErrorOnBlockedBroadcast {
		return true
	}
	r.deliver(o, errorReply(st, "cancel", "not-acceptable", "You have blocked this JID", true))
	return true
}

// postHost posts a stanza with the host as origin; pre selects the
// outbound stage (§1.4).
func (r *ref) postHost(p stanza.Stanza, pre bool) {
	if pre {
		to := vAttrOr(p, "to")
		node, _, res := splitJID(to)
		u := r.local(bareOf(vAttrOr(p, "from")))
		typ, hasType := vAttr(p, "type")
		if node != "" && res != "" {
			if r.bounceOutgoing(nil, u, p, true) {
				return
			}
			if hasType && typ != "unavailable" && typ != "error" {
				r.outboundSubscription(nil, p)
				return
			}
		} else {
			if hasType && typ != "unavailable" && typ != "error" && typ != "probe" {
				r.outboundSubscription(nil, p)
				return
			}
			if r.bounceOutgoing(nil, u, p, true) {
				return
			}
		}
	}
	r.inboundPresence(p)
}

// inboundPresence is presence/bare and presence/full (§3.4, §4.5, §7.7).
func (r *ref) inboundPresence(p stanza.Stanza) {
	to := vAttrOr(p, "to")
	from := vAttrOr(p, "from")
	node, _, res := splitJID(to)
	if node == "" {
		return // presence/host: not generated by the actions
	}
	c := r.local(bareOf(to))
	if c == nil {
		return
	}
	if r.blocked(c, from) {
		return
	}
	typ, hasType := vAttr(p, "type")
	if hasType && typ != "unavailable" && typ != "error" {
		r.inboundSubscription(p, bareOf(from), c)
		return
	}
	if res != "" {
		if s := r.sessByFull(to); s != nil {
			r.deliver(s, p)
		}
		return
	}
	r.deliverAvailable(c, p)
}

// deliverAvailable delivers p to each available session of u.
// deliverAvailable delivers p to u's available sessions and returns how
// many there were.
func (r *ref) deliverAvailable(u *rUser, p stanza.Stanza) int {
	n := 0
	for _, s := range r.sessionsOf(u) {
		if !s.pres.IsZero() {
			r.deliver(s, p)
			n++
		}
	}
	return n
}

// presenceOfAvailable posts the stored presence of each available session
// of u to jid, or override from each (§3.2); returns how many.
func (r *ref) presenceOfAvailable(u *rUser, jid string, override string) int {
	n := 0
	for _, s := range r.sessionsOf(u) {
		if s.pres.IsZero() {
			continue
		}
		p := s.pres
		if override != "" {
			p = el("presence", "type", override, "from", s.full)
		}
		r.postFromSession(s, setAttr(p, "to", jid), true)
		n++
	}
	return n
}

// broadcast is §3.1 steps 2–6 for presence p (type absent or unavailable)
// of session s; the reflection (step 1) is done by the caller.
func (r *ref) broadcast(s *rSess, p stanza.Stanza) {
	u := s.u
	typ, hasType := vAttr(p, "type")
	// Each recipient gets p with its 'to' (a derived value sharing p's
	// children).
	for _, o := range r.sessionsOf(u) {
		if o != s && !o.pres.IsZero() {
			r.postFromSession(s, setAttr(p, "to", o.full), true)
		}
	}
	for _, c := range rosterKeys(make([]string, 0, 8), u) {
		if isFrom(u.roster[c].sub) {
			r.postFromSession(s, setAttr(p, "to", c), true)
		}
	}
	if !hasType && s.pres.IsZero() && s.bound {
		s.pres = p
		prio := vPriority(p)
		// b. probes
		for _, c := range rosterKeys(make([]string, 0, 8), u) {
			if isTo(u.roster[c].sub) {
				r.postFromSession(s, el("presence", "type", "probe", "from", s.full, "to", c), true)
			}
		}
		// c. presence of other resources
		for _, o := range r.sessionsOf(u) {
			if o != s && !o.pres.IsZero() {
				r.postFromSession(o, setAttr(o.pres, "to", s.full), true)
			}
		}
		// d. pending requests, straight to s
		for _, j := range slices.Sorted(maps.Keys(u.pending)) {
			var q stanza.Stanza
			if st := u.pending[j]; !st.IsZero() {
				q = setAttrs(st, "type", "subscribe", "from", j)
			} else {
				q = el("presence", "type", "subscribe", "from", j)
			}
			if r.prof.RecheckBlocklistOnOfflineFlush && r.blocked(u, j) {
				continue
			}
			r.deliver(s, q)
		}
		// e. outstanding requests re-sent
		for _, c := range rosterKeys(make([]string, 0, 8), u) {
			if u.roster[c].ask {
				r.postFromSession(s, el("presence", "type", "subscribe", "from", u.bare, "to", c), true)
			}
		}
		// f. offline messages
		if prio >= 0 {
			msgs := u.offline
			u.offline = nil
			for _, m := range msgs {
				if r.prof.RecheckBlocklistOnOfflineFlush && r.blocked(u, vAttrOr(m.st, "from")) {
					continue
				}
				r.deliver(s, m.st.WithChild(r.delay(m.stamp)))
			}
		}
	}
	if hasType && typ == "unavailable" {
		s.pres = stanza.Stanza{}
		s.prio = 0
		for _, j := range sortedSet(s.directed) {
			r.postFromSession(s, setAttr(p, "to", j), true)
		}
		s.directed = nil
	} else if s.bound {
		s.pres = p.WithChild(r.delay(r.stamp))
		s.prio = vPriority(p)
	}
}

// rosterKeys appends u's roster JIDs to buf, sorted (the callers'
// buffers stay on their stacks for a small roster).
func rosterKeys(buf []string, u *rUser) []string {
	for k := range u.roster {
		buf = append(buf, k)
	}
	slices.Sort(buf)
	return buf
}

// parsePriority is the priority a <priority/> with text t gives (out of
// range clamps to -128..127; anything but a signed integer is 0).
func parsePriority(t string) int {
	d := strings.TrimLeft(t, "+-")
	if d == "" || len(t)-len(d) > 1 {
		return 0
	}
	for _, ch := range d {
		if ch < '0' || ch > '9' {
			return 0
		}
	}
	n, err := strconv.Atoi(t)
	if err != nil {
		if t[0] == '-' {
			return -128
		}
		return 127
	}
	return max(-128, min(127, n))
}

// ---------------------------------------------------------------- subscriptions

func (r *ref) itemOrNew(u *rUser, c string) *rItem {
	it := u.roster[c]
	if it == nil {
		it = &rItem{sub: "none"}
		u.roster[c] = it
	}
	return it
}

// rosterPush is §4.2's push to u's interested sessions (only when online).
func (r *ref) rosterPush(u *rUser, jid string) {
	var targets []*rSess
	for _, s := range r.sessionsOf(u) {
		if s.interested {
			targets = append(targets, s)
		}
	}
	if len(targets) == 0 {
		return
	}
	q := elKids("query", []string{"xmlns", nsRoster, "ver", strconv.Itoa(u.reportedVer())}, stanza.Elem(itemEl(jid, u.roster[jid])))
	push := elKids("iq", []string{"type", "set", "id", "*"}, stanza.Elem(q))
	for _, s := range targets {
		r.deliver(s, push)
	}
}

func itemEl(jid string, it *rItem) stanza.Stanza {
	attrs := make([]stanza.Attr, 0, 4)
	if jid != "" {
		attrs = append(attrs, stanza.Attr{Key: "jid", Value: jid})
	}
	if it == nil {
		return stanza.New("", "item", append(attrs, stanza.Attr{Key: "subscription", Value: "remove"}))
	}
	attrs = append(attrs, stanza.Attr{Key: "subscription", Value: it.sub})
	if it.ask {
		attrs = append(attrs, stanza.Attr{Key: "ask", Value: "subscribe"})
	}
	if it.name != "" {
		attrs = append(attrs, stanza.Attr{Key: "name", Value: it.name})
	}
	var group stanza.Child
	if it.group != "" {
		group = stanza.Elem(stanza.New("", "group", nil, stanza.Text(it.group)))
	}
	return stanza.New("", "item", attrs, group)
}

func (r *ref) sendToInterested(u *rUser, p stanza.Stanza) {
	for _, s := range r.sessionsOf(u) {
		if s.interested {
			r.deliver(s, p)
		}
	}
}

// outboundSubscription is §4.4: the user of `from` sends a subscription
// stanza to `to`; o is the origin session (nil for the host). The stanza
// is routed without the outbound stage.
func (r *ref) outboundSubscription(o *rSess, st stanza.Stanza) {
	fromBare := bareOf(vAttrOr(st, "from"))
	toBare := bareOf(vAttrOr(st, "to"))
	if fromBare == toBare {
		return
	}
	u := r.local(fromBare)
	p := setAttrs(st, "from", fromBare, "to", toBare)
	if u == nil {
		return
	}
	switch vAttrOr(st, "type") {
	case "subscribe":
		it := u.roster[toBare]
		if !(it != nil && (it.ask || isTo(it.sub))) {
			it = r.itemOrNew(u, toBare)
			it.ask = true
			r.save(u)
		}
		r.rosterPush(u, toBare)
		r.addressedTo = vAttrOr(st, "to")
		r.inboundPresence(p)
		r.addressedTo = ""
	case "unsubscribe":
		if it := u.roster[toBare]; it != nil {
			if isTo(it.sub) || it.ask {
				it.ask = false
				dropTo(it)
				r.save(u)
			}
			r.rosterPush(u, toBare)
		}
		r.inboundPresence(p)
	case "subscribed":
		pushed := false
		if _, pend := u.pending[toBare]; pend {
			it := r.itemOrNew(u, toBare)
			switch it.sub {
			case "none":
				it.sub = "from"
			case "to":
				it.sub = "both"
			}
			delete(u.pending, toBare)
			r.save(u)
			pushed = true
		} else if it := u.roster[toBare]; it == nil || it.sub == "none" || it.sub == "to" {
			it = r.itemOrNew(u, toBare)
			it.approved = true
			r.save(u)
			pushed = true
		}
		if pushed {
			r.rosterPush(u, toBare)
		}
		if r.contactSubscribed(fromBare, toBare) {
			r.inboundPresence(p)
			r.presenceOfAvailable(u, toBare, "")
		}
		if r.userSubscribed(fromBare, toBare) {
			r.inboundPresence(el("presence", "type", "probe", "from", fromBare, "to", toBare))
		}
	case "unsubscribed":
		_, pend := u.pending[toBare]
		delete(u.pending, toBare)
		changed := false
		if it := u.roster[toBare]; it != nil {
			changed = dropFrom(it)
		}
		if pend || changed {
			r.save(u)
			if changed {
				r.rosterPush(u, toBare)
			}
			r.inboundPresence(p)
			if changed {
				r.presenceOfAvailable(u, toBare, "unavailable")
			}
		}
	}
}

// inboundSubscription is §4.5 and §3.5 at c for a stanza from fromBare.
func (r *ref) inboundSubscription(st stanza.Stanza, fromBare string, c *rUser) {
	origFrom := vAttrOr(st, "from")
	if len(r.sessionsOf(c)) == 0 {
		c.cached = true // loaded while offline, kept in memory
	}
	p := setAttrs(st, "from", fromBare, "to", c.bare)
	switch vAttrOr(st, "type") {
	case "probe":
		if r.contactSubscribed(c.bare, fromBare) {
			if r.presenceOfAvailable(c, origFrom, "") == 0 {
				r.postHost(el("presence", "from", c.bare, "to", origFrom, "type", "unavailable"), true)
			}
		} else {
			r.postHost(el("presence", "from", c.bare, "to", fromBare, "type", "unsubscribed"), true)
		}
	case "subscribe":
		switch {
		case r.contactSubscribed(c.bare, fromBare):
			r.postHost(el("presence", "from", c.bare, "to", fromBare, "type", "subscribed"), true)
			if r.presenceOfAvailable(c, fromBare, "") == 0 {
				r.postHost(el("presence", "from", c.bare, "to", fromBare, "type", "unavailable"), true)
			}
		case c.roster[fromBare] != nil && c.roster[fromBare].approved:
			if _, pend := c.pending[fromBare]; !pend {
				if r.storePending(c, fromBare, p) {
					r.postHost(el("presence", "from", c.bare, "to", fromBare, "type", "subscribed"), true)
				}
			}
		default:
			r.postHost(el("presence", "from", c.bare, "to", fromBare, "type", "unavailable"), true)
			if _, pend := c.pending[fromBare]; !pend {
				if r.storePending(c, fromBare, p) {
					r.deliverAvailable(c, p)
					// prosody-0.12 keeps the 'to' its sender wrote; it
					// lasts while c stays online if c was online
					if to := r.addressedTo; r.prof.PendingKeepsAddressedTo && to != "" && to != c.bare {
						c.pending[fromBare] = setAttr(c.pending[fromBare], "to", to)
						delete(c.online, fromBare)
						if len(r.sessionsOf(c)) > 0 {
							c.online[fromBare] = true
						}
					}
				}
			}
		}
	case "unsubscribe":
		changed := false
		if _, pend := c.pending[fromBare]; pend {
			delete(c.pending, fromBare)
			changed = true
		}
		if it := c.roster[fromBare]; it != nil && dropFrom(it) {
			changed = true
		}
		if changed {
			r.inboundChanged(c, p, fromBare)
		}
	case "subscribed":
		if it := c.roster[fromBare]; it != nil && it.ask {
			if it.sub == "none" {
				it.sub = "to"
			} else {
				it.sub = "both"
			}
			it.ask = false
			r.inboundChanged(c, p, fromBare)
		}
	case "unsubscribed":
		if it := c.roster[fromBare]; it != nil {
			changed := it.ask
			it.ask = false
			if dropTo(it) {
				changed = true
			}
			if changed {
				r.inboundChanged(c, p, fromBare)
			}
		}
	}
}

// inboundChanged: an inbound subscription stanza p from jid changed c's
// item or pending request: saved, p shown to c's interested sessions, the
// item pushed (§4.5).
func (r *ref) inboundChanged(c *rUser, p stanza.Stanza, jid string) {
	r.save(c)
	r.sendToInterested(c, p)
	r.rosterPush(c, jid)
}

// dropFrom removes the "from" half of it's subscription (from→none,
// both→to) and reports whether there was one.
func dropFrom(it *rItem) bool {
	switch it.sub {
	case "from":
		it.sub = "none"
	case "both":
		it.sub = "to"
	default:
		return false
	}
	return true
}

// dropTo removes the "to" half (to→none, both→from) and reports whether
// there was one.
func dropTo(it *rItem) bool {
	switch it.sub {
	case "to":
		it.sub = "none"
	case "both":
		it.sub = "from"
	default:
		return false
	}
	return true
}

// storePending stores the request (§4.1), unless c already has `from`.
func (r *ref) storePending(c *rUser, from string, p stanza.Stanza) bool {
	if isFrom(subOf(c, from)) {
		return false
	}
	c.pending[from] = p
	r.save(c)
	return true
}

// wentOffline: u's last session ended; the requests that kept their
// addressed 'to' only while u was online are bare again.
func (u *rUser) wentOffline() {
	for j := range u.online {
		if p := u.pending[j]; !p.IsZero() {
			u.pending[j] = setAttr(p, "to", u.bare)
		}
	}
	clear(u.online)
}
