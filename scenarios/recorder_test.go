package scenarios_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/scansim/scansim/scenarios"
)

// TestRecorderInPartsIsFromTrace: the seed script's trace fed to a
// Recorder a few events at a time, its actions written apart and joined
// by FormatStream, gives the script FromTrace gives from the whole trace
// (the script names every account only after its first session
// connected, where the two could differ).
func TestRecorderInPartsIsFromTrace(t *testing.T) {
	sc, err := scenarios.ParseFile("testdata/blocking.scs")
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, sc, scenarios.RunOptions{})
	if !res.Passed {
		t.Fatal(report(res))
	}
	whole, err := scenarios.FromTrace(res.Trace, scenarios.TraceOptions{Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	r := scenarios.NewRecorder(scenarios.TraceOptions{Title: "t"})
	var body bytes.Buffer
	for tr := res.Trace; len(tr) > 0; {
		n := min(3, len(tr))
		actions, err := r.Add(tr[:n])
		if err != nil {
			t.Fatal(err)
		}
		body.Write(scenarios.FormatActions(actions))
		tr = tr[n:]
	}
	var streamed bytes.Buffer
	if err := scenarios.FormatStream(&streamed, r.Script(), &body); err != nil {
		t.Fatal(err)
	}
	want := string(scenarios.Format(whole))
	if streamed.String() != want {
		t.Fatalf("streamed:\n%s\nFromTrace:\n%s", streamed.String(), want)
	}
	if !strings.Contains(want, "Juliet receives:") {
		t.Fatalf("FromTrace's script is missing receptions:\n%s", want)
	}
}
