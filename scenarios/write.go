package scenarios

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"
	"github.com/scansim/scansim/stanza"
)

// Format writes s in the layout of mod_scansion_record (§8): the title,
// description and tags as "#" and "##" lines, each [Client] block with
// TAB-indented "key: value" lines, a "-----" separator, then the actions
// separated by blank lines. A stanza's first line is indented by one TAB
// and each nesting level by one more; an element holding only text stays
// on one line, and one with mixed content is written compactly on one
// line. Attribute values are quoted with ' unless they contain one and no
// ", as ${Name's JID} does. Line breaks in text and attribute values are
// written as character references, so no data line can start at column
// 0. Comments kept by Parse are written above their definition or action.
//
// Parse(Format(s)) gives a script equal to s in everything but positions,
// the Data and Raw source texts, XML comments and warnings.
func Format(s *Script) []byte {
	var b bytes.Buffer
	writeHead(&b, s)
	writeActions(&b, s.Actions)
	writeLines(&b, s.Trailer)
	return b.Bytes()
}

// FormatStream writes a script whose actions were written apart, as they
// came (FormatActions: a recording streamed to a file), in Format's
// layout: head holds the title, description, tags and clients; the
// actions are copied from body; head's Trailer follows them.
func FormatStream(w io.Writer, head *Script, body io.Reader) error {
	var b bytes.Buffer
	writeHead(&b, head)
	if _, err := w.Write(b.Bytes()); err != nil {
		return err
	}
	if _, err := io.Copy(w, body); err != nil {
		return err
	}
	b.Reset()
	writeLines(&b, head.Trailer)
	_, err := w.Write(b.Bytes())
	return err
}

// FormatActions writes actions as Format writes a script's actions.
func FormatActions(actions []*Action) []byte {
	var b bytes.Buffer
	writeActions(&b, actions)
	return b.Bytes()
}

func writeLines(b *bytes.Buffer, lines []string) {
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
}

// writeHead writes everything before the first action.
func writeHead(b *bytes.Buffer, s *Script) {
	line := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteByte('\n')
	}
	header := false
	if s.Title != "" || s.Description != "" {
		line("# ", s.Title)
		if s.Description != "" {
			for _, d := range strings.Split(s.Description, "\n") {
				line(strings.TrimRight("# "+d, " "))
			}
		}
		header = true
	}
	for _, t := range s.Tags {
		line("## ", t.String())
		header = true
	}
	if header {
		line()
	} else if firstIsComment(s) {
		// A "#" line at the very top would be read back as the title.
		line()
	}
	for _, c := range s.Clients {
		for _, cm := range c.Comments {
			line(cm)
		}
		line("[Client] ", c.Name)
		for _, p := range c.Props {
			line("\t", p.Key, ": ", p.Value)
		}
		line()
	}
	line("-----")
	line()
}

// writeActions writes actions, each followed by a blank line.
func writeActions(b *bytes.Buffer, actions []*Action) {
	line := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteByte('\n')
	}
	for _, a := range actions {
		for _, cm := range a.Comments {
			line(cm)
		}
		switch {
		case a.Verb == Connects || a.Verb == Disconnects:
			line(a.Client, " ", a.Verb.String())
		case a.Nothing:
			line(a.Client, " ", a.Verb.String(), ": nothing")
		default:
			line(a.Client, " ", a.Verb.String(), ":")
			for _, st := range a.Stanzas {
				writeElement(b, st.Elem, 1)
			}
		}
		line()
	}
}

func firstIsComment(s *Script) bool {
	switch {
	case len(s.Clients) > 0:
		return len(s.Clients[0].Comments) > 0
	case len(s.Actions) > 0:
		return len(s.Actions[0].Comments) > 0
	}
	return false
}

// writeElement writes el indented by depth TABs, one element per line.
func writeElement(b *bytes.Buffer, el *etree.Element, depth int) {
	ind := strings.Repeat("\t", depth)
	text, hasElem := content(el)
	b.WriteString(ind)
	if hasElem && strings.TrimSpace(text) != "" || depth > maxDepth {
		writeCompact(b, el)
		b.WriteByte('\n')
		return
	}
	writeStartTag(b, el)
	switch {
	case hasElem:
		b.WriteString(">\n")
		for _, c := range el.ChildElements() {
			writeElement(b, c, depth+1)
		}
		b.WriteString(ind + "</" + el.FullTag() + ">\n")
	case text != "":
		b.WriteString(">" + escapeText(text) + "</" + el.FullTag() + ">\n")
	default:
		b.WriteString("/>\n")
	}
}

// writeCompact writes el and its content on one line, text as it is.
func writeCompact(b *bytes.Buffer, el *etree.Element) {
	writeStartTag(b, el)
	if len(el.Child) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteByte('>')
	for _, t := range el.Child {
		switch c := t.(type) {
		case *etree.Element:
			writeCompact(b, c)
		case *etree.CharData:
			b.WriteString(escapeText(c.Data))
		}
	}
	b.WriteString("</" + el.FullTag() + ">")
}

func writeStartTag(b *bytes.Buffer, el *etree.Element) {
	b.WriteString("<" + el.FullTag())
	for _, a := range el.Attr {
		q := "'"
		if strings.Contains(a.Value, "'") && !strings.Contains(a.Value, `"`) {
			q = `"`
		}
		b.WriteString(" " + a.FullKey() + "=" + q + escapeAttr(a.Value, q) + q)
	}
}

var (
	textWriter = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\n", "&#10;", "\r", "&#13;")
	attrWriter = strings.NewReplacer("&", "&amp;", "<", "&lt;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")
)

func escapeText(s string) string { return textWriter.Replace(s) }

func escapeAttr(s, quote string) string {
	s = attrWriter.Replace(s)
	if quote == "'" {
		return strings.ReplaceAll(s, "'", "&apos;")
	}
	return strings.ReplaceAll(s, `"`, "&quot;")
}

// Summary renders what a script means, one fact per line, leaving out what
// Format does not keep: positions, the source texts (Data, Raw), XML
// comments and warnings; stanzas appear in canonical form (see stanza.Stanza.Canonical). A script
// and Parse(Format(script)) have the same Summary, which is how a
// formatter or a generator can check it changed nothing that matters.
func Summary(s *Script) string {
	var b strings.Builder
	fmt.Fprintf(&b, "title %q\ndescription %q\n", s.Title, s.Description)
	for _, t := range s.Tags {
		fmt.Fprintf(&b, "tag %q %q\n", t.Name, t.Value)
	}
	for _, c := range s.Clients {
		fmt.Fprintf(&b, "client %q comments %q\n", c.Name, c.Comments)
		for _, p := range c.Props {
			fmt.Fprintf(&b, "  prop %q %q\n", p.Key, p.Value)
		}
	}
	for i, a := range s.Actions {
		fmt.Fprintf(&b, "action %d %q %v nothing=%v comments %q\n", i+1, a.Client, a.Verb, a.Nothing, a.Comments)
		for _, st := range a.Stanzas {
			fmt.Fprintf(&b, "  stanza %s\n", stanza.FromElement(st.Elem).Canonical())
		}
	}
	fmt.Fprintf(&b, "trailer %q\n", s.Trailer)
	return b.String()
}
