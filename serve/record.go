package serve

import (
	"fmt"
	"io"

	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/tracefmt"
)

// Script returns every session so far as a scansion script (see
// ScriptOf).
func (s *Server) Script() ([]byte, error) {
	tr, req := s.recording()
	return ScriptOf(tr, req, s.profile, s.opts.Seed)
}

// recording returns the trace and the requested resources, consistently.
func (s *Server) recording() ([]sim.TraceEvent, map[uint64]string) {
	var tr []sim.TraceEvent
	req := map[uint64]string{}
	read := func() {
		tr = s.core.sim.Trace()
		for k, v := range s.core.requested {
			req[k] = v
		}
	}
	if err := s.do(read); err != nil {
		read() // stopped: nothing changes any more
	}
	return tr, req
}

// ScriptOf writes a serve trace as a scansion script: one client per
// session, its connect, every stanza it sent and received, its clean
// disconnect (scenarios.FromTrace). A session that asked for a resource
// asks for it in the script too (requested: resources by the Seq of the
// session's TraceConnect), so that the model draws the same generated
// values when the script is replayed with the same profile and seed.
// Delay stamps are {scansion:any}; the simulation's clock does not move
// while serving, so nothing else in a stanza depends on when it was sent.
func ScriptOf(tr []sim.TraceEvent, requested map[uint64]string, profile string, seed uint64) ([]byte, error) {
	var defs []*scenarios.Client
	count := map[string]int{}
	for _, e := range tr {
		if e.Kind != sim.TraceConnect {
			continue
		}
		count[e.Client]++
		name := e.Client
		if n := count[e.Client]; n > 1 {
			// FromTrace's name for a later session of one client name.
			name = fmt.Sprintf("%s (%d)", e.Client, n)
		}
		props := []scenarios.Property{
			{Key: scenarios.PropJID, Value: e.JID.Bare().String()},
			{Key: scenarios.PropPassword, Value: "password"},
		}
		if r, ok := requested[e.Seq]; ok {
			props = append(props, scenarios.Property{Key: scenarios.PropResource, Value: r})
		}
		defs = append(defs, &scenarios.Client{Name: name, Props: props})
	}
	sc, err := scenarios.FromTrace(tr, scenarios.TraceOptions{
		Title:   "Recorded by scansim serve",
		Clients: defs,
	})
	if err != nil {
		return nil, err
	}
	sc.Description = fmt.Sprintf("profile %s, seed %d: replay with\n  scansim replay --profile %s --seed %d FILE", profile, seed, profile, seed)
	return scenarios.Format(sc), nil
}

// TraceHTML writes the trace so far as tracefmt's HTML page.
func (s *Server) TraceHTML(w io.Writer) error {
	tr, _ := s.recording()
	return tracefmt.HTML(w, &tracefmt.Doc{
		Title:  "scansim serve",
		Meta:   []string{"profile: " + s.profile, fmt.Sprintf("seed: %d", s.opts.Seed), "address: " + s.Addr()},
		Events: tr,
	})
}

// TraceText writes the trace so far, one line per event (sim.WriteTrace).
func (s *Server) TraceText(w io.Writer) error {
	tr, _ := s.recording()
	return sim.WriteTrace(w, tr)
}

// WriteFileAtomic writes data to path as every scansim command writes a
// file (scenarios.WriteFileAtomic): through a temporary file and a
// rename, refusing a symbolic link or a directory at path, so that a
// crash or a full disk never leaves a half-written recording in place of
// the user's previous one.
func WriteFileAtomic(path string, data []byte) error {
	return scenarios.WriteFileAtomic(path, data, 0o644)
}
