package power

import "testing"

func TestInterruptClock(t *testing.T) {
	c := osClock()
	if c == nil {
		t.Fatal("QueryInterruptTime/QueryUnbiasedInterruptTime missing: Windows 10 has both")
	}
	a, err := c.Asleep()
	if err != nil || a < 0 {
		t.Fatalf("Asleep() = %v, %v", a, err)
	}
}

func TestPowrprofAvailable(t *testing.T) {
	if len(osSources(Options{})) != 1 {
		t.Fatal("PowerRegisterSuspendResumeNotification missing from powrprof.dll")
	}
}
