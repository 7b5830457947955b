package conform

import (
	"fmt"
	"os"
	"strings"

	"github.com/scansim/scansim/properties"
	"github.com/scansim/scansim/scenarios"
)

// Report is a conformance run's result.
type Report struct {
	Server  string // the server's label, or "the model"
	Profile string
	Seed    uint64
	// Mutants are the model's (a run against a mutated model).
	Mutants []string
	// Property-run figures, summed over the rounds.
	Rounds, Sequences, Actions, ServerStanzas int
	Rules                                     []*Rule
	// Uncited are checks that cite no rule (scripts without a spec tag
	// or citation).
	Uncited []*Check
	// Divergences are property failures that broke no invariant: the
	// server answered differently from the model (its profile).
	Divergences []*Check
	// Passed and Failed count checks (each once, however many rules it
	// belongs to); Skipped counts model-only and unchecked invariants.
	Passed, Failed, Skipped int
}

// Failures reports whether anything failed.
func (r *Report) Failures() bool { return r.Failed > 0 }

// Run runs the scripts and the property rounds and builds the report. Its
// error is bad input or a transport failure (nothing about the server's
// behaviour): an unreadable or malformed script, a property run that could
// not start, a script the server could not run through.
func Run(cfg Config) (*Report, error) {
	cfg.defaults()
	rep := &Report{Server: cfg.ServerName, Profile: cfg.ProfileName, Seed: cfg.Seed, Mutants: cfg.Mutants}
	if rep.Server == "" {
		rep.Server = "the model"
	}
	scripts, err := runScripts(cfg)
	if err != nil {
		return nil, err
	}
	invs, divs, err := runProperties(cfg, rep)
	if err != nil {
		return nil, err
	}
	all := append(invs, scripts...)
	rep.Rules, rep.Uncited = buildRules(all)
	rep.Divergences = divs
	for _, c := range append(all, divs...) {
		switch c.Status {
		case Pass:
			rep.Passed++
		case Fail:
			rep.Failed++
		default:
			rep.Skipped++
		}
	}
	return rep, nil
}

// runScripts runs each script: against a server it must behave as on the
// model (scenarios.Compare, as scansim diff), on the model alone it must
// pass (as scansim replay).
func runScripts(cfg Config) ([]*Check, error) {
	var out []*Check
	for _, path := range cfg.Scripts {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		s, err := scenarios.Parse(path, src)
		if err != nil {
			return nil, fmt.Errorf("%s", firstLine(err.Error()))
		}
		c := &Check{Kind: "script", ID: path, Name: s.Title, Doc: s.Description, Cites: scriptCites(s), Anchor: slug("script-", path)}
		if cfg.Server != nil {
			cmp := scenarios.Compare(s, scenarios.CompareOptions{Server: cfg.Server, Options: cfg.Options, Timeout: cfg.Timeout})
			if cmp.Server.Err != nil && cmp.Sim.Err == nil {
				// the model ran it, the server could not: a transport
				// failure, not behaviour
				return nil, fmt.Errorf("%s: on the server: %s", path, firstLine(cmp.Server.Err.Error()))
			}
			if cmp.Sim.Err != nil {
				return nil, fmt.Errorf("%s", firstLine(cmp.Sim.Err.Error()))
			}
			c.Status = Pass
			if !cmp.Same() {
				c.Status, c.Message = Fail, strings.TrimRight(cmp.String(), "\n")
				c.Summary = "server " + scenarios.Outcome(cmp.Server) + ", model " + scenarios.Outcome(cmp.Sim) + ": the stanzas differ"
			}
		} else {
			res := scenarios.Run(s, scenarios.RunOptions{Options: cfg.Options, Timeout: cfg.Timeout})
			switch {
			case res.Err != nil:
				return nil, fmt.Errorf("%s", firstLine(res.Err.Error()))
			case res.Passed:
				c.Status = Pass
			default:
				c.Status, c.Message = Fail, res.Failure.Error()
				c.Summary = firstLine(c.Message)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// scriptCites are the rules a script belongs to: its "## spec:" tags
// (comma-separated citations), or else the XEP and RFC citations of its
// title and description.
func scriptCites(s *scenarios.Script) []string {
	var tagged []string
	for _, t := range s.Tags {
		if t.Name == "spec" {
			for _, c := range strings.Split(t.Value, ",") {
				if c = strings.TrimSpace(c); c != "" {
					tagged = append(tagged, c)
				}
			}
		}
	}
	if len(tagged) > 0 {
		return tagged
	}
	return proseCites(s.Title + "\n" + s.Description)
}

// runProperties runs up to cfg.Rounds property rounds, each without the
// invariants earlier rounds saw fail, and returns one check per catalogue
// invariant and the divergences found.
func runProperties(cfg Config, rep *Report) (invs, divs []*Check, err error) {
	cat := properties.Catalogue()
	byName := map[string]*Check{}
	for _, inv := range cat {
		c := &Check{Kind: "invariant", ID: inv.ID, Name: inv.Name, Doc: inv.Doc, Level: string(inv.Level), Cites: inv.Cites, Relax: inv.Relax, Anchor: slug("inv-", inv.ID)}
		switch {
		case inv.Check == nil:
			c.Status = NotChecked
		case cfg.Server != nil && !inv.Wire:
			c.Status = ModelOnly
		case cfg.Checks < 0:
			c.Status = NotChecked
		default:
			c.Status = Pass
		}
		byName[inv.Name] = c
		invs = append(invs, c)
	}
	if cfg.Checks < 0 {
		return invs, nil, nil
	}
	dir, err := os.MkdirTemp("", "scansim-conform-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	failed := map[string]bool{}
	for round := 1; round <= cfg.Rounds; round++ {
		var only []string
		for _, inv := range cat {
			if !failed[inv.Name] {
				only = append(only, inv.Name)
			}
		}
		pc := properties.Config{Options: cfg.Options, Checks: cfg.Checks, Steps: cfg.Steps, Server: cfg.Server,
			ActionSet: properties.ScansionActions, Invariants: only,
			// the reference is a second prediction of the model, a
			// check of the model itself; the rules are the invariants
			// (and, against a server, the comparison with the model)
			NoReference: true, OutDir: dir, ShrinkTime: cfg.ShrinkTime}
		r := properties.Explore(pc)
		if r.Err != nil {
			return nil, nil, r.Err
		}
		rep.Rounds++
		rep.Sequences += r.Checks
		rep.Actions += r.Actions
		rep.ServerStanzas += r.ServerStanzas
		f := r.Failure
		if f == nil {
			break
		}
		if cfg.Server != nil && !strings.HasPrefix(f.Message, "server: ") {
			// the model, the oracle, broke a rule on its own: a fault of
			// scansim's, which must not be reported as the server's
			return nil, nil, fmt.Errorf("the model itself fails (a scansim bug, not the server's; rapid seed %d): %s", f.Seed, firstLine(f.Message))
		}
		hit := false
		for _, inv := range cat {
			c := byName[inv.Name]
			if failed[inv.Name] || !strings.Contains(f.Message, inv.Name+":") {
				continue
			}
			failed[inv.Name], hit = true, true
			fillFailure(c, f)
			c.Summary = lineAbout(f.Message, inv.Name)
		}
		if !hit {
			// the server answered differently from the model without
			// breaking an invariant: the profile's behaviour is the rule
			d := &Check{Kind: "divergence", ID: fmt.Sprintf("divergence-%d", len(divs)+1), Name: "differs from the model (profile " + cfg.ProfileName + ")",
				Doc: "what each client received from the server, against the model of the profile", Anchor: fmt.Sprintf("divergence-%d", len(divs)+1)}
			fillFailure(d, f)
			divs = append(divs, d)
			break
		}
	}
	return invs, divs, nil
}

// fillFailure records a property failure on c.
func fillFailure(c *Check, f *properties.Failure) {
	c.Status = Fail
	c.Message = f.Message
	c.Summary = firstLine(f.Message)
	c.Script = f.Script
	c.Seed, c.ShrunkLen, c.OriginalLen = f.Seed, f.ShrunkLen, f.OriginalLen
}

// lineAbout is the line of a failure message that names the invariant,
// from its name on (a message can list several broken invariants).
func lineAbout(msg, name string) string {
	for _, l := range strings.Split(msg, "\n") {
		if i := strings.Index(l, name+":"); i >= 0 {
			return l[i:]
		}
	}
	return firstLine(msg)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
