//go:build !windows

package trigger

import (
	"context"
	"errors"
)

func subscribeRas(context.Context) (EventFeed, error) {
	return nil, errors.New("RasClient events exist on Windows only")
}
