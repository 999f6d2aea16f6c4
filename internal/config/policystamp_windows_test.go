package config

import (
	"fmt"
	"testing"
	"time"

	"golang.org/x/sys/windows/registry"
)

// The live reload sees a policy written in the registry: the stamp of the
// key changes when a table's value is written (a real registry: Wine's in
// the Windows lane; a key of the test's own under HKCU).
func TestPolicyStampRegistry(t *testing.T) {
	key := testPolicyKey(t, "stamp", `\check`)
	if s := PolicyStamp(); s != "" {
		t.Fatalf("no key: stamp %q", s)
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, key+`\check`, registry.ALL_ACCESS)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	before := PolicyStamp()
	if before == "" {
		t.Fatal("a policy key has an empty stamp")
	}
	// The registry's write times are in 100 ns units, but some keep a
	// coarser clock: write until the stamp moves, within a generous bound.
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; PolicyStamp() == before; i++ {
		if time.Now().After(deadline) {
			t.Fatal("writing the policy did not change its stamp")
		}
		if err := k.SetStringValue("interval", fmt.Sprintf("%ds", 10+i)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
