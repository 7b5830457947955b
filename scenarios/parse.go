package scenarios

import (
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/scansim/scansim/jid"
)

// Parse reads a scansion script. filename is used in positions only.
//
// On success it returns the script, whose Warnings list what was accepted
// but is suspicious. Otherwise it returns a nil script and an ErrorList
// of every problem found, each "file:line: message". Parse never panics.
//
// The grammar is §1.8, read with the recommendations of §10: TAB or space
// indentation; "#", "//" and "--" comments at column 0 (a line of dashes
// is a comment that also ends a definition); an optional colon after the
// verb and optional inline data after it; blank lines do not end a data
// block; a block holding several stanzas draws a warning.
func Parse(filename string, src []byte) (*Script, error) {
	p := &parser{s: &Script{File: filename}}
	p.parse(src)
	if len(p.errs) > 0 {
		p.errs.Sort()
		return nil, p.errs
	}
	p.s.Warnings.Sort()
	compileScript(p.s) // once here, for every run of the script
	return p.s, nil
}

type parser struct {
	s      *Script
	errs   ErrorList
	client *Client // the definition being read, if any
	act    *pendingAction
	// pending is what act points to while an action is read.
	pending pendingAction
	// comments waiting for the next definition or action (scratch
	// room: takeComments hands them over).
	comments []string
	// inHeader: still in the title/description lines at the top.
	inHeader bool
	titled   bool // line 1 was a title
	// body: a definition or action has been seen.
	body       bool
	seenAction bool
	// bp reads every block of the script, into slabs: one block
	// parser, with its scratch room, and one set of slabs for the
	// script.
	bp    blockParser
	slabs parseSlabs
	// src is the script's text; off is the offset in it of the line
	// being read, and exact says that the line is read as it stands
	// there (no CR trimmed, valid UTF-8).
	src   string
	off   int
	exact bool
}

type pendingAction struct {
	a      *Action
	valid  bool
	inline string   // text after the colon
	lines  []string // the lines below the action line
	// start and end delimit the action's text in the source (see
	// parser.src) while exact holds: from the inline text to the end
	// of the last non-blank line below.
	start, end int
	exact      bool
}

func (p *parser) pos(line int) Pos { return Pos{File: p.s.File, Line: line} }

func (p *parser) errorf(line int, format string, args ...any) {
	p.errs.Addf(p.pos(line), format, args...)
}

func (p *parser) warnf(line int, format string, args ...any) {
	p.s.Warnings.Addf(p.pos(line), format, args...)
}

func isComment(line string) bool {
	return strings.HasPrefix(line, "#") || strings.HasPrefix(line, "//") || strings.HasPrefix(line, "--")
}

// isSeparator reports a line of three or more dashes (§1.4).
func isSeparator(line string) bool {
	s := strings.TrimRight(line, " \t")
	return len(s) >= 3 && strings.Trim(s, "-") == ""
}

func (p *parser) parse(src []byte) {
	text := string(src)
	text = strings.TrimPrefix(text, "\uFEFF")
	p.inHeader = true
	p.src = text
	// A text all fastSafe gives blocks that are (cut from it, or its
	// lines joined by newlines).
	p.bp.safe = p.slabs.estimate(text)
	p.s.Actions = make([]*Action, 0, p.slabs.actions.est)
	// The lines are cut from text one at a time (a list of them was
	// a twentieth of a parse's memory); a last empty line (the text
	// ends with a newline, or is empty) is no line.
	off := 0
	for n := 1; off < len(text); n++ {
		line := text[off:]
		if j := strings.IndexByte(line, '\n'); j >= 0 {
			line = line[:j]
		}
		p.off, p.exact = off, true
		off += len(line) + 1
		if !p.bp.safe { // a fastSafe text holds no CR and is ASCII
			if l := strings.TrimRight(line, "\r"); len(l) != len(line) { // CRLF, and stray CRs at line ends
				line, p.exact = l, false
			}
			if !utf8.ValidString(line) {
				p.errorf(n, "invalid UTF-8")
				line, p.exact = strings.ToValidUTF8(line, "\uFFFD"), false
			}
		}
		p.line(n, line)
	}
	p.endAction()
	p.endClient()
	p.s.Trailer = p.takeComments()
	if len(p.s.Actions) == 0 && len(p.errs) == 0 {
		p.warnf(0, "script has no actions")
	}
}

func (p *parser) line(n int, line string) {
	blank := strings.TrimSpace(line) == ""
	if p.inHeader {
		switch {
		case strings.HasPrefix(line, "##"):
			// tags are handled below
		case strings.HasPrefix(line, "#") && n == 1:
			p.s.Title = strings.TrimSpace(line[1:])
			p.titled = true
			return
		case strings.HasPrefix(line, "#") && p.titled:
			if p.s.Description != "" {
				p.s.Description += "\n"
			}
			p.s.Description += strings.TrimSpace(line[1:])
			return
		default:
			p.inHeader = false
		}
	}
	switch {
	case blank:
		if p.act != nil {
			p.act.lines = append(p.act.lines, "")
			// The text holds the blank line as empty.
			p.act.exact = p.act.exact && p.exact && line == ""
		} else {
			p.endClient()
		}
	case line[0] == ' ' || line[0] == '\t':
		switch {
		case p.act != nil:
			p.act.lines = append(p.act.lines, line)
			p.act.exact = p.act.exact && p.exact
			p.act.end = p.off + len(line)
		case p.client != nil:
			p.property(n, strings.TrimSpace(line))
		case strings.HasPrefix(strings.TrimSpace(line), "<"):
			p.errorf(n, "indented data outside an action block: expected an action line such as \"Romeo sends:\" above it (a comment at column 0 ends a block)")
		default:
			p.errorf(n, "property line %q outside a [Client] block: expected a \"[Client] Name\" line above it", strings.TrimSpace(line))
		}
	case isComment(line):
		p.endAction()
		switch {
		case strings.HasPrefix(line, "##") && !p.body:
			p.tag(n, line)
		case isSeparator(line):
			p.endClient()
			p.comments = p.comments[:0]
		default:
			p.comments = append(p.comments, line)
		}
	case line[0] == '[':
		p.endAction()
		p.endClient()
		p.define(n, line)
	default:
		p.endAction()
		p.endClient()
		p.action(n, line)
	}
}

func (p *parser) tag(n int, line string) {
	text := strings.TrimSpace(line[2:])
	if text == "" {
		p.warnf(n, "empty tag line")
		return
	}
	name, value, _ := strings.Cut(text, ":")
	if name = strings.TrimSpace(name); name == "" {
		// "##: x" names nothing; a nameless tag could not be written back.
		p.warnf(n, "tag line without a tag name")
		return
	}
	p.s.Tags = append(p.s.Tags, Tag{Name: name, Value: strings.TrimSpace(value), Pos: p.pos(n)})
}

// define reads a "[Class] Name" line.
func (p *parser) define(n int, line string) {
	p.body = true
	// Properties below a bad definition line are read into a scratch
	// client so that they draw no errors of their own.
	p.client = &Client{Pos: p.pos(n)}
	comments := p.takeComments()
	end := strings.IndexByte(line, ']')
	if end < 0 {
		p.errorf(n, "expected a definition \"[Client] Name\", found %q", line)
		return
	}
	class, name := line[1:end], strings.TrimSpace(line[end+1:])
	switch {
	case class != "Client":
		p.errorf(n, "unknown class [%s]: only [Client] is supported", class)
		return
	case name == "":
		p.errorf(n, "missing name after [Client]")
		return
	case strings.Contains(name, ":"):
		p.errorf(n, "client name %q contains a colon, which action lines cannot refer to", name)
		return
	case p.seenAction:
		p.errorf(n, "definition of %q after the first action: definitions must come before the actions", name)
		return
	}
	if c := p.s.Client(name); c != nil {
		p.errorf(n, "duplicate client name %q (first defined on line %d)", name, c.Pos.Line)
		return
	}
	p.client.Name = name
	p.client.Comments = comments
	p.s.Clients = append(p.s.Clients, p.client)
}

var knownProps = []string{PropJID, PropPassword, PropResource, PropConnectHost, PropConnectPort}

// property reads an indented "key: value" line of the current definition.
func (p *parser) property(n int, text string) {
	c := p.client
	key, value, ok := strings.Cut(text, ":")
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	if !ok || key == "" || strings.ContainsAny(key, " \t<") {
		p.errorf(n, "expected a property line \"key: value\" in [Client] %s, found %q", c.Name, text)
		return
	}
	for _, q := range c.Props {
		if q.Key == key {
			p.errorf(n, "duplicate property %q in [Client] %s (first on line %d)", key, c.Name, q.Pos.Line)
			return
		}
	}
	// An invalid value is still recorded, so that it draws one error
	// rather than a second "has no jid" one.
	switch key {
	case PropJID:
		j, err := jid.Parse(value)
		switch {
		case err != nil:
			p.errorf(n, "jid %q of [Client] %s: %v", value, c.Name, err)
		case j.Node == "":
			p.errorf(n, "jid %q of [Client] %s has no localpart: expected user@host", value, c.Name)
		}
	case PropResource:
		if value == "" {
			p.errorf(n, "empty resource in [Client] %s", c.Name)
		}
	case PropConnectPort:
		if port, err := strconv.Atoi(value); err != nil || port < 1 || port > 65535 {
			p.errorf(n, "connect_port %q of [Client] %s: expected a port number from 1 to 65535", value, c.Name)
		}
	case PropPassword, PropConnectHost:
	default:
		p.warnf(n, "unknown property %q in [Client] %s is kept but not used (known: %s)", key, c.Name, strings.Join(knownProps, ", "))
	}
	c.Props = append(c.Props, Property{Key: key, Value: value, Pos: p.pos(n)})
}

// takeComments hands over the comments waiting, copied from the
// scratch list they gather in (nil when there are none).
func (p *parser) takeComments() []string {
	if len(p.comments) == 0 {
		return nil
	}
	c := p.slabs.comments.take(len(p.comments))
	copy(c, p.comments)
	p.comments = p.comments[:0]
	return c
}

// endClient closes the current definition and checks it.
func (p *parser) endClient() {
	c := p.client
	p.client = nil
	if c == nil || c.Name == "" {
		return
	}
	raw, ok := c.Prop(PropJID)
	if !ok {
		p.errorf(c.Pos.Line, "[Client] %s has no jid property: expected an indented \"jid: user@host\" line", c.Name)
		return
	}
	if r, ok := c.Prop(PropResource); ok {
		if j, err := jid.Parse(raw); err == nil && j.Resource != "" && j.Resource != r {
			p.warnf(c.Pos.Line, "[Client] %s: jid has resource %q and the resource property is %q; the resource property wins", c.Name, j.Resource, r)
		}
	}
}

// action reads an action line "<Name> <verb>[:[ inline]]".
func (p *parser) action(n int, line string) {
	p.body = true
	p.seenAction = true
	head, inline, _ := strings.Cut(line, ":")
	head = strings.TrimRight(head, " \t")
	// One pendingAction, and its list of lines, serves every action in
	// turn.
	a := p.slabs.actions.one()
	a.Pos = p.pos(n)
	p.pending = pendingAction{a: a, inline: inline, lines: p.pending.lines[:0], exact: p.exact}
	pa := &p.pending
	pa.start = p.off + len(line) - len(inline)
	pa.end = pa.start + len(inline)
	p.act = pa
	pa.a.Comments = p.takeComments()
	i := strings.LastIndexAny(head, " \t")
	if i < 0 {
		if verbByName(head) != 0 {
			p.errorf(n, "missing client name before %q: expected \"<Name> %s\"", head, head)
		} else {
			p.errorf(n, "expected an action \"<Name> <verb>\" or a definition \"[Client] Name\", found %q", line)
		}
		return
	}
	name, word := strings.TrimSpace(head[:i]), head[i+1:]
	verb := verbByName(word)
	if verb == 0 {
		// "Romeo receives nothing" (no colon) reads as client "Romeo
		// receives" and verb "nothing": say what was meant.
		if j := strings.LastIndexAny(name, " \t"); j >= 0 && verbByName(name[j+1:]) != 0 {
			p.errorf(n, "unknown verb %q in %q: did you mean \"%s %s: %s\"?", word, line, strings.TrimSpace(name[:j]), name[j+1:], word)
			return
		}
		p.errorf(n, "unknown verb %q in %q: expected connects, disconnects, sends or receives", word, line)
		return
	}
	if p.s.Client(name) == nil {
		p.errorf(n, "unknown client %q in %q (defined: %s)", name, line, clientList(p.s))
		return
	}
	pa.a.Client, pa.a.Verb, pa.valid = name, verb, true
}

// endAction finishes the pending action: it checks and parses its data.
func (p *parser) endAction() {
	pa := p.act
	p.act = nil
	if pa == nil || !pa.valid {
		return
	}
	a := pa.a
	for len(pa.lines) > 0 && pa.lines[len(pa.lines)-1] == "" {
		pa.lines = pa.lines[:len(pa.lines)-1]
	}
	// Line 1 of text is the action line itself, so that line numbers in
	// XML errors map directly onto the file. It is the inline text and
	// the lines below joined by newlines: when they stand in the source
	// as read, that is a piece of the source, which the action's data,
	// stanzas and their raw text then share.
	text := pa.inline
	switch {
	case pa.exact:
		text = p.src[pa.start:pa.end]
	case len(pa.lines) > 0:
		text += "\n" + strings.Join(pa.lines, "\n")
	}
	a.Data = strings.TrimSpace(text)
	n := a.Pos.Line
	switch a.Verb {
	case Connects, Disconnects:
		if a.Data != "" {
			p.errorf(firstDataLine(n, pa), "%s %s takes no data, found %q", a.Client, a.Verb, firstLine(a.Data))
			return
		}
	case Receives:
		if a.Data == "nothing" {
			a.Nothing = true
			break
		}
		fallthrough
	case Sends:
		if a.Data == "" {
			extra := ""
			if a.Verb == Receives {
				extra = ", or \"receives: nothing\""
			}
			p.errorf(n, "empty %s block: expected a stanza indented below \"%s %s:\"%s", a.Verb, a.Client, a.Verb, extra)
			return
		}
		if !p.stanzas(a, text) {
			return
		}
	}
	p.s.Actions = append(p.s.Actions, a)
}

func (p *parser) stanzas(a *Action, text string) bool {
	kind := blockSends
	if a.Verb == Receives {
		kind = blockReceives
	}
	bp := &p.bp
	if bp.slabs == nil {
		bp.errs, bp.warns, bp.script, bp.slabs = &p.errs, &p.s.Warnings, p.s, &p.slabs
		bp.wrapper = newWrapper()
		bp.wrapper.Child = make([]etree.Token, 0, p.slabs.stanzas.est)
	}
	bp.base, bp.kind = a.Pos, kind
	before := len(p.errs)
	a.Stanzas = bp.parse(text)
	if len(p.errs) > before {
		return false
	}
	switch len(a.Stanzas) {
	case 0:
		p.errorf(a.Pos.Line, "%s block holds no element: expected a stanza", a.Verb)
		return false
	case 1:
	default:
		lines := make([]string, len(a.Stanzas))
		for i, st := range a.Stanzas {
			lines[i] = strconv.Itoa(st.Pos.Line)
		}
		what := "they are sent as one burst, without waiting for answers in between"
		if a.Verb == Receives {
			what = "each is expected in turn"
		}
		p.warnf(a.Pos.Line, "%s block holds %d stanzas (lines %s); %s", a.Verb, len(a.Stanzas), strings.Join(lines, ", "), what)
	}
	return true
}

func firstDataLine(n int, pa *pendingAction) int {
	if strings.TrimSpace(pa.inline) != "" {
		return n
	}
	for i, l := range pa.lines {
		if strings.TrimSpace(l) != "" {
			return n + 1 + i
		}
	}
	return n
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// ParseFile reads the script at path and parses it (see Parse); positions
// name path. A file that cannot be read is one error "path: reason".
func ParseFile(path string) (*Script, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Pos: Pos{File: path}, Msg: unwrapPath(err).Error()}
	}
	return Parse(path, src)
}
