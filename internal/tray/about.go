package tray

import (
	"context"

	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/notify/compose"
)

// Tags of the notes the menu's own items show; each replaces its last one.
const (
	aboutTag  = "traycheck/about"
	configTag = "traycheck/config"
)

// about shows the version and where the log and the config are: what a
// helpdesk asks first.
func (c *Controller) about(ctx context.Context) {
	cfg := c.o.ConfigPath
	if cfg == "" {
		cfg = "(none)"
	}
	logp := c.o.LogPath
	if logp == "" {
		logp = "(none)"
	}
	c.show(ctx, notify.Note{Tag: aboutTag, Title: AboutTitle(c.o.Version),
		Body: "Log: " + compose.Clean(logp, 200) + "\nConfig: " + compose.Clean(cfg, 200)})
}

// openConfig is "Open config". A failure (no program opened the file) is
// said in a note with the error, which names the file, so the user can open
// it by hand; it is never logged as opened.
func (c *Controller) openConfig(ctx context.Context) {
	if c.o.OpenConfig == nil {
		return
	}
	if err := c.o.OpenConfig(ctx); err != nil {
		c.log.Error("opening the config failed", "err", err)
		body := compose.Clean(err.Error(), 400)
		if c.o.ConfigPath != "" {
			body += "\nOpen it by hand: " + compose.Clean(c.o.ConfigPath, 200)
		}
		c.show(ctx, notify.Note{Tag: configTag, Title: "Could not open the config", Body: body, Kind: notify.KindResult})
	}
}
