package properties

// The machine's stanzas are built as stanza values, beside their text.
// The text (Op.Stanza) is what logs, failure files and scripts show, and
// what a replayed op is parsed from; the value spares the harness a
// parse per send: it resolves the value's placeholders, which are
// attribute values ({full:SLOT}, {push}), and hands the result to the
// simulation and the reference. TestMachineValuesMatchText checks, on
// random runs, that each value is its text parsed.

import (
	"strings"

	"github.com/scansim/scansim/stanza"
)

// sx builds an element: tag, attributes as key, value pairs in order,
// children.
func sx(tag string, kv []string, kids ...stanza.Child) stanza.Stanza {
	var attrs []stanza.Attr
	if len(kv) > 0 {
		attrs = make([]stanza.Attr, 0, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			attrs = append(attrs, stanza.Attr{Key: kv[i], Value: kv[i+1]})
		}
	}
	return stanza.New("", tag, attrs, kids...)
}

// kv is sx's attribute list.
func kv(pairs ...string) []string { return pairs }

// elems makes child elements of ss.
func elems(ss ...stanza.Stanza) []stanza.Child {
	out := make([]stanza.Child, 0, len(ss))
	for _, s := range ss {
		out = append(out, stanza.Elem(s))
	}
	return out
}

// Stanzas the machine sends unchanged: built once (values are immutable
// and shared), their canonical form rendered once.
var (
	presenceValue  = sx("presence", nil)
	statusAway     = sx("status", nil, stanza.Text("away"))
	rosterQuery    = sx("query", kv("xmlns", nsRoster))
	blocklistQuery = sx("blocklist", kv("xmlns", nsBlocking))
	groupG         = sx("group", nil, stanza.Text("G"))
	// the service queries g1IQ sends, text and value
	serviceQueries = []string{
		"<ping xmlns='urn:xmpp:ping'/>",
		"<query xmlns='jabber:iq:version'/>",
		"<query xmlns='http://jabber.org/protocol/disco#info'/>",
		"<query xmlns='jabber:iq:last'/>",
	}
	serviceQueryValues = map[string]stanza.Stanza{
		serviceQueries[0]: sx("ping", kv("xmlns", nsPing)),
		serviceQueries[1]: sx("query", kv("xmlns", nsVersion)),
		serviceQueries[2]: sx("query", kv("xmlns", nsDiscoInfo)),
		serviceQueries[3]: sx("query", kv("xmlns", nsLast)),
	}
)

// opValue returns the stanza of send op, its placeholders resolved by
// resolve: op's value when the machine built it for op's text, else
// (a replayed or an extension's op) the text resolved and parsed.
func opValue(op *Op, resolve func(string) string) (stanza.Stanza, error) {
	if op.val.IsZero() || op.valText != op.Stanza {
		return parseValue(resolve(op.Stanza))
	}
	return op.val.MapAttrs(func(v string) (string, error) {
		if strings.IndexByte(v, '{') < 0 {
			return v, nil
		}
		return resolve(v), nil
	})
}
