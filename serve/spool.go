package serve

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/scansim/scansim/jid"
	"github.com/scansim/scansim/sim"
)

// The spool holds every trace event of the session in the order recorded,
// in a compact form: what the recorded script is made of (Recorder reads
// Seq, Kind, Client, JID, Stanza and Reason), written as the events come
// and turned into the script only when it is asked for. Writing an event
// costs an append to a buffered file, so routing does not pay for the
// script's parsing and formatting; memory does not grow with the session.
//
// An event is: Seq (uvarint), Kind (one byte), then Client, the JID's
// node, domain and resource, Stanza and Reason, each a uvarint length
// and its bytes.

func appendEvent(b []byte, e *sim.TraceEvent) []byte {
	b = binary.AppendUvarint(b, e.Seq)
	b = append(b, byte(e.Kind))
	for _, s := range [...]string{e.Client, e.JID.Node, e.JID.Domain, e.JID.Resource, e.Canonical(), e.Reason} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// maxSpoolString bounds one string read back: no field is larger than
// the largest stanza serve accepts or sends; a larger length is a
// corrupt spool, not a reason to allocate it.
const maxSpoolString = 64 << 20

// readEvent reads the next event; io.EOF at the end of the spool.
func readEvent(r *bufio.Reader) (sim.TraceEvent, error) {
	var e sim.TraceEvent
	seq, err := binary.ReadUvarint(r)
	if err != nil {
		return e, err // io.EOF only between events
	}
	k, err := r.ReadByte()
	if err != nil {
		return e, corrupt(err)
	}
	e.Seq, e.Kind = seq, sim.TraceKind(k)
	var f [6]string
	for i := range f {
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return e, corrupt(err)
		}
		if n > maxSpoolString {
			return e, corrupt(fmt.Errorf("a field of %d bytes", n))
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return e, corrupt(err)
		}
		f[i] = string(buf)
	}
	e.Client, e.JID, e.Text, e.Reason = f[0], jid.JID{Node: f[1], Domain: f[2], Resource: f[3]}, f[4], f[5]
	return e, nil
}

func corrupt(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("recording spool: %w", err)
}
