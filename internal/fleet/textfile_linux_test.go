package fleet

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// The oracle is Debian's node_exporter reading the directory: its
// node_textfile_scrape_error stays 0 and traycheck's series come through.
func TestTextfileReadByNodeExporter(t *testing.T) {
	ne := testenv.LookPath(t, "prometheus-node-exporter")
	curl := testenv.LookPath(t, "curl")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	tf := &Textfile{Dir: dir}
	hostile := vpnport.Resource{Kind: vpnport.Device, Path: "/dev/tty\"USB0\n"}
	f1 := diagnose.Finding{Resource: vpnport.Resource{Kind: vpnport.UDP, Port: 1194}, Cause: diagnose.OtherApp}
	f2 := diagnose.Finding{Resource: vpnport.Resource{Kind: vpnport.TCP, Port: 8080}, Cause: diagnose.Free}
	f3 := diagnose.Finding{Resource: hostile, Cause: diagnose.DeviceMissing}
	tf.Power(power.Event{Kind: power.Resume, At: time.Now()})
	tf.Result(monitor.Report{At: time.Now(), Findings: []diagnose.Finding{f1, f2, f3}, Transitions: []diagnose.Finding{f1, f3}})

	ns := testenv.NewNetNS(t)
	ctx := context.Background()
	p := testenv.Start(t, ns.Command(ctx, ne, "--collector.disable-defaults", "--collector.textfile",
		"--collector.textfile.directory="+dir, "--web.listen-address=127.0.0.1:9100"))
	var metrics string
	testenv.WaitFor(t, 10*time.Second, "node_exporter to serve", func() bool {
		if done, err := p.Exited(); done {
			t.Fatalf("node_exporter exited: %v\n%s", err, p.Log.String())
		}
		out, err := ns.Command(ctx, curl, "-fsS", "http://127.0.0.1:9100/metrics").Output()
		metrics = string(out)
		return err == nil
	})
	for _, want := range []string{
		"node_textfile_scrape_error 0",
		`traycheck_resource_conflict{cause="other-app",resource="udp/1194"} 1`,
		`traycheck_resource_conflict{cause="free",resource="tcp/8080"} 0`,
		`traycheck_resource_conflict{cause="device-missing",resource="/dev/tty\"USB0\n"} 1`,
		`traycheck_findings_total{cause="other-app"} 1`,
		"traycheck_resumes_total 1",
		"traycheck_check_success 1",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("node_exporter does not show %s", want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", metrics)
	}
	// Only the finished file is ever in the directory.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != TextfileName {
		t.Errorf("directory holds %v", ents)
	}
	if _, err := os.Stat(filepath.Join(dir, TextfileName)); err != nil {
		t.Error(err)
	}
}
