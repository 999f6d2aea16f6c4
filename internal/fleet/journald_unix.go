//go:build !windows

package fleet

import (
	"fmt"
	"net"
	"sync"
)

// Journal writes events to journald over its native socket.
type Journal struct {
	Socket       string // DefaultJournalSocket unless a test points elsewhere
	ShareCmdline bool

	mu   sync.Mutex
	conn *net.UnixConn
}

// Write sends one entry. The connection is opened lazily and dropped on an
// error, so a journald that restarts is found again on the next event.
func (j *Journal) Write(e Event) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.conn == nil {
		sock := j.Socket
		if sock == "" {
			sock = DefaultJournalSocket
		}
		c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock, Net: "unixgram"})
		if err != nil {
			return fmt.Errorf("journald: %w", err)
		}
		j.conn = c
	}
	if _, err := j.conn.Write(EncodeJournal(e.Fields(j.ShareCmdline))); err != nil {
		j.conn.Close()
		j.conn = nil
		return fmt.Errorf("journald: %w", err)
	}
	return nil
}

// Close releases the socket.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.conn == nil {
		return nil
	}
	err := j.conn.Close()
	j.conn = nil
	return err
}
