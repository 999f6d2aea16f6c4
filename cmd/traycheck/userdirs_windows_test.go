package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows/registry"

	"github.com/traycheck/traycheck/internal/autostart"
)

// windowsUserDirs points what traycheck reads and writes per user on
// Windows at dir: %AppData% (the config), %LocalAppData% (log, report),
// %UserProfile% (the home the report redacts), and the autostart Run value
// at a registry key of this test's own, under HKCU\Software\traycheck-test\,
// which Windows never starts anything from. It returns a cleanup that
// removes that key, so a failing step leaves nothing in the registry.
//
// The config directory is dir\.config, the same place XDG_CONFIG_HOME
// names on Linux, so a script's $WORK/.config/traycheck/config.toml holds
// on both.
func windowsUserDirs(setenv func(k, v string), dir, name string) func() {
	setenv("USERPROFILE", dir)
	setenv("APPDATA", filepath.Join(dir, ".config"))
	setenv("LOCALAPPDATA", filepath.Join(dir, ".cache"))
	key := fmt.Sprintf(`%s%s-%d`, autostart.TestRunKeyPrefix, strings.NewReplacer(`\`, "_", "/", "_").Replace(name), os.Getpid())
	setenv(autostart.TestRunKeyEnv, key)
	return func() { registry.DeleteKey(registry.CURRENT_USER, key) }
}
