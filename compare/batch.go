package compare

import "github.com/scansim/scansim/sim"

// Batches splits what each client received in trace into per-action
// batches of masked stanzas (deliveries, errors and offline flushes), in
// arrival order within a batch: out[client][i] is batch i.
//
// A batch starts at every connect and at every send, except a send that
// follows sends of the same client with no other connect or send in
// between (deliveries in between do not count). A run is synchronised
// only between actions, so inside one action a server may answer the
// first stanza of a multi-stanza "sends" before the runner records the
// second: cutting there would split one action differently on the two
// sides. Runs of one client's sends are therefore one batch on both sides
// alike, whether they were one action or several. Batch 0 holds what
// arrived before the first action. Events after end (a trace Seq; 0: no
// limit) are left out.
func Batches(trace []sim.TraceEvent, end uint64, m *Masker) map[string][][]string {
	out := map[string][][]string{}
	batch := 0
	lastSender := "" // the client of the previous send, "" after a connect
	for _, ev := range trace {
		if end > 0 && ev.Seq > end {
			break
		}
		switch ev.Kind {
		case sim.TraceConnect:
			batch++
			lastSender = ""
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
			b[batch] = append(b[batch], m.Stanza(ev.Stanza))
			out[ev.Client] = b
		}
	}
	return out
}
