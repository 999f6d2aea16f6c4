//go:build !linux

package safefile

import "os"

// checkPseudoFS: outside Linux the name checks are what there is.
func checkPseudoFS(*os.File, string) error { return nil }
