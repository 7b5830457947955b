package properties

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
)

// TestCatalogueWellFormed: every entry has a unique ID in one of the two
// namespaces (invNN numbered as in invariants.md A.7, scNN after it), a
// unique name that failure messages can be keyed by, a level, citations
// and a description; A.7's 40 are all there.
func TestCatalogueWellFormed(t *testing.T) {
	ids, names := map[string]bool{}, map[string]bool{}
	a7 := 0
	for _, inv := range catalogue {
		if ids[inv.ID] || names[inv.Name] {
			t.Errorf("duplicate ID %s or name %s", inv.ID, inv.Name)
		}
		ids[inv.ID], names[inv.Name] = true, true
		if !regexp.MustCompile(`^(inv|sc)\d\d$`).MatchString(inv.ID) {
			t.Errorf("%s: ID not invNN or scNN", inv.ID)
		}
		n, _ := strconv.Atoi(inv.ID[len(inv.ID)-2:])
		if strings.HasPrefix(inv.ID, "inv") {
			a7++
			if n < 1 || n > 40 || !strings.HasPrefix(inv.Name, inv.ID) {
				t.Errorf("%s (%s): not an A.7 number, or the name does not start with it", inv.ID, inv.Name)
			}
		} else if n <= 40 {
			t.Errorf("%s: scansim's own invariants are numbered after A.7's 40", inv.ID)
		}
		if invName.FindString("invariant violated: "+inv.Name+": x") != inv.Name {
			t.Errorf("%s: failure messages cannot be keyed by its name %q", inv.ID, inv.Name)
		}
		switch inv.Level {
		case LevelMust, LevelShould, LevelProfile, LevelDerived:
		default:
			t.Errorf("%s: level %q", inv.ID, inv.Level)
		}
		if len(inv.Cites) == 0 || inv.Cites[0] == "" || inv.Doc == "" || strings.Contains(inv.Doc, "\n") {
			t.Errorf("%s: citations %q, description %q", inv.ID, inv.Cites, inv.Doc)
		}
		if inv.Check == nil && inv.ID != "inv40" {
			t.Errorf("%s has no check", inv.ID)
		}
	}
	if a7 != 40 {
		t.Errorf("%d A.7 invariants in the catalogue, invariants.md A.7 has 40", a7)
	}
}

// TestInvariantListing: one line per invariant with ID, level, citation
// and description (scansim check --list-invariants).
func TestInvariantListing(t *testing.T) {
	var b bytes.Buffer
	if err := WriteInvariantList(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != len(catalogue) || len(Invariants()) != len(catalogue) {
		t.Fatalf("%d lines, %d names, %d invariants", len(lines), len(Invariants()), len(catalogue))
	}
	for i, inv := range catalogue {
		l := lines[i]
		if !strings.HasPrefix(l, inv.ID+" ") || !strings.Contains(l, string(inv.Level)) || !strings.Contains(l, inv.Cites[0]) || !strings.Contains(l, inv.Doc) {
			t.Errorf("line %d lacks ID, level, citation or description of %s: %s", i+1, inv.ID, l)
		}
	}
	b.Reset()
	if err := WriteMutantList(&b); err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(b.String()); len(got) < len(model.Mutants()) || !slices.Contains(got, "no-vcard-hint") {
		t.Errorf("mutant list: %q", b.String())
	}
}

// TestDocCountsMatchCatalogue: README and the package doc state how many
// invariants are checked; both must agree with the catalogue.
func TestDocCountsMatchCatalogue(t *testing.T) {
	a7, own := 0, 0
	for _, inv := range catalogue {
		if strings.HasPrefix(inv.ID, "inv") {
			a7++
		} else {
			own++
		}
	}
	want := []string{
		"all " + strconv.Itoa(a7) + " of invariants.md A.7",
		strconv.Itoa(own) + " of scansim's own",
	}
	for _, f := range []string{"../README.md", "doc.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(strings.ReplaceAll(string(b), "//", "")), " ")
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s does not say %q (the catalogue's count)", f, w)
			}
		}
	}
}

// TestReferenceOnlyMutantsCaughtByInvariants: the six mutants only the
// reference used to catch are each caught by the invariant written for
// them, with the reference switched off, within 1,000 checks; with the
// model unmutated the same invariant holds.
func TestReferenceOnlyMutantsCaughtByInvariants(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for _, c := range []struct{ mutant, inv string }{
		{"negative-priority-gets-bare", "sc46BareMessageNotToNegativePriority"},
		{"priority-tie-one-resource", "sc47BareMessageToEveryTopResource"},
		{"offline-flush-at-negative-priority", "sc48NoOfflineFlushAtNegativePriority"},
		{"no-vcard-hint", "sc49VCardHintOnAvailablePresence"},
		{"pending-kept-on-block", "sc50PendingInDroppedOnBlock"},
		{"stored-subscribe-loses-extensions", "sc51StoredRequestKeepsStanza"},
	} {
		cfg := Config{Options: driver.Options{Profile: trunk(), Seed: 1, Mutants: []string{c.mutant}}, Checks: 1000, NoReference: true, Invariants: []string{c.inv},
			OutDir: t.TempDir(), ShrinkTime: 100 * time.Millisecond}
		r := Explore(cfg)
		if r.Failure == nil {
			t.Errorf("%s not caught by %s in %d checks", c.mutant, c.inv, r.Checks)
			continue
		}
		if k := failureKey(r.Failure.Message); k != c.inv {
			t.Errorf("%s caught by %s, want %s", c.mutant, k, c.inv)
		}
		t.Logf("%s: %s at check %d, shrunk to %d actions", c.mutant, c.inv, r.Failure.FirstCheck, r.Failure.ShrunkLen)
		cfg.Mutants, cfg.Checks = nil, 300
		if r := Explore(cfg); r.Failure != nil {
			t.Errorf("%s fails on the unmutated model: %s", c.inv, r.Failure.Message)
		}
	}
}

// docs/mutants.md lists every mutant, and each published bug with its
// reference, so the catalogue and the note cannot drift apart.
func TestMutantDocListsCatalogue(t *testing.T) {
	b, err := os.ReadFile("../docs/mutants.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, m := range model.MutantCatalog() {
		if !strings.Contains(doc, m.Name) {
			t.Errorf("docs/mutants.md does not mention %s", m.Name)
		}
		if m.Reference != "" && !strings.Contains(doc, "| `"+m.Name+"` | "+m.Module+" | "+m.Reference) {
			t.Errorf("docs/mutants.md: no row for %s with reference %q", m.Name, m.Reference)
		}
	}
}
