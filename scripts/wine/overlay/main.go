// Command overlay writes a `go build -overlay` file that lets Go Windows
// binaries run under Wine 8.0 (Debian 12's only Wine), for the Windows test
// lane (scripts/test-windows.sh) and nothing else.
//
// Wine 8.0 answers two calls the Go standard library makes with errors real
// Windows 10 and later never return for them:
//
//   - internal/syscall/windows.Deleteat (os.Remove, os.RemoveAll, every
//     t.TempDir cleanup) first tries NtSetInformationFile with
//     FileDispositionInformationEx; Wine returns STATUS_NOT_IMPLEMENTED, and
//     Go falls back to the older FileDispositionInformation class only for
//     STATUS_INVALID_INFO_CLASS, STATUS_INVALID_PARAMETER and
//     STATUS_NOT_SUPPORTED. The overlay adds STATUS_NOT_IMPLEMENTED to that
//     list.
//   - net's netFD.init sets SIO_UDP_NETRESET on every UDP socket; Wine does
//     not implement that ioctl and fails it with WSAEOPNOTSUPP, so no UDP
//     socket opens. The overlay tolerates exactly that error for exactly that
//     ioctl (the option only silences NET_UNREACHABLE reports, which Wine
//     does not send anyway).
//
// Why this cannot change behaviour on real Windows: the overlay is passed
// only to the `go test -c` of the Wine lane, never to scripts/build-windows.sh
// or any shipped build; and even a test binary built with it that ran on
// Windows 10+ would take the new branches only on the two error codes that
// Windows 10+ does not return for these calls (FileDispositionInformationEx
// exists since 1607, SIO_UDP_NETRESET since Windows 8).
//
// The patched files are copies of the local GOROOT's own sources with one
// exact edit each, made at build time: nothing of the standard library is
// committed here. If a Go release changes either spot, the exact text is not
// found and the command fails, naming the file, instead of building an
// unpatched or mis-patched binary.
//
// usage: go run ./scripts/wine/overlay -goroot "$(go env GOROOT)" -dir DIR
// writes DIR/overlay.json and the patched files under DIR.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
)

// patch is one exact edit of one standard-library file.
type patch struct {
	file string // relative to GOROOT/src
	old  string
	new  string
}

var patches = []patch{
	{
		file: "internal/syscall/windows/at_windows.go",
		old:  "\tcase STATUS_INVALID_INFO_CLASS, // the operating system doesn't support FileDispositionInformationEx\n",
		new: "\tcase STATUS_INVALID_INFO_CLASS, // the operating system doesn't support FileDispositionInformationEx\n" +
			"\t\tNTStatus(0xC0000002), // STATUS_NOT_IMPLEMENTED: Wine 8.0 (traycheck's Wine lane overlay)\n",
	},
	{
		file: "net/fd_windows.go",
		old: "\t\terr = syscall.WSAIoctl(fd.pfd.Sysfd, windows.SIO_UDP_NETRESET, (*byte)(unsafe.Pointer(&flag)), size, nil, 0, &ret, nil, 0)\n" +
			"\t\tif err != nil {\n",
		new: "\t\terr = syscall.WSAIoctl(fd.pfd.Sysfd, windows.SIO_UDP_NETRESET, (*byte)(unsafe.Pointer(&flag)), size, nil, 0, &ret, nil, 0)\n" +
			"\t\tif err == syscall.Errno(10045) { // WSAEOPNOTSUPP: Wine 8.0 lacks the ioctl (traycheck's Wine lane overlay)\n" +
			"\t\t\terr = nil\n" +
			"\t\t}\n" +
			"\t\tif err != nil {\n",
	},
}

// apply returns src with p applied, or an error when p.old does not occur
// exactly once.
func apply(src []byte, p patch) ([]byte, error) {
	s := string(src)
	switch n := strings.Count(s, p.old); n {
	case 1:
		return []byte(strings.Replace(s, p.old, p.new, 1)), nil
	case 0:
		return nil, fmt.Errorf("%s: the text to patch is not there (has this Go release changed it?): %q", p.file, p.old)
	default:
		return nil, fmt.Errorf("%s: the text to patch occurs %d times, want once: %q", p.file, n, p.old)
	}
}

// write patches every file of goroot into dir and writes dir/overlay.json
// mapping the originals to the copies; it returns the overlay file's path.
func write(goroot, dir string) (string, error) {
	replace := map[string]string{}
	for _, p := range patches {
		orig := filepath.Join(goroot, "src", filepath.FromSlash(p.file))
		src, err := os.ReadFile(orig)
		if err != nil {
			return "", fmt.Errorf("reading the standard library: %w", err)
		}
		out, err := apply(src, p)
		if err != nil {
			return "", err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p.file))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return "", fmt.Errorf("writing the overlay: %w", err)
		}
		if err := os.WriteFile(dst, out, 0o644); err != nil {
			return "", fmt.Errorf("writing the overlay: %w", err)
		}
		replace[orig] = dst
	}
	js, err := json.MarshalIndent(struct{ Replace map[string]string }{replace}, "", "\t")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(path, js, 0o644); err != nil {
		return "", fmt.Errorf("writing the overlay: %w", err)
	}
	return path, nil
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("overlay: ")
	goroot := flag.String("goroot", "", "the GOROOT whose sources to patch (go env GOROOT)")
	dir := flag.String("dir", "", "directory to write overlay.json and the patched files into")
	flag.Parse()
	if *goroot == "" || *dir == "" || flag.NArg() > 0 {
		log.Fatal("usage: overlay -goroot GOROOT -dir DIR")
	}
	path, err := write(*goroot, *dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(path)
}
