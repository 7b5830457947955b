package properties

import "github.com/scansim/scansim/stanza"

// opValues holds the stanza values of the send ops one property run has
// applied, by their text once resolved: the machine draws from a small
// vocabulary (the same roster get, the same block of u2@localhost), so
// most sends of a run repeat one already parsed, and a stanza value is
// immutable, so each send can share it — with the simulation, which
// records it in the trace with its canonical form already rendered, and
// with the reference, which gets its own element built from it.
//
// These are the ops' inputs, not trace strings (those are never parsed:
// the trace events carry their values). One run's checks execute one
// after the other (rapid), so it needs no lock; it belongs to the run
// (property), not to the package.
type opValues struct {
	m map[string]stanza.Stanza
}

// opValuesMax bounds a run's memory: the map is emptied when full.
const opValuesMax = 1 << 12

func newOpValues() *opValues { return &opValues{m: map[string]stanza.Stanza{}} }

// value returns the stanza x (an op's resolved text). A nil o parses
// every time (replays, tests).
func (o *opValues) value(x string) (stanza.Stanza, error) {
	if o != nil {
		if v, ok := o.m[x]; ok {
			return v, nil
		}
	}
	v, err := parseValue(x)
	if err != nil || o == nil {
		return v, err
	}
	if len(o.m) >= opValuesMax {
		clear(o.m)
	}
	o.m[x] = v
	return v, nil
}
