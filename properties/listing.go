package properties

// The catalogues as text, for scansim check --list-invariants and
// --list-mutants (cmd only calls these).

import (
	"fmt"
	"io"
	"strings"

	"github.com/scansim/scansim/model"
)

// WriteInvariantList writes one line per built-in invariant: ID, level,
// whether it judges a real server's trace ("wire") or only the model's
// ("model"), name, citations, and the description
// (scansim check --list-invariants).
func WriteInvariantList(w io.Writer) error {
	for _, inv := range catalogue {
		where := "model"
		if inv.Wire {
			where = "wire"
		}
		relax := ""
		switch inv.Relax {
		case "":
		case "Strict":
			relax = " (Prosody relaxations: off under Config.Strict)"
		default:
			relax = " (profile field: " + inv.Relax + ")"
		}
		if _, err := fmt.Fprintf(w, "%-5s %-7s %-5s %-38s [%s] %s%s\n", inv.ID, inv.Level, where, inv.Name, strings.Join(inv.Cites, ", "), inv.Doc, relax); err != nil {
			return err
		}
	}
	return nil
}

// WriteMutantList writes one line per model mutant: its name, the module
// whose handler it replaces, a one-line summary of the wrong behaviour,
// and, for a bug a real server shipped, its reference in brackets
// (scansim check --list-mutants).
func WriteMutantList(w io.Writer) error {
	for _, m := range model.MutantCatalog() {
		ref := ""
		if m.Reference != "" {
			ref = " [" + m.Reference + "]"
		}
		if _, err := fmt.Fprintf(w, "%-38s %-13s %s%s\n", m.Name, m.Module, m.Summary, ref); err != nil {
			return err
		}
	}
	return nil
}
