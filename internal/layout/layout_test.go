package layout

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/scansim/scansim"

// layer is one row of the architecture: a package (by its directory below
// the module root; "dir/..." covers the directory and everything below it)
// and the project packages its non-test files may import.
type layer struct {
	pkg   string
	may   []string
	why   string
	noStd []string // standard or third-party imports the package must not use
}

// leaves are the packages that describe XMPP itself and import nothing of
// ours: every other package may use them.
var leaves = []string{"jid", "stanza"}

// layers is the layering of docs/architecture.md, from the bottom up. A
// package not listed here fails the test: a new package says where it sits.
var layers = []layer{
	{pkg: "jid", why: "leaf: JIDs and their preparation"},
	{pkg: "stanza", why: "leaf: the immutable shared stanza"},
	{pkg: "model", may: leaves, why: "the server: core plus modules, over leaves only"},
	{pkg: "sim", may: plus(leaves, "model"), why: "the deterministic network around one model"},
	{pkg: "internal/selfcert", why: "the self-signed certificate of scansim's own servers (serve, xmpptcptest); standard library only"},
	{pkg: "internal/xmlstream", why: "an XMPP stream's top-level elements as etree elements, for xmpptcp's client and test servers and for serve's stream reader"},
	{pkg: "internal/scram", why: "the server side of SASL SCRAM for scansim's own servers (serve, xmpptcptest), apart from xmpptcp's client; standard library only"},
	{pkg: "xmpptcp/...", may: plus(leaves, "xmpptcp/...", "internal/selfcert", "internal/scram", "internal/xmlstream"), why: "a TCP client for real servers; knows nothing of the model"},
	{pkg: "tracefmt", may: plus(leaves, "model", "sim"), why: "pictures of a trace"},
	{pkg: "driver", may: plus(leaves, "model", "sim", "xmpptcp/..."), why: "the seam between a script or property run and a server (simulated or real)"},
	{pkg: "compare", may: plus(leaves, "model", "sim"), why: "model-versus-server comparison: masking and tolerances"},
	{pkg: "scenarios", may: plus(leaves, "model", "sim", "driver", "compare"), why: "the scansion language"},
	{pkg: "properties", may: plus(leaves, "model", "sim", "driver", "compare", "scenarios"), why: "property runs, invariants, shrinking"},
	{pkg: "suite", may: plus(leaves, "model", "sim", "driver", "compare", "scenarios", "tracefmt"), why: "running many scripts and reporting (text, JSON, JUnit)"},
	{pkg: "conform", may: plus(leaves, "model", "sim", "driver", "compare", "scenarios", "properties", "suite", "tracefmt"), why: "the conformance report: scripts and property rounds judged per spec rule (HTML, JUnit)"},
	{pkg: "serve/...", may: plus(leaves, "model", "sim", "driver", "compare", "scenarios", "tracefmt", "serve/...", "internal/selfcert", "internal/scram", "internal/xmlstream"), why: "the model as a real XMPP server (scansim serve): c2s listener, recording, control surface"},
	{pkg: "internal/benchkit", may: plus(leaves, "model", "sim", "driver", "compare", "scenarios", "properties"), why: "the benchmarks' shared drivers"},
	{pkg: "internal/layout", why: "this test"},
	{pkg: "docs/perf/plot", why: "a stand-alone plotting tool for docs/perf"},
	{
		pkg: "cmd/scansim",
		may: plus(leaves, "model", "sim", "driver", "compare", "scenarios", "properties", "suite", "conform", "tracefmt", "internal/benchkit", "serve/..."),
		why: "the CLI only wires: flags in, calls out",
		// XML, JSON and network code belong in the packages it wires.
		noStd: []string{"github.com/beevik/etree", "encoding/xml", "encoding/json", "net"},
	},
}

func plus(base []string, more ...string) []string { return append(slices.Clone(base), more...) }

// matches reports whether the package in dir is covered by pattern.
func matches(pattern, dir string) bool {
	if p, ok := strings.CutSuffix(pattern, "/..."); ok {
		return dir == p || strings.HasPrefix(dir, p+"/")
	}
	return dir == pattern
}

func layerOf(dir string) (layer, bool) {
	for _, l := range layers {
		if matches(l.pkg, dir) {
			return l, true
		}
	}
	return layer{}, false
}

// imports returns, per package directory, the imports of its non-test
// files. Tests may reach further up (an example drives the whole stack),
// so only the shipped code is held to the layering.
func imports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (n == "testdata" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		if _, ok := out[rel]; !ok {
			out[rel] = nil
		}
		for _, im := range f.Imports {
			out[rel] = append(out[rel], strings.Trim(im.Path.Value, `"`))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportLayering(t *testing.T) {
	pkgs := imports(t, "../..")
	if len(pkgs) < 5 {
		t.Fatalf("found only %d packages below the module root; is the test running from internal/layout?", len(pkgs))
	}
	for _, dir := range slices.Sorted(func(yield func(string) bool) {
		for d := range pkgs {
			if !yield(d) {
				return
			}
		}
	}) {
		l, ok := layerOf(dir)
		if !ok {
			t.Errorf("package %s has no place in the layering: add it to layers in internal/layout/layout_test.go and to docs/architecture.md", dir)
			continue
		}
		seen := map[string]bool{}
		for _, im := range pkgs[dir] {
			if seen[im] {
				continue
			}
			seen[im] = true
			if slices.Contains(l.noStd, im) {
				t.Errorf("%s imports %s: %s", dir, im, l.why)
				continue
			}
			own, ok := strings.CutPrefix(im, module+"/")
			if !ok {
				continue
			}
			if matches(l.pkg, own) { // inside its own tree (xmpptcp/internal/...)
				continue
			}
			allowed := false
			for _, m := range l.may {
				if matches(m, own) {
					allowed = true
					break
				}
			}
			if !allowed {
				t.Errorf("%s imports %s, which its layer does not allow (%s; may import: %s)", dir, own, l.why, strings.Join(l.may, ", "))
			}
		}
	}
}

// TestLayeringRejects checks the test itself: a leaf importing the model
// and the model importing the simulation must both be refused.
func TestLayeringRejects(t *testing.T) {
	for _, c := range []struct{ dir, imp string }{
		{"jid", "model"}, {"stanza", "sim"}, {"model", "sim"}, {"sim", "scenarios"},
		{"xmpptcp/xmpptcptest", "model"}, {"scenarios", "properties"}, {"compare", "scenarios"},
		{"properties", "conform"}, {"suite", "conform"},
	} {
		l, ok := layerOf(c.dir)
		if !ok {
			t.Fatalf("%s has no layer", c.dir)
		}
		for _, m := range l.may {
			if matches(m, c.imp) {
				t.Errorf("layer of %s allows %s", c.dir, c.imp)
			}
		}
	}
}
