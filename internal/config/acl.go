package config

// Windows has no mode bits: whether another user could change the config is
// in the file's and its directories' access control lists. The decision is
// here, free of Windows calls, so it is tested on every OS; perm_windows.go
// only reads the ACLs.

// aclEntry is one access-allowed entry of a DACL, reduced to what the check
// needs.
type aclEntry struct {
	SID         string // as S-1-5-32-545
	Mask        uint32
	InheritOnly bool // applies to children only, not to this object
}

// Access rights (winnt.h) that let the holder change what a file says.
const (
	rightWriteData   = 0x2 // FILE_WRITE_DATA, FILE_ADD_FILE on a directory
	rightAppendData  = 0x4 // FILE_APPEND_DATA, FILE_ADD_SUBDIRECTORY on a directory
	rightDeleteChild = 0x40
	rightDelete      = 0x10000
	rightWriteDAC    = 0x40000
	rightWriteOwner  = 0x80000
	rightGenericAll  = 0x10000000
	rightGenericWr   = 0x40000000

	// fileWriteRights let a user rewrite the file, or grant themselves that.
	fileWriteRights = rightWriteData | rightAppendData | rightDelete | rightWriteDAC | rightWriteOwner | rightGenericAll | rightGenericWr
	// dirWriteRights let a user replace an entry of the directory, or the
	// directory itself. Adding entries is not enough: C:\ lets every
	// authenticated user create folders, and that changes nothing of ours.
	dirWriteRights = rightDeleteChild | rightDelete | rightWriteDAC | rightWriteOwner | rightGenericAll
)

// trustedSIDs may write anything anyway; an entry for them is no risk.
var trustedSIDs = map[string]bool{
	"S-1-5-18":     true, // LocalSystem
	"S-1-5-32-544": true, // BUILTIN\Administrators
	"S-1-3-4":      true, // OWNER RIGHTS (the owner is checked on its own)
	"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464": true, // TrustedInstaller
}

// nullDACL is what otherWriter reports for an object with no DACL at all,
// which Windows treats as "everyone may do anything".
const nullDACL = "Everyone (no access list)"

// otherWriter returns a SID other than self (or a trusted one) that may
// change the object, and whether there is one. owner is the object's owner
// SID; dacl is nil for a null DACL.
func otherWriter(self, owner string, dacl []aclEntry, isDir bool) (string, bool) {
	if owner != self && !trustedSIDs[owner] {
		return owner + " (owner)", true
	}
	if dacl == nil {
		return nullDACL, true
	}
	rights := uint32(fileWriteRights)
	if isDir {
		rights = dirWriteRights
	}
	for _, e := range dacl {
		if e.InheritOnly || e.Mask&rights == 0 || e.SID == self || trustedSIDs[e.SID] {
			continue
		}
		return e.SID, true
	}
	return "", false
}
