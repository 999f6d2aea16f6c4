package diagnose_test

import (
	"context"
	"testing"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// The runtimes' own words for a taken port, captured from the real
// interpreters (Python 3.11 and Flask, Node 18 on Debian 12).
func TestRealRuntimes(t *testing.T) {
	ns := testenv.NewNetNS(t)
	hold(t, ns, "tcp", "127.0.0.1", 5000)
	hold(t, ns, "udp", "0.0.0.0", 41234)
	ctx := context.Background()
	t.Run("python", func(t *testing.T) {
		testenv.LookPath(t, "python3")
		out := run(t, ns.Command(ctx, "python3", "-c", `import socket; socket.socket().bind(("127.0.0.1", 5000))`))
		check(t, out, want{"python-errno", diagnose.AddressInUse, diagnose.TextResource{}, ""})
	})
	t.Run("flask", func(t *testing.T) {
		testenv.LookPath(t, "python3")
		if err := ns.Command(ctx, "python3", "-c", "import flask").Run(); err != nil {
			testenv.Missing(t, "python3-flask")
		}
		out := run(t, ns.Command(ctx, "python3", "-c", `import flask; flask.Flask("t").run(host="127.0.0.1", port=5000)`))
		check(t, out, want{"werkzeug-port-in-use", diagnose.AddressInUse, diagnose.TextResource{Kind: vpnport.TCP, Port: 5000}, ""})
	})
	t.Run("node", func(t *testing.T) {
		testenv.LookPath(t, "node")
		out := run(t, ns.Command(ctx, "node", "-e", `require("net").createServer().listen(5000, "127.0.0.1")`))
		check(t, out, want{"node-listen", diagnose.AddressInUse, diagnose.TextResource{Kind: vpnport.TCP, Port: 5000, Address: "127.0.0.1"}, ""})
		out = run(t, ns.Command(ctx, "node", "-e", `require("dgram").createSocket("udp4").bind(41234)`))
		check(t, out, want{"node-bind", diagnose.AddressInUse, diagnose.TextResource{Kind: vpnport.UDP, Port: 41234, Address: "0.0.0.0"}, ""})
	})
}
