package config

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/traycheck/traycheck/internal/safefile"
)

//go:embed default.toml
var defaultTOML []byte

// maxFileSize bounds what Load reads: a real config is a few kilobytes, and a
// huge file is a mistake (or an attack) that should not eat memory.
const maxFileSize = 1 << 20

var parsedDefault = sync.OnceValues(func() (*Config, *Error) {
	return parse(EmbeddedSource, defaultTOML, nil)
})

// Default returns the embedded default config. Each call returns a fresh
// copy, so callers may change it.
func Default() *Config {
	cfg, err := parsedDefault()
	if err != nil {
		// The embedded file is part of the binary and tested; this is a
		// build that should never have passed its tests.
		panic("config: embedded default does not parse: " + err.Error())
	}
	return cfg.clone()
}

// DefaultTOML returns the text of the embedded default config, comments and
// all (the bottom layer; `traycheck config init` writes UserFileText).
func DefaultTOML() []byte {
	return slices.Clone(defaultTOML)
}

func (c *Config) clone() *Config {
	d := *c
	d.Ports = slices.Clone(c.Ports)
	d.Devices = slices.Clone(c.Devices)
	d.Clients = slices.Clone(c.Clients)
	d.SSHForwardPorts = slices.Clone(c.SSHForwardPorts)
	d.Reconnect = slices.Clone(c.Reconnect)
	d.Keys = slices.Clone(c.Keys)
	return &d
}

// DefaultPath returns where traycheck looks for its config:
// os.UserConfigDir()/traycheck/config.toml.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the user config directory: %w", err)
	}
	return filepath.Join(dir, "traycheck", "config.toml"), nil
}

// Load reads and validates the config at path. With path "" it reads
// DefaultPath(), and when that file does not exist (or there is no config
// directory at all) it returns the embedded default, whose Source is
// EmbeddedSource. A path given explicitly must exist. Errors are *Error.
//
// A config with a reconnect command is refused when other users could change
// the file (it is writable by group or others, or sits in a directory they
// can write): that would let them run commands as this user.
func Load(path string) (*Config, error) {
	implicit := path == ""
	if implicit {
		p, err := DefaultPath()
		if err != nil {
			return Default(), nil // no config directory: nothing to read
		}
		path = p
	}
	data, err := readFile(path)
	if implicit && errors.Is(err, fs.ErrNotExist) {
		return Default(), nil
	}
	if err != nil {
		return nil, err
	}
	cfg, perr := parse(path, data, Default())
	if perr != nil {
		return nil, perr
	}
	if len(cfg.Reconnect) > 0 {
		if err := checkPrivate(path); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// readFile reads the config without ever blocking: a FIFO or a device
// (/dev/zero) given or planted as the config is refused by type before a
// byte is read, and the read is bounded.
func readFile(path string) ([]byte, error) {
	f, err := safefile.OpenRegular(path)
	if err != nil {
		msg := "cannot read the config: " + err.Error()
		switch {
		case errors.Is(err, fs.ErrNotExist):
			msg = "config file does not exist; `traycheck config init --config FILE` writes the default there"
		case errors.Is(err, safefile.ErrNotRegular):
			msg = "cannot read the config: " + err.Error() + "; want a TOML file"
		}
		return nil, &Error{File: path, Msg: msg, Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read the config: " + err.Error(), Err: err}
	}
	if len(data) > maxFileSize {
		return nil, &Error{File: path, Msg: fmt.Sprintf("config file is larger than %d bytes; want a small TOML file", maxFileSize)}
	}
	return data, nil
}

// WriteDefault writes the user's file with every key commented out
// (UserFileText: today's values and their sources, setting nothing) to path
// ("" means DefaultPath()), creating its directory with mode 0700. It
// no longer writes the embedded default's keys: a file that sets every key
// would switch discovery's values off. It never replaces
// an existing file unless force is set; the error then wraps fs.ErrExist.
// The write is atomic: the text goes to a temporary file in the same
// directory, which is then linked or renamed into place with mode 0600, so
// a crash never leaves a half-written config.
func WriteDefault(path string, force bool) error {
	if path == "" {
		p, err := DefaultPath()
		if err != nil {
			return err
		}
		path = p
	}
	return WriteText(path, UserFileText(path), force)
}

// WriteText is WriteDefault with another config text (`config init
// --discover` writes the default with what discovery found).
func WriteText(path string, text []byte, force bool) error {
	if path == "" {
		p, err := DefaultPath()
		if err != nil {
			return err
		}
		path = p
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the config directory: %w", err)
	}
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s: %w; use --force to overwrite it", path, fs.ErrExist)
		}
	}
	tmp, err := os.CreateTemp(dir, ".config-*.toml.tmp")
	if err != nil {
		return fmt.Errorf("writing the config: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // a no-op once renamed; cleans up on failure
	if _, err := tmp.Write(text); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", tmpName, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", tmpName, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", tmpName, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", tmpName, err)
	}
	if !force {
		// A hard link fails if the name was taken since the check above,
		// so two `config init` racing cannot overwrite each other.
		err := os.Link(tmpName, path)
		if err == nil {
			return nil
		}
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w; use --force to overwrite it", path, fs.ErrExist)
		}
		// No hard links on this file system: fall back to a rename.
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("installing the config: %w", err)
	}
	return nil
}
