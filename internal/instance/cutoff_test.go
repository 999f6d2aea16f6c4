package instance

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// connPair returns the two ends of a real connected stream: a loopback TCP
// connection works on every OS the tests run on, and its conns have the same
// deadline machinery as the pipes the Windows server uses.
func connPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := ln.Accept()
		ch <- res{c, err}
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		client.Close()
		t.Fatal(r.err)
	}
	t.Cleanup(func() { r.c.Close(); client.Close() })
	return r.c, client
}

// hangGuard bounds how long a test waits for something that must happen
// promptly; it only turns a hang into a failure and never races a correct
// result.
const hangGuard = time.Minute

func readAsync(c io.Reader) <-chan error {
	ch := make(chan error, 1)
	go func() {
		var b [1]byte
		_, err := c.Read(b[:])
		ch <- err
	}()
	return ch
}

func waitErr(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(hangGuard):
		t.Fatal("read was not cut off")
		return nil
	}
}

func TestCutStopsPendingReadButNotWrite(t *testing.T) {
	srv, cli := connPair(t)
	var rc readCutoff
	c := rc.track(srv.(readDeadlineConn))
	// The server-side deadline a handler sets for the request: far away,
	// so only the cut can end this read.
	if err := c.SetDeadline(time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	done := readAsync(c)
	rc.cut()
	err := waitErr(t, done)
	if !errors.Is(err, errShutdown) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("cut read returned %v, want errShutdown wrapping a deadline error", err)
	}
	// A reply still goes out after the cut.
	if _, err := c.Write([]byte("r")); err != nil {
		t.Fatalf("write after cut: %v", err)
	}
	var b [1]byte
	if _, err := io.ReadFull(cli, b[:]); err != nil || b[0] != 'r' {
		t.Fatalf("client read %q, %v; want the reply", b, err)
	}
}

func TestDeadlineSetAfterCutKeepsReadsCut(t *testing.T) {
	srv, cli := connPair(t)
	var rc readCutoff
	c := rc.track(srv.(readDeadlineConn))
	rc.cut()
	// What handle does right after accept, racing a Close.
	if err := c.SetDeadline(time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	// Even with data waiting, the cut read must not deliver it: the
	// server is no longer taking requests.
	if _, err := cli.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	err := waitErr(t, readAsync(c))
	if !errors.Is(err, errShutdown) {
		t.Fatalf("read after cut and a new deadline returned %v, want errShutdown", err)
	}
}

func TestTrackAfterCutIsBornCut(t *testing.T) {
	srv, _ := connPair(t)
	var rc readCutoff
	rc.cut()
	c := rc.track(srv.(readDeadlineConn))
	if rc.tracked() != 0 {
		t.Errorf("a connection tracked after cut is kept (%d tracked)", rc.tracked())
	}
	if err := waitErr(t, readAsync(c)); !errors.Is(err, errShutdown) {
		t.Fatalf("read on a connection born after cut returned %v, want errShutdown", err)
	}
}

func TestUncutReadHonoursItsOwnDeadline(t *testing.T) {
	srv, _ := connPair(t)
	var rc readCutoff
	c := rc.track(srv.(readDeadlineConn))
	// The silent-client case without a shutdown: the handler's own
	// deadline ends the read, and it is not reported as a shutdown.
	if err := c.SetDeadline(time.Now().Add(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	err := waitErr(t, readAsync(c))
	if !errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, errShutdown) {
		t.Fatalf("read past its deadline returned %v, want a plain deadline error", err)
	}
}

func TestCloseUntracks(t *testing.T) {
	a, _ := connPair(t)
	b, _ := connPair(t)
	var rc readCutoff
	ca := rc.track(a.(readDeadlineConn))
	cb := rc.track(b.(readDeadlineConn))
	if n := rc.tracked(); n != 2 {
		t.Fatalf("tracked %d connections, want 2", n)
	}
	if err := ca.Close(); err != nil {
		t.Fatal(err)
	}
	if n := rc.tracked(); n != 1 {
		t.Fatalf("tracked %d after one Close, want 1", n)
	}
	if cb.unwrap() != b.(readDeadlineConn) {
		t.Error("unwrap does not return the tracked connection")
	}
	cb.Close()
	if n := rc.tracked(); n != 0 {
		t.Fatalf("tracked %d after both closed, want 0", n)
	}
}

func BenchmarkTrackClose(b *testing.B) {
	srv, _ := net.Pipe()
	defer srv.Close()
	var rc readCutoff
	b.ReportAllocs()
	for b.Loop() {
		c := rc.track(nopCloser{srv.(readDeadlineConn)})
		c.Close()
	}
}

// nopCloser keeps the benchmark's one connection open across iterations.
type nopCloser struct{ readDeadlineConn }

func (nopCloser) Close() error { return nil }
