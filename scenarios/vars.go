package scenarios

import (
	"fmt"
	"strings"

	"github.com/scansim/scansim/jid"
)

// Variable properties (§3).
const (
	varJID     = "JID"      // the bare JID
	varFullJID = "full JID" // the JID the server bound
)

// varRef is a parsed ${Name's property} reference.
type varRef struct {
	Client string
	Full   bool // "full JID" rather than "JID"
}

func (r varRef) String() string {
	if r.Full {
		return "${" + r.Client + "'s " + varFullJID + "}"
	}
	return "${" + r.Client + "'s " + varJID + "}"
}

// parseVarRef parses the text between "${" and "}". The name and the
// property are split at the last "'s ", so that names may themselves
// contain "'s " (§3: ${Juliet's phone's full JID}).
func parseVarRef(inner string) (varRef, error) {
	i := strings.LastIndex(inner, "'s ")
	if i <= 0 {
		return varRef{}, fmt.Errorf("malformed variable ${%s}: expected ${Name's JID} or ${Name's full JID}", inner)
	}
	name, prop := inner[:i], inner[i+len("'s "):]
	switch prop {
	case varJID:
		return varRef{Client: name}, nil
	case varFullJID:
		return varRef{Client: name, Full: true}, nil
	}
	return varRef{}, fmt.Errorf("unknown property %q in ${%s}: expected %q or %q", prop, inner, varJID, varFullJID)
}

// expandVars replaces every ${...} in s by lookup's value. It returns s
// itself when s holds no variable. The values are inserted into an
// already parsed attribute value, so no XML escaping is involved; the
// writers escape them when the element is serialised.
func expandVars(s string, lookup func(varRef) (string, error)) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	if strings.HasPrefix(s, "${") && strings.IndexByte(s, '}') == len(s)-1 {
		// The whole value is one variable (the usual "${Romeo's JID}"):
		// its value as it is, without building a copy.
		ref, err := parseVarRef(s[2 : len(s)-1])
		if err != nil {
			return "", err
		}
		return lookup(ref)
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("unterminated variable %q: expected ${Name's JID} or ${Name's full JID}", s[i:])
		}
		ref, err := parseVarRef(s[i+2 : i+j])
		if err != nil {
			return "", err
		}
		v, err := lookup(ref)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		s = s[i+j+1:]
	}
}

// checkVars reports the first problem with the variables in s without
// resolving them: syntax, and names that are not clients of script. It
// reads the references as expandVars does, without building the result.
func checkVars(s string, script *Script) error {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return nil
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return fmt.Errorf("unterminated variable %q: expected ${Name's JID} or ${Name's full JID}", s[i:])
		}
		r, err := parseVarRef(s[i+2 : i+j])
		if err != nil {
			return err
		}
		if script.Client(r.Client) == nil {
			return fmt.Errorf("unknown client %q in %s (defined: %s)", r.Client, r, clientList(script))
		}
		s = s[i+j+1:]
	}
}

// bindings resolves variables while a script runs. A client connects at
// most once in a run (Run refuses a second connects), so a value once
// resolved holds for the rest of the run: nothing is ever forgotten.
type bindings struct {
	script *Script
	// vals[2*i] is ${C's JID} of C = script.Clients[i] once resolved,
	// vals[2*i+1] its ${C's full JID} once C has connected ("": not yet).
	vals []string
	// expanded holds the attribute values expand resolved.
	expanded map[string]string
}

// expand is expandVars(s, b.value), remembering the results: scripts
// repeat the same few values ("${Romeo's JID}").
func (b *bindings) expand(s string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	if v, ok := b.expanded[s]; ok {
		return v, nil
	}
	v, err := expandVars(s, b.value)
	if err != nil {
		return "", err
	}
	if b.expanded == nil {
		b.expanded = make(map[string]string)
	}
	b.expanded[s] = v
	return v, nil
}

// slot fills a variable slot of a compiled expected stanza at match
// time. The runner resolved every slot of the stanza before matching it
// (the results are in expanded), so the error cannot occur here.
func (b *bindings) slot(s string) string {
	v, _ := b.expand(s)
	return v
}

// room sizes vals for the script's clients.
func (b *bindings) room() {
	if n := 2 * len(b.script.Clients); len(b.vals) < n {
		b.vals = append(b.vals, make([]string, n-len(b.vals))...)
	}
}

// bind records the full JID the server bound for script.Clients[i].
func (b *bindings) bind(i int, j jid.JID) {
	b.room()
	b.vals[2*i+1] = j.String()
}

// value resolves r.
func (b *bindings) value(r varRef) (string, error) {
	i := clientIndex(b.script, r.Client)
	if i < 0 {
		return "", fmt.Errorf("unknown client %q in %s (defined: %s)", r.Client, r, clientList(b.script))
	}
	b.room()
	if r.Full {
		if v := b.vals[2*i+1]; v != "" {
			return v, nil
		}
		return "", fmt.Errorf("%s used before %s connects: the full JID is the one the server binds", r, r.Client)
	}
	if v := b.vals[2*i]; v != "" {
		return v, nil
	}
	j := b.script.Clients[i].JID()
	if j.IsZero() {
		return "", fmt.Errorf("%s: client %q has no valid jid", r, r.Client)
	}
	v := j.Bare().String()
	b.vals[2*i] = v
	return v, nil
}

// clientIndex is the index of the client named name in s.Clients, or -1.
func clientIndex(s *Script, name string) int {
	for i, c := range s.Clients {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// clientList renders the defined client names for error messages.
func clientList(s *Script) string {
	if len(s.Clients) == 0 {
		return "none"
	}
	names := make([]string, len(s.Clients))
	for i, c := range s.Clients {
		names[i] = fmt.Sprintf("%q", c.Name)
	}
	return strings.Join(names, ", ")
}
