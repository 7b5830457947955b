// Package properties is scansim's property-based test of the server model:
// a rapid state machine (pgregory.net/rapid) drives a deterministic
// simulation (sim.Sim, zero latency) of 2–4 users (u1..u4@localhost) with up
// to three resources each, checks every step against a reference of the
// behaviour document and an invariant catalogue, and shrinks a violation
// to a replayable .scs script.
//
// # Using it
//
// Three entry points, from the simplest:
//
//   - Explore(Config) Report: run Config.Checks random sequences of
//     Config.Steps actions (seed Config.Seed, or one drawn and reported in
//     Report.Seed) and return the first violation, shrunk, with the path
//     of a replayable .scs script (Report.Failure.ScriptPath). This is
//     `scansim check`. A Config holds driver.Options (profile, mutants),
//     Users, OutDir, Spec (a stricter profile to demand), NoFaults, and
//     Server to hold a real server to the same checks.
//   - Check(t, Config): the same property under `go test`, rapid's flags
//     deciding the counts; a failure is shrunk and written as a script too,
//     and the test log names it.
//   - Property(Config) func(*rapid.T): the bare property, for a caller's
//     own rapid.Check.
//
// Config.Actions and Config.CustomInvariants add actions and invariants
// of one's own (# API below; ExampleExplore, ExampleInvariant,
// ExampleAction); Invariants() and WriteInvariantList list the catalogue,
// WriteMutantList (model.Mutants) the deliberate bugs the model can switch
// on.
//
// # How it checks
//
// After every action it checks
//
//   - the model against a reference (ref.go, refops.go): an abstract model
//     of prosody-c2s-behaviour.md (§2–§8) in plain Go maps — rosters
//     (subscription, ask, approved, pending-in, version), blocklists,
//     offline stores, sessions (available, priority, interested,
//     interested_blocklist, directed set, stored presence) — written from
//     the document and the profile fields, never from the model's code.
//     After each step its state is compared with the model's introspection
//     API (ContactOf, Blocklist, OfflineCount, RosterVersion), and the
//     stanzas it predicts for every client are compared, as multisets of
//     canonical stanzas, with what the clients received (diffs of our own, the same bytes on every run);
//   - the invariant catalogue (catalogue.go), one Invariant value per
//     invariant with its ID, level (MUST, SHOULD, profile, derived),
//     citations, whether it can judge a real server's trace, the profile
//     field that relaxes it and a one-line description (scansim check
//     --list-invariants): all 40 of invariants.md A.7 (inv01–inv40, one
//     file per A.7 heading, inv_*.go; inv40, determinism, is checked by
//     replaying whole runs) and 19 of scansim's own (sc41–sc59, a separate
//     namespace so that A.7's numbering cannot collide with them), checked
//     per step over the new trace events only. The own ones are the
//     accounting invariants (accounting.go) over the trace kinds and
//     their Cause links — inv41MessageAccounted (every message sent is
//     delivered, stored, bounced or dropped for a documented reason,
//     never lost or delivered twice to a session), inv42OfflineLedger
//     (the offline store holds what was stored and not flushed, across
//     restarts; a flush empties it), inv43BlocksSurviveFaults (drops and
//     restarts change no blocklist or roster; nothing crosses a block
//     after a fault), inv44StatePersisted (state written to storage) —
//     and inv45AddressedToRecipient (a client receives only stanzas
//     addressed to its account, RFC 6120 §8.1.1.1), which keep their
//     historic names; then RFC 6121 §8.5.2.1.1's priority routing of
//     messages to a bare JID (sc46, and Prosody's top resources, sc47),
//     no offline flush at negative priority (sc48), the vCard hint
//     (sc49), pending requests dropped at block time (sc50) and stored
//     requests kept whole (sc51) (inv_routing.go, inv_prosody_details.go),
//     which only the reference caught before; and blocking across
//     Prosody 13's modules (inv_modules.go): no MAM result forwards a
//     message refused for a block (sc52), no PEP notification or last
//     item reaches a user who blocks the publisher (sc53; the
//     publisher's own block only under Config.Strict, as Prosody's
//     mod_pep ignores it), an account removed and created again starts
//     with an empty blocklist and roster (sc54).
//
// Faults — abrupt drops (a2Disconnect) and server restarts (h1Restart) — are
// drawn unless Config.NoFaults ($SCANSIM_FAULTS=0 for TestProperty,
// scansim check --no-faults).
//
// Each rapid action draws its parameters and applies one or more Ops to the
// harness (harness.go), which runs the simulation until quiet and checks
// the step; rapid's "" hook (machine.verdict), run after every action,
// fails the test case at the first failing step. Preconditions: an action
// that needs a session picks one of the connected slots (cyclically from
// a drawn index, so that the shrinker's deletions keep the meaning of
// later draws) and connects one when there is none, rather than t.Skip,
// because rapid's Repeat gives up on a sequence whose first actions are
// rejected; the remaining preconditions (no free slot, no contact online,
// rare restarts) use t.Skip.
//
// # Actions
//
// Names sort simple-first for the shrinker: a1Connect (named, generated or
// conflicting resource, optionally followed by initial presence),
// a2Disconnect (clean or abrupt), b1Presence (available with priorities
// −5..5 and status, or unavailable), b2Directed (to bare or full JIDs),
// c0Befriend (a subscription handshake, one-way or mutual), c1Subscription
// (subscribe/subscribed/unsubscribe/unsubscribed to bare or full JIDs,
// biased towards targets where they change something), c2Probe, d1Roster
// (get, set with name/group, remove), e1BlocklistGet, e2Block (1–3 items:
// bare, full, domain, domain/resource, upper-case, rarely malformed or
// empty), e3Unblock (items or all), f1Message (chat/normal/none/headline/
// groupchat to bare or full JIDs of online and offline users, self
// included), g1IQ (ping, version, disco#info, last to users, full JIDs,
// self and the host), g2Reply (a client's result/error to a push, a
// result echoing a blocking payload, or an error message), h1Restart
// (server restart with persistent storage), c3Lapse (a subscriber
// cancels around one of the contact's resources going offline, and asks
// again), and the groups of stanzas written without waiting (group.go,
// docs/races.md): j1Burst (one session pipelines a pair, e.g. block then
// message; a third of the time j2Concurrent, two sessions at once, in a
// drawn interleaving); each op of a group is judged as its own step, and
// against a real server the group is held against every interleaving
// (wire_group.go). RaceActions (scansim check --engine races) draws the
// groups and what sets them up only.
//
// # Module actions
//
// When the model's profile loads Prosody 13's modules (PEP, an archive
// and mod_register: prosody-13), five more actions are drawn
// (actions_modules.go): i1PEP (publish or retract a tune item, or query a
// user's tune items), i2Caps (an available presence with caps, broadcast
// or directed to a user the sender is subscribed to, followed by the
// answers to the server's disco#info queries, tune+notify), i3MAM (a
// query of the user's own archive), i4Storage (vCard set/get, private XML
// set/get) and i5Remove (account removal, XEP-0077 §3.2). Other profiles
// never draw them, so their action sequences, traces and check counts are
// those they always had. The reference models the core only and is not
// extended for them; the comparison tolerates them exactly so:
//
//   - a module action's step is not compared with the reference's
//     predicted stanzas (the reference still takes its stanza: a caps
//     presence is a presence); its state is compared, as a module action
//     changes no roster, blocklist or offline store — except i5Remove;
//   - in every step, PEP notifications (pubsub#event messages), mod_pep's
//     caps queries (disco#info gets with a node) and the stanza-ids
//     mod_mam adds to archived messages are left out of the observed
//     stanzas before the comparison;
//   - from an account removal on, and from the first send of a session
//     that queried its archive while its account has offline messages
//     (mod_offline then flushes nothing to it), the reference is left out
//     for the rest of the sequence;
//   - after an account removal, only sc52–sc54 are checked (the removed
//     account's tombstone answers stanzas to it, which the core
//     invariants do not model); inv05 and inv42 take the removal as the
//     account's own change, inv42 and the offline-flush rule spare
//     sessions that queried their archive, inv19 and inv43 spare PEP
//     notifications from a publisher who blocks the recipient unless
//     Config.Strict (sc53 judges them), inv33 spares probes to a removed
//     account.
//
// # API
//
// Extending without forking: Config.Actions (map of name to Action,
// func(*Ctx, *rapid.T)) adds rapid actions next to the built-in ones,
// Config.CustomInvariants ([]Invariant{Name, Check func(*Ctx) error}) adds
// checks run after every step; the built-in invariants are Invariant
// values over the same Ctx (Catalogue). A Ctx shows the accounts (Users),
// the session slots (Slots, Connected, FullJID, Client, PickConnected),
// the trace (Step: the events of the step being judged; Trace), the ops so
// far (Ops, LastOp), the model's introspection (Server), the state before
// and after the step being judged (Before, After: blocklists, roster
// relations, offline counts), whether that step is a real server's
// (OnServer), Config.Strict (Strict) and the demanded profile (Profile);
// actions act only through Ctx.Send and Ctx.Apply, so their ops are
// checked, shrunk, replayed and scripted like the built-in ones. See
// ExampleExplore, ExampleInvariant, ExampleAction; Property(Config)
// gives the same property to a caller's own rapid.Check.
//
// Explore(Config) Report runs the property outside `go test` (for
// `scansim check`). rapid only exposes rapid.Check, configured by its
// command-line flags, so Explore sets -rapid.checks, -rapid.steps,
// -rapid.seed, -rapid.shrinktime and -rapid.nofailfile on
// flag.CommandLine for the duration of the call, calls testing.Init, and
// runs rapid.Check on the worker's own goroutine with a testing.TB
// stand-in whose FailNow and SkipNow end the check with a panic that the
// worker recovers (a real panic is passed on), so that no goroutine is
// started, and no stack grown afresh, per check. Calls are serialised. After rapid's
// shrinker, a delta-debugging pass (minimize) removes chunks and single
// actions, merges sessions of one user, and turns restarts and abrupt
// drops into clean disconnects when the failure survives, because a
// scansion script can express neither.
//
// On failure the shrunk sequence becomes a .scs (script.go) in
// Config.OutDir (default testdata/failures, or $SCANSIM_FAILURES): built
// from the trace of the correct behaviour with scenarios.FromTrace
// (without mutants: the model's trace with the failing step's deliveries
// replaced by the reference's prediction; with mutants: the same actions
// on the model without them), cut after the failing step, written with
// scenarios.Format, then replayed with scenarios.Run under the configured
// model (must fail) and the correct one (must pass), in scansion's default
// mode or, when only an extra stanza at the end of a queue differs, in
// strict mode (scansim replay --strict). Failures that leave no visible
// trace at the failing step get "witness" actions appended (a fresh
// session's initial presence, roster get and blocklist get per user).
//
// Determinism: the simulation's seed is fixed (1); rapid's seed decides
// the actions; the same seed gives the same actions and a byte-identical
// trace (TestDeterminism, TestExploreDeterministic).
//
// # Against a real server
//
// Config.Server (a driver.Driver, usually *driver.ServerDriver) runs
// every sequence on a real XMPP server too, beside the model, on fresh
// accounts (the driver's run prefix); wire.go drives it through a
// driver.Network, quiescing with ping round trips after every op and
// waiting a short grace after an abrupt drop (the server learns of a drop
// asynchronously). After each step two more checks run on what the
// server's clients sent and received, put back into the model's terms
// (prefix removed, generated resources renamed):
//
//   - the invariant catalogue, with the model's state as the state it
//     reads, except those whose Invariant.Wire is false: they judge the
//     server's inside (inv39, inv41–inv44 and sc50 need store, drop,
//     persistence or pending-request state a client never sees);
//   - the comparison with the model, the oracle: each client's stanzas of
//     the step, masked (compare.Masker: server ids, stamps, generated
//     resources) and compared as multisets, roster pushes with their
//     versions masked but the step's count and final version compared
//     (Prosody hands the versions out in hash order).
//
// Server restarts are not drawn. A failure on the server ("server: ..."
// in Failure.Message) shrinks by re-running candidates against the server
// and is written as the model's own run, which the model passes and the
// server must fail (Failure.ReplayPassesCorrect, ReplayServerFails);
// Failure.ServerTrace is the server's side. `scansim check --server` and
// TestPropertyRealServer ($SCANSIM_SERVER) use it.
//
// # Profiles
//
// Config.Profile is the model's profile, Config.Spec the profile the checks
// demand. Profile-dependent invariants read the demanded profile's fields;
// where Prosody deliberately departs from XEP-0191 (ErrorOnBlockedBroadcast,
// RecheckBlocklistOnOfflineFlush, PresenceOnUnblockAll,
// LocalRosterChangeOnBlockedOutboundSub) the invariant is relaxed under the
// Prosody value and fires when the specification's value is demanded
// (TestSpecProfileCatchesProsody). Relaxations for Prosody behaviour that no
// profile field selects are listed in docs/findings.md and dropped by
// Config.Strict. DemandXEP (scansim check --spec xep, specmode.go) derives
// the specification's profile from any model profile through the
// catalogue's Relax fields and sets Strict; Config.Accept keeps the
// relaxation of findings already triaged (P1–P4 by their field; F1–F4,
// F7, D6, D7 one by one, harness.strictOn), so that the next departure
// is not hidden by a known one (TestSpecXEPFindsDepartures,
// docs/spec-mode.md).
//
// Beside a real server a demanded spec that the model itself breaks is
// searched by SearchOnServer (confirm.go; scansim check --server --spec
// xep): the checks run on the model alone, and each failure, shrunk, is
// replayed on the server with its failing step, found only when the
// server's own trace of that step breaks the same invariant and the
// witnesses show the server's state is the model's
// (TestSpecXEPFindsDeparturesOnServer).
//
// # Coverage
//
// Config.Coverage counts, per run, which coverage points the steps hit
// and by which action (coverage.go, coverage_points.go): XEP-0191's
// requirements X1–X30 (invariants.md A.2), every cell of RFC 6121
// Appendix A's subscription tables, and the model's drop rules; points no
// action can reach are listed with the reason (some depend on the
// profile). Report.Coverage prints the table (scansim check --coverage,
// --min-coverage); TestCoverage holds a default 1,000-check run to ≥ 95%
// of the reachable points (docs/coverage.md).
//
// # Stanzas
//
// The checks read the stanza value each trace event carries
// (sim.TraceEvent.Value, package stanza) — the invariants (ev), the
// accounting, the reference comparison (sigValue) and the wire's masking
// (compare.Masker.Event) — and never parse the trace's canonical
// strings; only a real server's events, which carry none, are parsed, in
// one place (eventValue). The machine builds each stanza it sends as a
// value beside its text (opstanza.go); ops without a value (replayed from
// text, an extension's) are parsed when applied (parseValue).
package properties
