package suite

import (
	"bytes"
	"fmt"

	"github.com/scansim/scansim/scenarios"
)

// FormatSource returns src (a script read from path) in canonical layout,
// scenarios.Format of its parse. As a guard against a writer bug it checks
// that the result parses and formats to itself; if not, it refuses with an
// error rather than return a rewrite that might change the script's meaning.
// What Format does not keep (XML comments inside stanzas, the exact
// spelling of the source) is documented at scenarios.Format.
func FormatSource(path string, src []byte) ([]byte, error) {
	script, err := scenarios.Parse(path, src)
	if err != nil {
		return nil, err
	}
	out := scenarios.Format(script)
	again, err := scenarios.Parse(path, out)
	if err != nil {
		return nil, fmt.Errorf("%s: formatted script does not parse (a scansim bug, file left alone): %v", path, err)
	}
	if !bytes.Equal(scenarios.Format(again), out) {
		return nil, fmt.Errorf("%s: formatting is not stable (a scansim bug, file left alone)", path)
	}
	return out, nil
}
