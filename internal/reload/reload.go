// Package reload keeps a running traycheck (the tray, `traycheck watch`)
// on the config in force: it polls the user's file, the machine policy and
// the files discovery reads, and when one changed and then held still for a
// poll (an editor's save is several writes), loads the layers again through
// the one loader. A good load is applied and logged key by key; a bad one
// keeps the last good config and is reported with its file and line.
//
// A poll, not inotify: the module has no file-notification dependency, a
// poll of a few dozen stats every two seconds costs microseconds (see
// BenchmarkStamp), and it works the same on every OS and file system.
package reload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/discover"
)

// DefaultInterval is how often the files are polled.
const DefaultInterval = 2 * time.Second

// Options say what to load and whom to tell.
type Options struct {
	// Load is the layered loader (discover.Load with the command's
	// sources, path and actions).
	Load func(ctx context.Context) (discover.Layers, error)
	// UserPath is the user's file ("": the default path).
	UserPath string
	// Sources are where discovery looks; their files and directories are
	// polled.
	Sources discover.Sources
	// Apply puts a new config in force; changed says what changed (empty
	// when a refused edit was put right without changing what is in force:
	// the error shown can go).
	Apply func(l discover.Layers, changed []string)
	// Fail reports a refused edit; policy is set when the machine policy
	// is what failed. The last good config stays.
	Fail func(err error, policy bool)
	// Interval is the poll period; 0 means DefaultInterval.
	Interval time.Duration
	Log      *slog.Logger
}

// Run polls until ctx ends. current is the config in force when it starts.
func Run(ctx context.Context, o Options, current discover.Layers) {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.UserPath == "" {
		o.UserPath, _ = config.DefaultPath()
	}
	files, dirs := watched(o, current)
	var p poller
	// The registry policy has no file to stat: its stamp is folded in.
	stampAll := func() uint64 { return p.stamp(files, dirs) ^ stringHash(config.PolicyStamp()) }
	seen := stampAll()
	// The first poll loads again: a file changed between current's load
	// and the first stamp would otherwise go unseen until its next change.
	pending, failed := true, false
	t := time.NewTicker(o.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := stampAll()
		if now != seen {
			// Changed since the last poll: wait for it to hold still.
			seen, pending = now, true
			continue
		}
		if !pending {
			continue
		}
		pending = false
		l, err := o.Load(ctx)
		if err != nil {
			policy := isPolicyError(err, o.UserPath)
			o.Log.Warn("config edit not applied; keeping the last good config", "err", err, "policy", policy)
			o.Fail(err, policy)
			failed = true
			continue
		}
		changed := Diff(current.Settings(), l.Settings())
		current = l
		// What discovery found may name new files to watch.
		files, dirs = watched(o, current)
		seen = stampAll()
		if len(changed) == 0 && !failed {
			o.Log.Debug("config files changed; nothing in force changed")
			continue
		}
		if failed {
			o.Log.Info("config loads again")
		}
		failed = false
		for _, c := range changed {
			o.Log.Info("config reloaded", "change", c)
		}
		o.Apply(l, changed)
	}
}

// watched lists what to poll: the user's file, the policy's files, every
// file discovery read, and discovery's sources (directories walked for new
// profiles; the ssh config's directory for its Includes).
func watched(o Options, l discover.Layers) (files, dirs []string) {
	files = append(files, o.UserPath)
	files = append(files, config.PolicyFiles()...)
	for _, f := range l.Found {
		if filepath.IsAbs(f.Source) {
			files = append(files, f.Source)
		}
	}
	s := o.Sources
	dirs = append(dirs, s.OpenVPN...)
	dirs = append(dirs, s.OpenVPNImported...)
	dirs = append(dirs, s.WireGuard...)
	files = append(files, s.StrongSwan...)
	files = append(files, s.IPsecPresence...)
	files = append(files, s.Phonebooks...)
	if s.SSHConfig != "" {
		files = append(files, s.SSHConfig)
		dirs = append(dirs, filepath.Dir(s.SSHConfig))
	}
	if s.SerialByID != "" {
		dirs = append(dirs, s.SerialByID)
	}
	if s.WindowsWireGuard != "" {
		files = append(files, s.WindowsWireGuard)
	}
	return files, dirs
}

// isPolicyError tells the machine policy's errors from the user file's:
// a config error names its file, and only the user's file is the user's.
func isPolicyError(err error, userPath string) bool {
	var ce *config.Error
	if errors.As(err, &ce) {
		return ce.File != userPath
	}
	return false
}

// Diff lists the settings whose value or source changed, as
// "vpn.ports: ["udp/1194"] (default) -> ["udp/1195"] (discovered)".
func Diff(before, after []config.Setting) []string {
	old := map[string]config.Setting{}
	for _, s := range before {
		old[s.Key] = s
	}
	var out []string
	for _, s := range after {
		b, ok := old[s.Key]
		if ok && b.Source == s.Source && reflect.DeepEqual(b.Value, s.Value) {
			continue
		}
		out = append(out, fmt.Sprintf("%s: %s (%s) -> %s (%s)", s.Key, js(b.Value), b.Source, js(s.Value), s.Source))
	}
	return out
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
