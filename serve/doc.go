// Package serve runs the model as a real XMPP server for client
// developers: a c2s listener (stream negotiation, STARTTLS, SASL PLAIN and
// SCRAM-SHA-1/SCRAM-SHA-256, resource binding) in front of one simulation
// (package sim, zero latency) that a single goroutine drives. Network
// goroutines only parse and queue; the model goroutine takes one queued
// item at a time and runs the simulation until it is quiet, so a session
// is a deterministic function of the order in which stanzas arrived — and
// the trace is exactly what a script replayed in that order produces.
//
// Every session is recorded: Script turns the trace into a scansion script
// (scenarios.FromTrace) that `scansim replay` passes in the simulation,
// and TraceHTML draws it (tracefmt). A control surface (the Control
// methods, and the same over HTTP+JSON: Handler) lets a test suite act as
// another user, pre-populate state through those users' own stanzas, and
// inject faults (drop a session, restart the server, delay a link).
//
// Several virtual hosts (Options.Hosts) are one model.Hosts: each host
// with the profile's components, stanzas between them routed locally
// as between a Prosody's VirtualHosts. Where the transport departs from
// Prosody, the code says so: with no --accounts file SCRAM is not
// offered, because a server that accepts any password cannot compute the
// SCRAM server signature a client checks.
package serve
