package compare

import "github.com/scansim/scansim/sim"

// Batches splits what each client received in trace into per-action
// batches of masked stanzas (deliveries, errors and offline flushes), in
// arrival order within a batch: out[client][i] is batch i.
//
// A batch starts at every send, except a send that follows sends of the
// same client with no other send in between (deliveries, connects and
// disconnects in between do not count). Only the points both sides record
// in the same place may cut: a run is synchronised between actions, but
// inside one action a server may answer the first stanza of a
// multi-stanza "sends" before the runner records the second, and a
// connect is recorded once the session is bound, after what binding it
// caused (a resource conflict's unavailable) may already have arrived.
// So a connect belongs to the batch before it, and runs of one client's
// sends are one batch, on both sides alike, whether they were one action
// or several. Batch 0 holds what arrived before the first send. Events
// after end (a trace Seq; 0: no limit) are left out.
func Batches(trace []sim.TraceEvent, end uint64, m *Masker) map[string][][]string {
	out := map[string][][]string{}
	batch := 0
	lastSender := "" // the client of the previous send
	for _, ev := range trace {
		if end > 0 && ev.Seq > end {
			break
		}
		switch ev.Kind {
		case sim.TraceSend:
			if ev.Client != lastSender {
				batch++
			}
			lastSender = ev.Client
		case sim.TraceDeliver, sim.TraceError, sim.TraceFlush:
			b := out[ev.Client]
			for len(b) <= batch {
				b = append(b, nil)
			}
			b[batch] = append(b[batch], m.Stanza(ev.Canonical()))
			out[ev.Client] = b
		}
	}
	return out
}
