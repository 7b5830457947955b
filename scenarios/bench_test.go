package scenarios_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scansim/scansim/scenarios"
)

func blockingSource(b *testing.B) []byte {
	src, err := os.ReadFile(filepath.Join("testdata", "blocking.scs"))
	if err != nil {
		b.Fatal(err)
	}
	return src
}

// BenchmarkParseBlocking parses testdata/blocking.scs.
func BenchmarkParseBlocking(b *testing.B) {
	src := blockingSource(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := scenarios.Parse("blocking.scs", src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplayBlocking parses and runs testdata/blocking.scs.
func BenchmarkReplayBlocking(b *testing.B) {
	src := blockingSource(b)
	b.ReportAllocs()
	for b.Loop() {
		s, err := scenarios.Parse("blocking.scs", src)
		if err != nil {
			b.Fatal(err)
		}
		if res := run(b, s, scenarios.RunOptions{}); !res.Passed {
			b.Fatal(report(res))
		}
	}
}

// BenchmarkReplayBlockingParsed runs testdata/blocking.scs parsed once.
func BenchmarkReplayBlockingParsed(b *testing.B) {
	s, err := scenarios.Parse("blocking.scs", blockingSource(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if res := run(b, s, scenarios.RunOptions{}); !res.Passed {
			b.Fatal(report(res))
		}
	}
}
