// Package sim is a deterministic simulated network around the model
// server: a virtual clock, a seeded scheduler, virtual clients with inboxes,
// FIFO links with latency drawn from the seed, and a trace of every stanza.
// The same seed and the same inputs give a byte-identical trace.
//
// # Why it is built this way
//
// A failing property is only useful if it can be replayed, so nothing in a
// run may depend on anything but the Config and the calls made: there are
// no goroutines, the clock is virtual (it is also the model's clock), the
// only randomness is a PCG source seeded from Config.Seed, and no map is
// ever iterated into output. Equal-time events are ordered by when they
// were scheduled, so ties are decided by causality, not by chance.
//
// # Time and links
//
// Every client has two links, client-to-server and server-to-client, each
// with a base latency drawn from the seed when the client connects, plus a
// small per-item jitter. Links are FIFO like the TCP streams they stand
// for; different links are independent, which is what lets the seed
// explore interleavings (two clients sending "at once" reach the server in
// a seed-dependent order). With MaxLatency zero everything happens at the
// same instant, in causal order, and no randomness is consumed.
//
// Connect (authentication and bind) is immediate: scenarios care about
// what happens on established sessions, not about the handshake.
//
// # How sessions end
//
// The two ends of a connection learn of its end at different times, and
// the simulation keeps that difference because it is where ordering bugs
// live:
//
//   - Client.Disconnect: the end of stream travels behind the stanzas
//     already sent; when it reaches the server the session ends
//     (TraceDisconnect "clean") and the server's Close runs. Stanzas still
//     travelling to the client are then lost.
//   - Client.Drop: the transport dies now; everything in flight either way
//     is lost (TraceDrop "connection-lost"), then TraceDisconnect
//     "abrupt" and the server's abrupt Close.
//   - A server-side close (a Closed event, e.g. a resource conflict): the
//     server's end of stream travels to the client behind what the server
//     sent before it (the stream error), and the session ends for the
//     client when it arrives; stanzas the client sent meanwhile reach a
//     closed session and are lost.
//
// # The trace
//
// Every send, arrival, server drop or store, connect and disconnect is one
// TraceEvent. Cause links an effect to the send, connect or disconnect
// whose server call produced it, so properties can reason about "the reply
// to that stanza" without parsing ids. Stanzas are recorded once, as
// immutable stanza values taken when they enter a link, so later edits
// to the elements cannot rewrite history, and the receiver's inbox shares
// the value its delivery event holds. Their canonical strings are made
// only when read (TraceEvent.Canonical), once per value. WriteTrace renders a trace as text
// that depends only on the events, for golden files and diffs.
package sim
