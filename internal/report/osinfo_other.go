//go:build !linux && !windows && !darwin

package report

import "runtime"

func osName() (name, kernel string) { return runtime.GOOS, "" }
