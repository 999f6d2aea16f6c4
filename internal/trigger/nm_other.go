//go:build !linux

package trigger

import (
	"context"
	"errors"
)

// Start implements Source: NetworkManager exists on Linux only.
func (n *NetworkManager) Start(context.Context) (<-chan Event, error) {
	return nil, errors.New("NetworkManager runs on Linux only")
}
