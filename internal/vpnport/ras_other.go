//go:build !windows

package vpnport

func rasConnections() ([]RASConn, error) { return nil, ErrNotImplemented }

func rasDevices() ([]RASDevice, error) { return nil, ErrNotImplemented }
