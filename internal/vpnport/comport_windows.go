package vpnport

import (
	"golang.org/x/sys/windows/registry"
)

// winSerialComm reads HKLM\HARDWARE\DEVICEMAP\SERIALCOMM: value names are
// the ports' kernel device objects (\Device\Serial0), data their COM names.
// The key exists only while at least one serial port does.
func winSerialComm() (map[string]string, error) {
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
