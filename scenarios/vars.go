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

// bindings resolves variables while a script runs.
type bindings struct {
	script *Script
	bound  map[string]jid.JID // client name -> bound full JID
	// cache holds the values lookup resolved since bound last changed,
	// and expanded the attribute values expand resolved.
	cache    map[varRef]string
	expanded map[string]string
}

// expand is expandVars(s, b.cached), remembering the results until
// forget: scripts repeat the same few values ("${Romeo's JID}").
func (b *bindings) expand(s string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	if v, ok := b.expanded[s]; ok {
		return v, nil
	}
	v, err := expandVars(s, b.cached)
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

// cached is lookup, remembering successful resolutions until forget.
func (b *bindings) cached(r varRef) (string, error) {
	if v, ok := b.cache[r]; ok {
		return v, nil
	}
	v, err := b.lookup(r)
	if err != nil {
		return "", err
	}
	if b.cache == nil {
		b.cache = make(map[varRef]string)
	}
	b.cache[r] = v
	return v, nil
}

// forget empties the cache: call it whenever bound changes.
func (b *bindings) forget() {
	clear(b.cache)
	clear(b.expanded)
}

func (b *bindings) lookup(r varRef) (string, error) {
	c := b.script.Client(r.Client)
	if c == nil {
		return "", fmt.Errorf("unknown client %q in %s (defined: %s)", r.Client, r, clientList(b.script))
	}
	if !r.Full {
		j := c.JID()
		if j.IsZero() {
			return "", fmt.Errorf("%s: client %q has no valid jid", r, c.Name)
		}
		return j.Bare().String(), nil
	}
	j, ok := b.bound[c.Name]
	if !ok {
		return "", fmt.Errorf("%s used before %s connects: the full JID is the one the server binds", r, c.Name)
	}
	return j.String(), nil
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
