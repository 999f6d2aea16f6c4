package fleet

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/safefile"
)

// TextfileName is the file Textfile writes in its directory.
const TextfileName = "traycheck.prom"

// maxTextfileResources bounds the resource label's values: the config's own
// limit is lower; this keeps a series explosion impossible even so.
const maxTextfileResources = 256

// Textfile is the monitor sink that keeps node_exporter's textfile collector
// up to date (`traycheck watch --textfile DIR`): one gauge per watched
// resource with its cause, and counters of findings by cause and of resumes.
// Labels are bounded: resource comes from the config, cause from the fixed
// cause ids; holder names and paths never become labels. Each write is a
// temporary file renamed over the last, so a scrape never sees half a file.
type Textfile struct {
	Dir string
	Log *slog.Logger // where a failed write is reported (nil: nowhere)

	mu          sync.Mutex
	findings    map[diagnose.Cause]uint64
	resumes     uint64
	lastResume  float64
	lastErr     bool
	lastCheck   float64
	resources   []diagnose.Finding
	initialized bool
}

var _ monitor.Sink = (*Textfile)(nil)

// Checking is part of monitor.Sink.
func (t *Textfile) Checking(monitor.Trigger) {}

// Result rewrites the file from the report.
func (t *Textfile) Result(r monitor.Report) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.findings == nil {
		t.findings = map[diagnose.Cause]uint64{}
	}
	t.lastCheck = float64(r.At.UnixMilli()) / 1000
	t.lastErr = r.Err != nil
	if r.Err == nil {
		t.resources = r.Findings
		for _, f := range r.Transitions {
			t.findings[f.Cause]++
		}
	}
	t.initialized = true
	t.write()
}

// Power counts resumes.
func (t *Textfile) Power(ev power.Event) {
	if ev.Kind != power.Resume {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.resumes++
	t.lastResume = float64(ev.At.UnixMilli()) / 1000
	if t.initialized {
		t.write()
	}
}

func (t *Textfile) write() {
	if err := writeAtomic(t.Dir, TextfileName, t.render()); err != nil && t.Log != nil {
		t.Log.Warn("writing the metrics textfile failed", "err", err)
	}
}

func (t *Textfile) render() []byte {
	var b bytes.Buffer
	ok := 1
	if t.lastErr {
		ok = 0
	}
	fmt.Fprintf(&b, "# HELP traycheck_check_success Whether traycheck's last check could look at the machine (0: the probe failed).\n# TYPE traycheck_check_success gauge\ntraycheck_check_success %d\n", ok)
	fmt.Fprintf(&b, "# HELP traycheck_last_check_timestamp_seconds When traycheck last checked.\n# TYPE traycheck_last_check_timestamp_seconds gauge\ntraycheck_last_check_timestamp_seconds %.3f\n", t.lastCheck)
	b.WriteString("# HELP traycheck_resource_conflict Whether a watched port or device needs attention (1), by its current cause.\n# TYPE traycheck_resource_conflict gauge\n")
	for i, f := range t.resources {
		if i == maxTextfileResources {
			break
		}
		v := 0
		if f.NeedsAttention() {
			v = 1
		}
		fmt.Fprintf(&b, "traycheck_resource_conflict{resource=\"%s\",cause=\"%s\"} %d\n", labelValue(f.Resource.String()), labelValue(string(f.Cause)), v)
	}
	b.WriteString("# HELP traycheck_findings_total Findings that changed a resource's state, by cause, since traycheck started.\n# TYPE traycheck_findings_total counter\n")
	causes := make([]string, 0, len(t.findings))
	for c := range t.findings {
		causes = append(causes, string(c))
	}
	sort.Strings(causes)
	for _, c := range causes {
		fmt.Fprintf(&b, "traycheck_findings_total{cause=\"%s\"} %d\n", labelValue(c), t.findings[diagnose.Cause(c)])
	}
	fmt.Fprintf(&b, "# HELP traycheck_resumes_total Wakes from sleep traycheck saw since it started.\n# TYPE traycheck_resumes_total counter\ntraycheck_resumes_total %d\n", t.resumes)
	if t.lastResume > 0 {
		fmt.Fprintf(&b, "# HELP traycheck_last_resume_timestamp_seconds When the machine last woke.\n# TYPE traycheck_last_resume_timestamp_seconds gauge\ntraycheck_last_resume_timestamp_seconds %.3f\n", t.lastResume)
	}
	return b.Bytes()
}

// labelValue escapes a label value as the text format wants.
func labelValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// tempName is the temporary file's name for the file name; tests plant
// links at the names it gives.
var tempName = func(name string) string {
	return "." + name + "." + strconv.FormatUint(rand.Uint64(), 36) + ".tmp"
}

// writeAtomic writes name in dir through a temporary file in the same
// directory, renamed over the old one only once complete. The directory may
// be writable by another account (node_exporter's, with traycheck as root),
// so nothing is done by name that a planted link could redirect: the
// temporary file is created exclusively (a link or file at its name makes
// the create fail, and another name is tried), its mode is set on the open
// file, and only the rename uses its name again.
func writeAtomic(dir, name string, data []byte) error {
	var f *os.File
	var err error
	for range 100 {
		f, err = safefile.CreateExclusive(filepath.Join(dir, tempName(name)), 0o600)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("textfile: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Chmod(0o644) // node_exporter often runs as its own user
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, filepath.Join(dir, name))
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("textfile: %w", werr)
	}
	return nil
}
