package scenarios

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
)

// diffStanzas renders a line diff of expected against received, each
// written one element per line with the attribute order and escaping of
// the canonical form. Lines only in expected start with "-", lines only in
// received with "+", common lines with a space.
//
// The received side shows what matters to the match (relevant): on an
// element that pairs with an expected one, the attributes the script does
// not name are left out, and a value the script accepts whatever it is
// ({scansion:any}) is shown as the script wrote it. Otherwise every line
// carrying an id or xml:lang the script never mentioned would show as
// different, and the one real difference would drown.
//
// In strict mode (§4.5 rule 2: e.strict) every attribute counts, and
// children pair by position.
func diffStanzas(expected *etree.Element, e *xnode, received *etree.Element) string {
	ce := cleanExpected(expected)
	return lineDiff(prettyLines(ce), prettyLines(relevant(ce, e, received)))
}

// relevant returns a copy of received reduced to what the match of
// expected (cleaned: cleanExpected) looks at (see diffStanzas).
//
// In strict mode children pair by position. Otherwise each expected child
// pairs with a received namesake that shows the same once reduced; the
// expected children left over pair with the namesakes left over when
// there are as many of each (a substitution: "- b" then "+ c"); the
// received children paired with nothing are not shown one by one, since
// non-strict matching allows them, but counted on one line.
func relevant(expected *etree.Element, e *xnode, received *etree.Element) *etree.Element {
	out := &etree.Element{Space: received.Space, Tag: received.Tag}
	for _, a := range received.Attr {
		if a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
			out.Attr = append(out.Attr, a)
			continue
		}
		ea := expected.SelectAttr(a.FullKey())
		if ea != nil && (ea.Value == directiveAny || strings.HasPrefix(ea.Value, "{scansion:capture:")) {
			a.Value = ea.Value
		}
		if ea != nil || e.strict {
			out.Attr = append(out.Attr, a)
		}
	}
	var rkids []*etree.Element
	for _, t := range received.Child {
		switch c := t.(type) {
		case *etree.Element:
			rkids = append(rkids, c)
		case *etree.CharData:
			out.Child = append(out.Child, &etree.CharData{Data: c.Data})
		}
	}
	ekids := childElements(expected)
	pair := make([]int, len(rkids)) // index into ekids, or -1
	for i := range pair {
		pair[i] = -1
	}
	if e.strict {
		for i := range rkids {
			if i < len(ekids) && i < len(e.kids) && ekids[i].FullTag() == rkids[i].FullTag() {
				pair[i] = i
			}
		}
	} else {
		paired := make([]bool, len(ekids))
		for j, ec := range ekids {
			if j >= len(e.kids) {
				break
			}
			want := strings.Join(prettyLines(ec), "\n")
			for i, rc := range rkids {
				if pair[i] < 0 && rc.FullTag() == ec.FullTag() &&
					strings.Join(prettyLines(relevant(ec, e.kids[j], rc)), "\n") == want {
					pair[i], paired[j] = j, true
					break
				}
			}
		}
		// Leftovers, name by name: pair in order when the counts agree.
		for j, ec := range ekids {
			if paired[j] || j >= len(e.kids) {
				continue
			}
			var es, rs []int
			for k := j; k < len(ekids); k++ {
				if !paired[k] && ekids[k].FullTag() == ec.FullTag() {
					es = append(es, k)
				}
			}
			for i, rc := range rkids {
				if pair[i] < 0 && rc.FullTag() == ec.FullTag() {
					rs = append(rs, i)
				}
			}
			for _, k := range es {
				paired[k] = true
			}
			if len(es) == len(rs) {
				for n := range es {
					pair[rs[n]] = es[n]
				}
			}
		}
	}
	hidden := 0
	for i, rc := range rkids {
		switch {
		case pair[i] >= 0 && pair[i] < len(e.kids):
			out.Child = append(out.Child, relevant(ekids[pair[i]], e.kids[pair[i]], rc))
		case e.strict:
			out.Child = append(out.Child, rc.Copy())
		default:
			hidden++
		}
	}
	if hidden > 0 {
		out.Child = append(out.Child, &etree.Comment{Data: fmt.Sprintf(" and %d more received %s the script does not name ", hidden, plural(hidden, "child", "children"))})
	}
	return out
}

// cleanExpected returns el as a diff shows it: without its scansion:
// directive attributes, and without an xmlns declaration that repeats the
// default namespace in scope (a received stanza does not repeat it).
func cleanExpected(el *etree.Element) *etree.Element { return cleanIn(el, "") }

func cleanIn(el *etree.Element, parentNS string) *etree.Element {
	out := &etree.Element{Space: el.Space, Tag: el.Tag}
	ns := parentNS
	for _, a := range el.Attr {
		switch {
		case a.Space == "scansion":
		case a.Space == "" && a.Key == "xmlns":
			ns = a.Value
			if a.Value != parentNS {
				out.Attr = append(out.Attr, a)
			}
		default:
			out.Attr = append(out.Attr, a)
		}
	}
	for _, t := range el.Child {
		switch c := t.(type) {
		case *etree.Element:
			out.Child = append(out.Child, cleanIn(c, ns))
		case *etree.CharData:
			out.Child = append(out.Child, &etree.CharData{Data: c.Data})
		}
	}
	return out
}

func childElements(el *etree.Element) []*etree.Element {
	var out []*etree.Element
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok {
			out = append(out, c)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// prettyLines writes el one element per line, indented by two spaces per
// level, each start tag as the canonical form writes it. Whitespace-only
// text is dropped.
func prettyLines(el *etree.Element) []string {
	var out []string
	var walk func(el *etree.Element, depth int)
	walk = func(el *etree.Element, depth int) {
		ind := strings.Repeat("  ", depth)
		text, hasElem := content(el)
		if !hasElem {
			if strings.TrimSpace(text) == "" {
				el = &etree.Element{Space: el.Space, Tag: el.Tag, Attr: el.Attr}
			}
			out = append(out, ind+stanza.FromElement(el).Canonical())
			return
		}
		empty := &etree.Element{Space: el.Space, Tag: el.Tag, Attr: el.Attr}
		out = append(out, ind+strings.TrimSuffix(stanza.FromElement(empty).Canonical(), "/>")+">")
		for _, t := range el.Child {
			switch c := t.(type) {
			case *etree.Element:
				if depth < maxDepth {
					walk(c, depth+1)
				}
			case *etree.CharData:
				if s := strings.TrimSpace(c.Data); s != "" {
					out = append(out, ind+"  "+textEscaper.Replace(s))
				}
			case *etree.Comment: // only relevant's count of hidden children
				out = append(out, ind+"  <!--"+c.Data+"-->")
			}
		}
		out = append(out, ind+"</"+el.FullTag()+">")
	}
	walk(el, 0)
	return out
}

// content returns the concatenated text of el's direct children and
// whether it has child elements.
func content(el *etree.Element) (text string, hasElem bool) {
	var b strings.Builder
	for _, t := range el.Child {
		switch c := t.(type) {
		case *etree.Element, *etree.Comment:
			hasElem = true
		case *etree.CharData:
			b.WriteString(c.Data)
		}
	}
	return b.String(), hasElem
}

var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// maxDiffLines bounds the quadratic longest-common-subsequence table;
// longer inputs are shown as a full removal and addition.
const maxDiffLines = 2000

// lineDiff returns a line diff of a and b.
func lineDiff(a, b []string) string {
	var out strings.Builder
	emit := func(prefix, line string) {
		out.WriteString(prefix)
		out.WriteString(line)
		out.WriteByte('\n')
	}
	if len(a) > maxDiffLines || len(b) > maxDiffLines {
		for _, l := range a {
			emit("- ", l)
		}
		for _, l := range b {
			emit("+ ", l)
		}
		return out.String()
	}
	// lcs[i][j] is the length of the LCS of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			emit("  ", a[i])
			i++
			j++
		case j == len(b) || (i < len(a) && lcs[i+1][j] >= lcs[i][j+1]):
			emit("- ", a[i])
			i++
		default:
			emit("+ ", b[j])
			j++
		}
	}
	return out.String()
}
