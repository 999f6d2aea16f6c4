//go:build !windows

package ras

func rasConnections() ([]Conn, error) { return nil, ErrNotImplemented }

func rasDevices() ([]Device, error) { return nil, ErrNotImplemented }
