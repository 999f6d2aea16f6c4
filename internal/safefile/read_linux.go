package safefile

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// pseudoMagics are the statfs magics of Linux's kernel file systems: their
// files pass for regular ones but are no configuration.
var pseudoMagics = map[int64]string{
	unix.PROC_SUPER_MAGIC:    "proc",
	unix.SYSFS_MAGIC:         "sysfs",
	unix.DEBUGFS_MAGIC:       "debugfs",
	unix.TRACEFS_MAGIC:       "tracefs",
	unix.SECURITYFS_MAGIC:    "securityfs",
	unix.CGROUP_SUPER_MAGIC:  "cgroup",
	unix.CGROUP2_SUPER_MAGIC: "cgroup2",
	unix.BPF_FS_MAGIC:        "bpf",
	0x62656570:               "configfs", // CONFIGFS_MAGIC, not in x/sys/unix
	unix.PSTOREFS_MAGIC:      "pstore",
	unix.EFIVARFS_MAGIC:      "efivarfs",
	unix.DEVPTS_SUPER_MAGIC:  "devpts",
	0x65735543:               "fusectl", // FUSE_CTL_SUPER_MAGIC
}

// checkPseudoFS refuses an open file on a kernel pseudo file system (a
// /proc mounted elsewhere, a link swapped in after the name checks).
func checkPseudoFS(f *os.File, path string) error {
	var st unix.Statfs_t
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			if serr = unix.Fstatfs(int(fd), &st); serr != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("%s: fstatfs: %w", path, serr)
	}
	if name, ok := pseudoMagics[int64(st.Type)]; ok {
		return fmt.Errorf("%s is on the kernel's %s file system: %w", path, name, ErrPseudoFile)
	}
	return nil
}
