package tray

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/notify/compose"
)

// Tags of the notes the menu's file items show: each replaces its own
// previous note, never a finding's.
const (
	diagnosticsTag = "traycheck/diagnostics"
	logTag         = "traycheck/log"
)

// diagnosticsTimeout bounds "Copy diagnostics" as a whole: a probe, the
// report file and the clipboard program.
const diagnosticsTimeout = time.Minute

// copyDiagnostics writes the report, puts it on the clipboard where there
// is one and otherwise shows the folder it is in, and always says in a note
// where the file is and whether the clipboard has it: the user is about to
// paste or attach it somewhere and needs to know which.
func (c *Controller) copyDiagnostics(ctx context.Context) {
	if c.o.Diagnostics == nil {
		return
	}
	c.mu.Lock()
	busy := c.view.Diagnosing
	c.view.Diagnosing = true
	c.mu.Unlock()
	if busy {
		return
	}
	signal(c.changed)
	defer func() {
		c.mu.Lock()
		c.view.Diagnosing = false
		c.mu.Unlock()
		signal(c.changed)
	}()
	c.log.Info("diagnostics requested", "source", "tray")

	ctx, cancel := context.WithTimeout(ctx, diagnosticsTimeout)
	defer cancel()
	path, text, err := c.o.Diagnostics(ctx)
	if err != nil {
		c.log.Error("writing the diagnostic report failed", "err", err)
		c.show(ctx, notify.Note{Tag: diagnosticsTag, Title: "Could not write the diagnostic report",
			Body: compose.Clean(err.Error(), 300)})
		return
	}
	tool, err := c.o.Clipboard(ctx, text)
	if err == nil {
		c.log.Info("diagnostics copied", "path", path, "clipboard", tool)
		c.show(ctx, diagnosticsNote(path, true, nil))
		return
	}
	c.log.Info("no clipboard for the diagnostics; showing the file instead", "err", err)
	openErr := c.o.Open(ctx, filepath.Dir(path))
	if openErr != nil {
		c.log.Warn("showing the report's folder failed", "err", openErr)
	}
	c.log.Info("diagnostics saved", "path", path, "clipboard", false, "folder_opened", openErr == nil)
	c.show(ctx, diagnosticsNote(path, false, openErr))
}

// diagnosticsNote says where the report is and whether the clipboard has
// it; openErr is set when its folder could not be shown either.
func diagnosticsNote(path string, copied bool, openErr error) notify.Note {
	n := notify.Note{Tag: diagnosticsTag}
	switch {
	case copied:
		n.Title = "Diagnostics copied to the clipboard"
		n.Body = "Paste them into your message to the helpdesk. The report is also saved as " + path
	case openErr == nil:
		n.Title = "Diagnostics saved (no clipboard here)"
		n.Body = "The report is saved as " + path + "; its folder is open. Attach the file to your message to the helpdesk."
	default:
		n.Title = "Diagnostics saved (no clipboard here)"
		n.Body = "The report is saved as " + path + ". Attach the file to your message to the helpdesk."
	}
	return n
}

// openLog shows the log file. Where there is none yet, it says so rather
// than letting the opener fail somewhere the user cannot see.
func (c *Controller) openLog(ctx context.Context) {
	p := c.o.LogPath
	if p == "" {
		return
	}
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		c.log.Info("no log to open yet", "path", p)
		c.show(ctx, notify.Note{Tag: logTag, Title: "No log yet",
			Body: "traycheck has not written a log yet. It will be at " + p})
		return
	}
	if err := c.o.Open(ctx, p); err != nil {
		c.log.Error("opening the log failed", "err", err)
		c.show(ctx, notify.Note{Tag: logTag, Title: "Could not open the log",
			Body: compose.Clean(err.Error(), 300)})
		return
	}
	c.log.Info("opened the log", "path", p)
}
