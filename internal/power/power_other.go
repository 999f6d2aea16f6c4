//go:build !linux

package power

func osClock() SleepClock { return nil }

func osSources(Options) []source { return nil }
