package properties

import (
	"iter"

	"github.com/scansim/scansim/model"
)

// contactTable is a snapshot's roster relations: user a's model.Contact
// towards user b, for every pair of the run's users u1..uN (a != b),
// keyed {a, b} by user name. It replaces a map keyed by the pair: the
// invariants read and range over it a dozen times per step, and
// hashing string pairs was a visible share of a step's cost. Ranging
// (all) goes in user order, row by row.
type contactTable struct {
	n int
	c []model.Contact // n*n: row a, column b
}

func newContactTable(users int) contactTable {
	return contactTable{n: users, c: make([]model.Contact, users*users)}
}

// userIndex returns i for the name "u{i+1}", or -1 when name is not one
// of the n users.
func userIndex(name string, n int) int {
	if len(name) == 2 && name[0] == 'u' && name[1] >= '1' && name[1] <= '9' {
		if i := int(name[1] - '1'); i < n {
			return i
		}
		return -1
	}
	if len(name) < 2 || name[0] != 'u' || name[1] == '0' {
		return -1
	}
	i := 0
	for _, ch := range []byte(name[1:]) {
		if ch < '0' || ch > '9' || i > n {
			return -1
		}
		i = i*10 + int(ch-'0')
	}
	if i < 1 || i > n {
		return -1
	}
	return i - 1
}

// get returns k[0]'s contact towards k[1] (the zero Contact for a pair
// the table does not hold, as a map's missing key).
func (t contactTable) get(k [2]string) model.Contact {
	a, b := userIndex(k[0], t.n), userIndex(k[1], t.n)
	if a < 0 || b < 0 || a == b {
		return model.Contact{}
	}
	return t.c[a*t.n+b]
}

// set stores k[0]'s contact towards k[1]; both must be users of the table.
func (t contactTable) set(k [2]string, c model.Contact) {
	t.c[userIndex(k[0], t.n)*t.n+userIndex(k[1], t.n)] = c
}

// all ranges over every pair {a, b} (a != b) with a's contact towards b.
func (t contactTable) all() iter.Seq2[[2]string, model.Contact] {
	return func(yield func([2]string, model.Contact) bool) {
		for a := 0; a < t.n; a++ {
			for b := 0; b < t.n; b++ {
				if a != b && !yield([2]string{userName(a), userName(b)}, t.c[a*t.n+b]) {
					return
				}
			}
		}
	}
}

// userName is "u{i+1}" (constant strings for u1..u9).
func userName(i int) string {
	if i >= 0 && i < len(userNamesConst) {
		return userNamesConst[i]
	}
	return "u" + itoa(i+1)
}

var userNamesConst = [...]string{"u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for ; i > 0; i /= 10 {
		n--
		b[n] = byte('0' + i%10)
	}
	return string(b[n:])
}
