//go:build !unix

package discover

import "testing"

// plantFIFO: no FIFOs in this OS's file system.
func plantFIFO(testing.TB, string) {}
