package instance

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"slices"
	"sync"
	"time"
)

// ErrBadToken is returned by Redeem for a token that was never issued, has
// expired, was already used, or was issued for another resource or for
// other actions.
var ErrBadToken = errors.New("instance: unknown, expired or already used token")

// DefaultTokenTTL is how long a notification's token stays valid: a
// notification older than a day describes a state long gone.
const DefaultTokenTTL = 24 * time.Hour

// maxTokens bounds the live tokens; the oldest go first.
const maxTokens = 256

// Tokens issues random per-notification tokens and accepts each one once.
// An action reaches the running instance from outside (a toast's URI, the
// IPC socket), so it counts only with a token the instance itself handed to
// a notification it showed.
type Tokens struct {
	mu    sync.Mutex
	ttl   time.Duration
	now   func() time.Time
	live  map[string]grant
	order []string
}

type grant struct {
	scope   string
	actions []string
	expires time.Time
}

// retryAction is the action id every finding allows (it only checks again,
// after the configured reconnect command), so it is what a token issued
// without a list of actions authorises.
const retryAction = "retry"

// NewTokens returns an empty set whose tokens live for ttl (0:
// DefaultTokenTTL).
func NewTokens(ttl time.Duration) *Tokens {
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	return &Tokens{ttl: ttl, now: time.Now, live: map[string]grant{}}
}

// Issue returns a new token for scope (the resource the notification is
// about, "udp/1194") and the actions the notification offers ("retry",
// "end-process"): 128 random bits, base64url. With no actions listed the
// token authorises retry alone, so a note that offers only harmless actions
// never yields a token that can end a process.
func (t *Tokens) Issue(scope string, actions ...string) string {
	if len(actions) == 0 {
		actions = []string{retryAction}
	}
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expire()
	for len(t.order) >= maxTokens {
		delete(t.live, t.order[0])
		t.order = t.order[1:]
	}
	t.live[tok] = grant{scope: scope, actions: slices.Clone(actions), expires: t.now().Add(t.ttl)}
	t.order = append(t.order, tok)
	return tok
}

// RedeemAction accepts tok for action on scope once: it is removed on
// success, so a replay fails. A token shown with an action it was not
// issued for is refused and left alone, so the note's own buttons still
// work.
func (t *Tokens) RedeemAction(tok, scope, action string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expire()
	g, ok := t.live[tok]
	if !ok || g.scope != scope || !slices.Contains(g.actions, action) {
		return ErrBadToken
	}
	t.drop(tok)
	return nil
}

// Redeem is RedeemAction for retry: told no action, it grants the least.
// The Server calls RedeemAction, which *Tokens has; Redeem keeps *Tokens a
// plain TokenChecker.
func (t *Tokens) Redeem(tok, scope string) error {
	return t.RedeemAction(tok, scope, retryAction)
}

// Revoke forgets tok (the notification was replaced or closed).
func (t *Tokens) Revoke(tok string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.drop(tok)
}

func (t *Tokens) drop(tok string) {
	if _, ok := t.live[tok]; !ok {
		return
	}
	delete(t.live, tok)
	for i, x := range t.order {
		if x == tok {
			t.order = append(t.order[:i], t.order[i+1:]...)
			break
		}
	}
}

// expire drops tokens past their time; order is issue order, so expired
// tokens are at its front.
func (t *Tokens) expire() {
	now := t.now()
	for len(t.order) > 0 {
		g, ok := t.live[t.order[0]]
		if ok && now.Before(g.expires) {
			return
		}
		delete(t.live, t.order[0])
		t.order = t.order[1:]
	}
}
