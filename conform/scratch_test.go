package conform

import (
	"os"
	"testing"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
)

func TestScratch(t *testing.T) {
	p := model.Prosody012()
	rep, err := Run(Config{Options: driver.Options{Profile: &p}, ProfileName: "prosody-0.12", Scripts: []string{"../scenarios/testdata/blocking.scs", "../scenarios/testdata/presence_probe.scs"}, Checks: 30,
		Server: &driver.SimDriver{Options: driver.Options{Profile: &p, Mutants: []string{"no-unavailable-on-block"}}, Prefix: "x-"}, ServerName: "mutant"})
	if err != nil {
		t.Fatal(err)
	}
	WriteFile("/tmp/ctry/r.html", rep.WriteHTML)
	WriteFile("/tmp/ctry/r.xml", rep.WriteJUnit)
	os.Stdout.WriteString("")
	t.Logf("%d %d %d", rep.Passed, rep.Failed, rep.Skipped)
}
