//go:build !linux

package discover

import "context"

// networkManager: NetworkManager runs only on Linux.
func networkManager(context.Context) []Found { return nil }
