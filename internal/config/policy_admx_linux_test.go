package config

import (
	"os/exec"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
)

func TestADMXWellFormed(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		testenv.Missing(t, "xmllint (package libxml2-utils)")
	}
	out, err := exec.Command(xmllint, "--noout", admxDir+"traycheck.admx", admxDir+"en-US/traycheck.adml").CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}
