package model

import (
	"fmt"
	"slices"
	"sort"
)

// Profile selects behaviour where servers, or versions of one server,
// differ: which modules are enabled, and their options. Every option is a
// documented divergence: either between Prosody trunk and Debian's 0.12.3
// (prosody-c2s-behaviour.md §9), or between Prosody and the XEP-0191 /
// RFC 6121 text (invariants.md A.8, B.10).
//
// The options are grouped by the module that owns them (VersionOptions in
// mod_version.go, ...); the groups are embedded, so p.Field reads and
// writes each option directly. The model never consults a profile's Name;
// only the fields decide.
type Profile struct {
	// Name identifies the profile on the command line ("prosody-13",
	// "prosody-0.12", "prosody-trunk"); an alias ("prosody") resolves to
	// its profile's Name.
	Name string
	// Modules is the modules_enabled list, in load order; nil selects
	// DefaultModules(). Owned by the core (module.go).
	Modules []string
	// Components are the hosts beside the virtual host that the server
	// answers for (Prosody's Component lines), each with its own module
	// list; nil: none, and every other domain is remote (§1.3). Owned by
	// the core (component.go).
	Components []ComponentConfig

	// AbruptCloseReason (owned by the core: session close) is the
	// transport error text of a dropped connection: "closed" on trunk,
	// empty on 0.12.3 (§2.7, §9.4). When non-empty the unbind
	// unavailable carries <status>Disconnected: REASON</status>.
	AbruptCloseReason string
	// RegisteredAccounts (owned by mod_tombstones) says how the accounts
	// come to exist: false, as under the upstream configuration's
	// authentication "insecure", every account exists and nothing is
	// registered; true, each account was created by in-band registration
	// (XEP-0077) before its first login, as against a server with real
	// accounts (scansim's --register). Not a property of a release but of
	// the run: driver.Options.ForServer sets it from the server driver.
	RegisteredAccounts bool

	VersionOptions   // mod_version
	DiscoOptions     // mod_disco
	TimeOptions      // mod_time
	BlocklistOptions // mod_blocklist
	PresenceOptions  // mod_presence
	MAMOptions       // mod_mam
	PEPOptions       // mod_pep
	MUCOptions       // mod_muc (muc_options.go)
	// ejabberd's (profile_ejabberd.go):
	WireOptions             // the core: what reaches a client stream
	RosterOptions           // mod_roster
	EjabberdBlockingOptions // mod_blocklist, as ejabberd's mod_blocking
}

// BlocklistOptions are mod_blocklist's options.
type BlocklistOptions struct {
	// BounceBlockedMessages: an inbound chat/normal message from a blocked
	// JID is answered with service-unavailable instead of being dropped
	// (§7.7; the scansion config sets it and 0.12.3 always does it).
	BounceBlockedMessages bool
	// PushOnlyInterested: blocklist pushes go only to sessions that fetched
	// the blocklist (invariant 9, strict variant). false = every session.
	PushOnlyInterested bool
	// DomainResourceMatchesAnyUser: a "domain/resource" item blocks
	// "user@domain/resource" for every user (ejabberd, MongooseIM). Prosody: false.
	DomainResourceMatchesAnyUser bool
	// LocalRosterChangeOnBlockedOutboundSub: a subscription presence to a
	// blocked bare JID still changes the sender's roster (Prosody: true,
	// and the stanza is even routed, §4.4).
	LocalRosterChangeOnBlockedOutboundSub bool
	// DropPendingInOnBlock: blocking a JID deletes its pending inbound
	// subscription request (Prosody issue #574: true).
	DropPendingInOnBlock bool
	// UnavailableSenderIsFullJID: the unavailable sent on block comes from
	// each available full JID (Prosody) rather than from the bare JID.
	UnavailableSenderIsFullJID bool
	// PresenceOnUnblockAll: an empty <unblock/> sends current presence to
	// the formerly blocked subscribers (Prosody: false, §7.3).
	PresenceOnUnblockAll bool
	// ErrorOnBlockedBroadcast: server-generated presence towards a blocked
	// contact (broadcasts, initial probes) yields a not-acceptable error to
	// the sending session, as Prosody's pre-presence hook does (§7.6).
	// The spec (invariant 19) wants silence.
	ErrorOnBlockedBroadcast bool
	// RecheckBlocklistOnOfflineFlush: stored traffic — offline messages at
	// flush, pending subscription requests re-sent at initial presence — is
	// filtered against the blocklist when delivered (invariants 27, 38).
	// Prosody: false (§3.1 step 5d, §5.5).
	RecheckBlocklistOnOfflineFlush bool
	// BlockMediatedInviter: an inbound message carrying a mediated MUC
	// invitation (<x xmlns='…muc#user'><invite from=…/>) is also blocked
	// when the inviter it names is blocked, though it comes from the
	// room. Prosody 13.0.1: true (mod_blocklist's drop_stanza, "Check
	// mediated MUC inviter"); 0.12.3: false.
	BlockMediatedInviter bool
}

// PresenceOptions are mod_presence's options.
type PresenceOptions struct {
	// PendingKeepsAddressedTo: a stored subscription request is re-sent at
	// initial presence (§3.1 step 5d) with the 'to' its sender wrote, a
	// full JID included, instead of the contact's bare JID (§4.1) — for
	// good if the contact's roster had been loaded while it had no
	// session (the request itself, or an earlier subscription stanza or
	// probe to the offline contact: Prosody keeps such rosters in
	// memory); otherwise while the contact stays online, and for good
	// once the contact's roster is saved again before its last session
	// ends. Observed on Debian's Prosody 0.12.3 with memory storage
	// (docs/findings.md D4; the live delivery is always bare).
	PendingKeepsAddressedTo bool
	// ResentRequestsShareStanza: a Prosody 0.12.3 and 13.0.1 bug the checks must
	// expect (docs/findings.md D6). At initial presence the user's pending
	// outbound requests are re-sent (§3.1 step 5e) as one stanza object
	// whose 'to' is rewritten for each contact; a contact whose loaded
	// roster stores that request keeps a reference, so a stored request
	// can later be delivered with the 'to' of another contact (the last
	// one the hash-ordered loop reached), which leaks the requester's
	// roster. The model does not reproduce it (it cannot know Prosody's
	// loop order); the field makes the checks tolerate that one 'to'
	// (inv45, and the comparison with a server), except under
	// properties.Config.Strict.
	ResentRequestsShareStanza bool
	// RosterCacheSurvivesDeletion: a bug of both releases that the model
	// reproduces (docs/findings.md D11). Prosody's rostermanager keeps a
	// roster loaded while its account had no session in a per-host cache
	// (core/rostermanager.lua load_roster), which an account deletion
	// does not clear: the account created again under the name loads the
	// old roster, its items and stored requests, from there. XEP-0077
	// §3.2 (the server deletes the account's data) is relaxed for it
	// (sc54's roster part) except under properties.Config.Strict.
	RosterCacheSurvivesDeletion bool
}

// ProsodyTrunk is Prosody trunk under its scansion configuration (the
// profile named "prosody-trunk"; the default before Prosody13): the
// configuration the hidden conformance scripts were recorded against —
// the c2s modules only, no components. Prosody012 and Prosody13 start
// from it and change what their release does differently.
func ProsodyTrunk() Profile {
	var p Profile
	p.Name = "prosody-trunk"
	p.Version = "unknown"
	p.DiscoAccountFeatures = true
	p.UnknownNodeText = "Node does not exist"
	p.AbruptCloseReason = "closed"
	p.FractionalTime = true
	p.BounceBlockedMessages = true
	p.PushOnlyInterested = true
	p.LocalRosterChangeOnBlockedOutboundSub = true
	p.DropPendingInOnBlock = true
	p.UnavailableSenderIsFullJID = true
	p.ErrorOnBlockedBroadcast = true
	return p
}

// Prosody012 is Debian bookworm's Prosody 0.12.3 (§9) under the same
// upstream configuration as Prosody13 (../shared/scansion-upstream/
// prosody.cfg.lua, which .ci/prosody-upstream-start 0.12 and .ci/real-server
// run it with): the same modules and components, with what 0.12.3 does
// differently from 13.0.1, each asked of the real server
// (docs/real-servers-upstream.md).
func Prosody012() Profile {
	p := Prosody13()
	p.Name = "prosody-0.12"
	p.Version = "0.12.3"
	p.DiscoAccountFeatures = false
	p.UnknownNodeText = ""
	p.AbruptCloseReason = ""
	p.FractionalTime = false
	p.PendingKeepsAddressedTo = true
	p.ResentRequestsShareStanza = true
	p.PEPDisco012 = true
	p.LegacyTime = true
	// 0.12.3's archive times have whole seconds (13.0.1's microseconds).
	p.WholeSecondStamps = true
	p.PEPNotifyPublisher = true
	p.PubSubForm012 = true
	p.PubSubItemsAccessFirst = true
	// conference.localhost: 0.12.3's rooms (MUCOptions012: the outcast
	// listed without its reason, admins owning rooms) and no vcard-temp
	// (room avatars came with 13); its mod_blocklist does not look at a
	// mediated invitation's inviter (docs/findings.md D10).
	p.MUCOptions = MUCOptions012()
	p.MUCNoVCard = true
	p.BlockMediatedInviter = false
	p.Modules = slices.Clone(prosody012Modules)
	return p
}

// Prosody13 is Prosody 13.0.1 (Debian bookworm-backports) under Prosody's
// own scansion configuration (../shared/scansion-upstream/prosody.cfg.lua):
// its modules_enabled and its three components. The module order is the
// order in which 13.0.1 lists the host's disco#info features (asked over
// the wire; docs/real-servers-upstream.md).
func Prosody13() Profile {
	p := ProsodyTrunk()
	p.Name = "prosody-13"
	p.Version = "13.0.1"
	p.HostNodeNotFound = true
	// mod_mam archives (mam_smart_enable = true in the configuration:
	// nothing is archived for an account before it first uses MAM).
	p.Archive = true
	p.SmartEnable = true
	// 13.0.1 keeps a stored subscription request's addressed 'to' as
	// 0.12.3 does (D4): found by check --server against 13.0.1, a request
	// to u2@localhost/a sent while u2 was offline re-sent with that 'to'.
	p.PendingKeepsAddressedTo = true
	// A request stored before an account's deletion comes back for the
	// account created again (D11; found by check --server against 13.0.1
	// and 0.12.3: testdata/prosody-13/stale_roster_cache.scs).
	p.RosterCacheSurvivesDeletion = true
	// D6 on 13.0.1 too: its mod_presence re-sends the pending outbound
	// requests at initial presence as one stanza whose 'to' the loop
	// rewrites, and set_contact_pending_in keeps st.preserialize's copy,
	// which shares the stanza's attr table (modules/mod_presence.lua and
	// util/stanza.lua, the same code as 0.12.3's). Seen once by check
	// --server against 13.0.1 (seed 207 of the second session: a stored
	// request delivered with another contact's 'to'); the hash order
	// decides, so a replay need not show it again.
	p.ResentRequestsShareStanza = true
	// mod_pep runs PEP (XEP-0163) on the PubSub core.
	p.PEP = true
	p.BlockMediatedInviter = true
	p.MUCOptions = MUCOptions13()
	p.Modules = slices.Clone(prosody13Modules)
	p.Components = []ComponentConfig{
		{Domain: "conference", Modules: []string{"muc"}},
		{Domain: "upload", Modules: []string{"http_file_share"}},
		{Domain: "pubsub", Modules: []string{"pubsub"}},
	}
	return p
}

// prosody13Modules: the upstream configuration's modules_enabled as
// 13.0.1 loads them. Those that add host disco#info features are in the
// order 13.0.1 lists the features; pep, vcard_legacy, vcard4 and mam in
// the order of their account disco#info features (pep adds no host
// feature, so it can come first); the rest add no feature and keep the
// default list's relative order.
var prosody13Modules = []string{
	"ping", "version", "time", "lastactivity", "disco", "external_services",
	"pep", "vcard_legacy", "carbons", "offline", "private", "blocklist", "roster",
	"adhoc", "register", "tombstones", "server_contact_info",
	"vcard4", "mam", "uptime", "presence", "message", "iq", "session",
}

// prosody012Modules: the upstream configuration's modules_enabled as
// 0.12.3 loads them (mod_debug_reset is not shipped with 0.12.3), in the
// order 0.12.3 lists their host disco#info features.
var prosody012Modules = slices.Clone(prosody13Modules)

// ComponentConfig is one Component line: a host named Domain + "." + the
// virtual host, served by Modules (its component module first).
type ComponentConfig struct {
	Domain  string
	Modules []string
}

// DefaultProfileName is the profile every command, engine and the model
// itself use when none is given: Prosody13, the released version checked
// against the real server.
const DefaultProfileName = "prosody-13"

// Default returns the default profile, Prosody13.
func Default() Profile { return Prosody13() }

// ProfileInfo describes one profile for help texts and --list-profiles.
type ProfileInfo struct {
	Name    string
	Aliases []string
	Default bool
	Summary string
}

// profileTable lists the profiles in the order help texts show them.
var profileTable = []struct {
	info ProfileInfo
	make func() Profile
}{
	{ProfileInfo{Name: "prosody-13", Aliases: []string{"prosody"}, Default: true,
		Summary: "Prosody 13.0.1 (Debian bookworm-backports) under Prosody's upstream scansion configuration: its modules and components, verified against the real server"}, Prosody13},
	{ProfileInfo{Name: "prosody-0.12", Summary: "Debian bookworm's Prosody 0.12.3, verified against the real server"}, Prosody012},
	{ProfileInfo{Name: "ejabberd", Summary: "ejabberd 24.12 (Debian bookworm-backports) under testdata/ejabberd/ejabberd.yml: roster, XEP-0191 blocking on privacy lists, disco, ping, version; verified against the real server (docs/ejabberd.md)"}, Ejabberd},
	{ProfileInfo{Name: "prosody-trunk", Summary: "Prosody trunk under the project's scansion configuration (c2s modules only): the profile the hidden conformance scripts were recorded against; the default before prosody-13"}, ProsodyTrunk},
}

// Profiles describes the known profiles, the default first.
func Profiles() []ProfileInfo {
	out := make([]ProfileInfo, len(profileTable))
	for i, e := range profileTable {
		out[i] = e.info
		out[i].Aliases = slices.Clone(e.info.Aliases)
	}
	return out
}

// ProfileNames lists the names ProfileByName accepts (profiles and
// aliases), sorted.
func ProfileNames() []string {
	var names []string
	for _, e := range profileTable {
		names = append(names, e.info.Name)
		names = append(names, e.info.Aliases...)
	}
	sort.Strings(names)
	return names
}

// ProfileByName returns the named profile; an alias returns its profile
// (whose Name is the profile's own).
func ProfileByName(name string) (Profile, error) {
	for _, e := range profileTable {
		if e.info.Name == name || slices.Contains(e.info.Aliases, name) {
			return e.make(), nil
		}
	}
	return Profile{}, fmt.Errorf("unknown profile %q (known: %v)", name, ProfileNames())
}
