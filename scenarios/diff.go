package scenarios

import (
	"sort"
	"strings"

	"github.com/beevik/etree"
)

// diffStanzas renders a line diff of expected against received, each
// written one element per line with the attribute order and escaping of
// model.Canonical. Lines only in expected start with "-", lines only in
// received with "+", common lines with a space (go-cmp's convention for
// cmp.Diff(expected, received)).
func diffStanzas(expected, received *etree.Element) string {
	return lineDiff(prettyLines(expected), prettyLines(received))
}

// prettyLines writes el one element per line, indented by two spaces per
// level. Whitespace-only text is dropped and text is trimmed.
func prettyLines(el *etree.Element) []string {
	var out []string
	var walk func(el *etree.Element, depth int)
	walk = func(el *etree.Element, depth int) {
		ind := strings.Repeat("  ", depth)
		var open strings.Builder
		open.WriteString("<" + el.FullTag())
		for _, a := range sortedAttrs(el) {
			open.WriteString(" " + a.FullKey() + "='" + attrEscaper.Replace(a.Value) + "'")
		}
		var text strings.Builder
		hasElem := false
		for _, t := range el.Child {
			switch c := t.(type) {
			case *etree.Element:
				hasElem = true
			case *etree.CharData:
				text.WriteString(c.Data)
			}
		}
		if !hasElem {
			if s := strings.TrimSpace(text.String()); s != "" {
				out = append(out, ind+open.String()+">"+textEscaper.Replace(s)+"</"+el.FullTag()+">")
			} else {
				out = append(out, ind+open.String()+"/>")
			}
			return
		}
		out = append(out, ind+open.String()+">")
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

var (
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", "\"", "&quot;")
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
)

// sortedAttrs returns el's attributes in model.Canonical's order.
func sortedAttrs(el *etree.Element) []etree.Attr {
	attrs := append([]etree.Attr(nil), el.Attr...)
	sort.SliceStable(attrs, func(i, j int) bool {
		if attrs[i].Space != attrs[j].Space {
			return attrs[i].Space < attrs[j].Space
		}
		return attrs[i].Key < attrs[j].Key
	})
	return attrs
}

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
