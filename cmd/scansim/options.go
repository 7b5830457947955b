package main

import (
	"flag"

	"github.com/scansim/scansim/driver"
)

// profileFlag registers --profile the same way on every command: the
// same default (driver.DefaultProfile), named in --help, and the known
// names. what says what the profile is for on this command.
func profileFlag(fs *flag.FlagSet, p *string, what string) {
	fs.StringVar(p, "profile", driver.DefaultProfile, what+": "+driver.ProfileHelp()+" (what each models: scansim check --list-profiles)")
}
