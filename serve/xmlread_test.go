package serve

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// FuzzStreamReader feeds arbitrary bytes to the stream reader as a
// client's stream: it must end with an element, a clean close or an
// error — never a panic or a hang — and never hand out an element over
// the limits.
func FuzzStreamReader(f *testing.F) {
	for _, s := range []string{
		hdr + "<message to='a@b'><body>x</body></message></stream:stream>",
		hdr + "<iq><query xmlns='q'><x><y/></x></query></iq>",
		hdr + "<message><body>&amp;&lt;&#x41;</body></message>",
		"<?xml version='1.0'?><!DOCTYPE x>" + hdr,
		hdr + "<a:b xmlns:a='c'/>",
		hdr + strings.Repeat("<x>", 200),
		hdr + " \n\t ",
		"<stream:stream",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sr := newStreamReader(bufio.NewReader(strings.NewReader(string(data))), 256, 8)
		if _, err := sr.readHeader(); err != nil {
			return
		}
		for {
			el, err := sr.next()
			if err != nil {
				var se *streamError
				if !errors.As(err, &se) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("unexpected error type %T: %v", err, err)
				}
				return
			}
			if d := depth(el.ChildElements(), 1); d > 8 {
				t.Fatalf("element of depth %d passed a limit of 8", d)
			}
		}
	})
}

func depth(children []*etree.Element, d int) int {
	m := d
	for _, c := range children {
		m = max(m, depth(c.ChildElements(), d+1))
	}
	return m
}
