package notify

import "errors"

// errClosed is returned by Show after Close.
var errClosed = errors.New("notifier closed")
