package vpnport

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"
)

// dockerBody reads an HTTP/1.x response head from r and returns its body,
// de-chunked if the server chunked it. The Docker engine is asked over its
// Unix socket with a one-line HTTP/1.0 request written by hand: net/http
// for this one call would link TLS, HTTP/2 and their package
// initialisation into every start of the binary (about 3 MB and a few
// milliseconds per `traycheck check`). Anything but 200 is an error.
func dockerBody(r *bufio.Reader) (io.Reader, error) {
	tp := textproto.NewReader(r)
	status, err := tp.ReadLine()
	if err != nil {
		return nil, fmt.Errorf("docker: reading the status line: %w", err)
	}
	proto, rest, _ := strings.Cut(status, " ")
	code, _, _ := strings.Cut(rest, " ")
	if !strings.HasPrefix(proto, "HTTP/1.") {
		return nil, fmt.Errorf("docker: not an HTTP/1 answer: %q", status)
	}
	if code != "200" {
		return nil, fmt.Errorf("docker: status %q", code)
	}
	h, err := tp.ReadMIMEHeader()
	if err != nil {
		return nil, fmt.Errorf("docker: reading the headers: %w", err)
	}
	if strings.EqualFold(h.Get("Transfer-Encoding"), "chunked") {
		return &chunkedReader{r: r}, nil
	}
	return r, nil
}

// chunkedReader undoes HTTP/1.1 chunked transfer coding (RFC 9112 7.1),
// ignoring chunk extensions and trailers.
type chunkedReader struct {
	r    *bufio.Reader
	left int64 // bytes left in the current chunk
	done bool
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	if c.done {
		return 0, io.EOF
	}
	if c.left == 0 {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return 0, fmt.Errorf("docker: chunk size: %w", err)
		}
		size, _, _ := strings.Cut(strings.TrimRight(line, "\r\n"), ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("docker: bad chunk size %q", line)
		}
		if n == 0 {
			c.done = true
			return 0, io.EOF
		}
		c.left = n
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left == 0 && err == nil {
		// The CRLF after the chunk's data.
		var crlf [2]byte
		if _, err := io.ReadFull(c.r, crlf[:]); err != nil || crlf != [2]byte{'\r', '\n'} {
			return n, errors.New("docker: chunk not followed by CRLF")
		}
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
