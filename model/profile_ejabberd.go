package model

import (
	"crypto/sha1"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// Ejabberd is ejabberd 24.12 (Debian bookworm-backports, 24.12-3~bpo12+1)
// under testdata/ejabberd/ejabberd.yml: mod_roster (versioning),
// mod_blocking on mod_privacy, mod_disco, mod_ping and mod_version, and
// nothing else (no offline storage, no avatar hint, no carbons). Every
// option below was observed on that server, with
// `scansim diff --server` and `check --server` (docs/ejabberd.md); the
// ones that depart from XEP-0191 are findings (docs/findings.md E1–).
//
// The model stays Prosody-shaped: where ejabberd differs, an option of
// the module that owns the behaviour selects ejabberd's, and no option
// changes what the Prosody profiles do.
func Ejabberd() Profile {
	p := ProsodyTrunk()
	p.Name = "ejabberd"
	p.Modules = slices.Clone(ejabberdModules)
	// The unbind presence of a dropped connection has no <status>.
	p.AbruptCloseReason = ""
	// mod_version: <name>ejabberd</name>, the package version, no <os>
	// (show_os: false).
	p.ServerName = "ejabberd"
	p.Version = "24.12-3~bpo12+1"
	// mod_disco: the host's disco#info exactly as 24.12 answers it under
	// this configuration (identity server/im "ejabberd", these features,
	// and an empty serverinfo form); an account's own disco#info lists
	// the disco#info and disco#items features; another account's is
	// refused (not-allowed, "Query to another users is forbidden"),
	// whatever the subscription.
	p.HostFeatures = "http://jabber.org/protocol/disco#info http://jabber.org/protocol/disco#items iq jabber:iq:privacy jabber:iq:version presence urn:xmpp:blocking urn:xmpp:ping"
	p.ServerInfoForm = true
	p.DiscoAccountFeatures = true
	p.AccountDiscoForbidden = true
	p.UnknownNodeText = ""
	// ejabberd_sm and ejabberd_c2s: what reaches a client stream.
	p.DeliverToSessionJID = true
	p.ReplyLangAndFrom = true
	p.ErrorStyle = ErrorStyleEjabberd
	p.SessionsAnswerEachOther = true
	// mod_roster: pushes to every session, before the result; ver only
	// when the get asks with ver, an opaque hash; no unavailable for a
	// subscribe the contact has not approved; a push when an inbound
	// request is stored on an existing item.
	p.RosterPushToAll = true
	p.RosterPushBeforeResult = true
	p.RosterVerOnlyIfAsked = true
	p.NoUnavailableOnSubscribe = true
	p.PresenceDelayFromResource = true
	p.RosterPushOnPendingIn = true
	p.NoProbeAfterApproval = true
	p.RosterRemoveMissingPushes = true
	p.UnavailableNeedsAvailable = true
	p.NoPushWithoutChange = true
	p.RemovalPresenceByItem = true
	p.SubscriptionAlwaysRouted = true
	p.StoredRequestNeedsPriority = true
	p.SubscriptionFromOwnRoster = true
	p.NoPreApproval = true
	p.NoUnavailableProbeAnswer = true
	p.NoUnavailableReflection = true
	p.NoResendPendingOut = true
	p.RosterSelfItemAllowed = true
	p.SubscriptionNoticesToAvailable = true
	p.StoredRequestRebuilt = true
	p.BlockedSubscriptionBounced = true
	// mod_blocking on mod_privacy: the privacy list push, then the
	// blocking push to every session, then the result; no presence on
	// block or unblock; a stanza to a blocked JID bounces as a privacy
	// denial (modify/not-acceptable, no <blocked/>).
	p.PrivacyListPush = true
	p.PushOnlyInterested = false
	p.BlockPushBeforeResult = true
	p.NoPresenceOnBlock = true
	p.NoPresenceOnUnblock = true
	p.PrivacyBounceForBlocked = true
	// A "domain/resource" item blocks that resource of every account of
	// the domain (privacy lists match the item's JID as a pattern).
	p.DomainResourceMatchesAnyUser = true
	p.SelfBlockable = true
	p.HostExemptFromBlocking = true
	p.BlockDuplicatesKept = true
	p.GroupchatToBareBounced = true
	p.BareIQIgnoresBlocklist = true
	p.BlockedBouncePerSession = true
	p.LostFromUnavailableUnchecked = true
	p.BounceBlockedMessages = true
	// Presence the server sends on the user's behalf to a blocked contact
	// (broadcasts, probes, probe answers, the unavailable at the end) is
	// filtered silently: ejabberd_c2s applies the list to each
	// recipient before routing. Only an approval's resent presence goes
	// through the session's outbound path and bounces
	// (blockedSubscription).
	p.ErrorOnBlockedBroadcast = false
	// Finding E1 (docs/findings.md): a pending inbound subscription
	// request survives the block and is delivered at the blocker's next
	// initial presence, against XEP-0191 §3.3. The relaxed invariants
	// (inv25/sc50 by DropPendingInOnBlock, inv27/inv35 by
	// RecheckBlocklistOnOfflineFlush) fire under --spec.
	p.DropPendingInOnBlock = false
	p.RecheckBlocklistOnOfflineFlush = false
	p.UnavailableSenderIsFullJID = true
	p.ListAppliedAtDelivery = true
	p.SelfTypedPresenceIgnored = true
	p.UnavailableOncePerJID = true
	p.RefusedDirectedNotRecorded = true
	return p
}

// ejabberdModules: the model's modules that stand for the configuration's
// (mod_disco, mod_version, mod_ping, mod_blocking + mod_privacy,
// mod_roster) and the core.
var ejabberdModules = []string{
	"disco", "version", "ping", "blocklist", "roster",
	"presence", "message", "iq", "session",
}

// WireOptions are the core's options for the shape of what a server
// writes to a client stream (ejabberd_c2s, ejabberd_sm, xmpp's error
// and result constructors).
type WireOptions struct {
	// DeliverToSessionJID: every stanza delivered to a session carries
	// that session's full JID as 'to' (ejabberd_sm routes a stanza to each
	// resource with its own JID), the reflected self-presence included —
	// except a message addressed to a bare JID, which keeps it (observed
	// on 24.12: route_message hands the stanza over as it is; a message
	// to an unavailable resource is re-addressed to the resource that
	// gets it). Prosody keeps the 'to' the sender wrote, and none on the
	// reflection.
	DeliverToSessionJID bool
	// ReplyLangAndFrom: iq results and every error carry xml:lang (the
	// request's, which ejabberd_c2s stamped with the stream's), and a
	// stanza the server answers or pushes on the account's behalf without
	// a 'from' has the account's bare JID (ejabberd_c2s gives a stanza
	// without 'to' the user's bare JID, and the reply swaps them). A
	// message of type normal is written without its type (the default).
	ReplyLangAndFrom bool
	// ErrorStyle selects the shape and text of the errors the server
	// generates: "" Prosody's (no payload, Prosody's texts), or
	// ErrorStyleEjabberd (errorShape).
	ErrorStyle string
	// SessionsAnswerEachOther: what a session receives can make another
	// session of the server write to its client (ejabberd's other
	// resources send their presence to a new resource themselves), so a
	// real-server barrier needs a second ping round
	// (driver.BarrierRounds). The model's behaviour does not change.
	SessionsAnswerEachOther bool
}

// ErrorStyleEjabberd: errors echo the request's children (an iq's
// payload before <error>, a message's after it) and carry ejabberd's
// condition and text for the site (errorShape).
const ErrorStyleEjabberd = "ejabberd"

// RosterOptions are mod_roster's options.
type RosterOptions struct {
	// RosterPushToAll: roster pushes go to every bound session, whether or
	// not it fetched the roster (ejabberd). Prosody: only to those that
	// did (RFC 6121 §2.1.6 "interested resources").
	RosterPushToAll bool
	// RosterPushBeforeResult: the push of a roster set is written before
	// the set's result, and the push of an inbound subscription change
	// before the presence that caused it (ejabberd). Prosody: the result
	// and the presence first.
	RosterPushBeforeResult bool
	// RosterVerOnlyIfAsked: a roster get without 'ver' is answered
	// without 'ver'; with one, with the current version, which is an
	// opaque hash of the roster (ejabberd's versioning: true). Pushes
	// carry the hash too. Prosody: a counter, always.
	RosterVerOnlyIfAsked bool
	// NoUnavailableOnSubscribe: a subscribe gets no presence back: no
	// unavailable from a contact who has not approved it, and from one
	// who has, the auto-reply "subscribed" alone, without the contact's
	// presence (ejabberd's mod_roster:in_auto_reply). Prosody answers
	// with the contact's presence, or its unavailable.
	NoUnavailableOnSubscribe bool
	// PresenceDelayFromResource: a stored presence carries no <delay> when
	// it answers a probe or goes with an approval; only the presences of
	// the user's other resources sent to a new resource do, with
	// from = that resource's full JID, and they do not count as directed
	// presence (ejabberd). Prosody stamps every stored presence with
	// <delay from=host>.
	PresenceDelayFromResource bool
	// RosterPushOnPendingIn: an inbound subscribe stored on a roster item
	// that is more than "none" (a subscription or a pending outbound
	// request) pushes that item (ejabberd keeps pending-in on the item;
	// the push does not show it). Prosody pushes nothing. Conversely an
	// unsubscribe that only cancels a pending-in without a visible item
	// pushes nothing (Prosody pushes a removal).
	RosterPushOnPendingIn bool
	// NoProbeAfterApproval: approving a contact the user is already
	// subscribed to sends no probe (ejabberd). Prosody probes it, and the
	// contact's presence comes back.
	NoProbeAfterApproval bool
	// RosterRemoveMissingPushes: removing an item that is not on the
	// roster gets a result and a subscription='remove' push (ejabberd).
	// Prosody: modify/item-not-found (RFC 6121 §2.5.3).
	RosterRemoveMissingPushes bool
	// UnavailableNeedsAvailable: an unavailable from a session that is not
	// available is not reflected; at the session's end it goes to the
	// user's other available resources only (ejabberd_c2s
	// process_terminated without pres_last); sent by the client, also to
	// the contacts with "from" or "both" and the targets of directed
	// presence (process_self_presence broadcasts it with the roster,
	// available or not). Prosody treats it as any unavailable (sent:
	// reflected and broadcast; at the end: nothing).
	UnavailableNeedsAvailable bool
	// NoPushWithoutChange: an outbound unsubscribe or subscribe that
	// changes nothing pushes nothing (ejabberd). Prosody pushes the
	// unchanged item. ejabberd decides by its state table
	// (mod_roster:out_state_change): a subscribe pushes from "none",
	// "none + pending in" and "from" (pending out added), and from
	// "none + pending out" (mapped onto itself, pushed again); from a
	// subscription "to"/"both", "none + pending in and out" or "from +
	// pending out" it pushes nothing.
	NoPushWithoutChange bool
	// SubscriptionAlwaysRouted: an outbound subscribed or unsubscribed
	// is routed to the contact whatever it changed on the user's roster,
	// and the contact's server decides by its own item
	// (ejabberd_c2s:process_presence_out routes every subscription
	// stanza after mod_roster's hook); the user's presence follows a
	// subscribed only when it gave the contact a new "from". Prosody
	// routes them only when they change something (RFC 6121 §3.2.2,
	// §3.3.2 leave it to the server).
	SubscriptionAlwaysRouted bool
	// SubscriptionFromOwnRoster: whether a contact is subscribed is read
	// from the account's own stored item, online or not (ejabberd's
	// mod_roster). Prosody's rostermanager reads the other side's
	// roster when only that side is online (§4.3).
	SubscriptionFromOwnRoster bool
	// StoredRequestNeedsPriority: the stored requests are delivered at an
	// initial presence with a priority of 0 or more only (mod_roster's
	// c2s_self_presence); one with a negative priority gets none, and
	// they wait for the next initial presence (finding E11: RFC 6121
	// §3.1.3 makes no such condition).
	StoredRequestNeedsPriority bool
	// RemovalPresenceByItem: removing a roster item sends the contact
	// what the item's subscription says and nothing for pending
	// requests: the unavailable of every session of the user when the
	// contact had "from", an unsubscribe for "to"/"both", an
	// unsubscribed for "from"/"both" (ejabberd's mod_roster; the contact
	// keeps a request the user had sent). The unavailable of every
	// session also follows any other loss of "from" (an unsubscribed
	// sent, an unsubscribe received): ejabberd sends it from the push.
	// Prosody also cancels pending
	// requests both ways and sends the unavailable of the available
	// sessions when the user had "to" or a pending request.
	RemovalPresenceByItem bool
	// NoPreApproval: a subscribed sent without a pending request changes
	// nothing (ejabberd does not offer RFC 6121 §3.4 pre-approval, which
	// is optional). Prosody pre-approves. On top of a subscription,
	// ejabberd's state tables grant it all the same: sent with "to", it
	// makes the item "both"; received with "from", likewise
	// (mod_roster out_state_change and in_state_change).
	NoPreApproval bool
	// NoUnavailableProbeAnswer: a probe to an account with no available
	// resource is not answered (RFC 6121 §4.3.2 allows silence; ejabberd
	// 24.12), nor is a probe from an entity not subscribed to the account
	// (Prosody answers the first with unavailable, the second with
	// unsubscribed).
	NoUnavailableProbeAnswer bool
	// NoUnavailableReflection: a broadcast unavailable is not sent back to
	// the resource that sent it (ejabberd 24.12; finding E5). Prosody
	// reflects it, as RFC 6121 §4.2.2 has the server do for available
	// presence.
	NoUnavailableReflection bool
	// NoResendPendingOut: an initial presence does not re-send the user's
	// pending outbound requests (ejabberd). Prosody does (§3.1 step 5e).
	NoResendPendingOut bool
	// RosterSelfItemAllowed: a roster item for the user's own bare JID is
	// accepted like any other (ejabberd). Prosody refuses it with
	// cancel/not-allowed.
	RosterSelfItemAllowed bool
	// SubscriptionNoticesToAvailable: inbound subscribed, unsubscribe and
	// unsubscribed go to the available resources, like any presence to
	// the bare JID (ejabberd). Prosody sends them to the resources that
	// fetched the roster (RFC 6121 §3.2.3, §3.3.3 "interested").
	SubscriptionNoticesToAvailable bool
	// StoredRequestRebuilt: a pending request delivered at initial
	// presence is a new <presence type='subscribe'/> from the contact's
	// bare JID to the user's bare JID, without the original's children or
	// xml:lang (ejabberd keeps only the roster item's pending-in and its
	// status text). Prosody re-sends the stored stanza (§3.1 step 5d).
	StoredRequestRebuilt bool
	// BlockedSubscriptionBounced: a subscription stanza to a JID the user
	// blocks changes the user's roster (LocalRosterChangeOnBlockedOutboundSub)
	// and is then bounced with the blocked error, not routed (ejabberd).
	// Prosody routes it.
	BlockedSubscriptionBounced bool
	// SelfTypedPresenceIgnored: a presence to the user's own bare JID (or
	// without 'to') whose type is neither available nor unavailable — a
	// subscription stanza, a probe, an error — is dropped silently
	// (ejabberd_c2s hands every presence to the own bare JID to
	// process_self_presence, whose last clause ignores the other types).
	// Prosody answers modify/bad-request "Invalid presence type".
	SelfTypedPresenceIgnored bool
	// UnavailableOncePerJID: a broadcast unavailable reaches each JID
	// once: a contact with "from" or "both" that the session had also
	// sent directed presence to (while it was not subscribed) gets one
	// unavailable (ejabberd_c2s broadcast_presence_unavailable gathers
	// the roster's JIDs and pres_a into one map). Prosody sends one for
	// the subscription and one for the directed presence.
	UnavailableOncePerJID bool
	// RefusedDirectedNotRecorded: a directed presence the user's own list
	// refuses is not remembered as directed presence, so no unavailable
	// follows it (ejabberd_c2s process_presence_out answers the denial
	// before it updates pres_a). The model records it otherwise.
	RefusedDirectedNotRecorded bool
}

// EjabberdBlockingOptions are mod_blocklist's options for XEP-0191 on top
// of privacy lists (ejabberd's mod_blocking, which stores the blocklist
// as the privacy list "Blocked contacts").
type EjabberdBlockingOptions struct {
	// PrivacyListPush: every block and unblock first pushes
	// <query xmlns='jabber:iq:privacy'><list name='Blocked contacts'/></query>
	// to every session, then the blocking push — once the account has
	// that list: an unblock before the account's first block pushes only
	// the unblock.
	PrivacyListPush bool
	// BlockPushBeforeResult: the pushes come before the command's result.
	BlockPushBeforeResult bool
	// NoPresenceOnBlock: blocking sends no unavailable presence to the
	// blocked contacts (XEP-0191 §3.3 wants one; finding E2).
	NoPresenceOnBlock bool
	// NoPresenceOnUnblock: unblocking sends no presence (§3.4; E2).
	NoPresenceOnUnblock bool
	// PrivacyBounceForBlocked: a stanza to a blocked JID bounces as a
	// privacy-list denial: modify/not-acceptable with "Your active privacy
	// list has denied the routing of this stanza." and no
	// <blocked xmlns='urn:xmpp:blocking:errors'/> (XEP-0191 §3.3 wants
	// cancel/not-acceptable with <blocked/>; finding E3).
	PrivacyBounceForBlocked bool
	// SelfBlockable: an item that matches the user's own JID (its domain,
	// its bare JID) blocks the user's own presence reflection, as the
	// privacy list is applied to everything the session receives
	// (XEP-0191 §5 and RFC 6121 §4.2.2 want the reflection; finding E4).
	SelfBlockable bool
	// HostExemptFromBlocking: a stanza to the server's own domain is never
	// bounced by the sender's list, even when the list blocks that domain
	// (ejabberd answers a ping to the host; finding E6). XEP-0191 §3.3
	// makes no exception.
	HostExemptFromBlocking bool
	// BlockDuplicatesKept: a JID named twice in one <block/> that was
	// not on the list yet is listed twice by the blocklist get (finding
	// E7; XEP-0191 §3.2's list has no duplicates). A JID already on the
	// list is not added again.
	BlockDuplicatesKept bool
	// GroupchatToBareBounced: a groupchat message to a bare JID (or an
	// absent resource) is bounced by the routing, "User session not
	// found", even from a JID the recipient blocks (ejabberd's session
	// manager answers before the recipient's session applies its list).
	// Prosody drops a blocked one silently.
	GroupchatToBareBounced bool
	// BareIQIgnoresBlocklist: an iq get or set to the bare JID of a user
	// who blocks the sender is answered as if there were no block: the
	// server handles it on the user's behalf (ejabberd_sm hands an iq to
	// a bare JID to gen_iq_handler without mod_privacy's check, which
	// runs only in the recipient's sessions), so a ping is answered, an
	// account disco#info refused for the subscription, an unhandled
	// namespace refused with "No module is handling this query" (finding
	// E9). XEP-0191 §3.3 wants every iq from a blocked JID refused with
	// service-unavailable and nothing else. Prosody: false.
	BareIQIgnoresBlocklist bool
	// BlockedBouncePerSession: a chat or normal message from a blocked
	// JID is refused by each session it is routed to, and each refusal
	// bounces it (cancel/service-unavailable, no text): one error for a
	// full JID with a session, one per top-priority resource for a bare
	// JID, one when no resource is available (ejabberd_c2s
	// process_message_in runs mod_privacy's check per session;
	// ejabberd_sm checks the list itself when no session takes the
	// message). Prosody (false) checks once at routing: one error for a
	// bare JID, none for a full JID with a session (issue #690).
	BlockedBouncePerSession bool
	// LostFromUnavailableUnchecked: the unavailable each session sends a
	// contact who loses "from" (an unsubscribed sent, an unsubscribe
	// received, the item removed) is not checked against the user's
	// list: it reaches a contact the user blocks (finding E12; XEP-0191
	// §3.3). ejabberd's mod_roster runs the global privacy hook, which
	// mod_privacy does not register.
	LostFromUnavailableUnchecked bool
	// ListAppliedAtDelivery: what a session's own stanzas route back to
	// it (a bounce, a result, a push) is checked against the user's list
	// when the session takes it in, after the stanzas its client had
	// already pipelined behind (deliver_later.go). ejabberd routes every
	// stanza for a session through that session's process
	// (ejabberd_sm:do_route → ejabberd_c2s:route, a message to the
	// process), whose process_info applies mod_privacy's inbound check
	// when it handles the message; xmpp_socket's parser posts each
	// stanza of one read to the same process's mailbox first. So a
	// "User session not found" bounce of a message written right before
	// a block of its recipient is dropped by the new list (an error
	// denied inbound is discarded: ejabberd_router:route_error). Prosody
	// (false) delivers at once.
	ListAppliedAtDelivery bool
}

// ejabberdPrivacyListName is the privacy list mod_blocking edits.
const (
	ejabberdPrivacyListName = "Blocked contacts"
	nsPrivacy               = "jabber:iq:privacy"
)

// Error sites: where the model generates an error whose shape ejabberd
// decides differently from Prosody (errorShape).
const (
	errSiteUnhandled       = "unhandled"          // no handler for the iq (host, account or self)
	errSiteNoSession       = "no-session"         // iq or message to an unavailable resource or account
	errSiteBlockedOut      = "blocked-out"        // a stanza to a JID the sender blocks
	errSiteBlockedIn       = "blocked-in"         // a message or iq from a JID the recipient blocks
	errSiteEmptyBlock      = "empty-block"        // <block/> without items
	errSiteBlockItemNoJID  = "block-item-no-jid"  // a block/unblock item without jid
	errSiteBlockItemBadJID = "block-item-bad-jid" // a block/unblock item whose jid does not prep
	errSiteAccountForbid   = "account-forbid"     // disco#info to another account
	errSiteNotSubscribed   = "not-subscribed"     // disco#info to an account one has no subscription to
	errSiteGroupchatToBar  = "groupchat-local"    // a groupchat message to an account
)

// errorShape is ejabberd's error for site: type, condition, text. ok is
// false for a site ejabberd answers like Prosody.
func errorShape(site string) (typ, cond, text string, ok bool) {
	switch site {
	case errSiteUnhandled:
		return "cancel", "service-unavailable", "No module is handling this query", true
	case errSiteNoSession, errSiteGroupchatToBar:
		return "cancel", "service-unavailable", "User session not found", true
	case errSiteBlockedOut:
		return "modify", "not-acceptable", "Your active privacy list has denied the routing of this stanza.", true
	case errSiteBlockedIn:
		return "cancel", "service-unavailable", "", true
	case errSiteEmptyBlock:
		return "modify", "bad-request", "No items found in this query", true
	case errSiteBlockItemNoJID:
		return "modify", "bad-request", "Missing attribute 'jid' in tag <item/> qualified by namespace 'urn:xmpp:blocking'", true
	case errSiteBlockItemBadJID:
		return "modify", "bad-request", "Bad value of attribute 'jid' in tag <item/> qualified by namespace 'urn:xmpp:blocking'", true
	case errSiteNotSubscribed:
		return "auth", "subscription-required", "Not subscribed", true
	case errSiteAccountForbid:
		return "cancel", "not-allowed", "Query to another users is forbidden", true
	}
	return "", "", "", false
}

// errorAt builds the error reply to st for site: Prosody's (typ, cond,
// text, app) by default, ejabberd's shape under ErrorStyleEjabberd.
func (s *Server) errorAt(site string, st *etree.Element, typ, cond, text string, app *etree.Element) *etree.Element {
	if s.prof.ErrorStyle != ErrorStyleEjabberd {
		return errorReply(st, typ, cond, text, app)
	}
	if site == errSiteBlockedOut && !s.prof.PrivacyBounceForBlocked {
		site = "" // the XEP's bounce, in ejabberd's wire shape
	}
	if t, c, x, ok := errorShape(site); ok {
		typ, cond, text, app = t, c, x, nil
	}
	r := errorReply(st, typ, cond, text, app)
	// xmpp:make_error keeps the stanza's children: an iq's payload comes
	// before <error>, a message's or presence's after it (the order
	// ejabberd's codec writes them in, observed on 24.12).
	e := r.ChildElements()[0]
	if t := e.SelectElement("text"); t != nil {
		t.CreateAttr("xml:lang", s.lang)
	}
	kids := make([]etree.Token, 0, len(st.Child))
	for _, c := range st.ChildElements() {
		kids = append(kids, c.Copy())
	}
	if st.Tag == "iq" {
		r.RemoveChild(e)
		for _, c := range kids {
			r.AddChild(c)
		}
		r.AddChild(e)
	} else {
		for _, c := range kids {
			r.AddChild(c)
		}
	}
	return r
}

// reasonAsIs is the delivery reason of a stanza a session writes straight
// to its own stream (ejabberd_c2s, not ejabberd_sm): WireOptions do not
// reshape it.
const reasonAsIs = "as-is"

// shapeForSession applies the WireOptions to a copy of st about to be
// written to sess; it returns st itself when nothing applies.
func (s *Server) shapeForSession(sess *session, st *etree.Element) *etree.Element {
	p := &s.prof
	if !p.DeliverToSessionJID && !p.ReplyLangAndFrom {
		// Prosody's profiles: nothing to reshape (every delivery of a
		// fan-out comes through here).
		return st
	}
	typ := attrOr(st, "type")
	to := attrOr(st, "to")
	newTo := sess.fullStr
	if st.Tag == "message" && !strings.Contains(to, "/") {
		// kept bare; a message without 'to' (the model drops a 'to' of
		// the sender's own bare JID) was addressed to the bare JID
		newTo = to
		if to == "" {
			newTo = sess.user.bareStr
		}
	}
	needTo := p.DeliverToSessionJID && to != newTo
	needFrom := p.ReplyLangAndFrom && selectAttr(st, "from") == nil
	needLang := p.ReplyLangAndFrom && (typ == "error" || (st.Tag == "iq" && typ == "result")) && st.SelectAttr("xml:lang") == nil
	// ejabberd's codec writes no type for a message of the default type
	dropNormal := p.ReplyLangAndFrom && st.Tag == "message" && typ == "normal"
	if !needTo && !needFrom && !needLang && !dropNormal {
		return st
	}
	c := st.Copy()
	if needTo {
		c.CreateAttr("to", newTo)
	}
	if needFrom {
		c.CreateAttr("from", sess.user.bareStr)
	}
	if needLang {
		c.CreateAttr("xml:lang", s.lang)
	}
	if dropNormal {
		removeAttr(c, "type")
	}
	return c
}

// rosterVersionString is the ver a push or an asked-for result carries:
// Prosody's counter, or under RosterVerOnlyIfAsked a hash of the roster
// (ejabberd hashes its stored items; the model's hash is of its own
// canonical items, so only "a version" and "which pushes share one" can
// be compared with the server's, never the value).
func (s *Server) rosterVersionString(u *user) string {
	if !s.prof.RosterVerOnlyIfAsked {
		return strconv.Itoa(u.reportedVersion())
	}
	h := sha1.New()
	for _, jid := range u.rosterJIDs() {
		h.Write([]byte(Canonical(itemElement(jid, u.roster[jid]))))
	}
	return hex.EncodeToString(h.Sum(nil))
}
