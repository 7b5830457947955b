package scenarios_test

import (
	"os"
	"path/filepath"
	"strconv"
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

// BenchmarkReplaySteps parses and runs a script of 2 connects and n
// message sends and receives: the cost per action as scripts grow.
func BenchmarkReplaySteps(b *testing.B) {
	for _, n := range []int{1, 10, 100, 1000} {
		b.Run("n="+strconv.Itoa(n), benchkit.ReplaySteps(n))
	}
}
