package owners

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport/owners/taskfiles"
)

// asUserEnv makes the test binary run asUser instead of the tests.
const asUserEnv = "TRAYCHECK_OWNERS_AS_USER"

func TestMain(m *testing.M) {
	if os.Getenv(asUserEnv) == "1" {
		if err := asUser(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// asUser is the unprivileged side of TestUnprivilegedStartsNoList: it says
// whether a complete look started a list, and whether the walk still found
// this process holding its own socket.
func asUser() error {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	inode := socketInode(nil, ln)
	var f Finder
	defer f.Close()
	f.s.root = "/proc"
	f.s.startTaskFiles(false)
	started := f.s.tf != nil && f.s.tf.job != nil
	f.s.stopTaskFiles()
	res, err := f.Lookup(context.Background(), Query{Now: time.Now(), Full: true}, func(dst []Want) ([]Want, error) {
		return append(dst, Want{Inode: inode}), nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("permitted=%v started=%v listed=%v found=%v\n", taskfiles.Permitted(), started, res.Listed,
		slices.Contains(res.PIDs[0], os.Getpid()))
	return nil
}

// As a user the iterator cannot load: a complete look must find that out
// from one capget and start no list (no goroutine, no BTF read, no second
// listing of /proc), and walk. As root the list starts as before.
func TestUnprivilegedStartsNoList(t *testing.T) {
	argv := append(testenv.AsNobody(t), testenv.CopyTestBinary(t))
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), asUserEnv+"=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("as nobody: %v", err)
	}
	if got, want := strings.TrimSpace(string(out)), "permitted=false started=false listed=false found=true"; got != want {
		t.Errorf("as nobody: %s, want %s", got, want)
	}

	if _, err := taskfiles.New(); err != nil {
		testenv.Missing(t, "the BPF task-file iterator: %v", err)
	}
	var f Finder
	defer f.Close()
	f.s.root = "/proc"
	f.s.startTaskFiles(false)
	if !taskfiles.Permitted() || f.s.tf == nil || f.s.tf.job == nil {
		t.Errorf("as root: permitted %v, no list started", taskfiles.Permitted())
	}
}
