package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/traycheck/traycheck/internal/testenv"
)

// schemaBase is the $id prefix of docs/schema/*.json.
const schemaBase = "https://github.com/traycheck/traycheck/docs/schema/"

// compileSchemas compiles the shipped schema files, formats (date-time)
// asserted.
func compileSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	files, err := filepath.Glob("../../docs/schema/*-1.schema.json")
	if err != nil || len(files) != 6 {
		t.Fatalf("schema files: %v %v", files, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := c.AddResource(schemaBase+filepath.Base(f), doc); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{"check", "watch", "discover", "config", "explain", "report"} {
		s, err := c.Compile(schemaBase + name + "-1.schema.json")
		if err != nil {
			t.Fatalf("compiling %s: %v", name, err)
		}
		out[name] = s
	}
	return out
}

// validate checks one JSON document against the schema name and that it
// names that schema, and returns it decoded.
func validate(t *testing.T, schemas map[string]*jsonschema.Schema, name, what string, doc []byte) map[string]any {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Errorf("%s: not JSON: %v\n%s", what, err, doc)
		return nil
	}
	if err := schemas[name].Validate(inst); err != nil {
		t.Errorf("%s does not validate against %s-1.schema.json: %v\n%s", what, name, err, doc)
	}
	m, _ := inst.(map[string]any)
	if m["schema"] != "traycheck."+name+"/1" {
		t.Errorf("%s: schema = %v, want traycheck.%s/1", what, m["schema"], name)
	}
	return m
}

// schemaWorld is the shell script that produces every kind of document
// for real, in a private network namespace with a private /run (its lock
// directory): a free port, a port socat holds (and the same seen by an
// unprivileged user: the owner hidden), a port left in TIME_WAIT, a pty a
// process holds open, the same pty under a stale UUCP lock, a missing
// device; then explain, report, config show, config discover and a few
// seconds of watch, all with --json, each into its own file.
const schemaWorld = `set -eu
cd "$DIR"
# Background programs write nowhere and end with the script.
exec >/dev/null 2>"$DIR/world.log"
waitbound() { for _ in $(seq 200); do ss -Hln "$1" "sport = :$2" | grep -q . && return; sleep 0.05; done; echo "nothing bound $2" >&2; exit 1; }
mkdir -p /run/lock
traycheck check --json tcp/4000 >free.json || true
socat -u UDP4-RECV:4001 /dev/null &
waitbound -u 4001
traycheck check --json udp/4001 >conflict.json || true
setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$DIR/nobody" "$DIR/bin/traycheck" check --json udp/4001 >hidden.json || true
traycheck explain --json 'listen udp4 0.0.0.0:4001: bind: address already in use' >explain.json || true
socat TCP4-LISTEN:4002,bind=127.0.0.1 SYSTEM:true &
waitbound -t 4002
socat -u TCP4:127.0.0.1:4002 /dev/null
wait $!
traycheck check --json tcp/4002 >timewait.json || true
socat -u EXEC:'sleep 600' PTY,link="$DIR/ttyV0",rawer &
for _ in $(seq 200); do [ -e "$DIR/ttyV0" ] && break; sleep 0.05; done
sleep 600 <"$DIR/ttyV0" &
holder=$!
traycheck check --json "$DIR/ttyV0" >device.json || true
kill $holder
# A device nothing holds (a node of an unused number), under a lock of a
# dead PID.
mknod "$DIR/ttyL0" c 240 200
printf '%10d\n' 999999 >/run/lock/LCK..ttyL0
traycheck check --json "$DIR/ttyL0" >lock.json || true
traycheck check --json /dev/ttyTRAYCHECK9 >missing.json || true
traycheck report --json --config c.toml >report.json || true
traycheck config show --json --config c.toml >config.json
traycheck config discover --json >discover.json
traycheck watch --json --config c.toml --interval 1s >watch.json &
sleep 2.5
kill -TERM $!
wait $! || true
`

// TestJSONValidatesAgainstShippedSchemas makes every kind of --json
// output for real and validates each against docs/schema, the files the
// packages ship.
func TestJSONValidatesAgainstShippedSchemas(t *testing.T) {
	schemas := compileSchemas(t)
	ns := testenv.NewNetNS(t)
	testenv.LookPath(t, "socat")
	testenv.LookPath(t, "setpriv")
	bin, err := exec.LookPath("traycheck")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The unprivileged user runs its own copy (the test's is in a private
	// directory); both live where it can read them.
	for _, d := range []string{filepath.Dir(dir), dir, filepath.Join(dir, "bin"), filepath.Join(dir, "nobody")} {
		os.MkdirAll(d, 0o755)
		os.Chmod(d, 0o777)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "traycheck"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "[vpn]\nports = [\"udp/4001\", \"tcp/4000\"]\ndevices = [\"" + filepath.Join(dir, "ttyV0") + "\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "c.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	_, env := privateHome(t)
	cmd := ns.PrivateRun(context.Background(), schemaWorld)
	cmd.Env = append(os.Environ(), append(env, "DIR="+dir)...)
	if err := cmd.Run(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "world.log"))
		t.Fatalf("the world's script: %v\n%s", err, log)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// The check documents, each with the cause it was staged for.
	for file, cause := range map[string]string{
		"free.json": "free", "conflict.json": "other-app", "hidden.json": "hidden-owner", "timewait.json": "time-wait",
		"device.json": "other-app", "lock.json": "crashed-leftover", "missing.json": "device-missing",
	} {
		doc := validate(t, schemas, "check", "check --json ("+file+")", read(file))
		fs, _ := doc["findings"].([]any)
		if len(fs) != 1 || fs[0].(map[string]any)["cause"] != cause {
			t.Errorf("%s: want one finding with cause %s:\n%s", file, cause, read(file))
		}
	}
	validate(t, schemas, "explain", "explain --json", read("explain.json"))
	validate(t, schemas, "report", "report --json", read("report.json"))
	validate(t, schemas, "config", "config show --json", read("config.json"))
	validate(t, schemas, "discover", "config discover --json", read("discover.json"))
	lines := strings.Split(strings.TrimSpace(string(read("watch.json"))), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("watch --json printed nothing")
	}
	for i, l := range lines {
		validate(t, schemas, "watch", "watch --json line "+string(rune('1'+i)), []byte(l))
	}
}

// A schema rejects what breaks its contract: the validator is not
// accepting everything.
func TestSchemasRejectBrokenDocuments(t *testing.T) {
	schemas := compileSchemas(t)
	for what, doc := range map[string]string{
		"no schema":     `{"checked_at":"2026-01-02T03:04:05Z","findings":[]}`,
		"other version": `{"schema":"traycheck.check/2","checked_at":"2026-01-02T03:04:05Z","findings":[]}`,
		"unknown cause": `{"schema":"traycheck.check/1","checked_at":"2026-01-02T03:04:05Z","findings":[{"resource":{"kind":"udp","port":1},"cause":"gremlins","holders":[],"time_wait_left_s":0,"actions":[],"message":"x"}]}`,
		"bad date":      `{"schema":"traycheck.check/1","checked_at":"yesterday","findings":[]}`,
		"port 0":        `{"schema":"traycheck.check/1","checked_at":"2026-01-02T03:04:05Z","findings":[{"resource":{"kind":"udp","port":0},"cause":"free","holders":[],"time_wait_left_s":0,"actions":[],"message":"x"}]}`,
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if schemas["check"].Validate(inst) == nil {
			t.Errorf("%s: validates", what)
		}
	}
	var v any
	if err := json.Unmarshal([]byte(`{"schema":"traycheck.watch/1","event":"check"}`), &v); err != nil {
		t.Fatal(err)
	}
	if schemas["watch"].Validate(v) == nil {
		t.Error("a watch check line without findings validates")
	}
}
