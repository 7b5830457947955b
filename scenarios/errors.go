package scenarios

import (
	"fmt"
	"sort"
	"strconv"
)

// Pos is a position in a script: the file name as given to Parse and a
// 1-based line number. The zero Pos is "no position".
type Pos struct {
	File string
	Line int
}

// IsValid reports whether the position has a line number.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String returns "file:line", "line" when the file is unnamed, "file"
// when the line is unknown, or "-" for the zero Pos.
func (p Pos) String() string {
	switch {
	case p.File != "" && p.Line > 0:
		return p.File + ":" + strconv.Itoa(p.Line)
	case p.Line > 0:
		return strconv.Itoa(p.Line)
	case p.File != "":
		return p.File
	}
	return "-"
}

// Error is a problem found at a position in a script: a parse error, a
// parse warning, or a script error found while running (for example
// sending after disconnecting).
type Error struct {
	Pos Pos
	Msg string
}

// Error returns "file:line: message".
func (e *Error) Error() string {
	if !e.Pos.IsValid() && e.Pos.File == "" {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// ErrorList is a list of *Error, in the style of go/scanner.ErrorList.
// The zero value is an empty list ready to use.
type ErrorList []*Error

// Add appends an error at pos.
func (l *ErrorList) Add(pos Pos, msg string) { *l = append(*l, &Error{Pos: pos, Msg: msg}) }

// Addf appends a formatted error at pos.
func (l *ErrorList) Addf(pos Pos, format string, args ...any) {
	l.Add(pos, fmt.Sprintf(format, args...))
}

// Len, Swap and Less implement sort.Interface: by file, then line; the
// order of errors on one line is kept by Sort.
func (l ErrorList) Len() int      { return len(l) }
func (l ErrorList) Swap(i, j int) { l[i], l[j] = l[j], l[i] }
func (l ErrorList) Less(i, j int) bool {
	a, b := l[i].Pos, l[j].Pos
	if a.File != b.File {
		return a.File < b.File
	}
	return a.Line < b.Line
}

// Sort sorts the list by position, keeping the order of errors at the
// same position.
func (l ErrorList) Sort() { sort.Stable(l) }

// Error returns the first error, followed by a count of the others.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	case 2:
		return fmt.Sprintf("%s (and 1 more error)", l[0])
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Err returns nil for an empty list and the list itself otherwise, so
// that a nil error is returned as a nil interface.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
