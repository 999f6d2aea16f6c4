//go:build !unix && !windows

package findingprint

// terminal: no terminal is known here, so output stays plain.
func terminal(uintptr) termInfo { return termInfo{} }
