package properties

// The coverage points (coverage.go) and how a step hits them.

import (
	"slices"
	"strings"

	"github.com/scansim/scansim/model"

	"github.com/scansim/scansim/sim"
)

const (
	kindXEP  = "XEP-0191 (invariants.md A.2)"
	kindRFC  = "RFC 6121 App. A"
	kindRule = "module rule (drop reason)"
)

// rfcStates are Appendix A.1's nine states, as model.Contact.State names
// them.
var rfcStates = []string{"None", "None+PO", "None+PI", "None+PO/PI", "To", "To+PI", "From", "From+PO", "Both"}

// rfcTables are Appendix A's eight tables: outbound (A.2.x, the sender's
// state) and inbound (A.3.x, the receiver's), by stanza type.
var rfcTables = []struct{ id, dir, typ string }{
	{"A.2.1", "outbound", "subscribe"}, {"A.2.2", "outbound", "unsubscribe"},
	{"A.2.3", "outbound", "subscribed"}, {"A.2.4", "outbound", "unsubscribed"},
	{"A.3.1", "inbound", "subscribe"}, {"A.3.2", "inbound", "unsubscribe"},
	{"A.3.3", "inbound", "subscribed"}, {"A.3.4", "inbound", "unsubscribed"},
}

// modelRules are the drop reasons of the model's modules (model/*.go,
// s.drop): a refusal rule each. TestCoverageRulesListModel keeps the
// list in step with the model's source; reasons only a mutant records
// are not listed.
var modelRules = []CoveragePoint{
	{ID: "rule:blocked-inbound", Doc: "mod_blocklist: a stanza from a JID the recipient blocks is refused (§7.7)"},
	{ID: "rule:blocked-outbound", Doc: "mod_blocklist: a stanza to a JID the sender blocks is refused (§7.6)"},
	{ID: "rule:blocked-offline", Doc: "mod_offline: a stored message from a JID the recipient now blocks is not flushed (RecheckBlocklistOnOfflineFlush)",
		reach: func(p model.Profile) string {
			return unless(p.RecheckBlocklistOnOfflineFlush, "the profile does not re-check the blocklist at flush (RecheckBlocklistOnOfflineFlush=false)")
		}},
	{ID: "rule:blocked-pending", Doc: "mod_presence: a stored request from a JID the user now blocks is not re-sent (RecheckBlocklistOnOfflineFlush)",
		reach: func(p model.Profile) string {
			return unless(p.RecheckBlocklistOnOfflineFlush, "the profile does not re-check the blocklist at initial presence (RecheckBlocklistOnOfflineFlush=false)")
		}},
	{ID: "rule:blocked-inviter", Doc: "mod_muc: a room's mediated invitation naming a JID the invitee blocks is dropped (BlockMediatedInviter, XEP-0191 §3.3)",
		reach: func(p model.Profile) string {
			if !hasMUC(p) {
				return "the profile has no MUC service"
			}
			return unless(p.BlockMediatedInviter, "the profile delivers a blocked inviter's mediated invitations (BlockMediatedInviter=false; docs/findings.md D10)")
		}},
	{ID: "rule:blocked-on-arrival", Doc: "ejabberd: what a session's stanza routed back to it is refused when the session takes it in, by a list a stanza pipelined behind it changed (ListAppliedAtDelivery)",
		reach: func(p model.Profile) string {
			return unless(p.ListAppliedAtDelivery, "the profile delivers at once (ListAppliedAtDelivery=false)")
		}},
	{ID: "rule:self-presence-type", Doc: "ejabberd: a subscription stanza or probe to the user's own bare JID is ignored (SelfTypedPresenceIgnored)",
		reach: func(p model.Profile) string {
			return unless(p.SelfTypedPresenceIgnored, "the profile refuses it with bad-request (SelfTypedPresenceIgnored=false)")
		}},
	{ID: "rule:probe-unauthorised", Doc: "mod_presence (ejabberd): a probe from an entity not subscribed to the account is dropped silently (NoUnavailableProbeAnswer; RFC 6121 §4.3.2)",
		reach: func(p model.Profile) string {
			return unless(p.NoUnavailableProbeAnswer, "the profile answers such a probe with unsubscribed (NoUnavailableProbeAnswer=false)")
		}},
	{ID: "rule:subscription-no-change", Doc: "mod_roster (ejabberd): an inbound unsubscribe that only cancels a stored request is delivered to no resource (RosterPushOnPendingIn)",
		reach: func(p model.Profile) string {
			return unless(p.RosterPushOnPendingIn, "the profile delivers it (RosterPushOnPendingIn=false)")
		}},
	{ID: "rule:error-to-bare", Doc: "mod_message: an error message to a bare JID is dropped"},
	{ID: "rule:error-without-condition", Doc: "core: an error stanza without any child is discarded (§1.1)",
		Unreachable: "the generator's errors always carry a condition"},
	{ID: "rule:headline-no-recipient", Doc: "mod_message: a headline to a bare JID with no available resource is dropped"},
	{ID: "rule:host-response", Doc: "core: a response the host would send to itself is dropped (host_send)",
		Unreachable: "only a request a module routes from the host to itself; no built-in module does"},
	{ID: "rule:malformed-to", Doc: "core: a result or error with an unparsable 'to' is dropped (§0.5)",
		Unreachable: "the generator's malformed JIDs are blocklist items, never a 'to'"},
	{ID: "rule:no-account", Doc: "mod_presence: a subscription stanza or probe to a host JID with a resource is dropped",
		Unreachable: "the actions address local users and the host's iq services only; the reference does not model other targets"},
	{ID: "rule:no-available-session", Doc: "mod_message: a message to a bare JID of an online user with no available resource is dropped"},
	{ID: "rule:no-recipient", Doc: "mod_message: a message the host sends without 'to' is dropped",
		Unreachable: "a client's message without 'to' goes to its own account; no module sends one from the host"},
	{ID: "rule:no-session", Doc: "core: a stanza to a session that has gone is dropped"},
	{ID: "rule:offline-target", Doc: "mod_presence: presence to an offline full JID is dropped"},
	{ID: "rule:presence-to-host", Doc: "mod_presence: presence to the host itself is dropped",
		Unreachable: "the actions address presence to local users only; the reference does not model presence to the host"},
	{ID: "rule:remote-domain", Doc: "core: a stanza to a remote domain is refused (no s2s, §1.3)",
		Unreachable: "the actions address no remote domain; the reference does not model s2s bounces"},
	{ID: "rule:routing-loop", Doc: "core: the nesting guard against a routing loop",
		Unreachable: "no path of the model loops; the guard exists so that a bug shows in the trace instead of hanging"},
	{ID: "rule:unhandled", Doc: "core: an iq result/error or error nobody handled is dropped (§1.3 step 5)"},
	{ID: "rule:unsupported-stanza-type", Doc: "core: a top-level element that is no stanza closes the stream",
		Unreachable: "the generator sends stanzas only"},
}

var coveragePoints = buildCoveragePoints()

func buildCoveragePoints() []CoveragePoint {
	x := func(id, doc string) CoveragePoint { return CoveragePoint{ID: id, Kind: kindXEP, Doc: doc} }
	u := func(id, doc, why string) CoveragePoint {
		return CoveragePoint{ID: id, Kind: kindXEP, Doc: doc, Unreachable: why}
	}
	out := []CoveragePoint{
		x("X1", "disco#info of the host is asked (it must list urn:xmpp:blocking)"),
		x("X2", "a blocklist get is answered while the list has items"),
		x("X3", "a blocklist get is answered while the list is empty"),
		x("X4", "a session fetches the blocklist for the first time (becomes interested)"),
		x("X5", "a block is answered with a result"),
		x("X6", "a block push reaches an interested resource other than the requester"),
		x("X7", "a block without items is sent"),
		x("X8", "a block with several items, or with a malformed JID, is sent"),
		x("X9", "a JID allowed the user's presence is blocked"),
		x("X10", "a stanza from a blocked JID is refused"),
		x("X11", "presence from a blocked JID is refused"),
		x("X12", "a message from a blocked JID is refused"),
		x("X13", "an iq from a blocked JID is refused"),
		x("X14", "a probe from a blocked JID is refused (the user appears offline)"),
		x("X15", "a stanza to a blocked JID is refused"),
		x("X16", "an unblock with items is answered with a result"),
		x("X17", "an unblock push (with items) reaches a resource"),
		x("X18", "a JID allowed the user's presence is unblocked"),
		x("X19", "a stanza from a JID unblocked by item is delivered"),
		x("X20", "an empty unblock (unblock all) is answered with a result"),
		x("X21", "an unblock-all push reaches a resource"),
		x("X22", "a stanza from a JID unblocked by unblock-all is delivered"),
		x("X23", "a contact with a subscription is blocked (polite blocking keeps the roster)"),
		u("X24", "blocking users filtered from directory searches", "the model has no user directory (XEP-0055)"),
		u("X25", "privacy lists and the blocklist share one store", "no profile loads privacy lists (XEP-0016)"),
		u("X26", "the blocklist maps to the default privacy list", "no profile loads privacy lists (XEP-0016)"),
		x("X27", "a stanza between two of the user's own resources while its list would match one"),
		u("X28", "anything unspecified falls back to XEP-0016", "a rule of interpretation, no behaviour of its own"),
		u("X29", "a client should not mix privacy lists and the blocklist", "a client rule; no profile loads privacy lists"),
		x("X30/full", "a refusal decided by a user@domain/resource item"),
		x("X30/bare", "a refusal decided by a user@domain item"),
		{ID: "X30/domain-resource", Kind: kindXEP, Doc: "a refusal decided by a domain/resource item", reach: func(p model.Profile) string {
			return unless(p.DomainResourceMatchesAnyUser, "under Prosody's matching a domain/resource item matches only that JID, which no session has (DomainResourceMatchesAnyUser=false)")
		}},
		x("X30/domain", "a refusal decided by a domain item"),
	}
	for _, t := range rfcTables {
		for _, s := range rfcStates {
			out = append(out, CoveragePoint{ID: t.id + "/" + s, Kind: kindRFC, Doc: t.dir + " " + t.typ + " in state " + s})
		}
	}
	for _, r := range modelRules {
		r.Kind = kindRule
		out = append(out, r)
	}
	return out
}

// observeXEP hits the X points of the step.
func observeXEP(c *Ctx, st *covState, hit func(string)) {
	cmd, items := c.blockingCmd()
	A := c.senderBare()
	a := userOf(A)
	ans, _ := c.answer()
	ok := ans != nil && ans.typ == "result" // the send got a result
	switch cmd {
	case "get":
		if ok {
			if len(c.before.bl[a]) > 0 {
				hit("X2")
			} else {
				hit("X3")
			}
		}
		if p, found := c.preSess[c.sender]; found && !p.interestedBL {
			hit("X4")
		}
	case "block":
		if len(items) == 0 {
			hit("X7")
		}
		if len(items) > 1 || slicesAny(items, func(j string) bool { _, ok := prep(j); return !ok }) {
			hit("X8")
		}
		if ok {
			hit("X5")
			for _, it := range items {
				p, pok := prep(it)
				if !pok || !isLocalUser(p) {
					continue
				}
				J := bareOf(p)
				if isFrom(contactOf(c.before, A, J).Subscription) {
					hit("X9")
				}
				if ct := contactOf(c.before, A, J); ct.Subscription != "none" {
					hit("X23")
				}
				delete(st.unblocked, [2]string{A, J})
				delete(st.unblockedAll, [2]string{A, J})
			}
		}
	case "unblock":
		if ok {
			hit("X16")
			for _, it := range items {
				p, pok := prep(it)
				if !pok {
					continue
				}
				J := bareOf(p)
				if isLocalUser(J) && isFrom(contactOf(c.before, A, J).Subscription) {
					hit("X18")
				}
				st.unblocked[[2]string{A, J}] = true
			}
		}
	case "unblock-all":
		if ok {
			hit("X20")
			for _, it := range c.before.bl[a] {
				st.unblockedAll[[2]string{A, bareOf(it)}] = true
			}
		}
	}
	for _, e := range c.evs {
		if !isBlocklistPush(e) {
			continue
		}
		switch cmd {
		case "block":
			if e.Client != c.sender {
				hit("X6")
			}
		case "unblock":
			hit("X17")
		case "unblock-all":
			hit("X21")
		}
	}
	if c.send != nil && c.send.tag == "iq" && c.send.typ == "get" && c.sendTo() == "localhost" && strings.Contains(c.send.Canonical(), "disco#info") {
		hit("X1")
	}
	// own resources: a stanza to another resource of the sender while the
	// sender's list would match it
	if to := c.sendTo(); to != "" && A != "" && bareOf(to) == A && strings.Contains(to, "/") && to != c.senderFull() &&
		matches(c.prof, c.blFor(c.before, A), to) {
		hit("X27")
	}
	for _, e := range c.evs {
		switch {
		case e.Kind == sim.TraceDrop && e.Reason == "blocked-inbound":
			hit("X10")
			switch e.tag {
			case "presence":
				hit("X11")
				if e.typ == "probe" {
					hit("X14")
				}
			case "message":
				hit("X12")
			case "iq":
				hit("X13")
			}
			observeMatch(c, bareOf(e.to), e.from, hit)
		case e.Kind == sim.TraceDrop && e.Reason == "blocked-outbound":
			hit("X15")
			from := e.from
			if from == "" {
				from = A
			}
			observeMatch(c, bareOf(from), e.to, hit)
		case delivered(e) && e.from != "" && e.user != "":
			k := [2]string{e.user, bareOf(e.from)}
			if st.unblocked[k] {
				hit("X19")
			}
			if st.unblockedAll[k] {
				hit("X22")
			}
		}
	}
}

// observeMatch hits the X30 form of the items of owner's list that match
// jid.
func observeMatch(c *Ctx, owner, jid string, hit func(string)) {
	if !isLocalUser(owner) || jid == "" {
		return
	}
	for _, it := range c.before.bl[userOf(owner)] {
		if !matches(c.prof, map[string]bool{it: true}, jid) {
			continue
		}
		node, _, res := splitJID(it)
		switch {
		case node != "" && res != "":
			hit("X30/full")
		case node != "":
			hit("X30/bare")
		case res != "":
			hit("X30/domain-resource")
		default:
			hit("X30/domain")
		}
	}
}

// observeRFC hits the Appendix A cells of a subscription stanza a client
// sent to a local user: the outbound cell by the sender's state, and the
// inbound cell by the receiver's when the stanza reached the receiver's
// side (neither list refused it).
func observeRFC(c *Ctx, hit func(string)) {
	if c.send == nil || c.send.tag != "presence" {
		return
	}
	typ := c.send.typ
	to := c.sendTo()
	A := c.senderBare()
	if to == "" || !isLocalUser(to) || bareOf(to) == A {
		return
	}
	B := bareOf(to)
	var out, in string
	for _, t := range rfcTables {
		if t.typ == typ {
			if t.dir == "outbound" {
				out = t.id
			} else {
				in = t.id
			}
		}
	}
	if out == "" {
		return
	}
	hit(out + "/" + contactOf(c.before, A, B).State())
	for _, e := range c.evs {
		if e.Kind == sim.TraceDrop && (e.Reason == "blocked-outbound" || e.Reason == "blocked-inbound") && e.tag == "presence" && e.typ == typ {
			return
		}
	}
	hit(in + "/" + contactOf(c.before, B, A).State())
}

func slicesAny(s []string, f func(string) bool) bool {
	for _, v := range s {
		if f(v) {
			return true
		}
	}
	return false
}

// unless returns why when ok is false, "" otherwise.
// hasMUC reports whether p has a component running Prosody's muc.
func hasMUC(p model.Profile) bool {
	for _, c := range p.Components {
		if slices.Contains(c.Modules, "muc") {
			return true
		}
	}
	return false
}

func unless(ok bool, why string) string {
	if ok {
		return ""
	}
	return why
}
