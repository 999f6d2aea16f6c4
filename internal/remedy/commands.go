package remedy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// The commands below are built for a GOOS given as an argument, not by build
// tags, so one test run checks every OS's argv.

func (r *Runner) resetAdapter(ctx context.Context) (Result, error) {
	name := r.o.Adapter // checked by confirmation
	steps, elevated := resetCommands(r.o.GOOS, name, r.o.GOOS == "linux" && r.o.NetworkManager(ctx))
	if steps == nil {
		return Result{}, fmt.Errorf("resetting an adapter is not supported on %s", r.o.GOOS)
	}
	for i, argv := range steps {
		if err := r.run(ctx, r.o.PromptTimeout, elevated, argv); err != nil {
			if i > 0 {
				return Result{}, fmt.Errorf("adapter %s was taken down but bringing it back failed, bring it up by hand: %w", name, err)
			}
			return Result{}, fmt.Errorf("resetting adapter %s: %w", name, err)
		}
	}
	return Result{Message: fmt.Sprintf("reset adapter %s; checking again", name)}, nil
}

// resetCommands returns the down and up commands for adapter name and whether
// they need administrator rights. nmcli runs as the user: NetworkManager asks
// polkit itself, which prompts only when the session is not already allowed.
func resetCommands(goos, name string, networkManager bool) (steps [][]string, elevated bool) {
	switch goos {
	case "linux":
		if networkManager {
			return [][]string{
				{"nmcli", "device", "disconnect", name},
				{"nmcli", "device", "connect", name},
			}, false
		}
		return [][]string{
			{"ip", "link", "set", "dev", name, "down"},
			{"ip", "link", "set", "dev", name, "up"},
		}, true
	case "windows":
		return [][]string{
			{"netsh", "interface", "set", "interface", `name="` + name + `"`, "admin=disabled"},
			{"netsh", "interface", "set", "interface", `name="` + name + `"`, "admin=enabled"},
		}, true
	case "darwin":
		return [][]string{
			{"networksetup", "-setnetworkserviceenabled", name, "off"},
			{"networksetup", "-setnetworkserviceenabled", name, "on"},
		}, true
	}
	return nil, false
}

// ValidAdapterName reports whether name can be passed safely to the OS's
// adapter tools: no control characters, no quotes (netsh's name="X"), no
// leading '-' (it would read as an option); on Linux also the kernel's rules
// for interface names (at most 15 bytes, no '/', no whitespace).
func ValidAdapterName(goos, name string) error {
	if name == "" || len(name) > 256 || !utf8.ValidString(name) {
		return fmt.Errorf("adapter name %q: want 1 to 256 characters of text", name)
	}
	if name[0] == '-' {
		return fmt.Errorf("adapter name %q must not start with '-'", name)
	}
	for _, c := range name {
		if unicode.IsControl(c) || c == '"' {
			return fmt.Errorf("adapter name %q contains a control character or '\"'", name)
		}
	}
	if goos == "linux" {
		if len(name) > 15 || name == "." || name == ".." || strings.ContainsAny(name, "/: \t") {
			return fmt.Errorf("adapter name %q is not a Linux interface name (at most 15 bytes, no '/', ':' or spaces)", name)
		}
	}
	return nil
}

func (r *Runner) reboot(ctx context.Context) (Result, error) {
	argv, cancel := rebootCommand(r.o.GOOS)
	if argv == nil {
		return Result{}, fmt.Errorf("scheduling a reboot is not supported on %s", r.o.GOOS)
	}
	if err := r.run(ctx, r.o.PromptTimeout, false, argv); err != nil {
		return Result{}, fmt.Errorf("scheduling a reboot: %w", err)
	}
	msg := "restart scheduled"
	if cancel != "" {
		msg += "; to call it off, run: " + cancel
	}
	return Result{Message: msg}, nil
}

// rebootMessage is what the OS shows the logged-in users about the restart.
const rebootMessage = "traycheck: reboot requested to clear a stale port"

// rebootCommand returns the command that schedules a restart the OS's own
// way, a minute ahead so that it can still be called off, and the command
// that calls it off ("" when the OS has none). Each authorises the user
// itself (logind via polkit, shutdown.exe for the interactive user, System
// Events on macOS), so none is elevated here.
func rebootCommand(goos string) (argv []string, cancel string) {
	switch goos {
	case "linux":
		return []string{"shutdown", "-r", "+1", rebootMessage}, "shutdown -c"
	case "windows":
		return []string{"shutdown", "/r", "/t", "60", "/c", rebootMessage}, "shutdown /a"
	case "darwin":
		// macOS's shutdown needs root; System Events asks the user's apps to
		// quit, which lets them cancel.
		return []string{"osascript", "-e", `tell application "System Events" to restart`}, ""
	}
	return nil, ""
}

func (r *Runner) checkAsAdmin(ctx context.Context, req Request) (Result, error) {
	res := req.Finding.Resource
	target := res.String()
	// Round-trip through the parser: only a target the check command would
	// accept anyway goes onto an elevated command line.
	if rs, err := vpnport.ParseTarget(target); err != nil || len(rs) != 1 || rs[0] != res {
		return Result{}, fmt.Errorf("%w: %q is not a valid target", ErrRefused, target)
	}
	self, err := r.self()
	if err != nil {
		return Result{}, err
	}
	argv := []string{self, "check", "--json"}
	if r.o.ConfigPath != "" {
		// Elevated, HOME is root's: without the user's config the check
		// would judge with root's VPN clients and forward ports.
		argv = append(argv, "--config", r.o.ConfigPath)
	}
	argv = append(argv, target)
	out, err := runBounded(ctx, r.o.PromptTimeout, r.o.Elevated, argv)
	r.log.Info("ran elevated check", "argv", argv, "output", truncate(out, 4096), "err", err)
	// check exits 1 when it finds a conflict, which is the expected case
	// here: show the findings' messages, not the JSON.
	if msg, ok := adminCheckMessage(out); ok {
		return Result{Message: "as administrator: " + msg}, nil
	}
	if len(out) > 0 {
		return Result{Message: string(out)}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("checking %s as administrator: %w", target, err)
	}
	return Result{Message: "checked " + target + " as administrator"}, nil
}

// adminCheckMessage reads the messages out of `check --json` output.
func adminCheckMessage(out []byte) (string, bool) {
	var doc struct {
		Findings []struct {
			Message string `json:"message"`
		} `json:"findings"`
	}
	if json.Unmarshal(out, &doc) != nil || len(doc.Findings) == 0 {
		return "", false
	}
	msgs := make([]string, len(doc.Findings))
	for i, f := range doc.Findings {
		msgs[i] = f.Message
	}
	return strings.Join(msgs, " "), true
}

// windowsCommandLine joins args for CreateProcess/ShellExecute the way the
// C runtime splits them again. An argument of the form key="value" is passed
// as it is, because netsh reads name="X" itself; ValidAdapterName keeps
// quotes out of the value.
func windowsCommandLine(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if k, v, ok := strings.Cut(a, `="`); ok && k != "" && !strings.ContainsAny(k, " \t\"") &&
			strings.HasSuffix(v, `"`) && !strings.Contains(v[:len(v)-1], `"`) && !strings.HasSuffix(v[:len(v)-1], `\`) {
			b.WriteString(a)
			continue
		}
		b.WriteString(escapeArg(a))
	}
	return b.String()
}

// escapeArg quotes one argument by the CommandLineToArgvW rules: backslashes
// are literal except before a quote, where they double.
func escapeArg(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n\v\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(c)
	}
	b.WriteString(strings.Repeat(`\`, slashes))
	b.WriteByte('"')
	return b.String()
}
