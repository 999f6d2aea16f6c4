package vpnport

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

func TestDockerBody(t *testing.T) {
	const js = `[{"Names":["/db"],"NetworkSettings":{"Networks":{"app":{"IPAddress":"172.18.0.3"}}}}]`
	chunked := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"10;ext=1\r\n" + js[:16] + "\r\n" + "0\r\n\r\n"
	for _, tc := range []struct {
		name, in, want, err string
	}{
		{"plain", "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + js, js, ""},
		{"chunked", chunked, js[:16], ""},
		{"chunked in two", "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", "abcde", ""},
		{"not found", "HTTP/1.0 404 Not Found\r\n\r\nno", "", `status "404"`},
		{"not http", "SSH-2.0-OpenSSH_9.2\r\n", "", "not an HTTP/1 answer"},
		{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "", "bad chunk size"},
		{"chunk without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY0\r\n\r\n", "", "not followed by CRLF"},
		{"cut chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nabc", "", "unexpected EOF"},
		{"empty", "", "", "status line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, err := dockerBody(bufio.NewReader(strings.NewReader(tc.in)))
			var got []byte
			if err == nil {
				got, err = io.ReadAll(body)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// A Docker engine's answer is whatever the socket's owner sends: it may be
// any bytes, and must never panic or loop.
func FuzzDockerBody(f *testing.F) {
	f.Add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
	f.Add("HTTP/1.0 200 OK\r\n\r\n[]")
	f.Fuzz(func(t *testing.T, in string) {
		body, err := dockerBody(bufio.NewReader(strings.NewReader(in)))
		if err != nil {
			return
		}
		b, _ := io.ReadAll(io.LimitReader(body, 1<<20))
		if len(b) > len(in) {
			t.Fatalf("body of %d bytes from %d bytes of input", len(b), len(in))
		}
	})
}
