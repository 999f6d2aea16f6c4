package diagnose

import "testing"

func TestEveryActionHasASpec(t *testing.T) {
	t.Parallel()
	for _, a := range Actions {
		spec, ok := a.Spec()
		if !ok || spec.Label == "" || spec.Consequence == "" {
			t.Errorf("%s: spec %+v, ok %v", a, spec, ok)
		}
	}
	if _, ok := Action("rm").Spec(); ok {
		t.Error("an unknown id has a spec")
	}
	// The rule the notification key parser once split from: every action
	// that ends, resets, removes or reboots asks first.
	for _, a := range []Action{EndProcess, ResetAdapter, RebootSuggested, RemoveLock} {
		if s, _ := a.Spec(); !s.Confirm {
			t.Errorf("%s does not ask for a confirmation", a)
		}
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		key           string
		a             Action
		confirmed, ok bool
	}{
		{"plain", "retry", Retry, false, true},
		{"plain_destructive", "end-process", EndProcess, false, true},
		{"confirm_end", EndProcess.ConfirmKey(), EndProcess, true, true},
		{"confirm_reset", ResetAdapter.ConfirmKey(), ResetAdapter, true, true},
		{"confirm_reboot", RebootSuggested.ConfirmKey(), RebootSuggested, true, true},
		{"confirm_lock", RemoveLock.ConfirmKey(), RemoveLock, true, true},
		{"confirm_needless", Retry.ConfirmKey(), "", false, false},
		{"cancel", CancelKey, "", false, false},
		{"empty", "", "", false, false},
		{"junk", "rm -rf", "", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, c, ok := ParseKey(tc.key)
			if a != tc.a || c != tc.confirmed || ok != tc.ok {
				t.Errorf("ParseKey(%q) = %q,%v,%v want %q,%v,%v", tc.key, a, c, ok, tc.a, tc.confirmed, tc.ok)
			}
		})
	}
}
