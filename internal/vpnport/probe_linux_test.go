package vpnport

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/testenv"
)

func TestProbeHeldPort(t *testing.T) {
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	for _, tc := range []struct {
		network, addr string
		kind          Kind
		state         State
		local         string
	}{
		{"tcp4", "127.0.0.1:0", TCP, StateListen, "127.0.0.1"},
		{"tcp6", "[::1]:0", TCP, StateListen, "::1"},
		{"udp4", "127.0.0.1:0", UDP, StateUnconn, "127.0.0.1"},
		{"udp6", "[::1]:0", UDP, StateUnconn, "::1"},
	} {
		t.Run(tc.network, func(t *testing.T) {
			before := time.Now().Add(-2 * time.Second) // starttime has 10 ms ticks, btime whole seconds
			h := startHelper(t, "listen", tc.network, tc.addr)
			port := h.port(t)
			o := probeOne(t, Resource{Kind: tc.kind, Port: port})
			want := netip.AddrPortFrom(netip.MustParseAddr(tc.local), port)
			// The kernel may hand out a port another test's connection
			// still has in TIME_WAIT on another address: only the
			// helper's address counts here.
			var mine []Socket
			for _, s := range o.Sockets {
				if s.Local == want {
					mine = append(mine, s)
				}
			}
			if len(mine) != 1 {
				t.Fatalf("sockets = %+v, want one on %s", o.Sockets, want)
			}
			s := mine[0]
			if s.Proto != tc.kind || s.State != tc.state || s.Local != want || s.Inode == 0 || s.OwnerHidden {
				t.Errorf("socket = %+v, want %s %s %s with an inode", s, tc.kind, tc.state, want)
			}
			if !slices.Equal(s.PIDs, []int{h.pid}) {
				t.Errorf("PIDs = %v, want [%d]", s.PIDs, h.pid)
			}
			// Other sockets on the port (another address) bring their own
			// holders: one holder per distinct PID, the helper among them.
			var pids []int
			for _, s := range o.Sockets {
				pids = append(pids, s.PIDs...)
			}
			slices.Sort(pids)
			if pids = slices.Compact(pids); len(o.Holders) != len(pids) {
				t.Fatalf("holders = %+v, want one per PID of %v", o.Holders, pids)
			}
			i := slices.IndexFunc(o.Holders, func(hd Holder) bool { return hd.PID == h.pid })
			if i < 0 {
				t.Fatalf("holders = %+v, want the helper %d among them", o.Holders, h.pid)
			}
			hd := o.Holders[i]
			if hd.PID != h.pid || hd.Name != filepath.Base(exe)[:min(15, len(filepath.Base(exe)))] ||
				hd.Exe != exe || hd.User != me.Username || strconv.Itoa(int(hd.UID)) != me.Uid {
				t.Errorf("holder = %+v, want pid %d exe %s user %s", hd, h.pid, exe, me.Username)
			}
			if len(hd.Cmdline) != 3 || hd.Cmdline[0] != os.Args[0] || hd.Cmdline[1] != tc.network {
				t.Errorf("cmdline = %q", hd.Cmdline)
			}
			if hd.Started.Before(before) || hd.Started.After(time.Now().Add(time.Second)) {
				t.Errorf("started = %v, want after %v", hd.Started, before)
			}
		})
	}
}

func TestProbeV4MappedAndEstablished(t *testing.T) {
	ln, err := net.Listen("tcp", "[::]:0")
	if err != nil {
		testenv.Missing(t, "a dual-stack IPv6 listener: %v", err)
	}
	defer ln.Close()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	c, err := net.Dial("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	o := probeOne(t, Resource{Kind: TCP, Port: port})
	var listen, est *Socket
	for i := range o.Sockets {
		switch o.Sockets[i].State {
		case StateListen:
			listen = &o.Sockets[i]
		case StateEstablished:
			est = &o.Sockets[i]
		}
	}
	if listen == nil || listen.Local != netip.AddrPortFrom(netip.IPv6Unspecified(), port) {
		t.Errorf("listener = %+v in %+v", listen, o.Sockets)
	}
	mapped := netip.MustParseAddr("::ffff:127.0.0.1")
	if est == nil || est.Local != netip.AddrPortFrom(mapped, port) || est.Remote.Addr() != mapped ||
		est.Remote.Port() != uint16(c.LocalAddr().(*net.TCPAddr).Port) {
		t.Fatalf("accepted socket = %+v in %+v", est, o.Sockets)
	}
	if !slices.Equal(est.PIDs, []int{os.Getpid()}) || !slices.Equal(listen.PIDs, []int{os.Getpid()}) {
		t.Errorf("PIDs = %v / %v, want ours (%d)", listen.PIDs, est.PIDs, os.Getpid())
	}
	// The client end's local port is another resource: it must not show here.
	for _, s := range o.Sockets {
		if s.Local.Port() != port {
			t.Errorf("socket of another port leaked through the filter: %+v", s)
		}
	}
}

func TestProbeTwoOwners(t *testing.T) {
	t.Run("SO_REUSEPORT", func(t *testing.T) {
		a := startHelper(t, "reuseport", "udp4", "127.0.0.1:0")
		port := a.port(t)
		b := startHelper(t, "reuseport", "udp4", "127.0.0.1:"+strconv.Itoa(int(port)))
		o := probeOne(t, Resource{Kind: UDP, Port: port})
		if len(o.Sockets) != 2 || o.Sockets[0].Inode == o.Sockets[1].Inode {
			t.Fatalf("sockets = %+v, want two with distinct inodes", o.Sockets)
		}
		var got []int
		for _, s := range o.Sockets {
			if len(s.PIDs) != 1 {
				t.Errorf("socket %d: PIDs %v, want one each", s.Inode, s.PIDs)
			}
			got = append(got, s.PIDs...)
		}
		slices.Sort(got)
		want := []int{a.pid, b.pid}
		slices.Sort(want)
		if !slices.Equal(got, want) || len(o.Holders) != 2 {
			t.Errorf("owners = %v holders %+v, want %v", got, o.Holders, want)
		}
	})
	t.Run("fork-inherited", func(t *testing.T) {
		h := startHelper(t, "fork", "tcp4", "127.0.0.1:0")
		port := h.port(t)
		c1, _ := strconv.Atoi(h.ready[1])
		c2, _ := strconv.Atoi(h.ready[2])
		o := probeOne(t, Resource{Kind: TCP, Port: port})
		if len(o.Sockets) != 1 {
			t.Fatalf("sockets = %+v, want the one listener", o.Sockets)
		}
		want := []int{h.pid, c1, c2}
		if !slices.Equal(o.Sockets[0].PIDs, want) {
			t.Errorf("PIDs = %v, want parent and both children %v", o.Sockets[0].PIDs, want)
		}
		var got []int
		for _, hd := range o.Holders {
			got = append(got, hd.PID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("holders = %v, want %v", got, want)
		}
	})
}

func TestProbeTimeWait(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	a, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	// The side that closes first keeps TIME_WAIT: the client, so the
	// TIME_WAIT sits on its local port, which nothing else uses.
	port := uint16(c.LocalAddr().(*net.TCPAddr).Port)
	c.Close()
	if _, err := a.Read(make([]byte, 1)); err == nil {
		t.Fatal("read after peer close: want EOF")
	}
	a.Close()
	r := Resource{Kind: TCP, Port: port}
	var o Observation
	// FIN_WAIT2 turns into TIME_WAIT as soon as the server's FIN arrives;
	// loopback does that at once, but allow the scheduler a few rounds.
	for range 200 {
		if o = probeOne(t, r); len(o.Sockets) == 1 && o.Sockets[0].State == StateTimeWait {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(o.Sockets) != 1 {
		t.Fatalf("sockets = %+v, want one TIME_WAIT", o.Sockets)
	}
	s := o.Sockets[0]
	if s.State != StateTimeWait || s.TimerLeft <= 0 || s.TimerLeft > 60*time.Second || s.Inode != 0 ||
		len(s.PIDs) != 0 || s.OwnerHidden || len(o.Holders) != 0 {
		t.Errorf("socket = %+v holders %+v, want TIME_WAIT with 0 < timer <= 60s, no owner", s, o.Holders)
	}
	if s.Remote != netip.MustParseAddrPort(ln.Addr().String()) {
		t.Errorf("remote = %v, want %v", s.Remote, ln.Addr())
	}
}

func TestProbeFreePortAndOrder(t *testing.T) {
	// Bind and close to find a port that is free right now.
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	u, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	uport := uint16(u.LocalAddr().(*net.UDPAddr).Port)
	p := New()
	defer p.Close()
	rs := []Resource{{Kind: TCP, Port: port}, {Kind: UDP, Port: uport}, {Kind: TCP, Port: port}}
	for round := range 3 { // the netlink socket and buffers are reused
		obs, err := p.Probe(context.Background(), rs, ProbeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(obs) != 3 || obs[0].Resource != rs[0] || obs[1].Resource != rs[1] || obs[2].Resource != rs[2] {
			t.Fatalf("round %d: observations out of order: %+v", round, obs)
		}
		if len(obs[0].Sockets) != 0 || len(obs[0].Holders) != 0 || len(obs[2].Sockets) != 0 {
			t.Errorf("round %d: free port has %+v", round, obs[0])
		}
		if len(obs[1].Sockets) != 1 || !slices.Equal(obs[1].Sockets[0].PIDs, []int{os.Getpid()}) {
			t.Errorf("round %d: udp6 = %+v", round, obs[1])
		}
	}
}

func TestProbeCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := New()
	defer p.Close()
	_, err := p.Probe(ctx, []Resource{{Kind: TCP, Port: 1}}, ProbeOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestProbeNoOwnerProcess makes a socket no process holds: its only
// reference is an fd in flight inside an unread SCM_RIGHTS message. The walk
// then reads every process (as root: all readable) and finds no owner, which
// must come back as no PIDs and not hidden (diagnosis: kernel-owned), never
// as a guess.
func TestProbeNoOwnerProcess(t *testing.T) {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pair[0])
	defer unix.Close(pair[1])
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port := uint16(sa.(*unix.SockaddrInet4).Port)
	if err := unix.Sendmsg(pair[0], []byte{1}, unix.UnixRights(fd), nil, 0); err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)

	o := probeOne(t, Resource{Kind: UDP, Port: port})
	if len(o.Sockets) != 1 || o.Sockets[0].Inode == 0 {
		t.Fatalf("sockets = %+v, want the in-flight socket with its inode", o.Sockets)
	}
	s := o.Sockets[0]
	// The socket is ours, so even an unprivileged run must not call it hidden.
	if len(s.PIDs) != 0 || s.OwnerHidden || len(o.Holders) != 0 {
		t.Errorf("socket = %+v holders %+v, want no owner and not hidden", s, o.Holders)
	}
}
