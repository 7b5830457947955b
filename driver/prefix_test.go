package driver_test

import (
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
)

func TestNewRunPrefix(t *testing.T) {
	a, b := driver.NewRunPrefix(), driver.NewRunPrefix()
	if a == b || len(a) != 10 || !strings.HasPrefix(a, "r") || !strings.HasSuffix(a, "-") {
		t.Errorf("prefixes %q, %q", a, b)
	}
	if _, err := model.ParseJID(a + "romeo@localhost"); err != nil {
		t.Errorf("prefix %q makes an invalid node: %v", a, err)
	}
}

// PrefixElement prefixes exactly the local JIDs: not other domains, not
// the host, not kept nodes (any case), not variables, not text that is
// more than one JID.
func TestPrefixElement(t *testing.T) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<iq to='Romeo@LocalHost'><block xmlns='urn:xmpp:blocking'><item jid='nurse@localhost/r'/><item jid='juliet@example.org'/><item jid='localhost'/><item jid='${Admin&apos;s JID}'/><item jid='admin@localhost'/></block><body> tybalt@localhost </body><x>not a jid@localhost</x></iq>`); err != nil {
		t.Fatal(err)
	}
	el := doc.Root()
	driver.PrefixElement(el, "localhost", "r1-", "ADMIN")
	got := model.Canonical(el)
	want := `<iq to='r1-Romeo@LocalHost'><block xmlns='urn:xmpp:blocking'><item jid='r1-nurse@localhost/r'/><item jid='juliet@example.org'/><item jid='localhost'/><item jid='${Admin&apos;s JID}'/><item jid='admin@localhost'/></block><body> r1-tybalt@localhost </body><x>not a jid@localhost</x></iq>`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Every command takes the same default profile, and bad names, mutants
// and latencies are errors, not panics.
func TestNewOptions(t *testing.T) {
	o, err := driver.NewOptions("", 3, nil, 0)
	if err != nil || o.Profile == nil || o.Profile.Name != driver.DefaultProfile || o.Seed != 3 {
		t.Fatalf("default options %+v, %v", o, err)
	}
	if p := (driver.Options{}).ProfileValue(); p.Name != driver.DefaultProfile {
		t.Errorf("a nil profile is %q, want %q", p.Name, driver.DefaultProfile)
	}
	for _, bad := range []struct {
		profile string
		mutants []string
		latency int64
	}{{"no-such-profile", nil, 0}, {"prosody", []string{"no-such-mutant"}, 0}, {"prosody", nil, -1}} {
		if _, err := driver.NewOptions(bad.profile, 0, bad.mutants, time.Duration(bad.latency)); err == nil {
			t.Errorf("NewOptions(%q, %v, %d) accepted", bad.profile, bad.mutants, bad.latency)
		}
	}
}
