package sim

import (
	"errors"

	"github.com/scansim/scansim/jid"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/stanza"
)

// Restarter is a Backend that can restart: every session is lost and the
// server resumes from its persistent storage. *model.Server implements it.
type Restarter interface {
	Restart() []model.Event
}

// ReasonServerRestart marks disconnects and losses caused by RestartServer.
const ReasonServerRestart = "server-restart"

// ErrNoRestart is returned by RestartServer when the backend cannot restart.
var ErrNoRestart = errors.New("sim: backend does not support restart")

// RestartServer restarts the server at the current virtual time, as a
// crashed and restarted process would be seen by its clients: every
// connection is cut at once (stanzas in flight either way are lost and
// recorded as drops), each live client records a disconnect, and the
// backend reloads from storage. Clients reconnect with Connect.
func (s *Sim) RestartServer() error {
	r, ok := s.backend.(Restarter)
	if !ok {
		return ErrNoRestart
	}
	cause := s.record(TraceDisconnect, nil, jid.JID{}, stanza.Stanza{}, ReasonServerRestart, 0)
	for _, c := range s.clients {
		if c.ended {
			continue
		}
		c.open = false
		up, down := c.up.cut(), c.down.cut()
		for _, f := range mergeFlights(up, down) {
			if f.kind == upStanza || f.kind == downStanza {
				s.record(TraceDrop, c, c.jid, f.val, ReasonConnectionLost, f.cause)
			}
		}
		c.ended = true
		c.srvClosed = true
		s.record(TraceDisconnect, c, c.jid, stanza.Stanza{}, ReasonServerRestart, cause)
	}
	s.apply(r.Restart(), cause, 0)
	return nil
}

// mergeFlights orders the items of two cut links by the order they were
// put on the wire.
func mergeFlights(up, down []*flight) []*flight {
	out := make([]*flight, 0, len(up)+len(down))
	for len(up) > 0 || len(down) > 0 {
		if len(down) == 0 || (len(up) > 0 && up[0].seq < down[0].seq) {
			out, up = append(out, up[0]), up[1:]
		} else {
			out, down = append(out, down[0]), down[1:]
		}
	}
	return out
}
