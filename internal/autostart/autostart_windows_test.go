package autostart

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// useTestRunKey points the package at a Run key of the test's own and
// removes it afterwards, so no test touches the user's real Run value.
func useTestRunKey(t *testing.T) string {
	t.Helper()
	key := fmt.Sprintf(`%s%s-%d`, TestRunKeyPrefix, t.Name(), os.Getpid())
	old := runKey
	runKey = key
	t.Cleanup(func() {
		runKey = old
		registry.DeleteKey(registry.CURRENT_USER, key)
	})
	return key
}

func TestRunKeyRoundTrip(t *testing.T) {
	key := useTestRunKey(t)
	before, _ := readRealRun()
	exe := `C:\Program Files\traycheck\traycheck.exe`
	old := executable
	executable = func() (string, error) { return exe, nil }
	t.Cleanup(func() { executable = old })

	if on, err := Enabled(); on || err != nil {
		t.Fatalf("before: Enabled = %v, %v", on, err)
	}
	if err := Enable(); err != nil {
		t.Fatal(err)
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, key, registry.QUERY_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := k.GetStringValue(RunValueName)
	k.Close()
	if err != nil || v != `"`+exe+`"` {
		t.Fatalf("Run value %q, %v; want the quoted path", v, err)
	}
	if s, err := Status(); err != nil || !strings.HasPrefix(s, `enabled: HKCU\`+key+`\traycheck (written by traycheck) runs "C:\Program Files`) {
		t.Errorf("Status = %q, %v", s, err)
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if on, err := Enabled(); on || err != nil {
		t.Errorf("after Disable: Enabled = %v, %v", on, err)
	}

	// A value the user wrote is neither overwritten nor removed.
	k, _, err = registry.CreateKey(registry.CURRENT_USER, key, registry.SET_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	k.SetStringValue(RunValueName, `C:\tools\traycheck.exe --debug`)
	k.Close()
	if err := Enable(); !errors.Is(err, ErrForeign) {
		t.Errorf("Enable over the user's value: %v, want ErrForeign", err)
	}
	if err := Disable(); !errors.Is(err, ErrForeign) {
		t.Errorf("Disable of the user's value: %v, want ErrForeign", err)
	}
	if after, _ := readRealRun(); after != before {
		t.Errorf("the real Run value changed: %q -> %q", before, after)
	}
}

// readRealRun reads the real HKCU Run value, only to show it is untouched.
func readRealRun() (string, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, defaultRunKey, registry.QUERY_VALUE)
	if err != nil {
		return "", err
	}
	defer k.Close()
	v, _, err := k.GetStringValue(RunValueName)
	return v, err
}

func TestTestRunKeyOnlyUnderTestPrefix(t *testing.T) {
	for v, ok := range map[string]bool{
		TestRunKeyPrefix + `x`:           true,
		TestRunKeyPrefix + `a\b`:         true,
		TestRunKeyPrefix:                 false,
		defaultRunKey:                    false,
		`Software\Other\Run`:             false,
		TestRunKeyPrefix + `..\..\Run`:   false,
		`software\traycheck-test\x`:      false,
		`Software\traycheck-test-evil\x`: false,
	} {
		key, err := testRunKey(v)
		if (err == nil) != ok || (ok && key != v) || (!ok && key != defaultRunKey) {
			t.Errorf("testRunKey(%q) = %q, %v; want ok=%v", v, key, err, ok)
		}
	}
}
