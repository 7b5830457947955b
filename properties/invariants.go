package properties

import "github.com/scansim/scansim/sim"

type invState struct{ h *harness }

func newInvState(h *harness) *invState { return &invState{h: h} }

func (s *invState) check(rec *stepRec, tr []sim.TraceEvent, before, after snap) string { return "" }
