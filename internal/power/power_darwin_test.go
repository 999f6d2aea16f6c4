package power

import "testing"

func TestDarwinClock(t *testing.T) {
	a, err := darwinClock{}.Asleep()
	// The two clocks are read one after the other; allow the read gap.
	if err != nil || a < -1e6 {
		t.Fatalf("Asleep() = %v, %v", a, err)
	}
}
