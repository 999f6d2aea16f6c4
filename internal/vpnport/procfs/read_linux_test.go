package procfs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// ReadFD reads to the end through a buffer that grows, and cuts at its
// limit; a pipe written in pieces (short reads) is read whole.
func TestReadFD(t *testing.T) {
	want := bytes.Repeat([]byte("0123456789"), 1000) // 10,000 bytes
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, want, 0o600); err != nil {
		t.Fatal(err)
	}
	read := func(limit int) []byte {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(fd)
		b, err := ReadFD(fd, make([]byte, 16), limit)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if got := read(1 << 20); !bytes.Equal(got, want) {
		t.Errorf("read %d bytes, want all %d", len(got), len(want))
	}
	if got := read(4000); !bytes.Equal(got, want[:4000]) {
		t.Errorf("limit 4000: read %d bytes", len(got))
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		for i := 0; i < len(want); i += 700 {
			w.Write(want[i:min(i+700, len(want))])
		}
		w.Close()
	}()
	if got, err := ReadFD(int(r.Fd()), nil, 1<<20); err != nil || !bytes.Equal(got, want) {
		t.Errorf("pipe: %d bytes, %v", len(got), err)
	}
}
