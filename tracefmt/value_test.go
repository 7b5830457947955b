package tracefmt

import (
	"testing"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/sim"
	"github.com/scansim/scansim/stanza"
	"pgregory.net/rapid"
)

// Reading an event's stanza value must give what parsing its canonical
// string gives (the string is what a real server's trace holds, and what
// these functions read before values existed): every summary, bounce
// verdict and pretty form, for any stanza, including ones the parser
// refuses and ones whose text the canonical form or the parser changes.
func TestValueReadsAsParsedString(t *testing.T) {
	names := rapid.SampledFrom([]string{"iq", "message", "presence", "query", "error", "body", "show", "item-not-found", "text", "x", "é", "a:b", "1x"})
	spaces := rapid.SampledFrom([]string{"", "", "", "stream", "p", "xmlns"})
	keys := rapid.SampledFrom([]string{"type", "id", "to", "from", "xmlns", "jid", "lang"})
	values := rapid.SampledFrom([]string{"", "error", "get", "result", "a@b/c", "jabber:iq:roster", "http://jabber.org/protocol/disco#info",
		"urn:ietf:params:xml:ns:xmpp-stanzas", "a\r\nb", "x\ry", "\x01", "\xff", " "})
	texts := rapid.SampledFrom([]string{"", " ", "\n  ", "hello", "a < b & c", "line\r\nbreak", "cr\ronly", "\x02", "\t", strings40})
	var gen func(t *rapid.T, depth int) *etree.Element
	gen = func(t *rapid.T, depth int) *etree.Element {
		el := etree.NewElement(names.Draw(t, "tag"))
		el.Space = spaces.Draw(t, "space")
		for range rapid.IntRange(0, 4).Draw(t, "attrs") {
			el.Attr = append(el.Attr, etree.Attr{Space: spaces.Draw(t, "aspace"), Key: keys.Draw(t, "key"), Value: values.Draw(t, "value")})
		}
		for range rapid.IntRange(0, 4).Draw(t, "kids") {
			if depth < 3 && rapid.Bool().Draw(t, "elem") {
				el.AddChild(gen(t, depth+1))
			} else {
				el.AddChild(etree.NewText(texts.Draw(t, "text")))
			}
		}
		return el
	}
	fast, total := 0, 0
	kinds := rapid.SampledFrom([]sim.TraceKind{sim.TraceSend, sim.TraceDeliver, sim.TraceFlush, sim.TraceError, sim.TraceDrop})
	rapid.Check(t, func(t *rapid.T) {
		v := stanza.FromElement(gen(t, 0))
		kind := kinds.Draw(t, "kind")
		total++
		if parsable(v) {
			fast++
		}
		withValue := sim.TraceEvent{Kind: kind, Text: v.Canonical(), Value: v}
		stringOnly := sim.TraceEvent{Kind: kind, Text: v.Canonical()}
		if a, b := Summary(withValue), Summary(stringOnly); a != b {
			t.Fatalf("Summary of %s: value %q, string %q", v.Canonical(), a, b)
		}
		if a, b := IsBounce(withValue), IsBounce(stringOnly); a != b {
			t.Fatalf("IsBounce of %s: value %v, string %v", v.Canonical(), a, b)
		}
		if a, b := prettyEvent(withValue), Pretty(stringOnly.Canonical()); a != b {
			t.Fatalf("Pretty of %s: value\n%s\nstring\n%s", v.Canonical(), a, b)
		}
	})
	// The test is about the value path: a good share of the stanzas must
	// take it (a ratio, since -short draws a fifth as many).
	if fast*4 < total {
		t.Errorf("only %d of %d generated stanzas were read from their value", fast, total)
	}
}

const strings40 = "a body long enough to be clipped in a summary"
