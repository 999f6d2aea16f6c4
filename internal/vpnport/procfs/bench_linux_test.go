package procfs

import (
	"os"
	"testing"

	"github.com/shirou/gopsutil/v4/process"
)

// BenchmarkProcess compares our direct /proc reads with gopsutil v4 for the
// same details (name, exe, effective uid and user, start time, cmdline).
func BenchmarkProcess(b *testing.B) {
	pid := os.Getpid()
	b.Run("proc", func(b *testing.B) {
		var r Reader
		b.ReportAllocs()
		for b.Loop() {
			if p, ok := r.Process(pid, 0); !ok || p.Exe == "" {
				b.Fatal("no record")
			}
		}
	})
	b.Run("gopsutil", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p, err := process.NewProcess(int32(pid))
			if err != nil {
				b.Fatal(err)
			}
			p.Name()
			p.Exe()
			p.Uids()
			p.Username()
			p.CreateTime()
			p.CmdlineSlice()
		}
	})
}
