package properties_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/properties"
)

// Explore against a server: every sequence runs on the model and on the
// server behind Config.Server, and the server is judged by the invariants
// and by the model's stanzas. A real server is a *driver.ServerDriver
// (scansim check --server HOST:PORT); here the "server" is the model
// itself with a bug switched on (a mutant that forgets the unavailable
// presence a block must send), behind a driver.SimDriver, so the
// example needs no network. The failure is the server's: the script
// written is the model's own run, which the model passes and the server
// fails. (The scansion action set: a group of stanzas written without
// waiting, docs/races.md, is judged on a server by the comparison alone,
// and this example shows an invariant on the server's trace.)
func ExampleExplore_server() {
	p := model.Prosody012()
	buggy := &driver.SimDriver{Options: driver.Options{Profile: &p, Mutants: []string{"no-unavailable-on-block"}}, Prefix: "run1-"}
	dir, _ := os.MkdirTemp("", "scansim-example")
	defer os.RemoveAll(dir)
	r := properties.Explore(properties.Config{Options: driver.Options{Profile: &p, Seed: 3}, Checks: 400, Server: buggy,
		ActionSet: properties.ScansionActions, OutDir: dir, ShrinkTime: time.Second})
	f := r.Failure
	fmt.Println("the server's failure:", strings.HasPrefix(f.Message, "server: "))
	fmt.Println("an invariant on its trace:", strings.Contains(f.Message, "inv21UnavailableOnBlock"))
	fmt.Println("the model passes the script:", f.ReplayPassesCorrect)
	fmt.Println("the server fails it:", f.ReplayServerFails)
	// Output:
	// the server's failure: true
	// an invariant on its trace: true
	// the model passes the script: true
	// the server fails it: true
}
