package properties

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/beevik/etree"
)

// The state that tells two orders of a concurrent action apart
// (wire_group.go): when the server's stanzas match several orders, the
// model can only go on from one of them without doubt if they all leave
// the same state. That state is a snapshot (contacts, blocklists,
// offline counts, roster versions) and, beside it, each account's MAM
// archive as far as a client can see it: the order of the messages it
// holds. Two messages that both reach an offline account's archive leave
// the same snapshot in either order, but a later archive query returns
// them in the order the server read them (found against Prosody 0.12.3,
// seed 12). The archives are read only here, for a concurrent action
// against a server, not at every step: a step's own checks do not need
// them, and a snapshot is taken after every step.

// orderState is the state an order of a concurrent action leaves.
type orderState struct {
	snap
	// archive: each user's archive (by user name), one signature per
	// message in archive order (archiveSignature).
	archive map[string][]string
}

// orderState reads h's model.
func (h *harness) orderState() orderState {
	s := orderState{snap: h.snapshot(), archive: make(map[string][]string, h.users)}
	for i, a := range h.names {
		items := h.srv.Archive(h.bares[i])
		if len(items) == 0 {
			continue
		}
		sig := make([]string, len(items))
		for k, it := range items {
			sig[k] = archiveSignature(it.With, it.Stanza)
		}
		s.archive[a] = sig
	}
	return s
}

// archiveSignature is what a client sees of one archived message: the
// peer and the stored stanza. The archive id and its time, which the
// server generates, are left out. The stored stanza holds nothing the
// server generated: mod_mam copies it before adding its own stanza-id
// (mam_archive.go), and a stanza-id it carries was written by a client.
func archiveSignature(with string, st *etree.Element) string {
	doc := etree.NewDocument()
	doc.SetRoot(st)
	x, _ := doc.WriteToString()
	return with + " " + x
}

// diffOrderStates describes how b differs from a ("" if not).
func diffOrderStates(a, b orderState) string {
	d := diffSnaps(a.snap, b.snap)
	var arch []string
	for u, x := range b.archive {
		if !slices.Equal(a.archive[u], x) {
			arch = append(arch, fmt.Sprintf("%s's archive holds %q, not %q", u, x, a.archive[u]))
		}
	}
	for u, x := range a.archive {
		if _, ok := b.archive[u]; !ok {
			arch = append(arch, fmt.Sprintf("%s's archive holds nothing, not %q", u, x))
		}
	}
	if len(arch) == 0 {
		return d
	}
	sort.Strings(arch)
	if d != "" {
		arch = append([]string{d}, arch...)
	}
	return strings.Join(arch, "; ")
}
