// Package offer is the one ledger of what traycheck offered the user and who
// may answer it. Every way back into the loop (a tray note's button, a
// Windows toast's URI, the console's `traycheck action` command, a forwarded
// IPC action) carries a token from this ledger, and only an answer the
// ledger accepts becomes a request to the loop.
//
// A token is bound to one resource, to the actions offered with it (or to
// the one confirmation it asks), and to the process the offer named: an
// answer for another resource, another action or another PID is refused. A
// token is good once and for a limited time, and is compared in constant
// time. The notifiers only carry tokens: they show a note and report the raw
// answer.
package offer

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// ErrBadToken is returned by [Ledger.Redeem] for a token that was never
// issued, has expired, was used, or was issued for another resource, another
// action or another process. The caller learns nothing about which.
var ErrBadToken = errors.New("offer: unknown, expired or already used token, or not one for this answer")

// DefaultTTL is how long an offer stays answerable: a note older than a day
// describes a state long gone.
const DefaultTTL = 24 * time.Hour

// maxLive bounds the live offers; the oldest go first.
const maxLive = 256

// Offer is what was put in front of the user.
type Offer struct {
	Resource vpnport.Resource
	// Actions are answerable with their plain keys ("retry", "end-process").
	Actions []diagnose.Action
	// Confirms is the action whose confirmation this offer asks: answerable
	// only with its confirm key, or with cancel. "" for a plain offer.
	Confirms diagnose.Action
	// PID is the process the offer named (the holder end-process would end);
	// an answer naming another PID is refused. 0: none named.
	PID int
}

// Answer is an accepted answer: what to ask the loop.
type Answer struct {
	Action    diagnose.Action
	Resource  vpnport.Resource
	PID       int
	Confirmed bool
	// Cancelled: the user said no to a confirmation; do nothing.
	Cancelled bool
}

// Ledger issues and redeems tokens. It is safe for concurrent use.
type Ledger struct {
	mu    sync.Mutex
	ttl   time.Duration
	now   func() time.Time
	live  map[string]entry // by the token's public id
	order []string         // ids, oldest first
}

type entry struct {
	token   string
	offer   Offer
	expires time.Time
}

// idLen is the length of a token's public id, the part the map is keyed by;
// the rest (128 bits) is compared in constant time.
const idLen = 8

// New returns an empty ledger whose tokens live for ttl (0: DefaultTTL).
func New(ttl time.Duration) *Ledger {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Ledger{ttl: ttl, now: time.Now, live: map[string]entry{}}
}

// Issue returns a token for o: 192 random bits, base64url. An offer equal to
// one still live gets that one's token, so the console and a forwarded
// caller shown the same question hold one token, good once, between them.
func (l *Ledger) Issue(o Offer) string {
	o.Actions = slices.Clone(o.Actions)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire()
	for _, id := range l.order {
		if e := l.live[id]; sameOffer(e.offer, o) {
			return e.token
		}
	}
	var b [24]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	for len(l.order) >= maxLive {
		delete(l.live, l.order[0])
		l.order = l.order[1:]
	}
	id := tok[:idLen]
	l.live[id] = entry{token: tok, offer: o, expires: l.now().Add(l.ttl)}
	l.order = append(l.order, id)
	return tok
}

func sameOffer(a, b Offer) bool {
	return a.Resource == b.Resource && a.Confirms == b.Confirms && a.PID == b.PID && slices.Equal(a.Actions, b.Actions)
}

// Redeem accepts tok as the answer key (an action id, a confirm key, or
// cancel) for resource, naming process pid (0: the one the offer named). On
// success the token is spent. An answer the offer does not allow is refused
// with ErrBadToken and leaves the token alone, so the note's own buttons
// still work.
func (l *Ledger) Redeem(tok string, resource vpnport.Resource, key string, pid int) (Answer, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire()
	if len(tok) <= idLen {
		return Answer{}, ErrBadToken
	}
	e, ok := l.live[tok[:idLen]]
	if !ok || subtle.ConstantTimeCompare([]byte(e.token), []byte(tok)) != 1 || e.offer.Resource != resource {
		return Answer{}, ErrBadToken
	}
	o := e.offer
	ans, err := answer(o, key)
	if err != nil {
		return Answer{}, err
	}
	switch {
	case pid != 0 && pid != o.PID:
		return Answer{}, fmt.Errorf("%w: the offer named PID %d, not %d", ErrBadToken, o.PID, pid)
	case ans.Action == diagnose.EndProcess && o.PID == 0:
		return Answer{}, fmt.Errorf("%w: the offer named no process to end", ErrBadToken)
	}
	if ans.Action == diagnose.EndProcess {
		ans.PID = o.PID
	}
	l.drop(tok[:idLen])
	return ans, nil
}

// answer is what key means for offer o, or ErrBadToken.
func answer(o Offer, key string) (Answer, error) {
	ans := Answer{Resource: o.Resource}
	if o.Confirms != "" {
		switch {
		case key == diagnose.CancelKey:
			ans.Action, ans.Cancelled = o.Confirms, true
		case key == o.Confirms.ConfirmKey():
			ans.Action, ans.Confirmed = o.Confirms, true
		default:
			return Answer{}, fmt.Errorf("%w: a confirmation is answered with its own key or cancel", ErrBadToken)
		}
		return ans, nil
	}
	a, confirmed, ok := diagnose.ParseKey(key)
	// Retry is harmless and every finding allows it.
	if !ok || confirmed || (a != diagnose.Retry && !slices.Contains(o.Actions, a)) {
		return Answer{}, fmt.Errorf("%w: %q was not offered", ErrBadToken, key)
	}
	ans.Action = a
	return ans, nil
}

// Revoke forgets tok (its note was replaced or dismissed).
func (l *Ledger) Revoke(tok string) {
	if len(tok) <= idLen {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.live[tok[:idLen]]; ok && subtle.ConstantTimeCompare([]byte(e.token), []byte(tok)) == 1 {
		l.drop(tok[:idLen])
	}
}

func (l *Ledger) drop(id string) {
	delete(l.live, id)
	if i := slices.Index(l.order, id); i >= 0 {
		l.order = slices.Delete(l.order, i, i+1)
	}
}

// expire drops offers past their time; order is issue order, so the
// expired ones are at its front.
func (l *Ledger) expire() {
	now := l.now()
	for len(l.order) > 0 {
		if e, ok := l.live[l.order[0]]; ok && now.Before(e.expires) {
			return
		}
		delete(l.live, l.order[0])
		l.order = l.order[1:]
	}
}
