package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
)

// completionSetup writes the shell's script as `traycheck completion SHELL`
// prints it, a config with a device and a port, and an OpenVPN profile for
// discovery, and returns the directory and the environment to run the
// shell in: traycheck (this test binary, as testscript.Main put it on
// PATH) sees only these.
func completionSetup(t *testing.T, shell string) (dir string, env []string) {
	dir = t.TempDir()
	bin, err := exec.LookPath("traycheck")
	if err != nil {
		t.Fatal(err)
	}
	script, err := exec.Command(bin, "completion", shell).Output()
	if err != nil {
		t.Fatalf("traycheck completion %s: %v", shell, err)
	}
	files := map[string]string{
		"traycheck." + shell:       string(script),
		"my.toml":                  "[vpn]\nports = [\"udp/1194\", \"tcp/8443\"]\ndevices = [\"/dev/ttyUSB7\"]\n",
		"etc/openvpn/office.conf":  "client\nremote vpn.example.com\nport 1195\n",
		"textfiles/.keep":          "",
		"config-dir/config.toml.x": "",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, env = privateHome(t)
	env = append(env, "PATH="+filepath.Dir(bin)+":/usr/bin:/bin", "TRAYCHECK_TEST_DISCOVER_ROOT="+filepath.Join(dir, "etc"), "TERM=dumb")
	return dir, env
}

// runShell runs the shell's code in dir and returns its output lines.
func runShell(t *testing.T, dir string, env []string, argv ...string) []string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%q: %v\n%s", argv, err, out)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}

// completionCases are what a user types (the last word is being
// completed) and words that must, and must not, be offered.
var completionCases = []struct {
	line      string
	want, not []string
}{
	{"traycheck ch", []string{"check", "check-now"}, []string{"watch"}},
	{"traycheck ", []string{"check", "watch", "explain", "completion", "help"}, []string{"__complete"}},
	{"traycheck check --js", []string{"--json"}, []string{"--config"}},
	{"traycheck check -", []string{"--json", "--config", "--help", "--version"}, []string{"-V", "-v"}},
	{"traycheck watch --int", []string{"--interval"}, nil},
	{"traycheck action ", []string{"retry", "end-process", "check-as-admin"}, nil},
	{"traycheck action end-process --resource ", []string{"udp/1195"}, nil},
	{"traycheck help oth", []string{"other-app"}, nil},
	{"traycheck help time", []string{"time-wait"}, nil},
	{"traycheck config ", []string{"path", "init", "validate", "discover", "show"}, nil},
	{"traycheck config init --", []string{"--force", "--discover"}, nil},
	{"traycheck completion ", []string{"bash", "zsh", "fish"}, nil},
	{"traycheck autostart ", []string{"enable", "disable", "status"}, nil},
	// Resources: the configured ones (of --config when given) and what
	// discovery found (the OpenVPN profile's udp/1195).
	{"traycheck check --config my.toml ", []string{"udp/1194", "tcp/8443", "/dev/ttyUSB7", "udp/1195"}, []string{"my.toml"}},
	{"traycheck check --config my.toml /dev/tty", []string{"/dev/ttyUSB7"}, []string{"udp/1194"}},
	{"traycheck check udp/", []string{"udp/500", "udp/1195"}, []string{"tcp/8443", "udp/1194"}},
	// A flag's value: file names for --config.
	{"traycheck check --config m", []string{"my.toml"}, []string{"udp/1194"}},
	{"traycheck watch --textfile text", []string{"textfiles"}, []string{"traycheck.bash"}},
}

func checkCompletion(t *testing.T, line string, got, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%q: %q not offered; got %q", line, w, got)
		}
	}
	for _, n := range not {
		if slices.Contains(got, n) {
			t.Errorf("%q: %q offered; got %q", line, n, got)
		}
	}
}

// bash: the script registers _traycheck, which fills COMPREPLY from
// COMP_WORDS and COMP_CWORD as readline would set them.
func TestCompletionBash(t *testing.T) {
	bash := testenv.LookPath(t, "bash")
	dir, env := completionSetup(t, "bash")
	got := runShell(t, dir, env, bash, "--norc", "--noprofile", "-c", "source ./traycheck.bash && complete -p traycheck")
	if len(got) != 1 || got[0] != "complete -F _traycheck traycheck" {
		t.Fatalf("complete -p traycheck: %q", got)
	}
	for _, c := range completionCases {
		// read -a splits the line as bash splits words for completion
		// (here: at blanks); a trailing blank starts an empty word.
		code := `source ./traycheck.bash
read -r -a COMP_WORDS <<<"$LINE"
[[ $LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$LINE COMP_POINT=${#LINE}
_traycheck
printf '%s\n' "${COMPREPLY[@]}"`
		got := runShell(t, dir, append(env, "LINE="+c.line), bash, "--norc", "--noprofile", "-c", code)
		checkCompletion(t, c.line, trimSlash(got), c.want, c.not)
	}
}

// fish: `complete -C` completes a command line as the prompt would.
func TestCompletionFish(t *testing.T) {
	fish := testenv.LookPath(t, "fish")
	dir, env := completionSetup(t, "fish")
	for _, c := range completionCases {
		got := runShell(t, dir, append(env, "LINE="+c.line), fish, "--no-config", "-c", "source ./traycheck.fish; complete -C \"$LINE\"")
		var words []string
		for _, l := range got {
			w, _, _ := strings.Cut(l, "\t")
			words = append(words, w)
		}
		checkCompletion(t, c.line, trimSlash(words), c.want, c.not)
	}
	// fish shows the descriptions.
	got := runShell(t, dir, env, fish, "--no-config", "-c", `source ./traycheck.fish; complete -C "traycheck ch"`)
	if !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, "check\tsay who holds") }) {
		t.Errorf("fish: no description for check: %q", got)
	}
}

// zsh: the script's _traycheck, run with words and CURRENT as the
// completion system sets them, hands its candidates to compadd (and file
// names to _files), which stand in here for the completion system's own
// (they need a terminal).
func TestCompletionZsh(t *testing.T) {
	zsh := testenv.LookPath(t, "zsh")
	dir, env := completionSetup(t, "zsh")
	for _, c := range completionCases {
		code := `compdef() { print -r -- "compdef $*" >&2 }
compadd() {
	local -a names
	while (( $# )); do
		case $1 in
		-d) shift 2 ;;
		-a) shift; names=("$@"); break ;;
		*) shift ;;
		esac
	done
	local n
	for n in $names; do print -rl -- "${(@P)n}"; done
}
_files() { local f; for f in ${PREFIX}*(N); do [[ $1 == -/ && ! -d $f ]] || print -r -- $f; done }
source ./traycheck.zsh 2>/dev/null
words=("${(@s: :)LINE}")
[[ $LINE == *" " ]] && words[-1]=""
CURRENT=${#words}
PREFIX=${words[CURRENT]}
_traycheck`
		got := runShell(t, dir, append(env, "LINE="+c.line), zsh, "-f", "-c", code)
		checkCompletion(t, c.line, trimSlash(got), c.want, c.not)
	}
}

// trimSlash drops the trailing slash shells add to directory names.
func trimSlash(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = strings.TrimSuffix(w, "/")
	}
	return out
}

// zptyDriver runs an interactive zsh on a pseudo-terminal (zsh's zpty
// module), loads the completion system with the script as _traycheck in
// $DIR, types $LINE and a Tab, and prints the screen until $WANT shows
// (or 10 s passed).
const zptyDriver = `zmodload zsh/zpty
zpty z 'TERM=xterm zsh -f -i'
zpty -w z "PS1='> '; fpath=($DIR \$fpath); autoload -U compinit; compinit -u -D"
zpty -n -w z "$LINE"$'\t'
out=""
for i in {1..100}; do
	while zpty -r -t z chunk; do out+=$chunk; done
	[[ $out == *$WANT* ]] && break
	sleep 0.1
done
zpty -d z
print -r -- $out
`

// zsh for real: Tab in an interactive zsh lists what the completion
// system got from the script, with the descriptions.
func TestCompletionZshInteractive(t *testing.T) {
	zsh := testenv.LookPath(t, "zsh")
	dir, env := completionSetup(t, "zsh")
	if err := os.Rename(filepath.Join(dir, "traycheck.zsh"), filepath.Join(dir, "_traycheck")); err != nil {
		t.Fatal(err)
	}
	for line, wants := range map[string][]string{
		"traycheck action ":     {"end-process", `"End process" stops the holder`, "check-as-admin"},
		"traycheck completion ": {"bash", "fish", "zsh"},
		"traycheck check --js":  {"--json"},
	} {
		out := runShell(t, dir, append(env, "LINE="+line, "WANT="+wants[0], "DIR="+dir, "TERM=xterm"), zsh, "-f", "-c", zptyDriver)
		screen := strings.Join(out, "\n")
		for _, w := range wants {
			if !strings.Contains(screen, w) {
				t.Errorf("zsh: %q then Tab does not show %q:\n%s", line, w, screen)
			}
		}
	}
}
