package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

func agentPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "Library", "LaunchAgents", LaunchAgentLabel+".plist"), nil
}

func readAgent() (string, []byte, error) {
	p, err := agentPath()
	if err != nil {
		return "", nil, err
	}
	b, err := os.ReadFile(p)
	return p, b, err
}

func enabled() (bool, error) {
	_, _, err := readAgent()
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

func enable(exe string) error {
	p, b, err := readAgent()
	if err == nil {
		if ours, _, _ := plistState(b); !ours {
			return fmt.Errorf("%w: %s", ErrForeign, p)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	plist, err := LaunchAgent(exe)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, plist, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return os.Rename(tmp, p)
}

func disable() error {
	p, b, err := readAgent()
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if ours, _, _ := plistState(b); !ours {
		return fmt.Errorf("%w: %s", ErrForeign, p)
	}
	return os.Remove(p)
}

func status() (string, error) {
	p, b, err := readAgent()
	if errors.Is(err, os.ErrNotExist) {
		return "disabled: traycheck does not start at login (no " + p + ")", nil
	}
	if err != nil {
		return "", err
	}
	ours, prog, err := plistState(b)
	if err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	who := "written by traycheck"
	if !ours {
		who = "not written by traycheck"
	}
	return fmt.Sprintf("enabled: %s (%s) runs %s", p, who, prog), nil
}
