package instance

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Issue 17 item 9, staged on the real socket: silent same-user clients
// held every one of 8 slots and check-now got no answer; 200 concurrent
// check-now got 17 to 85 answers.

func TestSilentClientsDoNotStarveRealOnes(t *testing.T) {
	runtimeDir(t)
	old := connTimeout
	connTimeout = time.Hour // only eviction can free a silent client's slot
	t.Cleanup(func() { connTimeout = old })
	it := startInstance(t)
	p, err := socketPath()
	if err != nil {
		t.Fatal(err)
	}
	var silent []net.Conn
	for range 2 * maxConns {
		c, err := net.Dial("unix", p)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		silent = append(silent, c)
	}
	time.Sleep(2 * evictAfter) // they are now silent for longer than evictAfter
	start := time.Now()
	for i := range 20 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		rep, err := Send(ctx, Message{Op: OpCheckNow})
		cancel()
		if err != nil || rep.Error != "" {
			t.Fatalf("check-now %d behind %d silent clients: %+v, %v", i, len(silent), rep, err)
		}
	}
	t.Logf("20 check-now behind silent clients took %v", time.Since(start))
	if n := it.calls.Load(); n != 20 {
		t.Errorf("handler ran %d times, want 20", n)
	}
	// The evicted ones were told why.
	var told atomic.Int32
	var wg sync.WaitGroup
	for _, c := range silent {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(time.Second))
			if rep, err := ReadReply(c); err == nil && rep.Error == BusyReply {
				told.Add(1)
			}
		}()
	}
	wg.Wait()
	if told.Load() == 0 || !strings.Contains(it.log.String(), "dropped a client that sent nothing") {
		t.Errorf("%d evicted clients were told busy; log:\n%s", told.Load(), it.log.String())
	}
}

func TestConcurrentCheckNowAllAnswered(t *testing.T) {
	runtimeDir(t)
	l, err := Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	var calls atomic.Int32
	srv, err := l.Listen(func(context.Context, Message) Reply {
		calls.Add(1)
		time.Sleep(30 * time.Millisecond) // a check takes a while; slots stay taken
		return Reply{}
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	const n = 200
	var wg sync.WaitGroup
	var ok atomic.Int32
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := Send(context.Background(), Message{Op: OpCheckNow})
			if err == nil && rep.Error == "" {
				ok.Add(1)
			} else {
				errs <- errors.Join(err, errors.New(rep.Error))
			}
		}()
	}
	wg.Wait()
	close(errs)
	if ok.Load() != n {
		t.Errorf("%d of %d concurrent check-now answered; first error: %v", ok.Load(), n, <-errs)
	}
}

// TestNoAnswerIsSaidAsSuch stands a listener at the instance's socket that
// accepts and then stays silent, hangs up, or resets the connection: the
// client's error must say which, and never "malformed".
func TestNoAnswerIsSaidAsSuch(t *testing.T) {
	runtimeDir(t)
	p, err := socketPath()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", p)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	mode := make(chan string, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			switch <-mode {
			case "silent":
				defer c.Close()
			case "hang up":
				buf := make([]byte, 64)
				c.Read(buf) // take the whole request, then close: a clean EOF
				c.Close()
			case "reset":
				time.Sleep(50 * time.Millisecond) // the request sits unread: close resets
				c.Close()
			}
		}
	}()
	for m, want := range map[string]string{"silent": "did not answer in time", "hang up": "closed the connection",
		"reset": "reset the connection"} {
		mode <- m
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err := Send(ctx, Message{Op: OpCheckNow})
		cancel()
		if !errors.Is(err, ErrNoAnswer) || errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want ErrNoAnswer saying %q", m, err, want)
		}
	}
}

// TestServerSaysWhyARequestWasNotRead: a client that says nothing until the
// timeout, and one that hangs up, are logged as what they are.
func TestServerSaysWhyARequestWasNotRead(t *testing.T) {
	runtimeDir(t)
	old := connTimeout
	connTimeout = 200 * time.Millisecond
	t.Cleanup(func() { connTimeout = old })
	it := startInstance(t)
	p, _ := socketPath()
	c, err := net.Dial("unix", p)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ReadReply(c) // the server's answer to our silence
	c.Close()
	if err != nil || rep.Error != "timed out waiting for the request" {
		t.Errorf("silent client got %+v, %v", rep, err)
	}
	c, err = net.Dial("unix", p)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(it.log.String(), "hung up before sending") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	log := it.log.String()
	if !strings.Contains(log, "sent no request in time") || !strings.Contains(log, "hung up before sending") || strings.Contains(log, "malformed") {
		t.Errorf("log does not say what happened:\n%s", log)
	}
}
