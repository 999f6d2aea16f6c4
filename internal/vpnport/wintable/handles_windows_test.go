package wintable

// The handle-table search, run for real: the test binary re-executes itself
// with TRAYCHECK_WINTABLE_HELPER set and becomes a process that holds a file
// open until its stdin closes, and DeviceHolders must name it.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

const helperEnv = "TRAYCHECK_WINTABLE_HELPER"

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
		defer f.Close()
		fmt.Printf("ready %d\n", os.Getpid())
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		return
	}
	os.Exit(m.Run())
}

// ownObjectName is the kernel object name of a file this process opens: the
// name DeviceHolders compares against.
func ownObjectName(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	me := windows.CurrentProcess()
	var dup windows.Handle
	if err := windows.DuplicateHandle(me, windows.Handle(f.Fd()), me, &dup, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		t.Fatal(err)
	}
	name, stuck, err := objectName(dup) // closes dup
	if err != nil || stuck || name == "" {
		t.Fatalf("object name of %s: %q, stuck %v, %v", path, name, stuck, err)
	}
	return name
}

func TestDeviceHoldersNamesAnotherProcess(t *testing.T) {
	dir := t.TempDir()
	held, free := filepath.Join(dir, "held"), filepath.Join(dir, "free")
	for _, p := range []string{held, free} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	child := exec.Command(os.Args[0])
	child.Env = append(os.Environ(), helperEnv+"="+held)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Wait()
	defer stdin.Close()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready ") {
		t.Fatalf("helper said %q, %v", line, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// This process has both files open while it asks: its own handles are
	// never counted.
	pids, err := DeviceHolders(ctx, ownObjectName(t, held))
	if err != nil {
		t.Fatal(err)
	}
	if len(pids) != 1 || pids[0] != child.Process.Pid {
		t.Errorf("holders of the held file: %v, want the helper's PID %d", pids, child.Process.Pid)
	}
	pids, err = DeviceHolders(ctx, ownObjectName(t, free))
	if err != nil {
		t.Fatal(err)
	}
	if len(pids) != 0 {
		t.Errorf("holders of a file no one else has open: %v", pids)
	}
}
