package power

import "testing"

func TestDarwinClock(t *testing.T) {
	a, err := darwinClock{}.Asleep()
	if err != nil || a < 0 {
		t.Fatalf("Asleep() = %v, %v", a, err)
	}
}
