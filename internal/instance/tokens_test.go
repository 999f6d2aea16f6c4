package instance

import (
	"errors"
	"testing"
	"time"
)

func TestTokensOnceOnly(t *testing.T) {
	ts := NewTokens(time.Minute)
	a, b := ts.Issue("udp/1194"), ts.Issue("udp/1194")
	if a == b || !isToken(a) {
		t.Fatalf("tokens %q %q: want two distinct well-formed tokens", a, b)
	}
	if err := ts.Redeem(a, "tcp/22"); !errors.Is(err, ErrBadToken) {
		t.Errorf("token for udp/1194 accepted for tcp/22: %v", err)
	}
	if err := ts.Redeem(a, "udp/1194"); err != nil {
		t.Errorf("live token refused: %v", err)
	}
	if err := ts.Redeem(a, "udp/1194"); !errors.Is(err, ErrBadToken) {
		t.Errorf("replayed token accepted: %v", err)
	}
	if err := ts.Redeem("never-issued-token-xx", "udp/1194"); !errors.Is(err, ErrBadToken) {
		t.Errorf("unknown token accepted: %v", err)
	}
	ts.Revoke(b)
	if err := ts.Redeem(b, "udp/1194"); !errors.Is(err, ErrBadToken) {
		t.Errorf("revoked token accepted: %v", err)
	}
}

func TestTokensExpireAndAreBounded(t *testing.T) {
	now := time.Unix(1000, 0)
	ts := NewTokens(time.Minute)
	ts.now = func() time.Time { return now }
	old := ts.Issue("r")
	now = now.Add(2 * time.Minute)
	if err := ts.Redeem(old, "r"); !errors.Is(err, ErrBadToken) {
		t.Errorf("expired token accepted: %v", err)
	}
	first := ts.Issue("r")
	for range maxTokens {
		ts.Issue("r")
	}
	if len(ts.live) > maxTokens || len(ts.order) != len(ts.live) {
		t.Errorf("%d live tokens, %d in order; want at most %d", len(ts.live), len(ts.order), maxTokens)
	}
	if err := ts.Redeem(first, "r"); !errors.Is(err, ErrBadToken) {
		t.Errorf("oldest token survived the cap: %v", err)
	}
}

// TestTokensBoundToActions: a token authorises only the actions its note
// offered; one issued without a list authorises retry alone. A wrong action
// does not use the token up.
func TestTokensBoundToActions(t *testing.T) {
	ts := NewTokens(time.Minute)
	mild := ts.Issue("udp/1194", "retry", "wait")
	if err := ts.RedeemAction(mild, "udp/1194", "end-process"); !errors.Is(err, ErrBadToken) {
		t.Errorf("token of a retry/wait note accepted for end-process: %v", err)
	}
	if err := ts.RedeemAction(mild, "udp/1194", "wait"); err != nil {
		t.Errorf("token refused for an action its note offered: %v", err)
	}
	bare := ts.Issue("udp/1194")
	for _, a := range []string{"end-process", "reboot-suggested", "remove-lock"} {
		if err := ts.RedeemAction(bare, "udp/1194", a); !errors.Is(err, ErrBadToken) {
			t.Errorf("token issued without actions accepted for %s: %v", a, err)
		}
	}
	if err := ts.Redeem(bare, "udp/1194"); err != nil {
		t.Errorf("token issued without actions refused for retry: %v", err)
	}
	end := ts.Issue("udp/1194", "end-process")
	if err := ts.Redeem(end, "udp/1194"); !errors.Is(err, ErrBadToken) {
		t.Errorf("Redeem (retry) accepted a token issued for end-process only: %v", err)
	}
	var _ ActionTokenChecker = ts
}
