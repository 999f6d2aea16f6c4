package config

import "testing"

func TestOtherWriter(t *testing.T) {
	const (
		me     = "S-1-5-21-1-2-3-1001"
		other  = "S-1-5-21-1-2-3-1002"
		users  = "S-1-5-32-545"
		auth   = "S-1-5-11"
		system = "S-1-5-18"
		admins = "S-1-5-32-544"
		full   = 0x1F01FF // FILE_ALL_ACCESS
		read   = 0x1200A9 // FILE_GENERIC_READ | FILE_EXECUTE
		modify = 0x1301BF
	)
	// An %AppData% file as Windows creates it: the user, SYSTEM and the
	// administrators, full control.
	private := []aclEntry{{SID: me, Mask: full}, {SID: system, Mask: full}, {SID: admins, Mask: full}}
	tests := []struct {
		name  string
		owner string
		dacl  []aclEntry
		isDir bool
		want  string // "" for safe
	}{
		{"private file", me, private, false, ""},
		{"private dir", me, private, true, ""},
		{"owned by administrators", admins, private, false, ""},
		{"owned by another user", other, private, false, other + " (owner)"},
		{"null DACL", me, nil, false, nullDACL},
		{"users may modify", me, append(private, aclEntry{SID: users, Mask: modify}), false, users},
		{"users may read", me, append(private, aclEntry{SID: users, Mask: read}), false, ""},
		{"another user may append", me, append(private, aclEntry{SID: other, Mask: 0x4}), false, other},
		{"inherit-only entry", me, append(private, aclEntry{SID: users, Mask: modify, InheritOnly: true}), true, ""},
		// C:\ lets authenticated users create folders in it; that cannot
		// replace anything of ours.
		{"drive root", system, append(private, aclEntry{SID: auth, Mask: 0x4}), true, ""},
		{"dir others may delete in", me, append(private, aclEntry{SID: auth, Mask: 0x40}), true, auth},
		{"dir others may re-permission", me, append(private, aclEntry{SID: other, Mask: 0x40000}), true, other},
		{"generic all", me, []aclEntry{{SID: other, Mask: 0x10000000}}, false, other},
	}
	for _, tt := range tests {
		got, found := otherWriter(me, tt.owner, tt.dacl, tt.isDir)
		if got != tt.want || found != (tt.want != "") {
			t.Errorf("%s: otherWriter = %q, %v; want %q", tt.name, got, found, tt.want)
		}
	}
}
