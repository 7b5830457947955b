package xmpptcp

import (
	"fmt"
	"io"

	"github.com/scansim/scansim/internal/xmlstream"
)

// DefaultMaxStanzaBytes bounds one top-level element read from the server
// when Config.MaxStanzaBytes is zero: 1 MiB, Prosody's own default for
// c2s stanzas (c2s_stanza_size_limit, 256 KiB in 0.12 and 13) with room
// to spare.
const DefaultMaxStanzaBytes = 1 << 20

// SizeError reports a top-level element larger than the bound.
type SizeError struct{ Max int64 }

func (e *SizeError) Error() string {
	return fmt.Sprintf("xmpptcp: a stanza from the server exceeds %d bytes", e.Max)
}

// budgetReader is the byte budget under the XML decoder: it fails once
// more than max bytes were read since the last reset. The reader resets
// it before each top-level element, so the bound applies per stanza (and
// per run of whitespace between stanzas); bytes the buffers above it read
// ahead count against the element being read, so the effective bound is
// max plus a buffer (4 KiB), and memory stays bounded whatever the
// server sends: encoding/xml accumulates a token in memory until it is
// complete, and this is what stops a token that never completes.
type budgetReader struct {
	r    io.Reader
	max  int64
	left int64
}

func newBudgetReader(r io.Reader, max int64) *budgetReader {
	return &budgetReader{r: r, max: max, left: max}
}

func (b *budgetReader) reset() { b.left = b.max }

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, &SizeError{Max: b.max}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// DefaultMaxDepth bounds the nesting of one top-level element when
// Config.MaxDepth is zero: 100 levels.
const DefaultMaxDepth = xmlstream.DefaultMaxDepth
