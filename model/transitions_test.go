package model_test

import (
	"strings"
	"testing"

	"github.com/scansim/scansim/model"
)

// The RFC 6121 transition tables of prosody-c2s-behaviour.md §4.6, as
// Prosody implements them. U = u@localhost, C = c@localhost; both online
// with one available, roster-interested session each.

// reach drives U's state towards C to the named state through stanzas.
var reach = map[string][]struct{ who, xml string }{
	"None":       nil,
	"None(item)": {{"u", `<iq type='set' id='r1'><query xmlns='jabber:iq:roster'><item jid='c@localhost'/></query></iq>`}},
	"None+PO":    {{"u", sub("subscribe", "c")}},
	"None+PI":    {{"c", sub("subscribe", "u")}},
	"None+PO/PI": {{"c", sub("subscribe", "u")}, {"u", sub("subscribe", "c")}},
	"To":         {{"u", sub("subscribe", "c")}, {"c", sub("subscribed", "u")}},
	"To+PI":      {{"u", sub("subscribe", "c")}, {"c", sub("subscribed", "u")}, {"c", sub("subscribe", "u")}},
	"From":       {{"c", sub("subscribe", "u")}, {"u", sub("subscribed", "c")}},
	"From+PO":    {{"c", sub("subscribe", "u")}, {"u", sub("subscribed", "c")}, {"u", sub("subscribe", "c")}},
	"Both":       {{"c", sub("subscribe", "u")}, {"u", sub("subscribed", "c")}, {"u", sub("subscribe", "c")}, {"c", sub("subscribed", "u")}},
}

func sub(typ, to string) string {
	return `<presence type='` + typ + `' to='` + to + `@localhost'/>`
}

func setup(t *testing.T, state string) *harness {
	h := newHarness(t, nil)
	for _, who := range []string{"u", "c"} {
		h.bind(who, who, "r")
		h.send(who, `<iq type='get' id='g'><query xmlns='jabber:iq:roster'/></iq>`)
		h.send(who, `<presence/>`)
	}
	for _, step := range reach[state] {
		h.send(step.who, step.xml)
	}
	want := state
	if state == "None(item)" {
		want = "None"
	}
	if got := h.srv.ContactOf("u", "c@localhost").State(); got != want {
		t.Fatalf("setup %s: reached %s", state, got)
	}
	h.take("u")
	h.take("c")
	return h
}

// TestOutboundTransitions checks §4.6 "Outbound (U sends)": new state and
// whether U's interested session gets a roster push (P).
func TestOutboundTransitions(t *testing.T) {
	type cell struct {
		state    string
		approved bool
		push     bool
	}
	table := map[string]map[string]cell{
		"None": {
			"subscribe": {"None+PO", false, true}, "subscribed": {"None", true, true},
			"unsubscribe": {"None", false, false}, "unsubscribed": {"None", false, false}},
		"None(item)": {
			"subscribe": {"None+PO", false, true}, "subscribed": {"None", true, true},
			"unsubscribe": {"None", false, true}, "unsubscribed": {"None", false, false}},
		"None+PO": {
			"subscribe": {"None+PO", false, true}, "subscribed": {"None+PO", true, true},
			"unsubscribe": {"None", false, true}, "unsubscribed": {"None+PO", false, false}},
		"None+PI": {
			"subscribe": {"None+PO/PI", false, true}, "subscribed": {"From", false, true},
			"unsubscribe": {"None+PI", false, false}, "unsubscribed": {"None", false, false}},
		"None+PO/PI": {
			"subscribe": {"None+PO/PI", false, true}, "subscribed": {"From+PO", false, true},
			"unsubscribe": {"None+PI", false, true}, "unsubscribed": {"None+PO", false, false}},
		"To": {
			"subscribe": {"To", false, true}, "subscribed": {"To", true, true},
			"unsubscribe": {"None", false, true}, "unsubscribed": {"To", false, false}},
		"To+PI": {
			"subscribe": {"To+PI", false, true}, "subscribed": {"Both", false, true},
			"unsubscribe": {"None+PI", false, true}, "unsubscribed": {"To", false, false}},
		"From": {
			"subscribe": {"From+PO", false, true}, "subscribed": {"From", false, false},
			"unsubscribe": {"From", false, true}, "unsubscribed": {"None", false, true}},
		"From+PO": {
			"subscribe": {"From+PO", false, true}, "subscribed": {"From+PO", false, false},
			"unsubscribe": {"From", false, true}, "unsubscribed": {"None+PO", false, true}},
		"Both": {
			"subscribe": {"Both", false, true}, "subscribed": {"Both", false, false},
			"unsubscribe": {"From", false, true}, "unsubscribed": {"To", false, true}},
	}
	for state, row := range table {
		for typ, want := range row {
			t.Run(state+"/"+typ, func(t *testing.T) {
				h := setup(t, state)
				h.send("u", sub(typ, "c"))
				c := h.srv.ContactOf("u", "c@localhost")
				if c.State() != want.state || c.Approved != want.approved {
					t.Errorf("U %s sends %s: state %s approved=%v, want %s approved=%v",
						state, typ, c.State(), c.Approved, want.state, want.approved)
				}
				if got := h.takeCount("u", isRosterPush) > 0; got != want.push {
					t.Errorf("U %s sends %s: roster push=%v, want %v", state, typ, got, want.push)
				}
			})
		}
	}
}

// TestInboundTransitions checks §4.6 "Inbound (U receives from C)": U's
// new state when C sends the stanza (C's own outbound processing decides
// whether it is routed at all, as in Prosody).
func TestInboundTransitions(t *testing.T) {
	table := map[string]map[string]string{
		"None":       {"subscribe": "None+PI", "subscribed": "None", "unsubscribe": "None", "unsubscribed": "None"},
		"None+PO":    {"subscribe": "None+PO/PI", "subscribed": "To", "unsubscribe": "None+PO", "unsubscribed": "None"},
		"None+PI":    {"subscribe": "None+PI", "subscribed": "None+PI", "unsubscribe": "None", "unsubscribed": "None+PI"},
		"None+PO/PI": {"subscribe": "None+PO/PI", "subscribed": "To+PI", "unsubscribe": "None+PO", "unsubscribed": "None+PI"},
		"To":         {"subscribe": "To+PI", "subscribed": "To", "unsubscribe": "To", "unsubscribed": "None"},
		"To+PI":      {"subscribe": "To+PI", "subscribed": "To+PI", "unsubscribe": "To", "unsubscribed": "None+PI"},
		"From":       {"subscribe": "From", "subscribed": "From", "unsubscribe": "None", "unsubscribed": "From"},
		"From+PO":    {"subscribe": "From+PO", "subscribed": "Both", "unsubscribe": "None+PO", "unsubscribed": "From"},
		"Both":       {"subscribe": "Both", "subscribed": "Both", "unsubscribe": "To", "unsubscribed": "From"},
	}
	for state, row := range table {
		for typ, want := range row {
			t.Run(state+"/"+typ, func(t *testing.T) {
				h := setup(t, state)
				h.send("c", sub(typ, "u"))
				if got := h.srv.ContactOf("u", "c@localhost").State(); got != want {
					t.Errorf("U %s receives %s: state %s, want %s", state, typ, got, want)
				}
			})
		}
	}
}

// TestPreApprovedInbound: §4.6 inbound rows "None (pre-approved)" and "To
// (pre-approved)", and the verified ver='3' of §4.1.
func TestPreApprovedInbound(t *testing.T) {
	h := setup(t, "None")
	h.send("u", sub("subscribed", "c"))
	h.send("c", sub("subscribe", "u"))
	if got := h.srv.ContactOf("u", "c@localhost").State(); got != "From" {
		t.Fatalf("pre-approved None receives subscribe: %s, want From", got)
	}
	if v := h.srv.RosterVersion("u"); v != 3 {
		t.Errorf("roster version after pre-approval, pending store, accept = %d, want 3", v)
	}
	if got := h.srv.ContactOf("c", "u@localhost").State(); got != "To" {
		t.Errorf("subscriber's state %s, want To", got)
	}

	h = setup(t, "To")
	h.send("u", sub("subscribed", "c"))
	h.send("c", sub("subscribe", "u"))
	if got := h.srv.ContactOf("u", "c@localhost").State(); got != "Both" {
		t.Errorf("pre-approved To receives subscribe: %s, want Both", got)
	}
}

// TestSpecOrderForBlockedSubscriptions: with the specification's order
// (LocalRosterChangeOnBlockedOutboundSub=false) a subscribe to a blocked
// bare JID is bounced with <blocked/> and changes nothing; Prosody's
// order routes it and records the ask (§4.4 "Blocklist interplay").
func TestSpecOrderForBlockedSubscriptions(t *testing.T) {
	for _, prosodyOrder := range []bool{true, false} {
		p := model.ProsodyTrunk()
		p.LocalRosterChangeOnBlockedOutboundSub = prosodyOrder
		h := newHarness(t, &p)
		h.bind("u", "u", "r")
		h.bind("c", "c", "r")
		h.send("c", `<presence/>`)
		h.send("u", `<iq type='set' id='b'><block xmlns='urn:xmpp:blocking'><item jid='c@localhost'/></block></iq>`)
		h.take("u")
		h.take("c")
		h.send("u", sub("subscribe", "c"))
		got := h.srv.ContactOf("u", "c@localhost").State()
		bounced := false
		for _, s := range h.take("u") {
			if strings.Contains(s, "<blocked xmlns='urn:xmpp:blocking:errors'/>") {
				bounced = true
			}
		}
		routed := len(h.take("c")) > 0
		if prosodyOrder && (got != "None+PO" || bounced || !routed) {
			t.Errorf("Prosody order: state %s bounced=%v routed=%v, want None+PO, no bounce, routed", got, bounced, routed)
		}
		if !prosodyOrder && (got != "None" || !bounced || routed) {
			t.Errorf("spec order: state %s bounced=%v routed=%v, want None, bounced, not routed", got, bounced, routed)
		}
	}
}
