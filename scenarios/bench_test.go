package scenarios_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scansim/scansim/internal/benchkit"
)

func blockingSource(b *testing.B) []byte {
	src, err := os.ReadFile(filepath.Join("testdata", "blocking.scs"))
	if err != nil {
		b.Fatal(err)
	}
	return src
}

// The drivers are shared with "scansim bench" (internal/benchkit), whose
// embedded blocking.scs a test keeps identical to testdata/blocking.scs.

// BenchmarkParseBlocking parses testdata/blocking.scs.
func BenchmarkParseBlocking(b *testing.B) { benchkit.ParseBlocking(b) }

// BenchmarkReplayBlocking parses and runs testdata/blocking.scs.
func BenchmarkReplayBlocking(b *testing.B) { benchkit.ReplayBlocking(b) }

// BenchmarkReplayBlockingParsed runs testdata/blocking.scs parsed once.
func BenchmarkReplayBlockingParsed(b *testing.B) { benchkit.ReplayBlockingParsed(b) }
