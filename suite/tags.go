package suite

import (
	"strings"

	"github.com/scansim/scansim/scenarios"
)

// TagFilter selects scripts by their "##" tags (§1.2), as scansion's
// --only-tags and --skip-tags do.
//
// A term matches a tag when it names the whole tag or the tag's name:
//
//   - "status: stable" matches the tag "## status: stable" only. The term is
//     split at its first colon and both halves are trimmed, as tags are, so
//     "status:stable" is the same term.
//   - "status" (no colon) matches every tag named status, whatever its
//     value, and the bare tag "## status".
//   - A tag whose value is a comma-separated list is matched by each item:
//     "area: blocking" matches "## area: blocking, privacy" (and
//     "area: blocking, privacy" as a whole still matches it).
//
// Matching is exact and case-sensitive. A script is run when it has at
// least one tag matching a term of Only (or Only is empty) and no tag
// matching a term of Skip; Skip wins over Only.
type TagFilter struct {
	Only, Skip []string
}

// SplitTags splits a comma-separated list of terms, trimming each and
// dropping empty ones: "slow, status: stable" is two terms. A term cannot
// hold a comma: a tag whose value is a list is matched item by item.
func SplitTags(list string) []string {
	var out []string
	for _, t := range strings.Split(list, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// Empty reports whether the filter lets every script through.
func (f TagFilter) Empty() bool { return len(f.Only) == 0 && len(f.Skip) == 0 }

// Allows reports whether a script with tags is to be run and, when it is
// not, why ("skip-tags: slow" or "only-tags: none of status: stable").
func (f TagFilter) Allows(tags []scenarios.Tag) (bool, string) {
	for _, term := range f.Skip {
		if hasTag(tags, term) {
			return false, "skip-tags: " + term
		}
	}
	if len(f.Only) == 0 {
		return true, ""
	}
	for _, term := range f.Only {
		if hasTag(tags, term) {
			return true, ""
		}
	}
	return false, "only-tags: none of " + strings.Join(f.Only, ", ")
}

// hasTag reports whether one of tags matches term.
func hasTag(tags []scenarios.Tag, term string) bool {
	name, value, full := strings.Cut(term, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	for _, t := range tags {
		if t.Name != name {
			continue
		}
		if !full || t.Value == value {
			return true
		}
		for _, v := range SplitTags(t.Value) {
			if v == value {
				return true
			}
		}
	}
	return false
}
