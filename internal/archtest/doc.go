// Package archtest holds no code, only the test that keeps
// docs/architecture.md true: it reads the floors table there and the import
// graph from `go list` (for linux, windows and darwin), and fails when an
// import runs upward or sideways, when a package is missing from the table,
// or when the table lists a package that does not exist. The table is the
// rule; this package only enforces it.
package archtest
