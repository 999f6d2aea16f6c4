//go:build !linux && !windows && !darwin

package vpnport

// No probe on this OS: newOSImpl stays nil, so Prober.Probe returns
// ErrNotImplemented and diagnosis has nothing to misread. The parsers in
// the files without an OS suffix still build and test here.
