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

// mutantSummary returns a one-line summary of the named model mutant, or
// "" when none is known.
//
// PLUG-IN POINT: model.MutantCatalog() (being added to package model)
// will carry a summary per mutant; until it lands, mutants are listed by
// name only. When it does, look the name up there and return its summary.
func mutantSummary(name string) string { return "" }

// WriteMutantList writes one line per model mutant: its name and, when
// known, a one-line summary (scansim check --list-mutants).
func WriteMutantList(w io.Writer) error {
	for _, m := range model.Mutants() {
		line := m
		if s := mutantSummary(m); s != "" {
			line = fmt.Sprintf("%-36s %s", m, s)
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}
