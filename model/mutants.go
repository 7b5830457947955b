package model

import (
	"fmt"
	"slices"
	"strings"
)

// A mutant is a deliberately wrong behaviour, switched on by name through
// Options.Mutants. Each is a realistic bug in a blocking or subscription
// implementation; the property suite must catch every one of them. None
// is ever active by default.
//
// A mutant belongs to one module and is declared in that module's file
// (the mutants field of its register call). Applying it replaces or
// removes one of the module's handlers or strategies before the module
// loads: the core never tests for a mutant.
type mutantDef struct {
	name    string
	module  string // filled by register
	summary string
	// ref names the published bug the mutant reproduces ("Prosody
	// ea8e101a9", "ejabberd PR 1086", ...); empty for the bugs invented
	// here.
	ref   string
	apply func(m *modules)
}

// MutantInfo describes one mutant for listings (scansim check --list-mutants).
type MutantInfo struct {
	Name    string // the name Options.Mutants takes
	Module  string // the module whose handler it replaces
	Summary string // one line: the wrong behaviour
	// Reference is the published bug it reproduces: project and commit,
	// issue or pull request ("Prosody ea8e101a9"); empty for the bugs
	// invented here.
	Reference string
}

// MutantCatalog lists every mutant of the built-in modules, sorted by name.
func MutantCatalog() []MutantInfo {
	var out []MutantInfo
	for _, b := range builtins {
		for _, d := range b.mutants {
			out = append(out, MutantInfo{Name: d.name, Module: d.module, Summary: d.summary, Reference: d.ref})
		}
	}
	slices.SortFunc(out, func(a, b MutantInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Mutants lists the known mutant names, sorted.
func Mutants() []string {
	cat := MutantCatalog()
	names := make([]string, len(cat))
	for i, m := range cat {
		names[i] = m.Name
	}
	return names
}

// CheckMutants reports the first unknown name.
func CheckMutants(names []string) error {
	for _, n := range names {
		if mutantByName(n) == nil {
			return fmt.Errorf("unknown mutant %q (see scansim check --list-mutants)", n)
		}
	}
	return nil
}

func mutantByName(name string) *mutantDef {
	for _, b := range builtins {
		for i := range b.mutants {
			if b.mutants[i].name == name {
				return &b.mutants[i]
			}
		}
	}
	return nil
}
