//go:build !linux && !windows && !darwin

package power

func osClock() SleepClock { return nil }

func osSources(Options) []source { return nil }
