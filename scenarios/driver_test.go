package scenarios_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/scansim/scansim/driver"
	"github.com/scansim/scansim/model"
	"github.com/scansim/scansim/scenarios"
	"github.com/scansim/scansim/sim"
)

// simDriver is driver.SimDriver counting how often the runner opens
// a network (once per run).
type simDriver struct {
	driver.SimDriver
	opened int
}

func (d *simDriver) Open(host string) (driver.Network, error) {
	d.opened++
	return d.SimDriver.Open(host)
}

func newSimDriver(p model.Profile, seed uint64, prefix string, keep ...string) *simDriver {
	return &simDriver{SimDriver: driver.SimDriver{Options: driver.Options{Profile: &p, Seed: seed}, Prefix: prefix, Keep: keep}}
}

// Every testdata script has the same outcome through a Driver that
// prefixes every node as on the built-in simulation: PrefixNodes
// rewrites sends and expectations alike.
func TestDriverWithPrefixMatchesSimulation(t *testing.T) {
	for _, f := range scripts(t, "testdata") {
		s := mustParse(t, f)
		want := scenarios.Outcome(scenarios.Run(s, scenarios.RunOptions{}))
		d := newSimDriver(model.ProsodyTrunk(), 7, "r0123abcd-", "admin")
		res := scenarios.Run(s, scenarios.RunOptions{Driver: d})
		if got := scenarios.Outcome(res); got != want {
			t.Errorf("%s: through a prefixing driver %s, on the simulation %s\n%v %v", f, got, want, res.Err, res.Failure)
		}
		if res.Prefix != "r0123abcd-" || d.opened != 1 {
			t.Errorf("%s: Prefix %q, opened %d", f, res.Prefix, d.opened)
		}
		for _, ev := range res.Trace {
			if ev.Kind == sim.TraceConnect && !strings.HasPrefix(ev.JID.Node, "r0123abcd-") && ev.JID.Node != "admin" {
				t.Errorf("%s: %s connected as %s, without the prefix", f, ev.Client, ev.JID)
			}
		}
	}
}

// Compare between the simulation and a prefixing "server" on another
// seed (other generated resources and push ids) finds no difference:
// the masking removes exactly what legitimately differs.
func TestCompareMasksVolatileValues(t *testing.T) {
	for _, f := range scripts(t, "testdata") {
		s := mustParse(t, f)
		p := model.Prosody012()
		c := scenarios.Compare(s, scenarios.CompareOptions{
			Server:  newSimDriver(p, 99, "r5eed-"),
			Options: driver.Options{Profile: &p},
		})
		if !c.Same() {
			t.Errorf("%s: differs:\n%s", f, c)
		}
		if c.Prefix != "r5eed-" {
			t.Errorf("%s: Prefix %q", f, c.Prefix)
		}
	}
}

// Compare reports a behavioural difference: a "server" on the trunk
// profile differs from the prosody-0.12 simulation on legacy time.
func TestCompareReportsDifferences(t *testing.T) {
	s := mustParse(t, filepath.Join("testdata", "services_version_time.scs"))
	p := model.Prosody012()
	c := scenarios.Compare(s, scenarios.CompareOptions{
		Server:  newSimDriver(model.ProsodyTrunk(), 0, "rx-"),
		Options: driver.Options{Profile: &p},
	})
	if c.Same() {
		t.Fatalf("no difference found:\n%s", c)
	}
	out := c.String()
	for _, want := range []string{"simulation: FAIL", "server:     pass", "differs (-simulation +server)", "-", "+"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestPrefixNodes(t *testing.T) {
	s := parse(t, `[Client] Romeo
	jid: romeo@localhost/balcony
[Client] Admin
	jid: admin@localhost
---
Romeo connects
Romeo sends:
	<iq type="set" id="b1" to="Romeo@LocalHost"><block xmlns="urn:xmpp:blocking"><item jid="nurse@localhost"/><item jid="juliet@example.org"/><item jid="localhost"/><item jid="${Admin's JID}"/><item jid="admin@localhost/x"/></block></iq>
Romeo receives:
	<message from="{scansion:any}"><body>  tybalt@localhost/r  </body><jid>not a jid@localhost</jid></message>
`)
	p := scenarios.PrefixNodes(s, "localhost", "r1-", "ADMIN")
	if got := p.Clients[0].JID().String(); got != "r1-romeo@localhost/balcony" {
		t.Errorf("Romeo's jid = %s", got)
	}
	if got := p.Clients[1].JID().String(); got != "admin@localhost" {
		t.Errorf("kept admin's jid = %s", got)
	}
	if got := s.Clients[0].JID().String(); got != "romeo@localhost/balcony" {
		t.Errorf("the original script changed: %s", got)
	}
	// The copy sits in a wrapper of its own that declares the namespaces
	// (the script's wrapper is shared by all its blocks and not copied).
	if c, o := p.Actions[1].Stanzas[0].Elem, s.Actions[1].Stanzas[0].Elem; c.Parent() == nil || c.Parent() == o.Parent() ||
		c.NamespaceURI() != "jabber:client" || c.Parent().Parent() != nil {
		t.Errorf("the copy's wrapper: parent %p (original's %p), namespace %q", c.Parent(), o.Parent(), c.NamespaceURI())
	}
	send := model.Canonical(p.Actions[1].Stanzas[0].Elem)
	want := `<iq id='b1' to='r1-Romeo@LocalHost' type='set'><block xmlns='urn:xmpp:blocking'><item jid='r1-nurse@localhost'/><item jid='juliet@example.org'/><item jid='localhost'/><item jid='${Admin&apos;s JID}'/><item jid='admin@localhost/x'/></block></iq>`
	if send != want {
		t.Errorf("sends:\n got %s\nwant %s", send, want)
	}
	recv := model.Canonical(p.Actions[2].Stanzas[0].Elem)
	wantR := `<message from='{scansion:any}'><body>  r1-tybalt@localhost/r  </body><jid>not a jid@localhost</jid></message>`
	if recv != wantR {
		t.Errorf("receives:\n got %s\nwant %s", recv, wantR)
	}
	if ns := p.Actions[1].Stanzas[0].Elem.SelectElement("block").NamespaceURI(); ns != "urn:xmpp:blocking" {
		t.Errorf("namespace lost in the copy: %q", ns)
	}
	if q := p.Actions[1].Stanzas[0].Elem.NamespaceURI(); q != "jabber:client" {
		t.Errorf("wrapper lost in the copy: top-level namespace %q", q)
	}
	if scenarios.PrefixNodes(s, "localhost", "") != s {
		t.Error("an empty prefix copies the script")
	}
}

// hashOrderDriver is a "server" that records, within every run of
// deliveries to one client, the stanzas in reverse order: what Prosody's
// hash order may do to one action's fan-out (§0 "Unordered").
type hashOrderDriver struct{ driver.SimDriver }

func (d *hashOrderDriver) Open(host string) (driver.Network, error) {
	n, err := d.SimDriver.Open(host)
	return &reversingNetwork{Network: n}, err
}

type reversingNetwork struct{ driver.Network }

func (n *reversingNetwork) Trace() []sim.TraceEvent {
	tr := append([]sim.TraceEvent(nil), n.Network.Trace()...)
	for i := 0; i < len(tr); {
		j := i
		for j < len(tr) && tr[j].Kind == sim.TraceDeliver && tr[j].Client == tr[i].Client {
			j++
		}
		if j-i < 2 {
			i++
			continue
		}
		for a, b := i, j-1; a < b; a, b = a+1, b-1 {
			tr[a].Text, tr[b].Text = tr[b].Canonical(), tr[a].Canonical()
		}
		i = j
	}
	return tr
}

// Compare does not report the order of one action's stanzas as a
// difference (scansim diff used to, comparing each client's stream in
// order): every testdata script is the same against a "server" that
// reverses each client's stanzas within an action, though the in-order
// streams differ for some.
func TestCompareIgnoresOrderWithinAnAction(t *testing.T) {
	p := model.Prosody012()
	reordered := 0
	for _, f := range scripts(t, "testdata") {
		s := mustParse(t, f)
		c := scenarios.Compare(s, scenarios.CompareOptions{
			Server:  &hashOrderDriver{driver.SimDriver{Options: driver.Options{Profile: &p}, Prefix: "rh-"}},
			Options: driver.Options{Profile: &p},
		})
		if !c.Same() {
			t.Errorf("%s: differs:\n%s", f, c)
		}
		for _, cl := range c.Clients {
			if strings.Join(cl.Sim, "\n") != strings.Join(cl.Server, "\n") {
				reordered++
				break
			}
		}
	}
	if reordered == 0 {
		t.Fatal("no script had two stanzas in one action to reorder: the test shows nothing")
	}
	t.Logf("%d scripts reordered", reordered)
}
