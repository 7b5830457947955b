package compare

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scansim/scansim/model"
)

// Allowances are the known server behaviours a comparison accepts
// besides the model's. Each is driven by the profile field that
// documents it (docs/findings.md).
type Allowances struct {
	// ResentRequestsShareStanza, D6: Prosody 0.12.3 re-sends stored
	// subscription requests at initial presence from one shared stanza,
	// so a request may name another contact in 'to'. When a batch shows
	// such a request, the 'to' of the batch's requests is not compared.
	ResentRequestsShareStanza bool
	// PendingKeepsAddressedTo, D4: whether a stored request shows the full
	// 'to' its sender wrote or the contact's bare JID depends on whether
	// Prosody kept the contact's roster in memory, which the model
	// follows only approximately: the two are accepted for each other.
	PendingKeepsAddressedTo bool
}

// AllowancesFor returns the allowances profile p selects. strict drops
// the allowance for a server bug (D6); D4 is the model's approximation
// of the server, not a server bug, and stays.
func AllowancesFor(p model.Profile, strict bool) Allowances {
	return Allowances{
		ResentRequestsShareStanza: p.ResentRequestsShareStanza && !strict,
		PendingKeepsAddressedTo:   p.PendingKeepsAddressedTo,
	}
}

// Verdict is the outcome of judging one client's batch.
type Verdict int

const (
	// Same: the batches hold the same stanzas (as multisets, roster push
	// versions compared by count and final version).
	Same Verdict = iota
	// KnownBug: they are the same only under the D6 allowance.
	KnownBug
	// Differ: they differ.
	Differ
)

// Judge compares one action's batch of one client: want is the model's
// (the oracle), got the server's, both masked (Masker.Stanza). bare is
// the client's own bare JID (Masker.Bare), by which a leaked request of
// D6 is recognised; a masked client JID in a request's 'to' is resolved
// with bareOf (Masker.Bare of the client named in the variable).
func Judge(want, got []string, bare string, bareOf func(client string) string, a Allowances) Verdict {
	if sameMultiset(want, got) {
		return Same
	}
	// Roster versions are handed out in the order the server walks an
	// unordered table (the re-sent requests of an initial presence,
	// §3.1 step 5e), and a contact's answer to one request can be
	// handled, and saved, before the next request is sent: so which push
	// carries which version depends on that order. The batch must carry
	// the same pushes and end at the same version (the same number of
	// saves).
	wv, wvs := pushVersions(want)
	gv, gvs := pushVersions(got)
	if sameMultiset(wv, gv) && sameLastVersion(wvs, gvs) {
		return Same
	}
	if a.ResentRequestsShareStanza && leaksRequest(got, bare) {
		if sameMultiset(maskRequestTo(wv), maskRequestTo(gv)) && sameLastVersion(wvs, gvs) {
			return KnownBug
		}
	}
	if a.PendingKeepsAddressedTo {
		if sameMultiset(bareRequestTo(wv, bareOf), bareRequestTo(gv, bareOf)) && sameLastVersion(wvs, gvs) {
			return Same
		}
	}
	// An account removal closes the account's sessions one by one in the
	// order Prosody walks its sessions table (a Lua hash: unordered,
	// §0), and each closed session's unavailable reaches the siblings not
	// yet closed: which sibling hears which is the server's unspecified
	// order, so those unavailables are not compared (found against
	// 13.0.1 and 0.12.3 by check --server).
	if fw, fg := dropRemovalSiblings(wv, bareOf), dropRemovalSiblings(gv, bareOf); len(fw) != len(wv) || len(fg) != len(gv) {
		if sameMultiset(fw, fg) && sameLastVersion(wvs, gvs) {
			return Same
		}
	}
	return Differ
}

// removalSibling matches the masked unavailable a session of a removed
// account sends when the removal closes it, to a sibling session.
var removalSibling = regexp.MustCompile(`^<presence from='\$\{(.+?)'s full JID\}' to='\$\{(.+?)'s full JID\}' type='unavailable'><status>Disconnected: Account deleted</status></presence>$`)

// removalRoomSibling matches the masked leave a room sends a session
// when a sibling session of its removed account, in the room under
// another nick, is closed by the removal.
var removalRoomSibling = regexp.MustCompile(`^<presence from='[^'@]+@[^'/]+/[^']*' to='\$\{(.+?)'s full JID\}' type='unavailable'><status>Disconnected: Account deleted</status>.*<item [^>]*jid='\$\{(.+?)'s full JID\}'`)

// dropRemovalSiblings leaves out of stanzas the unavailables that one
// session of a removed account sends another as the removal closes it.
func dropRemovalSiblings(stanzas []string, bareOf func(string) string) []string {
	out := stanzas[:0:0]
	for _, x := range stanzas {
		if m := removalSibling.FindStringSubmatch(x); m != nil && bareOf(m[1]) != "" && bareOf(m[1]) == bareOf(m[2]) {
			continue
		}
		// The same in a room: siblings in one room under different
		// nicks hear each other leave (the occupant's real JID, shown
		// to its own account, names the sibling) in the close order
		// (0.12.3, check --server seed 11).
		if m := removalRoomSibling.FindStringSubmatch(x); m != nil && bareOf(m[1]) != "" && bareOf(m[1]) == bareOf(m[2]) {
			continue
		}
		out = append(out, x)
	}
	return out
}

// sameMultiset reports whether a and b hold the same strings, in any
// order.
func sameMultiset(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	if slices.Equal(a, b) {
		return true
	}
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// MultisetDiff lists, one per line, the stanzas only a holds ("- ") and
// only b holds ("+ "), each side sorted: the readable form of a
// difference between two batches whose order does not count.
func MultisetDiff(a, b []string) string {
	left := map[string]int{}
	for _, x := range b {
		left[x]++
	}
	var out strings.Builder
	var onlyA []string
	for _, x := range slices.Sorted(slices.Values(a)) {
		if left[x] > 0 {
			left[x]--
			continue
		}
		onlyA = append(onlyA, x)
	}
	for _, x := range onlyA {
		out.WriteString("- " + x + "\n")
	}
	for _, x := range slices.Sorted(slices.Values(b)) {
		if left[x] > 0 {
			left[x]--
			out.WriteString("+ " + x + "\n")
		}
	}
	return out.String()
}

// pushVer finds the version of a roster push in a canonical stanza.
var pushVer = regexp.MustCompile(`^(<iq [^>]*type='set'><query ver=')([^']*)(' xmlns='jabber:iq:roster'>)`)

// sameLastVersion: a and b hold as many versions and the same highest.
func sameLastVersion(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	top := func(vs []string) int {
		n := -1
		for _, v := range vs {
			if x, err := strconv.Atoi(v); err == nil && x > n {
				n = x
			}
		}
		return n
	}
	return top(a) == top(b)
}

// pushVersions returns stanzas with the version of every roster push
// replaced by "#", and the versions taken out.
func pushVersions(stanzas []string) (masked, vers []string) {
	masked = make([]string, len(stanzas))
	for i, x := range stanzas {
		if m := pushVer.FindStringSubmatchIndex(x); m != nil {
			vers = append(vers, x[m[4]:m[5]])
			x = x[:m[4]] + "#" + x[m[5]:]
		}
		masked[i] = x
	}
	return masked, vers
}

// subscribeTo finds the 'to' of a subscription request in a canonical
// stanza (attributes are in name order: from, id, to, type).
// A masked client JID keeps the quotes of the text it replaced, so its
// apostrophe may sit inside single quotes ('${u1a's full JID}').
var subscribeTo = regexp.MustCompile(`^(<presence [^>]*to=)('\$\{[^}]*\}'|"[^"]*"|'[^']*')([^>]* type='subscribe')`)

// leaksRequest reports whether one of stanzas is a subscription request
// addressed to an account other than bare.
func leaksRequest(stanzas []string, bare string) bool {
	for _, x := range stanzas {
		// a masked client JID ("${u1b's full JID}") is a full 'to' the
		// sender wrote (D4); the 5e re-send names bare contacts
		if m := subscribeTo.FindStringSubmatch(x); m != nil {
			if to := m[2][1 : len(m[2])-1]; !strings.HasPrefix(to, "${") && bareJID(to) != bare {
				return true
			}
		}
	}
	return false
}

// maskRequestTo returns stanzas with the 'to' of every subscription
// request replaced by "*".
func maskRequestTo(stanzas []string) []string {
	out := make([]string, len(stanzas))
	for i, x := range stanzas {
		out[i] = subscribeTo.ReplaceAllString(x, "${1}'*'${3}")
	}
	return out
}

// bareRequestTo returns stanzas with the 'to' of every subscription
// request cut to its bare JID (a masked "${u1b's full JID}" becomes
// bareOf("u1b")).
func bareRequestTo(stanzas []string, bareOf func(string) string) []string {
	out := make([]string, len(stanzas))
	for i, x := range stanzas {
		m := subscribeTo.FindStringSubmatchIndex(x)
		if m == nil {
			out[i] = x
			continue
		}
		to := x[m[4]+1 : m[5]-1]
		if name, ok := strings.CutSuffix(strings.TrimPrefix(to, "${"), "'s full JID}"); ok && strings.HasPrefix(to, "${") {
			to = bareOf(name)
		} else {
			to = bareJID(to)
		}
		out[i] = x[:m[4]] + "'" + to + "'" + x[m[5]:]
	}
	return out
}

// bareJID cuts the resource off a JID.
func bareJID(j string) string {
	if i := strings.IndexByte(j, '/'); i >= 0 {
		return j[:i]
	}
	return j
}
