package autostart

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

func readRun() (string, error) {
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
