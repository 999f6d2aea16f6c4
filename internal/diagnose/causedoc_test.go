package diagnose

import "testing"

// Every cause has its line in the glossary, and the glossary has no line
// for an id that is no cause.
func TestEveryCauseDocumented(t *testing.T) {
	for _, c := range Causes {
		if CauseDoc(c) == "" {
			t.Errorf("cause %q has no CauseDoc", c)
		}
	}
	if len(causeDocs) != len(Causes) {
		t.Errorf("%d cause docs for %d causes", len(causeDocs), len(Causes))
	}
}
