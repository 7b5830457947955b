package serve

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/scansim/scansim/jid"
	"github.com/scansim/scansim/sim"
)

// The spool gives back what the recorder reads of each event, in order;
// a spool cut inside an event is an error, not a shorter recording.
func TestSpoolRoundTrip(t *testing.T) {
	in := []sim.TraceEvent{
		{Seq: 1, Kind: sim.TraceConnect, Client: "Romeo", JID: jid.JID{Node: "romeo", Domain: "a.example", Resource: "r"}},
		{Seq: 300, Kind: sim.TraceDeliver, Client: "Juliet 2", JID: jid.JID{Node: "juliet", Domain: "b.example", Resource: "é"},
			Text: "<message><body>line\nbreak " + strings.Repeat("x", 300) + "</body></message>", Reason: "offline"},
		{Seq: 301, Kind: sim.TraceDisconnect, Reason: sim.ReasonClean},
	}
	var b []byte
	for i := range in {
		b = appendEvent(b, &in[i])
	}
	r := bufio.NewReader(bytes.NewReader(b))
	var out []sim.TraceEvent
	for {
		e, err := readEvent(r)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	if d := cmp.Diff(in, out, cmpopts.IgnoreFields(sim.TraceEvent{}, "Value")); d != "" {
		t.Fatalf("round trip (-in +out):\n%s", d)
	}
	for cut := 1; cut < len(b); cut += 37 {
		r := bufio.NewReader(bytes.NewReader(b[:cut]))
		var err error
		for err == nil {
			_, err = readEvent(r)
		}
		if errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			// Only a cut between two events reads as the end.
			if !boundary(b, cut, in) {
				t.Fatalf("a spool cut at byte %d of %d reads as complete", cut, len(b))
			}
		}
	}
}

// boundary reports whether cut falls between two encoded events.
func boundary(b []byte, cut int, evs []sim.TraceEvent) bool {
	n := 0
	for i := range evs {
		n += len(appendEvent(nil, &evs[i]))
		if n == cut {
			return true
		}
	}
	return false
}
