package config

import (
	"strconv"
	"strings"

	"golang.org/x/sys/windows/registry"
)

// PolicyFiles is empty on Windows: the policy is in the registry (see
// PolicyStamp).
func PolicyFiles() []string { return nil }

// PolicyStamp changes when the policy key or one of its table subkeys is
// written (the registry keeps each key's last write time), so the live
// reload re-reads the policy after Group Policy changed it. "" when there
// is no key.
func PolicyStamp() string {
	k, err := registry.OpenKey(PolicyRoot, PolicyKey, registry.READ)
	if err != nil {
		return ""
	}
	defer k.Close()
	var b strings.Builder
	if st, err := k.Stat(); err == nil {
		b.WriteString(strconv.FormatInt(st.ModTime().UnixNano(), 36))
	}
	names, _ := k.ReadSubKeyNames(0)
	for _, n := range names {
		sk, err := registry.OpenKey(k, n, registry.READ)
		if err != nil {
			continue
		}
		if st, err := sk.Stat(); err == nil {
			b.WriteString("/" + n + "=" + strconv.FormatInt(st.ModTime().UnixNano(), 36))
		}
		sk.Close()
	}
	return b.String()
}
