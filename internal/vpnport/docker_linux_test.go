package vpnport

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// No Docker engine runs here: a server on a Unix socket answers the one
// call the probe makes, with the shape the engine's API gives.
func TestDockerContainerName(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "docker.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/containers/json" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`[{"Id":"ab","Names":["/web"],"NetworkSettings":{"Networks":{"bridge":{"IPAddress":"172.17.0.2"}}}},
			{"Id":"cd","Names":["/db"],"NetworkSettings":{"Networks":{"app":{"IPAddress":"172.18.0.3"}}}}]`))
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	old := DockerSocket
	DockerSocket = sock
	t.Cleanup(func() { DockerSocket = old })
	if n := dockerContainerName(context.Background(), "172.18.0.3"); n != "db" {
		t.Errorf("got %q", n)
	}
	if n := dockerContainerName(context.Background(), "10.0.0.9"); n != "" {
		t.Errorf("unknown ip: %q", n)
	}
	// A socket nobody answers on costs at most the timeout.
	DockerSocket = filepath.Join(t.TempDir(), "absent.sock")
	start := time.Now()
	if n := dockerContainerName(context.Background(), "172.17.0.2"); n != "" || time.Since(start) > 5*time.Second {
		t.Errorf("absent socket: %q after %v", n, time.Since(start))
	}
	if _, err := containerWithIP(strings.NewReader("{"), "x"); err == nil {
		t.Error("bad JSON accepted")
	}
}
