// Package model is an in-memory model of an XMPP server's client-to-server
// core, faithful to Prosody's behaviour (the reference is
// ../shared/docs/prosody-c2s-behaviour.md, cited by section as §N.M).
//
// A Server is a plain value driven by one goroutine. It has no clock and no
// randomness of its own: time comes from Options.Clock, generated resources
// and push ids from Options.Seed. Every fan-out iterates in a fixed, sorted
// order, so the same inputs always give the same events.
package model
