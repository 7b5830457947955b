package properties

import "pgregory.net/rapid"

// The machine's generators, made once. rapid.IntRange and rapid.Bool
// build a new generator on every call, and the machine draws a dozen
// numbers per action; a generator holds no state of its own (its draws
// come from the *rapid.T), so one per range draws exactly the same
// values.

// intRange is rapid.IntRange(lo, hi), shared.
func intRange(lo, hi int) *rapid.Generator[int] {
	if lo >= 0 && lo < len(intRanges) && hi >= lo && hi < len(intRanges[lo]) {
		return intRanges[lo][hi]
	}
	return rapid.IntRange(lo, hi)
}

var intRanges = func() (g [3][32]*rapid.Generator[int]) {
	for lo := range g {
		for hi := lo; hi < len(g[lo]); hi++ {
			g[lo][hi] = rapid.IntRange(lo, hi)
		}
	}
	return g
}()

// boolGen is rapid.Bool(), shared.
var boolGen = rapid.Bool()
