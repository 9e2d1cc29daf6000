package token

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits and defaults of key fetching.
const (
	// maxDocumentBytes bounds a fetched discovery document or key set.
	maxDocumentBytes = 1 << 20
	// defaultKeyMaxAge is how long fetched keys are fresh when the answer
	// has no Cache-Control max-age.
	defaultKeyMaxAge = 10 * time.Minute
	// minKeyMaxAge and maxKeyMaxAge clamp a Cache-Control max-age (and
	// no-cache, no-store, which count as 0).
	minKeyMaxAge = time.Minute
	maxKeyMaxAge = 24 * time.Hour
)

// source is where one issuer configuration's keys come from: an inline
// set (fixed), a jwks_uri, or the jwks_uri of the issuer's discovery
// document. Remote keys are fetched on first use, refreshed when their
// max-age runs out or when a token names an unknown kid (at most once per
// minimum refresh interval), and kept while refreshes fail, for at most
// the stale period after they ran out.
type source struct {
	v       *Verifier
	issuer  string // the issuer URL (for discovery and its check)
	jwksURI string // configured; "" means discovery
	inline  bool   // keys given inline: never fetched

	// cur is the current key set: nil until the first fetch succeeds.
	cur atomic.Pointer[keySet]
	// used is the Verifier clock's last use of the source, in Unix
	// nanoseconds, for eviction.
	used atomic.Int64
	// fresh is when cur stops being fresh (its max-age), in Unix
	// nanoseconds: a cached verification is used only while its keys are
	// fresh, so that a key the issuer withdraws stops verifying within the
	// max-age.
	fresh atomic.Int64

	mu          sync.Mutex
	fetchedAt   time.Time  // when cur was fetched
	expires     time.Time  // when cur is no longer fresh (max-age)
	lastAttempt time.Time  // when the last fetch started
	lastErr     error      // the last fetch's failure, nil after a success
	call        *fetchCall // the fetch under way, shared by all who wait
}

// fetchCall is one fetch, awaited by every verification that needs it.
type fetchCall struct {
	done chan struct{}
	err  error
}

// errInlineKeys is the cause when an inline jwks cannot be read (Validate
// refuses such an issuer, but Verify may be given one).
var errInlineKeys = errors.New("the issuer's inline jwks is not a JWK Set")

// newInlineSource returns a source for an inline key set.
func newInlineSource(v *Verifier, jwks []byte) *source {
	s := &source{v: v, inline: true}
	set, _, err := parseKeySet(jwks)
	if err != nil {
		s.lastErr = errInlineKeys
		return s
	}
	s.cur.Store(set)
	s.fresh.Store(math.MaxInt64)
	return s
}

// current returns the keys to verify with. Fresh keys are returned at
// once; keys past their max-age are refreshed (the caller waits for the
// fetch, shared with every other caller); when the refresh fails or may
// not start yet, the old keys serve until the stale period ends. err is
// an *Error (unknown_key) when there are no keys, or ctx's error.
func (s *source) current(ctx context.Context) (*keySet, error) {
	now := s.v.clock()
	s.used.Store(now.UnixNano())
	if s.inline {
		if set := s.cur.Load(); set != nil {
			return set, nil
		}
		return nil, &Error{Code: CodeUnknownKey, Detail: "the issuer's inline jwks is not a JWK Set: fix the issuer's jwks", cause: errInlineKeys}
	}
	s.mu.Lock()
	set := s.cur.Load()
	if set != nil && now.Before(s.expires) {
		s.mu.Unlock()
		return set, nil
	}
	c := s.startLocked(now)
	if c == nil { // a refresh may not start yet
		defer s.mu.Unlock()
		if set != nil && s.usableLocked(now) {
			return set, nil
		}
		return nil, s.noKeysLocked(now)
	}
	s.mu.Unlock()
	if err := wait(ctx, c); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if set := s.cur.Load(); set != nil && s.usableLocked(now) {
		return set, nil
	}
	return nil, s.noKeysLocked(now)
}

// refresh fetches the keys again for a token naming a key the current set
// lacks, unless the last fetch started less than the minimum refresh
// interval ago. It returns the keys after the refresh (or the current
// ones), whether a fetch happened, and a note on it for messages.
func (s *source) refresh(ctx context.Context) (*keySet, bool, string, error) {
	if s.inline {
		return s.cur.Load(), false, "the issuer's keys are given inline (jwks), so they are not refreshed", nil
	}
	now := s.v.clock()
	s.mu.Lock()
	c := s.startLocked(now)
	if c == nil {
		next := s.lastAttempt.Add(s.v.minRefresh).Sub(now)
		note := fmt.Sprintf("the keys were fetched %s ago and are fetched again at most every %s (next in %s)",
			human(now.Sub(s.lastAttempt)), human(s.v.minRefresh), human(next))
		if s.lastErr != nil {
			note = fmt.Sprintf("the last attempt to fetch the keys, %s ago, failed (%v); the next is in %s",
				human(now.Sub(s.lastAttempt)), s.lastErr, human(next))
		}
		set := s.cur.Load()
		s.mu.Unlock()
		return set, false, note, nil
	}
	s.mu.Unlock()
	if err := wait(ctx, c); err != nil {
		return nil, false, "", err
	}
	note := "the keys were fetched again just now"
	if c.err != nil {
		note = "fetching the keys again failed (" + c.err.Error() + "), so the last good keys were used"
	}
	return s.cur.Load(), true, note, nil
}

// startLocked joins the fetch under way, or starts one if the last began
// at least the minimum refresh interval ago (or none did); it returns nil
// when neither is possible. s.mu is held.
func (s *source) startLocked(now time.Time) *fetchCall {
	if s.call != nil {
		return s.call
	}
	if !s.lastAttempt.IsZero() && now.Sub(s.lastAttempt) < s.v.minRefresh {
		return nil
	}
	c := &fetchCall{done: make(chan struct{})}
	s.call = c
	s.lastAttempt = now
	go s.run(c)
	return c
}

// usableLocked reports whether the current keys may still serve: fresh,
// or past their max-age by less than the stale period. s.mu is held.
func (s *source) usableLocked(now time.Time) bool {
	return now.Before(s.expires.Add(s.v.maxStale))
}

// noKeysLocked is the error when no keys may serve. s.mu is held.
func (s *source) noKeysLocked(now time.Time) error {
	var b strings.Builder
	if s.cur.Load() != nil {
		fmt.Fprintf(&b, "the keys of issuer %s were last fetched %s ago, more than their max-age plus the stale period (%s), and cannot be fetched again", short(s.issuer), human(now.Sub(s.fetchedAt)), human(s.v.maxStale))
	} else {
		fmt.Fprintf(&b, "the keys of issuer %s could not be fetched", short(s.issuer))
	}
	if s.lastErr != nil {
		fmt.Fprintf(&b, ": %v", s.lastErr)
	}
	if next := s.lastAttempt.Add(s.v.minRefresh).Sub(now); next > 0 {
		fmt.Fprintf(&b, "; the next attempt is in %s", human(next))
	}
	return &Error{Code: CodeUnknownKey, Detail: b.String(), cause: s.lastErr}
}

// wait waits for c or for ctx to end.
func wait(ctx context.Context, c *fetchCall) error {
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run performs one fetch and publishes its result. It runs on its own
// goroutine, bounded by the fetch timeout, so that a caller giving up does
// not cancel the fetch others wait for.
func (s *source) run(c *fetchCall) {
	var (
		set    *keySet
		maxAge time.Duration
		err    error
	)
	func() {
		defer func() {
			if r := recover(); r != nil { // never crash the server over a key set
				err = fmt.Errorf("reading the keys failed: %v", r)
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), s.v.fetchTimeout)
		defer cancel()
		set, maxAge, err = s.fetch(ctx)
	}()
	now := s.v.clock()
	s.mu.Lock()
	if err == nil {
		s.cur.Store(set)
		s.fetchedAt = now
		s.expires = now.Add(maxAge)
		s.fresh.Store(s.expires.UnixNano())
	}
	s.lastErr = err
	s.call = nil
	c.err = err
	s.mu.Unlock()
	close(c.done)
}

// fetch reads the key set, through the discovery document when no
// jwks_uri is configured, and its max-age.
func (s *source) fetch(ctx context.Context) (*keySet, time.Duration, error) {
	uri := s.jwksURI
	if uri == "" {
		var err error
		if uri, err = s.discover(ctx); err != nil {
			return nil, 0, err
		}
	}
	if err := checkURL("jwks_uri", uri, false); err != nil {
		return nil, 0, err
	}
	body, h, err := s.get(ctx, uri, "application/jwk-set+json, application/json")
	if err != nil {
		return nil, 0, fmt.Errorf("fetching the key set %s: %w", short(uri), err)
	}
	set, _, err := parseKeySet(body)
	if err != nil {
		return nil, 0, fmt.Errorf("the key set at %s is %w", short(uri), err)
	}
	return set, maxAge(h), nil
}

// discover reads the issuer's OpenID Connect discovery document and
// returns its jwks_uri, after checking that the document names the
// configured issuer exactly (OpenID Connect Discovery §4.3).
func (s *source) discover(ctx context.Context) (string, error) {
	if err := checkURL("issuer", s.issuer, true); err != nil {
		return "", err
	}
	u := discoveryURL(s.issuer)
	body, _, err := s.get(ctx, u, "application/json")
	if err != nil {
		return "", fmt.Errorf("fetching the discovery document %s: %w", short(u), err)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("the discovery document %s is not a JSON object with issuer and jwks_uri", short(u))
	}
	if doc.Issuer != s.issuer {
		return "", fmt.Errorf("the discovery document %s names the issuer %s, not the configured %s: the issuer URL must match exactly (OpenID Connect Discovery §4.3), trailing slash included", short(u), short(doc.Issuer), short(s.issuer))
	}
	if doc.JWKSURI == "" {
		return "", fmt.Errorf("the discovery document %s has no jwks_uri: set the issuer's jwks_uri or jwks", short(u))
	}
	return doc.JWKSURI, nil
}

// get fetches u with the Verifier's client and returns at most
// maxDocumentBytes of a 200 answer.
func (s *source) get(ctx context.Context, u, accept string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", accept)
	resp, err := s.v.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, nil, fmt.Errorf("the server answered %s", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil && (mt == "text/html" || mt == "text/plain") {
			return nil, nil, fmt.Errorf("the server answered with %s, not JSON", mt)
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(body) > maxDocumentBytes {
		return nil, nil, fmt.Errorf("the document is larger than %d bytes", maxDocumentBytes)
	}
	return body, resp.Header, nil
}

// maxAge is how long keys fetched with header h are fresh: Cache-Control
// max-age clamped to [minKeyMaxAge, maxKeyMaxAge], no-cache and no-store
// counting as 0, defaultKeyMaxAge without either.
func maxAge(h http.Header) time.Duration {
	age, found := time.Duration(0), false
	for _, v := range h.Values("Cache-Control") {
		for d := range strings.SplitSeq(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(name) {
			case "no-cache", "no-store":
				return minKeyMaxAge
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(val, `"`), 10, 64)
				if err == nil && n >= 0 && !found {
					age, found = time.Duration(min(n, int64(maxKeyMaxAge/time.Second)))*time.Second, true
				}
			}
		}
	}
	if !found {
		return defaultKeyMaxAge
	}
	return min(max(age, minKeyMaxAge), maxKeyMaxAge)
}
