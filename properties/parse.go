package properties

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/scansim/scansim/stanza"
)

// errXML: tags that do not nest, or an element left open.
var errXML = errors.New("properties: invalid XML structure")

// maxParseDepth bounds nesting, as etree's reader does.
const maxParseDepth = 1000

// parseValue parses the first element of s into a stanza value: an op's
// stanza (the ops are text, so that they can be logged, replayed and
// written as scripts) or a real server's trace stanza (eventValue).
//
// It reads encoding/xml's raw tokens, strictly, as etree's reader does,
// and builds the value directly: the same stanza stanza.FromElement
// makes of etree's tree (a repeated attribute keeps its first place and
// its last value, comments and processing instructions are left out),
// without the tree. TestParseValueMatchesEtree checks the equivalence.
func parseValue(s string) (stanza.Stanza, error) {
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.Strict = true
	type frame struct {
		space, tag string
		attrs      []stanza.Attr
		kids       []stanza.Child
	}
	var stack []frame
	var root stanza.Stanza
	for {
		t, err := dec.RawToken()
		if err == io.EOF {
			if len(stack) != 0 {
				return stanza.Stanza{}, errXML
			}
			break
		}
		if err != nil {
			return stanza.Stanza{}, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			if len(stack) >= maxParseDepth {
				return stanza.Stanza{}, errors.New("properties: XML nested too deep")
			}
			f := frame{space: t.Name.Space, tag: t.Name.Local}
			if len(t.Attr) > 0 {
				f.attrs = make([]stanza.Attr, 0, len(t.Attr))
			}
		attrs:
			for _, a := range t.Attr {
				for i := range f.attrs {
					if f.attrs[i].Space == a.Name.Space && f.attrs[i].Key == a.Name.Local {
						f.attrs[i].Value = a.Value
						continue attrs
					}
				}
				f.attrs = append(f.attrs, stanza.Attr{Space: a.Name.Space, Key: a.Name.Local, Value: a.Value})
			}
			stack = append(stack, f)
		case xml.EndElement:
			n := len(stack) - 1
			if n < 0 || stack[n].tag != t.Name.Local || stack[n].space != t.Name.Space {
				return stanza.Stanza{}, errXML
			}
			f := stack[n]
			stack = stack[:n]
			v := stanza.New(f.space, f.tag, f.attrs, f.kids...)
			if n > 0 {
				stack[n-1].kids = append(stack[n-1].kids, stanza.Elem(v))
			} else if root.IsZero() {
				root = v
			}
		case xml.CharData:
			if n := len(stack); n > 0 {
				stack[n-1].kids = append(stack[n-1].kids, stanza.Text(string(t)))
			}
		}
	}
	if root.IsZero() {
		return stanza.Stanza{}, fmt.Errorf("no element in %q", s)
	}
	return root, nil
}
