// Package model is an in-memory model of an XMPP server's client-to-server
// core, faithful to Prosody's behaviour (the reference is
// ../shared/docs/prosody-c2s-behaviour.md, cited by section as §N.M).
//
// A Server is a plain value driven by one goroutine. It has no clock and no
// randomness of its own: time comes from Options.Clock, generated resources
// and push ids from Options.Seed. Every fan-out iterates in a fixed, sorted
// order, so the same inputs always give the same events.
//
// # A core and modules
//
// The model is built the way Prosody is: a small core and a list of
// modules that hook events.
//
// The core (server.go, route.go, hooks.go, module.go, storage.go) binds and
// closes sessions, stamps and checks what clients send, routes stanzas,
// delivers them, and persists accounts. It knows no feature. Routing is
// classify → fire events → deliver: route.go classifies a stanza's target
// as bare, full or host (or self: no 'to', or the sender's own bare JID),
// fires "pre-<tag>/<target>" when the stanza comes from a client or is
// posted on a user's behalf (the outbound stage), then "<tag>/<target>"
// (the inbound stage), then "iq/self", and answers what nobody handled
// (§1.3). The names are Prosody's: "pre-presence/bare", "message/full",
// "iq/self". mod_iq turns an iq get or set into a payload event such as
// "iq-get/host/jabber:iq:version:query" or "iq-set/self/urn:xmpp:blocking:block".
// The core also fires lifecycle events: resource-bind, resource-unbind,
// server-restart, and account-save / account-load for storage; modules
// fire their own (presence/initial, roster-item-removed,
// roster-item-changed, account-disco-info, message/offline/handle, and
// account-deleted, which mod_register fires when a client removes its
// account: every module drops its part, then the account's state is
// purged).
//
// A handler is func(*HookEvent) bool; returning true stops the chain.
// Handlers run by priority, higher first, then in registration order, so
// the order is always the same. Every chain is resolved once, when the
// modules load, so routing never looks an event name up; handlers reach
// their server through the event, never by capture, so servers built the
// same way share the resolved chains (module.go). The HookEvent
// carries what one stage hands to the next (the stanza's target, whether
// the server generated it, the nesting depth that guards against loops,
// the account that stored a subscription request): nothing is parked on
// the Server between stages.
//
// The modules are the mod_*.go files, one concern each: presence, roster
// (with roster.go, the roster store every module shares, Prosody's
// rostermanager), message, offline, carbons, blocklist, lastactivity,
// vcard_legacy, disco, version, uptime, time, ping, mam (stanza-id
// stripping; the archive under MAMOptions.Archive), pep (the features it
// advertises; the PEP service under PEPOptions.PEP), adhoc (advertised
// only), iq, and session (legacy session establishment). Prosody 13.0.1's
// modules for the prosody-13 profile: vcard4, private,
// server_contact_info, external_services, register and tombstones on the
// host, and on the components muc (service discovery only, no rooms),
// pubsub (the XEP-0060 service on the core in pubsub_*.go, which PEP
// shares) and http_file_share. Each registers itself with register,
// and its load function hooks events and adds host disco features.
// Profile.Modules is the modules_enabled list (nil: DefaultModules); the
// options of a module are a struct in its file (BlocklistOptions, ...)
// embedded in Profile, so each option reads as p.Field. The modules'
// per-session and per-account state are structs in their files, composed
// in modstate.go.
//
// # Components
//
// A profile may list components (Profile.Components, component.go):
// hosts beside the virtual host, such as Prosody's conference.localhost,
// each with its own module list. A stanza to a component's domain, or to
// a JID at it, passes the sender's outbound stage and then goes to the
// component instead of being bounced as remote; the component answers
// disco itself and iq payloads through its modules' handlers
// (ModuleAPI.componentIQ). The prosody-13 profile has three
// (conference, pubsub, upload); the others have none.
//
// # Adding a module, adding a mutant
//
// A module outside the package implements Module and is passed in
// Options.Modules: it hooks events through ModuleAPI and acts through
// HookEvent (example_module_test.go adds a message of the day in one
// file). A built-in module is one new mod_<name>.go file that calls
// register and is added to DefaultModules; if it keeps state, its state
// structs are added to modstate.go.
//
// A mutant (a deliberately wrong behaviour the property suite must catch,
// switched on by Options.Mutants) is declared in the mutants list of its
// module's register call, with a one-line summary. Applying it replaces or
// removes one of the module's handlers or strategies (the function-valued
// fields of the module's state, such as blocklistMod.match) before the
// module loads; the core never tests for a mutant. MutantCatalog lists
// them all.
package model
