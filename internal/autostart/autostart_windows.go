package autostart

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/windows/registry"
)

const defaultRunKey = `Software\Microsoft\Windows\CurrentVersion\Run`

// TestRunKeyEnv names an environment variable that moves the Run value to a
// key of the tests' own, so that no test (in-process, a testscript or the
// real traycheck.exe in the end-to-end tests) ever touches the user's real
// HKCU Run value. It is honoured only for keys under TestRunKeyPrefix, which
// Windows never reads at login: set by anyone, it can only make autostart
// point nowhere, never start something. Any other value is an error, not a
// silent fallback to the real key.
const (
	TestRunKeyEnv    = "TRAYCHECK_TEST_RUN_KEY"
	TestRunKeyPrefix = `Software\traycheck-test\`
)

// runKey is the HKCU key that holds the Run value: the real one unless
// TestRunKeyEnv names a test key.
var runKey = defaultRunKey

// runKeyErr is why TestRunKeyEnv was refused; every call reports it.
var runKeyErr error

func init() {
	if v, ok := os.LookupEnv(TestRunKeyEnv); ok {
		runKey, runKeyErr = testRunKey(v)
	}
}

// testRunKey checks a TestRunKeyEnv value.
func testRunKey(v string) (string, error) {
	rest, under := strings.CutPrefix(v, TestRunKeyPrefix)
	if !under || rest == "" || strings.Contains(rest, "..") {
		return defaultRunKey, fmt.Errorf("%s=%q: want a key under HKCU\\%s", TestRunKeyEnv, v, TestRunKeyPrefix)
	}
	return v, nil
}

func readRun() (string, error) {
	if runKeyErr != nil {
		return "", runKeyErr
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		return "", err
	}
	defer k.Close()
	v, _, err := k.GetStringValue(RunValueName)
	return v, err
}

func enabled() (bool, error) {
	_, err := readRun()
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

func enable(exe string) error {
	if runKeyErr != nil {
		return runKeyErr
	}
	if cur, err := readRun(); err == nil && !runValueIsOurs(cur) {
		return fmt.Errorf("%w: HKCU\\%s\\%s = %s", ErrForeign, runKey, RunValueName, cur)
	}
	data, err := RunValue(exe)
	if err != nil {
		return err
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("opening HKCU\\%s: %w", runKey, err)
	}
	defer k.Close()
	return k.SetStringValue(RunValueName, data)
}

func disable() error {
	cur, err := readRun()
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !runValueIsOurs(cur) {
		return fmt.Errorf("%w: HKCU\\%s\\%s = %s", ErrForeign, runKey, RunValueName, cur)
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	return k.DeleteValue(RunValueName)
}

func status() (string, error) {
	cur, err := readRun()
	if errors.Is(err, registry.ErrNotExist) {
		return "disabled: traycheck does not start at login (no HKCU\\" + runKey + "\\" + RunValueName + ")", nil
	}
	if err != nil {
		return "", err
	}
	who := "written by traycheck"
	if !runValueIsOurs(cur) {
		who = "not written by traycheck"
	}
	return fmt.Sprintf("enabled: HKCU\\%s\\%s (%s) runs %s", runKey, RunValueName, who, cur), nil
}
