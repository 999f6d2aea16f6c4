package offer

import (
	"errors"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

var (
	udp1194 = vpnport.Resource{Kind: vpnport.UDP, Port: 1194}
	tcp22   = vpnport.Resource{Kind: vpnport.TCP, Port: 22}
)

func held() Offer {
	return Offer{Resource: udp1194, Actions: []diagnose.Action{diagnose.Retry, diagnose.EndProcess}, PID: 4242}
}

func TestPlainOfferAnswers(t *testing.T) {
	t.Parallel()
	l := New(0)
	tok := l.Issue(held())
	ans, err := l.Redeem(tok, udp1194, "end-process", 0)
	if err != nil || ans != (Answer{Action: diagnose.EndProcess, Resource: udp1194, PID: 4242}) {
		t.Fatalf("Redeem = %+v, %v", ans, err)
	}
	if _, err := l.Redeem(tok, udp1194, "end-process", 0); !errors.Is(err, ErrBadToken) {
		t.Fatalf("a spent token was accepted again: %v", err)
	}
}

// forge returns tok with its last character changed to another base64url
// character, so it differs from the real token by construction (a fixed
// replacement is the real character one time in 64) and still has the
// right length and id: the ledger must refuse it by comparing the secret.
func forge(tok string) string {
	last := byte('A')
	if tok[len(tok)-1] == last {
		last = 'B'
	}
	return tok[:len(tok)-1] + string(last)
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	confirm := Offer{Resource: udp1194, Confirms: diagnose.EndProcess, PID: 4242}
	cases := []struct {
		name  string
		offer Offer
		tok   func(string) string
		res   vpnport.Resource
		key   string
		pid   int
	}{
		{"wrong_token", held(), forge, udp1194, "retry", 0},
		{"short_token", held(), func(string) string { return "abc" }, udp1194, "retry", 0},
		{"other_resource", held(), nil, tcp22, "retry", 0},
		{"not_offered", held(), nil, udp1194, "reboot-suggested", 0},
		{"confirm_key_on_plain_offer", held(), nil, udp1194, diagnose.EndProcess.ConfirmKey(), 0},
		{"other_pid", held(), nil, udp1194, "end-process", 4243},
		{"plain_key_on_confirmation", confirm, nil, udp1194, "end-process", 0},
		{"other_confirmation", confirm, nil, udp1194, diagnose.RemoveLock.ConfirmKey(), 0},
		// Issue 17 item 7: the prompt named 4242; the same token with
		// another --pid is refused.
		{"confirmation_other_pid", confirm, nil, udp1194, diagnose.EndProcess.ConfirmKey(), 4243},
		{"end_without_a_named_pid", Offer{Resource: udp1194, Actions: []diagnose.Action{diagnose.EndProcess}}, nil, udp1194, "end-process", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := New(0)
			tok := l.Issue(tc.offer)
			use := tok
			if tc.tok != nil {
				use = tc.tok(tok)
			}
			if ans, err := l.Redeem(use, tc.res, tc.key, tc.pid); !errors.Is(err, ErrBadToken) {
				t.Fatalf("Redeem = %+v, %v; want ErrBadToken", ans, err)
			}
			// A refused answer leaves the token for the right one.
			if tc.tok == nil {
				key := "retry"
				if tc.offer.Confirms != "" {
					key = diagnose.CancelKey
				}
				if _, err := l.Redeem(tok, tc.offer.Resource, key, 0); err != nil {
					t.Fatalf("the right answer after a refused one: %v", err)
				}
			}
		})
	}
}

func TestConfirmationBoundToItsPID(t *testing.T) {
	t.Parallel()
	l := New(0)
	tok := l.Issue(Offer{Resource: udp1194, Confirms: diagnose.EndProcess, PID: 4242})
	ans, err := l.Redeem(tok, udp1194, diagnose.EndProcess.ConfirmKey(), 4242)
	if err != nil || !ans.Confirmed || ans.PID != 4242 || ans.Action != diagnose.EndProcess {
		t.Fatalf("Redeem = %+v, %v", ans, err)
	}
}

func TestSameOfferSameToken(t *testing.T) {
	t.Parallel()
	l := New(0)
	if a, b := l.Issue(held()), l.Issue(held()); a != b {
		t.Error("the same live offer got two tokens")
	}
	o := held()
	o.PID = 1
	if l.Issue(o) == l.Issue(held()) {
		t.Error("offers naming different processes share a token")
	}
}

func TestExpiryAndBound(t *testing.T) {
	t.Parallel()
	l := New(time.Minute)
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	tok := l.Issue(held())
	now = now.Add(time.Minute)
	if _, err := l.Redeem(tok, udp1194, "retry", 0); !errors.Is(err, ErrBadToken) {
		t.Fatalf("an expired token was accepted: %v", err)
	}
	first := l.Issue(Offer{Resource: vpnport.Resource{Kind: vpnport.TCP, Port: 1}})
	for i := range maxLive {
		l.Issue(Offer{Resource: vpnport.Resource{Kind: vpnport.TCP, Port: uint16(i + 2)}})
	}
	if len(l.live) != maxLive || len(l.order) != maxLive {
		t.Fatalf("live %d, order %d; want %d", len(l.live), len(l.order), maxLive)
	}
	if _, err := l.Redeem(first, vpnport.Resource{Kind: vpnport.TCP, Port: 1}, "retry", 0); !errors.Is(err, ErrBadToken) {
		t.Fatal("the oldest offer survived the bound")
	}
}

func TestCancelAndRevoke(t *testing.T) {
	t.Parallel()
	l := New(0)
	tok := l.Issue(Offer{Resource: udp1194, Confirms: diagnose.ResetAdapter})
	if ans, err := l.Redeem(tok, udp1194, diagnose.CancelKey, 0); err != nil || !ans.Cancelled || ans.Confirmed {
		t.Fatalf("cancel = %+v, %v", ans, err)
	}
	tok = l.Issue(held())
	l.Revoke(tok)
	if _, err := l.Redeem(tok, udp1194, "retry", 0); !errors.Is(err, ErrBadToken) {
		t.Fatal("a revoked token was accepted")
	}
}
