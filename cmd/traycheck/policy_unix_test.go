//go:build !windows

package main

import "github.com/traycheck/traycheck/internal/config"

// testPolicy points the machine policy at path (a file that does not exist
// without one).
func testPolicy(path string) {
	if path == "" {
		path = "/nonexistent/traycheck-test/policy.toml"
	}
	config.PolicyPath = path
}
