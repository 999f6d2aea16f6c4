package main

import (
	"golang.org/x/sys/windows/registry"

	"github.com/traycheck/traycheck/internal/config"
)

// testPolicy points the machine policy at a key of the tests' own that does
// not exist: the machine's HKLM policy stays out (path is for Unix files).
func testPolicy(string) {
	config.PolicyRoot, config.PolicyKey = registry.CURRENT_USER, `Software\traycheck-test\no-policy`
}
