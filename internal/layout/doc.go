// Package layout holds the test that keeps scansim's package layering
// honest: which of the project's packages each package may import. It has
// no code of its own; the rules are the table in layout_test.go, and
// docs/architecture.md draws the same picture.
package layout
