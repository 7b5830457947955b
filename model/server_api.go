package model

import "time"

// Epoch is the instant Prosody's 0.12 scansion configuration pins its clock
// to (os.time() = 1219439344); simulations start here by default.
var Epoch = time.Date(2008, 8, 22, 21, 9, 4, 0, time.UTC)

// Clock supplies the current time. The model never reads the wall clock.
type Clock interface{ Now() time.Time }

// FixedClock is a Clock that always returns the same instant.
type FixedClock time.Time

// Now returns the fixed instant.
func (c FixedClock) Now() time.Time { return time.Time(c) }

// Options configure a Server. The zero value is usable: host "localhost",
// the default profile, a clock fixed at Epoch, seed 0, stream language "en".
type Options struct {
	Host    string   // the one virtual host; default "localhost"
	Profile *Profile // nil selects Default() (Prosody13)
	Clock   Clock    // nil selects FixedClock(Epoch)
	Seed    uint64   // seeds generated resources and push ids
	Lang    string   // the stream header's xml:lang; default "en"
	// Admins are the bare JIDs of the configured server admins, whose
	// account disco#info identity is type "admin" (§8.1). nil selects
	// the scansion configuration's admin, admin@HOST.
	Admins []string
	// Storage, when set, receives every account's persistent state after
	// each call and is read back after Restart. nil: state lives only in
	// the server's memory (and Restart loses it).
	Storage Storage
	// Mutants switches on deliberately wrong behaviours by name (see
	// Mutants()); used to prove that the property suite finds bugs.
	Mutants []string
	// Modules are loaded after the profile's built-in modules, in order:
	// the way to add behaviour without touching the model (see Module).
	Modules []Module
	// Values makes events carry their stanza as an immutable value
	// (Event.Value) instead of an element (Event.Stanza stays nil): for a
	// consumer that wants values anyway (the simulation's trace), it
	// saves building a root element per delivery and converting it. A
	// broadcast's deliveries share the value of the stanza's children.
	Values bool
	// ReuseEvents: the event list a call returns is valid only until the
	// next call, whose events are written into the same room. For a
	// consumer that handles each call's events at once and keeps none of
	// the lists (the simulation): it saves allocating a list per call.
	// The events' stanzas are not affected (see Event).
	ReuseEvents bool
}
