package serial

import (
	"golang.org/x/sys/windows/registry"
)

// Ports reads HKLM\HARDWARE\DEVICEMAP\SERIALCOMM: the serial ports that
// exist now, keyed by their kernel device objects (\Device\Serial0), each
// with its COM name. The key exists only while at least one serial port
// does: none is an empty map, not an error.
func Ports() (map[string]string, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `HARDWARE\DEVICEMAP\SERIALCOMM`, registry.QUERY_VALUE)
	if err == registry.ErrNotExist {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer k.Close()
	names, err := k.ReadValueNames(0)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(names))
	for _, n := range names {
		if v, _, err := k.GetStringValue(n); err == nil {
			out[n] = v
		}
	}
	return out, nil
}
