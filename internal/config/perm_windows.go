package config

import (
	"fmt"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/windows"
)

// checkPrivate refuses a config file that another user could change: the
// file or a directory on the way to it has an owner or an access entry,
// other than this user, SYSTEM, the administrators or TrustedInstaller,
// that may write it (see otherWriter). A reconnect command in such a file
// would run whatever another user wrote, as this user.
func checkPrivate(path string) error {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return &Error{File: path, Msg: "cannot check the config's permissions: " + err.Error(), Err: err}
	}
	self := tu.User.Sid.String()
	abs, err := filepath.Abs(path)
	if err != nil {
		return &Error{File: path, Msg: "cannot check the config's permissions: " + err.Error(), Err: err}
	}
	name, isDir := abs, false
	for {
		owner, dacl, err := readACL(name)
		if err != nil {
			return &Error{File: path, Msg: fmt.Sprintf("cannot check the permissions of %s: %v", name, err), Err: err}
		}
		if who, bad := otherWriter(self, owner, dacl, isDir); bad {
			return &Error{File: path, Msg: fmt.Sprintf(
				"refusing the reconnect command: %s may change %s, so another user could make traycheck run any command as you; fix: remove that access (icacls \"%s\") or move the config into your own folder",
				who, name, name)}
		}
		parent := filepath.Dir(name)
		if parent == name {
			return nil
		}
		name, isDir = parent, true
	}
}

// readACL returns name's owner SID and its access-allowed entries; the
// entries are nil when the object has a null DACL.
func readACL(name string) (string, []aclEntry, error) {
	sd, err := windows.GetNamedSecurityInfo(name, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return "", nil, err
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return "", nil, err
	}
	acl, _, err := sd.DACL()
	if err != nil {
		return "", nil, err
	}
	if acl == nil {
		return owner.String(), nil, nil
	}
	entries := []aclEntry{}
	for i := uint32(0); i < uint32(acl.AceCount); i++ {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(acl, i, &ace); err != nil {
			return "", nil, err
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE {
			// Deny entries only take rights away; other types (object,
			// callback) do not occur on files.
			continue
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		entries = append(entries, aclEntry{
			SID:         sid.String(),
			Mask:        uint32(ace.Mask),
			InheritOnly: ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0,
		})
	}
	return owner.String(), entries, nil
}
