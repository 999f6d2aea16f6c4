package freeport

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"testing"

	"github.com/traycheck/traycheck/internal/portnum"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// TestMain doubles as the port-holding child of the real tests: with
// FREEPORT_HOLD=network:address set, the test binary listens there, prints
// the port and holds it until its stdin closes.
func TestMain(m *testing.M) {
	if spec := os.Getenv("FREEPORT_HOLD"); spec != "" {
		os.Exit(hold(spec))
	}
	os.Exit(m.Run())
}

func hold(spec string) int {
	network, addr, _ := cutLast(spec)
	var port int
	var closer func() error
	if network == "udp" {
		c, err := net.ListenPacket(network, addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		port, closer = c.LocalAddr().(*net.UDPAddr).Port, c.Close
	} else {
		l, err := net.Listen(network, addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		port, closer = l.Addr().(*net.TCPAddr).Port, l.Close
	}
	fmt.Println(port)
	bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
	closer()
	return 0
}

func cutLast(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// holdPort starts a child process that holds network/addr and returns the
// port it got. The child ends when the test does.
func holdPort(t *testing.T, network, addr string) uint16 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "FREEPORT_HOLD="+network+":"+addr)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("holder child: %v", err)
	}
	p, err := portnum.Parse(line[:len(line)-1])
	if err != nil {
		t.Fatalf("holder child printed %q: %v", line, err)
	}
	return p
}

// holdNear8080 holds the first port from 8080 up that a child can take,
// like a leftover ssh -L 8080 would.
func holdNear8080(t *testing.T, network string) uint16 {
	t.Helper()
	for p := 8080; p < 8180; p++ {
		if Probe(context.Background(), vpnport.Kind(network), "127.0.0.1", uint16(p)) == nil {
			return holdPort(t, network, "127.0.0.1:"+strconv.Itoa(p))
		}
	}
	t.Fatal("no port free from 8080 to 8179")
	return 0
}

func TestCandidates(t *testing.T) {
	eph := vpnport.PortRange{Start: 32768, End: 60999}
	for _, c := range []struct {
		name string
		want uint16
		skip []vpnport.PortRange
		n    int
		out  []uint16
	}{
		{"next ports up", 8080, []vpnport.PortRange{eph}, 3, []uint16{8081, 8082, 8083}},
		{"skips a reserved range", 8080, []vpnport.PortRange{eph, {Start: 8081, End: 8090}}, 2, []uint16{8091, 8092}},
		{"privileged to its 8000 twin", 80, []vpnport.PortRange{eph}, 2, []uint16{8080, 8081}},
		{"443", 443, nil, 1, []uint16{8443}},
		{"below the ephemeral range stays below it", 32766, []vpnport.PortRange{eph}, 3, []uint16{32767, 32765, 32764}},
		{"a far range is not jumped", 8080, []vpnport.PortRange{{Start: 8081, End: 9100}}, 2, []uint16{8079, 8078}},
		{"inside the ephemeral range goes below it", 50000, []vpnport.PortRange{{Start: 49152, End: 65535}}, 2, []uint16{49151, 49150}},
		{"top of the port space turns down", 65534, nil, 3, []uint16{65535, 65533, 65532}},
		{"low ports do not go under 1024", 1025, []vpnport.PortRange{{Start: 1026, End: 65535}}, 5, []uint16{1024}},
	} {
		got := Candidates(c.want, c.skip, c.n)
		if !reflect.DeepEqual(got, c.out) {
			t.Errorf("%s: Candidates(%d) = %v, want %v", c.name, c.want, got, c.out)
		}
	}
}

func TestProbeSeesARealHolder(t *testing.T) {
	for _, network := range []string{"tcp", "udp"} {
		p := holdNear8080(t, network)
		err := Probe(context.Background(), vpnport.Kind(network), "127.0.0.1", p)
		if err == nil || !isBindConflict(err) {
			t.Errorf("%s/%d held by a child: Probe = %v, want an in-use error", network, p, err)
		}
		// The wildcard covers 127.0.0.1, so it is taken too.
		if err := Probe(context.Background(), vpnport.Kind(network), "", p); err == nil {
			t.Errorf("%s/%d: wildcard probe says free", network, p)
		}
	}
}

func TestSuggestAvoidsARealHolder(t *testing.T) {
	held := holdNear8080(t, "tcp")
	// A second child takes the next port up, so Suggest has to skip it.
	next := held + 1
	if Probe(context.Background(), vpnport.TCP, "127.0.0.1", next) == nil {
		holdPort(t, "tcp", "127.0.0.1:"+strconv.Itoa(int(next)))
	}
	got, err := Suggest(context.Background(), Request{Proto: vpnport.TCP, Address: "127.0.0.1", Want: held})
	if err != nil {
		t.Fatal(err)
	}
	if got == held || got == next {
		t.Fatalf("suggested %d, which a child holds", got)
	}
	eph, err := EphemeralRange()
	if err != nil {
		t.Fatal(err)
	}
	if got >= eph.Start && got <= eph.End {
		t.Fatalf("suggested %d inside the ephemeral range %v", got, eph)
	}
	// The suggestion really binds, on the address the user asked for.
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(int(got)))
	if err != nil {
		t.Fatalf("suggested %d does not bind: %v", got, err)
	}
	l.Close()
}

func TestSuggestNoCandidate(t *testing.T) {
	_, err := Suggest(context.Background(), Request{Want: 2000, Ephemeral: vpnport.PortRange{Start: 1024, End: 65535}})
	if !errors.Is(err, ErrNoFreePort) {
		t.Fatalf("err = %v, want ErrNoFreePort", err)
	}
	if _, err := Suggest(context.Background(), Request{}); err == nil {
		t.Fatal("no error for want 0")
	}
}

func BenchmarkSuggest(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Suggest(context.Background(), Request{Address: "127.0.0.1", Want: 8080}); err != nil {
			b.Fatal(err)
		}
	}
}
