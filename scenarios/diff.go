package scenarios

import (
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
)

// diffStanzas renders a line diff of expected against received, each
// written one element per line with the attribute order and escaping of
// the canonical form. Lines only in expected start with "-", lines only in
// received with "+", common lines with a space (go-cmp's convention for
// cmp.Diff(expected, received)).
func diffStanzas(expected, received *etree.Element) string {
	return lineDiff(prettyLines(expected), prettyLines(received))
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
		case *etree.Element:
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
