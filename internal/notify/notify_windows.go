package notify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-toast/toast"
	"golang.org/x/sys/windows/registry"
)

// appUserModelID is the AppUserModelID toasts are shown under. Windows groups
// the notes in the Action Center by it and shows the DisplayName registered
// for it; go-toast puts it in a single-quoted PowerShell string, so it is a
// constant with no quotes.
const appUserModelID = "traycheck"

func init() { newOS = newWindowsToast }

func newWindowsToast(_ context.Context, o Options) (Notifier, error) {
	log := o.logger()
	icon := toastIconPath()
	if err := registerAppID(o.appName(), icon); err != nil {
		// Toasts still appear without it, only with a plainer header.
		log.Warn("registering the notification app id", "err", err)
	}
	return newToast(appUserModelID, icon, pushGoToast, log), nil
}

// toastIconPath is the icon the installer or first run put next to the log
// (%LocalAppData%\traycheck\traycheck.png); "" when there is none.
func toastIconPath() string {
	dir, err := os.UserCacheDir() // %LocalAppData% on Windows
	if err != nil {
		return ""
	}
	p := filepath.Join(dir, "traycheck", "traycheck.png")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

func pushGoToast(m toastMsg) error {
	n := toast.Notification{
		AppID:          m.AppID,
		Title:          m.Title,
		Message:        m.Message,
		Icon:           m.Icon,
		ActivationType: "protocol",
		Audio:          toast.Default,
		Duration:       toast.Short,
	}
	if m.Long {
		n.Duration = toast.Long
	}
	for _, a := range m.Actions {
		n.Actions = append(n.Actions, toast.Action{Type: "protocol", Label: a.Label, Arguments: a.Arguments})
	}
	return n.Push()
}

// registerAppID writes HKCU\Software\Classes\AppUserModelId\traycheck with
// the display name and icon toasts show. Per-user, no elevation.
func registerAppID(name, icon string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, `Software\Classes\AppUserModelId\`+appUserModelID, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("creating app id key: %w", err)
	}
	defer k.Close()
	if err := k.SetStringValue("DisplayName", name); err != nil {
		return fmt.Errorf("setting app id display name: %w", err)
	}
	if icon != "" {
		if err := k.SetStringValue("IconUri", icon); err != nil {
			return fmt.Errorf("setting app id icon: %w", err)
		}
	}
	return nil
}

// registerURLScheme writes the per-user traycheck: URL scheme:
// HKCU\Software\Classes\traycheck with "URL Protocol", and its open command
// `"EXE" --action-uri "%1"`. Whatever opens such a URI (a toast button, but
// also a web page) only gets the URI to ParseActionURI, which refuses all
// but well-formed actions, and the running instance's offer ledger, which
// demands the token of a note it showed.
func registerURLScheme(exe string) error {
	base := `Software\Classes\` + URLScheme
	k, _, err := registry.CreateKey(registry.CURRENT_USER, base, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("creating URL scheme key: %w", err)
	}
	defer k.Close()
	if err := k.SetStringValue("", "URL:traycheck action"); err != nil {
		return fmt.Errorf("setting URL scheme name: %w", err)
	}
	if err := k.SetStringValue("URL Protocol", ""); err != nil {
		return fmt.Errorf("marking URL scheme: %w", err)
	}
	c, _, err := registry.CreateKey(registry.CURRENT_USER, base+`\shell\open\command`, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("creating URL scheme command key: %w", err)
	}
	defer c.Close()
	if err := c.SetStringValue("", urlSchemeCommand(exe)); err != nil {
		return fmt.Errorf("setting URL scheme command: %w", err)
	}
	return nil
}
