package scenarios

import "github.com/scansim/scansim/model"

// WithProfile returns o running on profile p, as model.ProfileByName
// returns it:
//
//	p, err := model.ProfileByName("prosody-0.12")
//	if err != nil { ... }
//	res := scenarios.Run(script, scenarios.RunOptions{}.WithProfile(p))
//
// The options hold their own copy of p: changing p afterwards does not
// change the run (Options.Profile is a pointer so that nil can mean the
// default; a caller should not have to take the address of a variable).
func (o RunOptions) WithProfile(p model.Profile) RunOptions {
	o.Profile = &p
	return o
}
