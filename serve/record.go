package serve

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"

	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/tracefmt"
)

// recording is what serve keeps of the trace, which it never holds
// whole: a server runs for as long as its user likes. The model
// goroutine hands it each settle's events and then has the simulation
// forget them (sim.ForgetTrace). Two things are kept:
//
//   - every event, in a spool file (spool.go), from which the recorded
//     script is made when asked for (WriteScript: scenarios.Recorder, a
//     part at a time). The spool file is removed from its directory as
//     soon as it is created and read through its open descriptor, so
//     nothing is left behind, even by a crash.
//   - a window of the newest events (Options.TraceWindow), for the trace
//     page, the text trace and Trace; when older events have left it the
//     page says so.
//
// Besides, the resource each session asked for (one entry per such
// session), which the script must ask for too.
type recording struct {
	requested map[uint64]string // resource asked for, by TraceConnect Seq
	spool     *os.File
	w         *bufio.Writer // over spool
	size      int64         // bytes written to w so far
	buf       []byte
	err       error // the first spool failure: the recording is incomplete

	window []sim.TraceEvent // a ring of the newest events
	head   int              // index of the oldest event once the ring is full
	total  uint64           // events recorded
}

func (r *recording) init(limit int, dir string) {
	r.requested = map[uint64]string{}
	r.window = make([]sim.TraceEvent, 0, min(limit, 1024))
	f, err := os.CreateTemp(dir, "serve-recording-*.part")
	if err != nil {
		r.err = fmt.Errorf("recording spool: %w", err)
		return
	}
	// Unlinked at once: the open descriptor keeps it readable.
	os.Remove(f.Name())
	r.spool, r.w = f, bufio.NewWriterSize(f, 64<<10)
}

// add records one settle's events (the model goroutine).
func (r *recording) add(evs []sim.TraceEvent, limit int) {
	r.total += uint64(len(evs))
	for i := range evs {
		if len(r.window) < limit {
			r.window = append(r.window, evs[i])
		} else {
			r.window[r.head] = evs[i]
			r.head = (r.head + 1) % limit
		}
		if r.w != nil {
			r.buf = appendEvent(r.buf[:0], &evs[i])
			n, err := r.w.Write(r.buf)
			r.size += int64(n)
			if err != nil && r.err == nil {
				r.err = fmt.Errorf("recording spool: %w", err)
			}
		}
	}
}

// events returns the window in order, as a copy.
func (r *recording) events() []sim.TraceEvent {
	out := make([]sim.TraceEvent, 0, len(r.window))
	out = append(out, r.window[r.head:]...)
	return append(out, r.window[:r.head]...)
}

// snapshot is what writing the script needs, taken on the model
// goroutine; the spool only grows past size, so the reading can run
// after.
type snapshot struct {
	requested map[uint64]string
	spool     *os.File
	size      int64
	err       error
}

func (r *recording) snapshot() snapshot {
	if r.w != nil {
		if err := r.w.Flush(); err != nil && r.err == nil {
			r.err = fmt.Errorf("recording spool: %w", err)
		}
	}
	if r.spool == nil && r.err == nil {
		r.err = errors.New("recording spool: none")
	}
	return snapshot{requested: maps.Clone(r.requested), spool: r.spool, size: r.size, err: r.err}
}

// partEvents is how many events the recording turns into actions at a
// time (more while a burst runs on).
const partEvents = 256

// WriteScript writes every session so far as a scansion script: one
// client per session, its connect, every stanza it sent and received, its
// clean disconnect (scenarios.Recorder), a session that asked for a
// resource asking for it. Delay stamps and the other values that depend
// on the (moving) clock are loosened (clock.go). The script is made from
// the spool a part at a time, its actions through a second unlinked
// file, so a long recording is never held in memory.
func (s *Server) WriteScript(w io.Writer) error {
	var snap snapshot
	take := func() { snap = s.core.rec.snapshot() }
	if err := s.do(take); err != nil {
		take() // stopped: nothing changes any more
	}
	if snap.err != nil {
		return snap.err
	}
	rec := scenarios.NewRecorder(scenarios.TraceOptions{
		Title:    "Recorded by scansim serve",
		Volatile: volatile,
		// The model draws the same generated values in the replay only
		// if each session asks for the resource it asked for here.
		Props: func(e *sim.TraceEvent) []scenarios.Property {
			if res, ok := snap.requested[e.Seq]; ok {
				return []scenarios.Property{{Key: scenarios.PropResource, Value: res}}
			}
			return nil
		},
	})
	body, err := os.CreateTemp(s.opts.SpoolDir, "serve-script-*.part")
	if err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	os.Remove(body.Name())
	defer body.Close()
	bw := bufio.NewWriterSize(body, 64<<10)
	in := bufio.NewReaderSize(io.NewSectionReader(snap.spool, 0, snap.size), 64<<10)
	part := make([]sim.TraceEvent, 0, partEvents)
	flush := func() error {
		actions, err := rec.Add(part)
		part = part[:0]
		if err != nil {
			return err
		}
		_, err = bw.Write(scenarios.FormatActions(actions))
		return err
	}
	for {
		e, err := readEvent(in)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		// A part ends only before an event that is not a pipelined
		// send: the Recorder joins a burst's sends into one action
		// within one Add, so the script's shape does not depend on
		// where a part happens to end.
		if len(part) >= partEvents && !(e.Kind == sim.TraceSend && e.Reason == sim.ReasonPipelined) {
			if err := flush(); err != nil {
				return err
			}
		}
		part = append(part, e)
	}
	if err := flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	n, err := body.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	head := rec.Script()
	head.Description = fmt.Sprintf("profile %s, seed %d: replay with\n  scansim replay --profile %s --seed %d FILE", s.profile, s.opts.Seed, s.profile, s.opts.Seed)
	return scenarios.FormatStream(w, head, io.NewSectionReader(body, 0, n))
}

// Script returns every session so far as a scansion script (WriteScript),
// in memory.
func (s *Server) Script() ([]byte, error) {
	var b bytes.Buffer
	if err := s.WriteScript(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteScriptFile writes the script to path as every scansim command
// writes a file (scenarios.WriteFileAtomicFunc), streamed.
func (s *Server) WriteScriptFile(path string) error {
	return scenarios.WriteFileAtomicFunc(path, 0o644, s.WriteScript)
}

// window returns the events in the window and how many were recorded
// in all.
func (s *Server) window() ([]sim.TraceEvent, uint64) {
	var tr []sim.TraceEvent
	var total uint64
	read := func() { tr, total = s.core.rec.events(), s.core.rec.total }
	if err := s.do(read); err != nil {
		read() // stopped: nothing changes any more
	}
	return tr, total
}

// TraceHTML writes the trace page of the newest events (Options.
// TraceWindow; the page says when earlier ones have left the window).
func (s *Server) TraceHTML(w io.Writer) error {
	tr, total := s.window()
	meta := []string{"profile: " + s.profile, fmt.Sprintf("seed: %d", s.opts.Seed), "address: " + s.Addr()}
	if n := uint64(len(tr)); n < total {
		meta = append(meta, fmt.Sprintf("showing the newest %d of %d events (the window, --trace-window); the recorded script has every session", n, total))
	}
	return tracefmt.HTML(w, &tracefmt.Doc{Title: "scansim serve", Meta: meta, Events: tr})
}

// TraceText writes the newest events, one line per event
// (sim.WriteTrace), after a line saying how many earlier events have left
// the window, if any.
func (s *Server) TraceText(w io.Writer) error {
	tr, total := s.window()
	if n := uint64(len(tr)); n < total {
		if _, err := fmt.Fprintf(w, "# showing the newest %d of %d events (the window); the recorded script has every session\n", n, total); err != nil {
			return err
		}
	}
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
