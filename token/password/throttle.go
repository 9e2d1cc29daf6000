package password

import (
	"fmt"
	"hash/maphash"
	"net/netip"
	"sync"
	"time"
)

// Rule is how one dimension (user names, or client addresses) is throttled.
//
// The first Free failures of a key cost nothing. Each failure after that
// locks the key for a delay that starts at BaseDelay and doubles with every
// further failure, up to MaxDelay; Check refuses a locked key. A key's
// failures are forgotten Forget after its last one (never while it is
// locked), and a successful login forgets a user's at once.
type Rule struct {
	// Free is the number of failures allowed before delays begin.
	Free int
	// BaseDelay is the lock after failure Free+1; it doubles per failure.
	BaseDelay time.Duration
	// MaxDelay caps the lock.
	MaxDelay time.Duration
	// Forget is how long after its last failure a key starts afresh.
	Forget time.Duration
	// MaxKeys bounds the keys tracked (see Throttle for what happens at
	// the bound).
	MaxKeys int
}

// Config configures a Throttle. A zero Rule is the DefaultConfig rule; in a
// Rule that sets anything, zero durations and a zero MaxKeys take their
// default values while Free is used as given (0: every failure delays). A
// zero AttemptTimeout is the default.
type Config struct {
	// User throttles by user name; Addr by client address.
	User, Addr Rule
	// AttemptTimeout is how long a login let through by Check may run
	// before its slot is given back, for a caller that never reports
	// Failure or Success (a crash, a cancelled request).
	AttemptTimeout time.Duration
}

// DefaultConfig returns the defaults:
//
//   - per user: 5 free failures, then 1 s, 2 s, 4 s … up to 15 min; forgotten
//     24 h after the last failure; 50,000 users tracked. An online guesser
//     gets about a hundred tries a day per user name.
//   - per address: 20 free failures (addresses are shared behind NAT), then
//     the same delays; forgotten after 1 h; 50,000 addresses tracked.
//   - an attempt let through by Check holds its slot for at most 1 min.
//
// A tracked key costs about 125 bytes at worst (map slack and rebuilds
// included; measured under a flood of a million distinct keys), so the
// defaults hold at most ~13 MB.
func DefaultConfig() Config {
	return Config{
		User:           Rule{Free: 5, BaseDelay: time.Second, MaxDelay: 15 * time.Minute, Forget: 24 * time.Hour, MaxKeys: 50_000},
		Addr:           Rule{Free: 20, BaseDelay: time.Second, MaxDelay: 15 * time.Minute, Forget: time.Hour, MaxKeys: 50_000},
		AttemptTimeout: time.Minute,
	}
}

// maxTrackedKeys caps Rule.MaxKeys, so a configuration mistake cannot
// allow unbounded memory.
const maxTrackedKeys = 10_000_000

// maxDuration caps MaxDelay and Forget, which keeps time sums far from
// overflowing.
const maxDuration = 366 * 24 * time.Hour

// evictionSample is how many tracked keys are looked at to choose one to
// evict when a table is full.
const evictionSample = 8

// Throttle limits failed logins per user name and per client address.
//
// The protocol: call Check before verifying a password; when it says no,
// refuse the login (HTTP 429 with Retry-After: retryAfter) without
// verifying; when it says yes, verify and then call exactly one of Failure
// or Success with the same user and address. Check counts the attempt as
// in flight until then (or until AttemptTimeout), so that concurrent
// requests cannot run more guesses in parallel than the free failures
// left: once the next failure would lock a key, its attempts go one at a
// time.
//
// Success forgets the user's failures but not the address's: one valid
// account must not let an address reset its count while it guesses at
// others.
//
// Addresses are keyed as given, except that an IP address (with or without
// a port) is keyed by itself for IPv4 and by its /64 prefix for IPv6, where
// one client commonly holds a whole /64. An empty user or address is not
// throttled in that dimension. Names are compared exactly: pass the
// canonical user name.
//
// Memory is bounded: each dimension tracks at most MaxKeys keys, stored as
// 64-bit seeded hashes (so a long name costs no more than a short one), and
// its map is copied afresh every 4×MaxKeys new keys so that churn cannot
// grow it either.
// When a table is full, a new key evicts the least telling of a few tracked
// keys sampled at random: one whose failures are already forgotten first,
// then an unlocked key before a locked one, then the one with the fewest
// failures, then the oldest. A flood of distinct addresses or names thus
// mostly evicts its own one-failure keys, while a key locked after many
// failures survives it; the victim is forgotten only if every sampled key
// is locked with at least as many failures.
//
// A Throttle lives in memory only: it does not survive a restart, which
// forgets every count and lock, and replicas of the server each keep their
// own, so N replicas give a guesser N times the budget. It is safe for
// concurrent use; time comes from the caller.
type Throttle struct {
	mu      sync.Mutex
	cfg     Config
	seed    maphash.Seed
	users   table
	addrs   table
	timeout int64 // cfg.AttemptTimeout in nanoseconds
}

// table is one dimension's tracked keys.
type table struct {
	rule  Rule
	m     map[uint64]entry
	added int // keys added since m was made
}

// entry is what is known about one key. Times are Unix nanoseconds.
type entry struct {
	failures     int32
	pending      int32 // attempts let through by Check and not yet reported
	lastFailure  int64
	lockedUntil  int64
	pendingSince int64 // the latest attempt let through
}

// NewThrottle returns a Throttle with cfg, zero fields taking their
// DefaultConfig values. Negative values, or MaxDelay below BaseDelay, are an
// error.
func NewThrottle(cfg Config) (*Throttle, error) {
	def := DefaultConfig()
	user, err := cfg.User.withDefaults(def.User, "User")
	if err != nil {
		return nil, err
	}
	addr, err := cfg.Addr.withDefaults(def.Addr, "Addr")
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.AttemptTimeout < 0 || cfg.AttemptTimeout > maxDuration:
		return nil, fmt.Errorf("password: throttle AttemptTimeout must be from 0 to %s", maxDuration)
	case cfg.AttemptTimeout == 0:
		cfg.AttemptTimeout = def.AttemptTimeout
	}
	cfg.User, cfg.Addr = user, addr
	return &Throttle{
		cfg:     cfg,
		seed:    maphash.MakeSeed(),
		users:   table{rule: user, m: map[uint64]entry{}},
		addrs:   table{rule: addr, m: map[uint64]entry{}},
		timeout: int64(cfg.AttemptTimeout),
	}, nil
}

// withDefaults fills zero fields from def and checks the rule.
func (r Rule) withDefaults(def Rule, name string) (Rule, error) {
	if r.Free < 0 || r.BaseDelay < 0 || r.MaxDelay < 0 || r.Forget < 0 || r.MaxKeys < 0 {
		return Rule{}, fmt.Errorf("password: throttle %s rule has a negative field", name)
	}
	if r.Free == 0 && r.BaseDelay == 0 && r.MaxDelay == 0 && r.Forget == 0 && r.MaxKeys == 0 {
		return def, nil
	}
	if r.BaseDelay == 0 {
		r.BaseDelay = def.BaseDelay
	}
	if r.MaxDelay == 0 {
		r.MaxDelay = max(def.MaxDelay, r.BaseDelay)
	}
	if r.Forget == 0 {
		r.Forget = def.Forget
	}
	if r.MaxKeys == 0 {
		r.MaxKeys = def.MaxKeys
	}
	switch {
	case r.MaxDelay < r.BaseDelay:
		return Rule{}, fmt.Errorf("password: throttle %s MaxDelay %s is below BaseDelay %s", name, r.MaxDelay, r.BaseDelay)
	case r.MaxDelay > maxDuration || r.Forget > maxDuration:
		return Rule{}, fmt.Errorf("password: throttle %s MaxDelay and Forget may be at most %s", name, maxDuration)
	case r.MaxKeys > maxTrackedKeys:
		return Rule{}, fmt.Errorf("password: throttle %s MaxKeys %d is above %d", name, r.MaxKeys, maxTrackedKeys)
	}
	return r, nil
}

// Config returns the configuration in effect, defaults filled in.
func (t *Throttle) Config() Config { return t.cfg }

// Check reports whether a login for user from addr may be tried at now, and
// if not, how long to wait. A yes counts the attempt as in flight until
// Failure or Success reports it.
func (t *Throttle) Check(user, addr string, now time.Time) (ok bool, retryAfter time.Duration) {
	n := now.UnixNano()
	uk, hasU := t.key(user, false)
	ak, hasA := t.key(addr, true)
	t.mu.Lock()
	defer t.mu.Unlock()
	var ue, ae entry
	if hasU {
		ue = t.users.load(uk, n, t.timeout)
		if ok, wait := t.users.rule.admits(ue, n); !ok {
			retryAfter = wait
		}
	}
	if hasA {
		ae = t.addrs.load(ak, n, t.timeout)
		if ok, wait := t.addrs.rule.admits(ae, n); !ok {
			retryAfter = max(retryAfter, wait)
		}
	}
	if retryAfter > 0 {
		return false, retryAfter
	}
	if hasU {
		ue.pending++
		ue.pendingSince = n
		t.users.store(uk, ue, n)
	}
	if hasA {
		ae.pending++
		ae.pendingSince = n
		t.addrs.store(ak, ae, n)
	}
	return true, 0
}

// Failure records a failed login for user from addr at now: the attempt is
// no longer in flight, and a key past its free failures is locked.
func (t *Throttle) Failure(user, addr string, now time.Time) {
	n := now.UnixNano()
	uk, hasU := t.key(user, false)
	ak, hasA := t.key(addr, true)
	t.mu.Lock()
	defer t.mu.Unlock()
	if hasU {
		t.users.fail(uk, n, t.timeout)
	}
	if hasA {
		t.addrs.fail(ak, n, t.timeout)
	}
}

// Success records a successful login for user from addr at now: the user's
// failures are forgotten; the address's attempt is no longer in flight but
// its failures stay.
func (t *Throttle) Success(user, addr string, now time.Time) {
	n := now.UnixNano()
	uk, hasU := t.key(user, false)
	ak, hasA := t.key(addr, true)
	t.mu.Lock()
	defer t.mu.Unlock()
	if hasU {
		delete(t.users.m, uk)
	}
	if hasA {
		e := t.addrs.load(ak, n, t.timeout)
		if e.pending > 0 {
			e.pending--
		}
		t.addrs.store(ak, e, n)
	}
}

// Len returns the number of user names and addresses tracked.
func (t *Throttle) Len() (users, addrs int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.users.m), len(t.addrs.m)
}

// key hashes a user name or (normalized) address; false when it is empty.
func (t *Throttle) key(s string, isAddr bool) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	if isAddr {
		s = addrKey(s)
	}
	return maphash.String(t.seed, s), true
}

// addrKey keys an IP address by itself (IPv4, IPv4-mapped IPv6 unmapped)
// or by its /64 (IPv6), with any port and zone dropped; other strings are
// used as they are.
func addrKey(s string) string {
	var a netip.Addr
	if ap, err := netip.ParseAddrPort(s); err == nil {
		a = ap.Addr()
	} else if a, err = netip.ParseAddr(s); err != nil {
		return s
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// admits reports whether a key in state e may be tried at n, or how long to
// wait: not while locked, and not alongside another attempt when this one
// could be a failure that locks.
func (r Rule) admits(e entry, n int64) (bool, time.Duration) {
	if n < e.lockedUntil {
		return false, time.Duration(e.lockedUntil - n)
	}
	if e.pending > 0 && int(e.failures)+int(e.pending) >= r.Free {
		return false, r.BaseDelay
	}
	return true, 0
}

// load returns a key's entry at n, with stale in-flight attempts dropped and
// forgotten failures cleared.
func (tb *table) load(k uint64, n, timeout int64) entry {
	e, ok := tb.m[k]
	if !ok {
		return entry{}
	}
	if e.pending > 0 && n-e.pendingSince >= timeout {
		e.pending = 0
	}
	if e.failures > 0 && n >= e.lockedUntil && n-e.lastFailure >= int64(tb.rule.Forget) {
		e.failures, e.lockedUntil = 0, 0
	}
	return e
}

// fail records one failure of key k at n.
func (tb *table) fail(k uint64, n, timeout int64) {
	e := tb.load(k, n, timeout)
	if e.pending > 0 {
		e.pending--
	}
	if e.failures < 1<<30 {
		e.failures++
	}
	e.lastFailure = n
	if over := int(e.failures) - tb.rule.Free; over > 0 {
		e.lockedUntil = max(e.lockedUntil, n+int64(tb.rule.delay(over)))
	}
	tb.store(k, e, n)
}

// delay is the lock after the over-th failure past Free: BaseDelay doubled
// over-1 times, at most MaxDelay.
func (r Rule) delay(over int) time.Duration {
	d := r.BaseDelay
	for i := 1; i < over; i++ {
		if d >= r.MaxDelay/2 {
			return r.MaxDelay
		}
		d *= 2
	}
	return min(d, r.MaxDelay)
}

// store saves e for k, dropping an entry that holds nothing and evicting
// another key when a new one meets MaxKeys.
func (tb *table) store(k uint64, e entry, n int64) {
	if e.failures == 0 && e.pending == 0 && n >= e.lockedUntil {
		delete(tb.m, k)
		return
	}
	if _, ok := tb.m[k]; !ok {
		if len(tb.m) >= tb.rule.MaxKeys {
			tb.evict(n)
		}
		tb.added++
		if tb.added >= rebuildAfter*tb.rule.MaxKeys {
			tb.rebuild()
		}
	}
	tb.m[k] = e
}

// rebuildAfter times MaxKeys new keys make a table copy its map afresh: a
// Go map that sees endless inserts and deletes keeps some deleted slots
// and can grow, and a copy caps that whatever the runtime does. Amortized,
// it costs one copy per rebuildAfter insertions.
const rebuildAfter = 4

// rebuild copies the tracked keys into a new map.
func (tb *table) rebuild() {
	m := make(map[uint64]entry, len(tb.m))
	for k, e := range tb.m {
		m[k] = e
	}
	tb.m, tb.added = m, 0
}

// evict removes the least telling of a few keys sampled at random (Go
// starts each map iteration at a random place).
func (tb *table) evict(n int64) {
	var victim uint64
	var worst entry
	seen := 0
	for k, e := range tb.m {
		if seen == 0 || tb.lessTelling(e, worst, n) {
			victim, worst = k, e
		}
		seen++
		if seen == evictionSample {
			break
		}
	}
	if seen > 0 {
		delete(tb.m, victim)
	}
}

// lessTelling orders entries for eviction: forgotten before remembered,
// unlocked before locked, fewer failures before more, older before newer.
func (tb *table) lessTelling(a, b entry, n int64) bool {
	fa := n >= a.lockedUntil && n-a.lastFailure >= int64(tb.rule.Forget)
	fb := n >= b.lockedUntil && n-b.lastFailure >= int64(tb.rule.Forget)
	if fa != fb {
		return fa
	}
	la, lb := n < a.lockedUntil, n < b.lockedUntil
	if la != lb {
		return lb
	}
	if a.failures != b.failures {
		return a.failures < b.failures
	}
	return max(a.lastFailure, a.pendingSince) < max(b.lastFailure, b.pendingSince)
}
