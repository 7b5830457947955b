// Package sim is a deterministic simulated network around the model
// server: a virtual clock, a seeded scheduler, virtual clients with inboxes,
// FIFO links with latency drawn from the seed, and a trace of every stanza.
// The same seed and the same inputs give a byte-identical trace.
package sim
