package model_test

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/model"
)

// TestPendingKeepsAddressedTo: where a stored subscription request
// addressed to a full JID shows that 'to' again (Prosody 0.12.3 with memory
// storage, docs/findings.md D4). Each case is one observed on Debian's
// Prosody 0.12.3: which 'to' the re-sent request carries at a later
// initial presence. The trunk profile always re-sends it bare (§4.1).
func TestPendingKeepsAddressedTo(t *testing.T) {
	const full, bare = "to='b@localhost/zzz'", "to='b@localhost'"
	const subFull = "<presence type='subscribe' to='b@localhost/zzz'/>"
	cases := []struct {
		name string
		// run drives the server after a has connected; the last initial
		// presence is by the session named "last".
		run  func(h *harness)
		want string
	}{
		{"contact offline, then logs in", func(h *harness) {
			h.send("a", subFull)
			h.bind("last", "b", "b")
		}, full},
		{"contact offline, then logs in twice", func(h *harness) {
			h.send("a", subFull)
			h.bind("b1", "b", "b1")
			h.send("b1", "<presence/>")
			h.close("b1", false)
			h.bind("last", "b", "b2")
		}, full},
		{"contact connected but unavailable", func(h *harness) {
			h.bind("last", "b", "b")
			h.send("a", subFull)
		}, full},
		{"contact available: another resource logs in meanwhile", func(h *harness) {
			h.bind("b1", "b", "b1")
			h.send("b1", "<presence/>")
			h.send("a", subFull)
			h.bind("last", "b", "b2")
		}, full},
		{"contact available, then offline, then logs in", func(h *harness) {
			h.bind("b1", "b", "b1")
			h.send("b1", "<presence/>")
			h.send("a", subFull)
			h.close("b1", false)
			h.bind("last", "b", "b2")
		}, bare},
		{"contact connected, its roster saved again, then offline, then logs in", func(h *harness) {
			h.bind("b1", "b", "b1")
			h.send("a", subFull)
			h.send("b1", "<presence type='subscribe' to='c@localhost'/>")
			h.close("b1", false)
			h.bind("last", "b", "b2")
		}, full},
		{"roster loaded while offline (a refused probe), then online request, offline, logs in", func(h *harness) {
			h.bind("c", "c", "c")
			h.send("c", "<presence type='probe' to='b@localhost'/>")
			h.bind("b1", "b", "b1")
			h.send("a", subFull)
			h.close("b1", false)
			h.bind("last", "b", "b2")
		}, full},
		{"contact connected but unavailable, then offline, then logs in", func(h *harness) {
			h.bind("b1", "b", "b1")
			h.send("a", subFull)
			h.close("b1", true)
			h.bind("last", "b", "b2")
		}, bare},
	}
	p012, trunk := model.Prosody012(), model.ProsodyTrunk()
	for _, c := range cases {
		for _, prof := range []*model.Profile{&p012, &trunk} {
			t.Run(prof.Name+"/"+c.name, func(t *testing.T) {
				h := newHarness(t, prof)
				h.bind("a", "a", "a")
				c.run(h)
				h.take("last")
				h.send("last", "<presence/>")
				var got string
				for _, x := range h.take("last") {
					if strings.Contains(x, "type='subscribe'") {
						got = x
					}
				}
				want := c.want // observed on 0.12.3
				if prof.Name == trunk.Name {
					want = bare // §4.1
				}
				if !strings.Contains(got, want) {
					t.Fatalf("re-sent request %q, want %s", got, want)
				}
			})
		}
	}
}
