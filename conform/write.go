package conform

import (
	"bytes"
	"io"

	"github.com/scansim/scansim/scenarios"
)

// WriteFile writes what write produces to path atomically: into a
// temporary file in the same directory, renamed over path only once it is
// complete, so that a failed run never leaves a half-written report nor
// destroys the previous one.
func WriteFile(path string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	return scenarios.WriteFileAtomic(path, buf.Bytes(), 0o644)
}
