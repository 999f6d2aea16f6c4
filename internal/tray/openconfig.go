package tray

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/traycheck/traycheck/internal/config"
)

// ConfigOpener is "Open config": it opens the config file at path ("": the
// default path) in the user's editor, first writing the default there when
// there is none, so the item always shows a file.
func ConfigOpener(path string, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		p := path
		if p == "" {
			var err error
			if p, err = config.DefaultPath(); err != nil {
				return err
			}
		}
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			if err := config.WriteDefault(p, false); err != nil {
				return fmt.Errorf("creating %s: %w", p, err)
			}
			log.Info("wrote the default config", "path", p)
		}
		if err := EditFile(ctx, p); err != nil {
			return err
		}
		log.Info("opened the config", "path", p)
		return nil
	}
}
