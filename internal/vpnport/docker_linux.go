package vpnport

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// DockerSocket is where the Docker engine's API listens; tests point it at
// their own server.
var DockerSocket = "/var/run/docker.sock"

// dockerTimeout bounds the one API call a docker-proxy holder costs: an
// engine that does not answer must not slow the check.
const dockerTimeout = time.Second

// dockerContainerName asks the Docker engine which container has ip, and
// returns its name ("" when the socket does not answer, is not readable for
// this user, or no container has that address).
func dockerContainerName(ctx context.Context, ip string) string {
	ctx, cancel := context.WithTimeout(ctx, dockerTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", DockerSocket)
	if err != nil {
		return ""
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// HTTP/1.0: the engine (Go's net/http server) then answers without
	// chunking and closes the connection after the body.
	if _, err := io.WriteString(conn, "GET /containers/json HTTP/1.0\r\nHost: docker\r\n\r\n"); err != nil {
		return ""
	}
	body, err := dockerBody(bufio.NewReader(conn))
	if err != nil {
		return ""
	}
	name, _ := containerWithIP(io.LimitReader(body, 4<<20), ip)
	return name
}

// containerWithIP finds the container with ip in a /containers/json answer.
func containerWithIP(r io.Reader, ip string) (string, error) {
	var cs []struct {
		Names           []string
		NetworkSettings struct {
			Networks map[string]struct{ IPAddress string }
		}
	}
	if err := json.NewDecoder(r).Decode(&cs); err != nil {
		return "", fmt.Errorf("docker: %w", err)
	}
	for _, c := range cs {
		for _, n := range c.NetworkSettings.Networks {
			if n.IPAddress == ip && len(c.Names) > 0 {
				return strings.TrimPrefix(c.Names[0], "/"), nil
			}
		}
	}
	return "", nil
}
