package properties

// The invariant catalogue as data: every built-in invariant is an
// Invariant value (the type custom invariants use too) with its ID, level,
// spec citations, whether it can judge a real server's trace, the profile
// field that relaxes it, a one-line description and its check. The
// listing (scansim check --list-invariants), the package doc's counts and
// README's are derived from this table (catalogue_test.go).
//
// IDs come from two namespaces:
//
//   - invNN: invariant NN of invariants.md A.7 (inv01–inv40), numbered as
//     there. Its Name is the ID plus a CamelCase title
//     (inv12NoDeliveryFromBlocked).
//   - scNN: scansim's own invariants, which A.7 does not list (the
//     accounting invariants, the addressing rule, priority routing and
//     the Prosody details the reference used to be the only judge of).
//     A separate prefix, so that a future A.7 numbering cannot collide
//     with them; the numbers continue after A.7's 40 so that sc41–sc45
//     keep the numbers their names have always had. Those five keep
//     their historic names (inv41MessageAccounted, ...): failure
//     messages, Config.Invariants, docs/findings.md and
//     docs/real-server.md use them. Newer ones are named scNN....
//
// Config.Invariants accepts an ID or a Name.
//
// Adding an invariant: write its check, func(*Ctx) error, in the inv_*.go
// file of its A.7 heading (or a new inv_<area>.go for a new area, e.g. a
// new server module), derived from the specification or the behaviour
// document rather than from the model's code; add its entry here with the
// next free scNN; and show in a test that it fires on the bug it is for
// (a model mutant, or a hand-built sequence) and holds on the model
// (catalogue_test.go). README's and doc.go's counts follow the table
// (TestDocCountsMatchCatalogue).

import (
	"fmt"
	"regexp"
	"strings"
)

// Level is how binding an invariant is: the tags of invariants.md A.7.
type Level string

const (
	// LevelMust: a MUST of the specification ([M]).
	LevelMust Level = "MUST"
	// LevelShould: a SHOULD of the specification ([S]).
	LevelShould Level = "SHOULD"
	// LevelProfile: a behaviour the specification leaves open, fixed by
	// the server profile ([P]): Relax names the profile field, or Doc the
	// server whose choice it is.
	LevelProfile Level = "profile"
	// LevelDerived: a consistency property that follows from the rules
	// ([D]).
	LevelDerived Level = "derived"
)

// Invariant is a check run after every step. Custom invariants
// (Config.CustomInvariants) set Name and Check; the built-in catalogue
// (Catalogue) fills every field.
type Invariant struct {
	// Name labels the invariant in failure messages ("invariant violated:
	// NAME: ..." for built-ins, "custom invariant NAME: ..." for custom
	// ones) and in Config.Invariants.
	Name string
	// Check returns nil when the step is fine; its error is the
	// violation. A nil Check is an invariant not checked per step
	// (inv40, determinism, is checked by replaying whole runs).
	Check func(c *Ctx) error

	// ID is the catalogue key: invNN (invariants.md A.7) or scNN
	// (scansim's own; see the file comment of catalogue.go).
	ID string
	// Level is MUST, SHOULD, profile or derived (A.7's tags; for a mixed
	// tag such as [M/D], the strongest).
	Level Level
	// Cites are the specification sections the invariant is derived from
	// ("XEP-0191 §3.3", "RFC 6121 §8.5.2.1.1", "Prosody §5.5" for
	// prosody-c2s-behaviour.md).
	Cites []string
	// Wire: the invariant can judge a real server's trace (what its
	// clients sent and received). The others judge decisions a server
	// takes inside (offline stores, drops and their reasons, Cause links,
	// persistence), which a client never sees; on a server their verdict
	// would be vacuous or wrong, and the comparison with the model stands
	// in for them.
	Wire bool
	// Relax is the relaxation rule: the model.Profile field whose value
	// decides what the invariant demands (under Prosody's value it
	// tolerates Prosody's behaviour and fires when the specification's
	// value is demanded, Config.Spec; for a profile-level invariant the
	// field selects it), "Strict" for relaxations of Prosody behaviour no
	// profile field selects, which only Config.Strict drops
	// (docs/findings.md), or "" when nothing relaxes it.
	Relax string
	// Doc is a one-line description.
	Doc string
}

// cites splits a ";"-separated citation list.
func cites(s string) []string { return strings.Split(s, "; ") }

// catalogue is the built-in invariants, in the order they are checked
// (the first failing one names the failure).
var catalogue = []Invariant{
	// Blocklist state and commands (A.7 1–8)
	{ID: "inv01", Name: "inv01BlocklistGetMatchesModel", Check: inv01BlocklistGetMatchesModel, Level: LevelMust, Wire: true, Relax: "BlockDuplicatesKept",
		Cites: cites("XEP-0191 §3.2"), Doc: "a successful blocklist get returns exactly BL(A), without duplicates"},
	{ID: "inv02", Name: "inv02EmptyBlocklistShape", Check: inv02EmptyBlocklistShape, Level: LevelMust, Wire: true,
		Cites: cites("XEP-0191 §3.2"), Doc: "an empty blocklist is returned as an empty <blocklist xmlns='urn:xmpp:blocking'/>"},
	{ID: "inv03", Name: "inv03EmptyBlockRejected", Check: inv03EmptyBlockRejected, Level: LevelMust, Wire: true,
		Cites: cites("XEP-0191 §3.3"), Doc: "<block/> without items gets modify/bad-request and changes nothing"},
	{ID: "inv04", Name: "inv04ErrorMeansNoEffect", Check: inv04ErrorMeansNoEffect, Level: LevelDerived, Wire: true,
		Cites: cites("XEP-0191 §3.3; Prosody §7.3"), Doc: "a block/unblock answered with an error changes nothing, pushes nothing, sends no presence"},
	{ID: "inv05", Name: "inv05BlocklistPersists", Check: inv05BlocklistPersists, Level: LevelMust, Wire: true,
		Cites: cites("XEP-0191 §3.3"), Doc: "BL(A) changes only through A's own successful commands and survives reconnects"},
	{ID: "inv06", Name: "inv06UnblockAllEmpties", Check: inv06UnblockAllEmpties, Level: LevelMust, Wire: true,
		Cites: cites("XEP-0191 §3.5"), Doc: "an empty <unblock/> gets a result and empties BL(A)"},
	{ID: "inv07", Name: "inv07BlockIdempotent", Check: inv07BlockIdempotent, Level: LevelDerived, Wire: true,
		Cites: cites("XEP-0191 §3.3; XEP-0191 §3.4"), Doc: "re-blocking and re-unblocking succeed without duplicate entries"},
	{ID: "inv08", Name: "inv08DiscoAdvertisesBlocking", Check: inv08DiscoAdvertisesBlocking, Level: LevelMust, Wire: true,
		Cites: cites("XEP-0191 §3.1"), Doc: "host disco#info lists urn:xmpp:blocking"},

	// Pushes (A.7 9–11)
	{ID: "inv09", Name: "inv09PushFanOut", Check: inv09PushFanOut, Level: LevelMust, Wire: true, Relax: "PushOnlyInterested",
		Cites: cites("XEP-0191 §3.3; XEP-0191 §3.4; XEP-0191 §3.5"), Doc: "each successful command pushes its items once to every interested resource"},
	{ID: "inv10", Name: "inv10PushOrder", Check: inv10PushOrder, Level: LevelDerived, Wire: true, Relax: "BlockPushBeforeResult",
		Cites: cites("XEP-0191 §3.3; RFC 6121 §2.1.6"), Doc: "one push per command per resource, the requester's result before its push"},
	{ID: "inv11", Name: "inv11PushRepliesInert", Check: inv11PushRepliesInert, Level: LevelDerived, Wire: true,
		Cites: cites("RFC 6120 §8.2.3; Prosody §7.3"), Doc: "a client's result/error reply to a push changes and produces nothing"},

	// Inbound: blocked JID to A (A.7 12–16)
	{ID: "inv12", Name: "inv12NoDeliveryFromBlocked", Check: inv12NoDeliveryFromBlocked, Level: LevelMust, Wire: true, Relax: "RecheckBlocklistOnOfflineFlush, HostExemptFromBlocking",
		Cites: cites("XEP-0191 §3.3; Prosody §5.5; Prosody §7.7"), Doc: "nothing from a JID A blocks is delivered to A's resources"},
	{ID: "inv13", Name: "inv13SilenceTowardsBlockedPresence", Check: inv13SilenceTowardsBlockedPresence, Level: LevelMust, Wire: true,
		Cites: cites("XEP-0191 §3.3"), Doc: "presence of any type from a blocked JID gets no answer at all"},
	{ID: "inv14", Name: "inv14InboundSubscriptionImmunity", Check: inv14InboundSubscriptionImmunity, Level: LevelMust, Wire: true,
		Cites: cites("XEP-0191 §5; XEP-0016 §2.2"), Doc: "a subscription stanza from a blocked JID changes nothing in A's roster"},
	{ID: "inv15", Name: "inv15InboundMessageHandling", Check: inv15InboundMessageHandling, Level: LevelShould, Wire: true, Relax: "BounceBlockedMessages, GroupchatToBareBounced, BlockedBouncePerSession",
		Cites: cites("XEP-0191 §3.3; Prosody §7.7"), Doc: "a blocked chat/normal message is bounced once (or dropped), others silently dropped"},
	{ID: "inv16", Name: "inv16InboundIQHandling", Check: inv16InboundIQHandling, Level: LevelMust, Wire: true, Relax: "BareIQIgnoresBlocklist",
		Cites: cites("XEP-0191 §3.3"), Doc: "an iq get/set from a blocked JID gets one service-unavailable, results are dropped"},

	// Outbound: A to a blocked JID (A.7 17–20)
	{ID: "inv17", Name: "inv17NoRoutingToBlocked", Check: inv17NoRoutingToBlocked, Level: LevelMust, Wire: true, Relax: "LocalRosterChangeOnBlockedOutboundSub, HostExemptFromBlocking",
		Cites: cites("XEP-0191 §3.3"), Doc: "nothing A addresses to a JID it blocks reaches that JID"},
	{ID: "inv18", Name: "inv18BlockedErrorToSender", Check: inv18BlockedErrorToSender, Level: LevelMust, Wire: true, Relax: "LocalRosterChangeOnBlockedOutboundSub, PrivacyBounceForBlocked, HostExemptFromBlocking",
		Cites: cites("XEP-0191 §3.3"), Doc: "such a stanza gets exactly one cancel/not-acceptable with <blocked/> back"},
	{ID: "inv19", Name: "inv19GeneratedTrafficSuppressed", Check: inv19GeneratedTrafficSuppressed, Level: LevelDerived, Wire: true, Relax: "ErrorOnBlockedBroadcast, DeliverToSessionJID, BareIQIgnoresBlocklist, LostFromUnavailableUnchecked",
		Cites: cites("XEP-0191 §3.3; Prosody §7.6"), Doc: "server-generated traffic on A's behalf never reaches a JID A blocks, silently"},
	{ID: "inv20", Name: "inv20SelfNeverBlocked", Check: inv20SelfNeverBlocked, Level: LevelMust, Wire: true, Relax: "SelfBlockable, NoUnavailableReflection",
		Cites: cites("XEP-0191 §5; RFC 6121 §4.2.2"), Doc: "a broadcast presence is reflected to its sender exactly once"},

	// Presence at block/unblock (A.7 21–24)
	{ID: "inv21", Name: "inv21UnavailableOnBlock", Check: inv21UnavailableOnBlock, Level: LevelMust, Wire: true, Relax: "UnavailableSenderIsFullJID, NoPresenceOnBlock",
		Cites: cites("XEP-0191 §3.3"), Doc: "a newly blocked contact allowed A's presence gets unavailable from A"},
	{ID: "inv22", Name: "inv22PresenceOnUnblock", Check: inv22PresenceOnUnblock, Level: LevelMust, Wire: true, Relax: "PresenceOnUnblockAll, NoPresenceOnUnblock",
		Cites: cites("XEP-0191 §3.4; XEP-0191 §3.5"), Doc: "an unblocked contact allowed A's presence gets A's current presence"},
	{ID: "inv23", Name: "inv23PresenceCoherence", Check: inv23PresenceCoherence, Level: LevelDerived, Wire: true, Relax: "Strict, NoPresenceOnBlock",
		Cites: cites("RFC 6121 §4; XEP-0191 §3.3; XEP-0191 §3.4"), Doc: "the last presence a contact saw from each of A's resources is A's current one"},
	{ID: "inv24", Name: "inv24NoDoubleSignal", Check: inv24NoDoubleSignal, Level: LevelDerived, Wire: true,
		Cites: cites("XEP-0191 §3.3; Prosody §7.3"), Doc: "re-blocking only blocked JIDs sends no presence"},

	// Subscription interaction (A.7 25–28)
	{ID: "inv25", Name: "inv25PoliteBlocking", Check: inv25PoliteBlocking, Level: LevelProfile, Wire: true, Relax: "DropPendingInOnBlock",
		Cites: cites("XEP-0191 §4; Prosody §7.3"), Doc: "block and unblock change no roster item (but may drop pending-in)"},
	{ID: "inv26", Name: "inv26OutboundSubscriptionToBlocked", Check: inv26OutboundSubscriptionToBlocked, Level: LevelMust, Wire: true, Relax: "LocalRosterChangeOnBlockedOutboundSub",
		Cites: cites("XEP-0191 §3.3; Prosody §4.4"), Doc: "a subscription stanza A sends to a blocked JID never changes that JID's roster"},
	{ID: "inv27", Name: "inv27PendingRequestsFrozen", Check: inv27PendingRequestsFrozen, Level: LevelMust, Wire: true, Relax: "RecheckBlocklistOnOfflineFlush",
		Cites: cites("RFC 6121 §3.1.3; XEP-0191 §3.3; Prosody §7.7"), Doc: "a pending subscribe from a blocked JID is never delivered"},
	{ID: "inv28", Name: "inv28NoAutoApprovalThroughBlock", Check: inv28NoAutoApprovalThroughBlock, Level: LevelMust, Wire: true,
		Cites: cites("RFC 6121 §3.4; XEP-0191 §3.3"), Doc: "a subscribe from a blocked JID is never auto-approved and changes nothing"},

	// RFC 6121 core (A.7 29–35)
	{ID: "inv29", Name: "inv29ValidSubscriptionStates", Check: inv29ValidSubscriptionStates, Level: LevelMust, Wire: true,
		Cites: cites("RFC 6121 App. A; RFC 6121 §3.4"), Doc: "every roster state is one of RFC 6121's nine; approved only without from"},
	{ID: "inv30", Name: "inv30CrossRosterConsistency", Check: inv30CrossRosterConsistency, Level: LevelDerived, Wire: true, Relax: "Strict, RemovalPresenceByItem",
		Cites: cites("RFC 6121 §3"), Doc: "without blocking, A has to towards B iff B has from towards A"},
	{ID: "inv31", Name: "inv31RosterPushOnChange", Check: inv31RosterPushOnChange, Level: LevelMust, Wire: true,
		Cites: cites("RFC 6121 §2.1.6; RFC 6121 §3; Prosody §4.2"), Doc: "every roster change is pushed to each interested resource, no-ops push nothing"},
	{ID: "inv32", Name: "inv32PresenceAuthorisation", Check: inv32PresenceAuthorisation, Level: LevelMust, Wire: true, Relax: "DeliverToSessionJID",
		Cites: cites("RFC 6121 §4.4; RFC 6121 §4.6; XEP-0191 §3.3"), Doc: "available presence reaches only subscribers or directed targets, never across a block"},
	{ID: "inv33", Name: "inv33ProbeSemantics", Check: inv33ProbeSemantics, Level: LevelMust, Wire: true, Relax: "NoUnavailableProbeAnswer",
		Cites: cites("RFC 6121 §4.3.2; Prosody §3.5"), Doc: "a probe is answered with A's presence iff the prober has from/both"},
	{ID: "inv34", Name: "inv34ApprovalAndCancelPresence", Check: inv34ApprovalAndCancelPresence, Level: LevelMust, Wire: true,
		Cites: cites("RFC 6121 §3.1.5; RFC 6121 §3.2.2"), Doc: "an approval sends A's presence, a cancellation unavailable from each resource"},
	{ID: "inv35", Name: "inv35StoredRequestDelivery", Check: inv35StoredRequestDelivery, Level: LevelMust, Wire: true, Relax: "RecheckBlocklistOnOfflineFlush, StoredRequestNeedsPriority",
		Cites: cites("RFC 6121 §3.1.3; Prosody §3.1"), Doc: "each stored subscription request is re-delivered once at initial presence"},

	// Generic stanza semantics and the harness (A.7 36–40)
	{ID: "inv36", Name: "inv36IQAnsweredOnce", Check: inv36IQAnsweredOnce, Level: LevelMust, Wire: true,
		Cites: cites("RFC 6120 §8.2.3"), Doc: "every iq get/set gets exactly one result or error (or is routed)"},
	{ID: "inv37", Name: "inv37NoErrorForError", Check: inv37NoErrorForError, Level: LevelMust, Wire: true,
		Cites: cites("RFC 6120 §8.3.1"), Doc: "a stanza of type error never causes an error in reply"},
	{ID: "inv38", Name: "inv38BlockedNeverStoredOffline", Check: inv38BlockedNeverStoredOffline, Level: LevelMust, Wire: true, Relax: "RecheckBlocklistOnOfflineFlush",
		Cites: cites("XEP-0191 §3.3; Prosody §5.5"), Doc: "a message from a blocked JID is never stored offline (nor flushed, with a re-check)"},
	{ID: "inv39", Name: "inv39MatchingOracle", Check: inv39MatchingOracle, Level: LevelMust, Relax: "DomainResourceMatchesAnyUser",
		Cites: cites("XEP-0191 §6"), Doc: "every blocklist drop the server records agrees with the matching rule m(BL, j)"},
	{ID: "inv40", Name: "inv40Determinism", Level: LevelDerived,
		Cites: cites("invariants.md A.7 40"), Doc: "the same seed gives a byte-identical trace (checked by replaying whole runs)"},

	// scansim's own: accounting and addressing (accounting.go)
	{ID: "sc41", Name: "inv41MessageAccounted", Check: inv41MessageAccounted, Level: LevelMust,
		Cites: cites("RFC 6120 §10; RFC 6121 §8.5; XEP-0160 §3; XEP-0191 §3.5; XEP-0191 §3.6"), Doc: "every message sent is delivered, stored or refused, never lost or delivered twice"},
	{ID: "sc42", Name: "inv42OfflineLedger", Check: inv42OfflineLedger, Level: LevelMust,
		Cites: cites("XEP-0160 §3; XEP-0160 §4; Prosody §5.5"), Doc: "the offline store holds what was stored and not flushed, across restarts"},
	{ID: "sc43", Name: "inv43BlocksSurviveFaults", Check: inv43BlocksSurviveFaults, Level: LevelMust,
		Cites: cites("XEP-0191 §3.2; XEP-0191 §3.5; XEP-0191 §3.6; RFC 6121 §2.1.1"), Doc: "drops and restarts change no blocklist or roster; nothing crosses a block after a fault"},
	{ID: "sc44", Name: "inv44StatePersisted", Check: inv44StatePersisted, Level: LevelDerived,
		Cites: cites("Prosody §0.8"), Doc: "every change to an account's persistent state is written to storage"},
	{ID: "sc45", Name: "inv45AddressedToRecipient", Check: inv45AddressedToRecipient, Level: LevelMust, Wire: true, Relax: "ResentRequestsShareStanza",
		Cites: cites("RFC 6120 §8.1.1.1; RFC 6121 §2.1"), Doc: "a client receives only stanzas addressed to its own account"},

	// scansim's own: message routing and Prosody details the reference
	// alone used to catch (inv_routing.go, inv_prosody_details.go)
	{ID: "sc46", Name: "sc46BareMessageNotToNegativePriority", Check: sc46BareMessageNotToNegativePriority, Level: LevelMust, Wire: true,
		Cites: cites("RFC 6121 §8.5.2.1.1; Prosody §2.6; Prosody §5.3"), Doc: "a message to a bare JID reaches no resource with negative priority, and one of the others if any"},
	{ID: "sc47", Name: "sc47BareMessageToEveryTopResource", Check: sc47BareMessageToEveryTopResource, Level: LevelProfile, Wire: true,
		Cites: cites("RFC 6121 §8.5.2.1.1; Prosody §2.6; Prosody §5.3; Prosody §5.4"), Doc: "a chat/normal message to a bare JID reaches each top resource (ties all included) once: Prosody's choice"},
	{ID: "sc48", Name: "sc48NoOfflineFlushAtNegativePriority", Check: sc48NoOfflineFlushAtNegativePriority, Level: LevelMust, Wire: true,
		Cites: cites("RFC 6121 §8.5.2.1.1; XEP-0160 §2; Prosody §3.1; Prosody §5.5"), Doc: "an initial presence with negative priority gets no offline message"},
	{ID: "sc49", Name: "sc49VCardHintOnAvailablePresence", Check: sc49VCardHintOnAvailablePresence, Level: LevelProfile, Wire: true,
		Cites: cites("XEP-0153; Prosody §0.6"), Doc: "every available presence from a user carries <x xmlns='vcard-temp:x:update'><photo/></x> (Prosody's mod_vcard_legacy)"},
	{ID: "sc50", Name: "sc50PendingInDroppedOnBlock", Check: sc50PendingInDroppedOnBlock, Level: LevelProfile, Relax: "DropPendingInOnBlock",
		Cites: cites("XEP-0191 §3.3; Prosody §7.3"), Doc: "blocking a JID (literal bare item) deletes its pending subscription request (Prosody #574)"},
	{ID: "sc51", Name: "sc51StoredRequestKeepsStanza", Check: sc51StoredRequestKeepsStanza, Level: LevelMust, Wire: true, Relax: "ResentRequestsShareStanza",
		Cites: cites("RFC 6121 §3.1.3; RFC 6120 §8.1.1.1; Prosody §4.1; Prosody §3.1"), Doc: "a stored request re-sent at initial presence keeps its 'to', id and children"},
	// Blocking across Prosody 13's modules (inv_modules.go): PEP, MAM,
	// account removal
	{ID: "sc52", Name: "sc52MAMNoRefusedMessage", Check: sc52MAMNoRefusedMessage, Level: LevelMust,
		Cites: cites("XEP-0191 §3.3; XEP-0313 §4"), Doc: "a MAM query result never forwards a message refused for the archive owner's block"},
	{ID: "sc53", Name: "sc53NoPEPNotificationAcrossBlock", Check: sc53NoPEPNotificationAcrossBlock, Level: LevelMust, Wire: true, Relax: "Strict",
		Cites: cites("XEP-0191 §3.3; XEP-0163 §4.3"), Doc: "no PEP notification or last item reaches a user who blocks the publisher (the publisher's own block: Strict only, Prosody ignores it)"},
	{ID: "sc54", Name: "sc54RemovedAccountBlocklistEmpty", Check: sc54RemovedAccountBlocklistEmpty, Level: LevelMust,
		Cites: cites("XEP-0077 §3.2; XEP-0191 §3.2"), Doc: "an account removed and created again starts with an empty blocklist and roster"},
	// Rooms and blocking in rooms (inv_muc.go)
	{ID: "sc55", Name: "sc55MUCSelfPresenceLast", Check: sc55MUCSelfPresenceLast, Level: LevelMust, Wire: true,
		Cites: cites("XEP-0045 §7.2.3"), Doc: "a joining session gets its own presence, with status 110, after the other occupants'"},
	{ID: "sc56", Name: "sc56MUCOutcastRefused", Check: sc56MUCOutcastRefused, Level: LevelMust, Wire: true,
		Cites: cites("XEP-0045 §7.2.7; XEP-0045 §9.1"), Doc: "an outcast's join is refused, never answered with its presence in the room"},
	{ID: "sc57", Name: "sc57MUCRealJIDsAsConfigured", Check: sc57MUCRealJIDsAsConfigured, Level: LevelMust, Wire: true,
		Cites: cites("XEP-0045 §7.2.3; XEP-0045 §7.2.4; XEP-0045 §10.2"), Doc: "in a semi-anonymous room only moderators, admins and owners see other occupants' real JIDs"},
	{ID: "sc58", Name: "sc58MUCNoInviteFromBlocked", Check: sc58MUCNoInviteFromBlocked, Level: LevelMust, Wire: true, Relax: "BlockMediatedInviter, Strict",
		Cites: cites("XEP-0191 §3.3; XEP-0045 §7.8.2"), Doc: "a mediated invitation from a blocked inviter is not delivered (named by real JID, or by occupant JID in the step that sent it: D9 under --spec xep)"},
	{ID: "sc59", Name: "sc59MUCVoiceRequestToModerators", Check: sc59MUCVoiceRequestToModerators, Level: LevelMust, Wire: true,
		Cites: cites("XEP-0045 §7.13; XEP-0045 §8.6"), Doc: "a visitor's voice request reaches the room's moderators only"},
}

// invName finds a built-in invariant's name in a failure message (the
// kind of failure that shrinking must keep).
var invName = regexp.MustCompile(`(?:inv|sc)\d\d[A-Za-z]+`)

// Catalogue returns the built-in invariants, in the order they are
// checked (a copy: changing it changes nothing).
func Catalogue() []Invariant {
	out := make([]Invariant, len(catalogue))
	copy(out, catalogue)
	for i := range out {
		out[i].Cites = append([]string(nil), out[i].Cites...)
	}
	return out
}

// Invariants lists the names of the built-in invariants (Config.Invariants
// accepts these or the IDs).
func Invariants() []string {
	out := make([]string, 0, len(catalogue))
	for _, i := range catalogue {
		out = append(out, i.Name)
	}
	return out
}

// stepChecked reports whether inv is checked after every step (inv40 is
// checked on whole runs).
func (inv *Invariant) stepChecked() bool { return inv.Check != nil }

// CheckInvariantNames reports the first name that is neither the ID nor
// the Name of a built-in invariant (Config.Invariants).
func CheckInvariantNames(names []string) error {
	for _, n := range names {
		found := false
		for _, inv := range catalogue {
			if inv.ID == n || inv.Name == n {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("unknown invariant %q (see scansim check --list-invariants)", n)
		}
	}
	return nil
}
