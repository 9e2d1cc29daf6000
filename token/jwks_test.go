package token

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestKeyRotation: a token with a new kid verifies after one refresh of the
// key set; unknown kids refresh at most once per minimum interval, however
// many arrive.
func TestKeyRotation(t *testing.T) {
	k1, k2 := rsaTestKey(t), rsaTestKey2(t)
	p := newIDP(t, jwks(t, []testKey{k1}))
	clock := newFakeClock()
	v := newTestVerifier(t, clock, nil)
	issuers := []Issuer{{Name: "idp", Issuer: p.URL(), Audiences: []string{"app"}}}
	claims := claimsFor(p.URL(), "app", nil)

	if _, err := v.Verify(bg, sign(t, k1, claims, nil), issuers, t0); err != nil {
		t.Fatal(err)
	}
	if n := p.fetches.Load(); n != 1 {
		t.Fatalf("fetches after warm-up = %d, want 1", n)
	}
	// The issuer rotates: k2 is published next to k1.
	p.set(func(p *idp) { p.keys = jwks(t, []testKey{k1, k2}) })
	clock.Advance(31 * time.Second)
	res, err := v.Verify(bg, sign(t, k2, claims, nil), issuers, t0)
	if err != nil {
		t.Fatalf("new kid after rotation: %v", err)
	}
	if res.KeyID != "rsa-2" || p.fetches.Load() != 2 {
		t.Fatalf("kid %q, fetches %d; want rsa-2, 2", res.KeyID, p.fetches.Load())
	}
	// A flood of unknown kids right after: no fetch at all.
	for i := range 20 {
		_, err := v.Verify(bg, sign(t, k1, claims, map[string]any{"kid": "unknown-" + string(rune('a'+i))}), issuers, t0)
		if code(t, err) != CodeUnknownKey {
			t.Fatalf("unknown kid: %v", err)
		}
		if i == 0 && !strings.Contains(err.Error(), "at most every 30s") {
			t.Errorf("detail does not explain the rate limit: %v", err)
		}
	}
	if n := p.fetches.Load(); n != 2 {
		t.Fatalf("fetches after a flood of unknown kids = %d, want 2", n)
	}
	// Once the interval has passed, one more refresh.
	clock.Advance(30 * time.Second)
	if _, err := v.Verify(bg, sign(t, k1, claims, map[string]any{"kid": "unknown-z"}), issuers, t0); code(t, err) != CodeUnknownKey {
		t.Fatal(err)
	}
	if n := p.fetches.Load(); n != 3 {
		t.Fatalf("fetches = %d, want 3", n)
	}
	// k1 withdrawn: a token verified (and cached) under k1 stops verifying
	// once the key set no longer has it.
	tok1 := sign(t, k1, claimsFor(p.URL(), "app", map[string]any{"jti": "cached"}), nil)
	if _, err := v.Verify(bg, tok1, issuers, t0); err != nil {
		t.Fatal(err)
	}
	p.set(func(p *idp) { p.keys = jwks(t, []testKey{k2}) })
	clock.Advance(defaultKeyMaxAge + time.Second)
	if _, err := v.Verify(bg, sign(t, k2, claims, nil), issuers, t0); err != nil { // refreshes: max-age ran out
		t.Fatal(err)
	}
	if _, err := v.Verify(bg, tok1, issuers, t0); code(t, err) != CodeUnknownKey {
		t.Fatalf("token of a withdrawn key: %v", err)
	}
}

// TestIssuerUnreachable: after warm-up the issuer goes down; the last good
// keys keep serving past their max-age, for the stale period, and a down
// issuer is asked at most once per minimum interval.
func TestIssuerUnreachable(t *testing.T) {
	k := ecTestKey(t)
	p := newIDP(t, jwks(t, []testKey{k}))
	clock := newFakeClock()
	v := newTestVerifier(t, clock, func(o *Options) { o.CacheEntries = -1 })
	issuers := []Issuer{{Name: "idp", Issuer: p.URL(), Audiences: []string{"app"}}}
	raw := sign(t, k, claimsFor(p.URL(), "app", map[string]any{"exp": t0.Add(48 * time.Hour).Unix()}), nil)

	if _, err := v.Verify(bg, raw, issuers, t0); err != nil {
		t.Fatal(err)
	}
	p.set(func(p *idp) { p.down = true })
	// Past the max-age: one refresh attempt fails, the old keys serve.
	clock.Advance(defaultKeyMaxAge + time.Minute)
	for range 5 {
		if _, err := v.Verify(bg, raw, issuers, t0); err != nil {
			t.Fatalf("issuer down, keys stale: %v", err)
		}
	}
	if n := p.fetches.Load() + p.discoveries.Load(); n != 3 { // warm-up: discovery + keys; then one failed discovery
		t.Fatalf("requests = %d, want 3", n)
	}
	// An unknown kid while down: refused, saying why.
	clock.Advance(time.Minute)
	_, err := v.Verify(bg, sign(t, k, claimsFor(p.URL(), "app", nil), map[string]any{"kid": "new"}), issuers, t0)
	if code(t, err) != CodeUnknownKey || !strings.Contains(err.Error(), "503") {
		t.Fatalf("unknown kid while down: %v", err)
	}
	t.Log(err)
	// Beyond the stale period: no keys any more.
	clock.Advance(DefaultMaxStale)
	_, err = v.Verify(bg, raw, issuers, t0)
	if code(t, err) != CodeUnknownKey || !strings.Contains(err.Error(), "stale period") {
		t.Fatalf("beyond the stale period: %v", err)
	}
	t.Log(err)
	var e *Error
	if errors.As(err, &e) && e.Unwrap() == nil {
		t.Errorf("no cause for the log")
	}
	// Back up: verifies again.
	p.set(func(p *idp) { p.down = false })
	clock.Advance(time.Minute)
	if _, err := v.Verify(bg, raw, issuers, t0); err != nil {
		t.Fatalf("issuer back: %v", err)
	}
}

// TestFirstFetchFails: an issuer unreachable from the start gives
// unknown_key, and is not asked again before the minimum interval.
func TestFirstFetchFails(t *testing.T) {
	k := edTestKey(t)
	p := newIDP(t, jwks(t, []testKey{k}))
	p.set(func(p *idp) { p.down = true })
	clock := newFakeClock()
	v := newTestVerifier(t, clock, nil)
	issuers := []Issuer{{Name: "idp", Issuer: p.URL(), Audiences: []string{"app"}, JWKSURI: p.URL() + "/keys"}}
	raw := sign(t, k, claimsFor(p.URL(), "app", nil), nil)
	for range 3 {
		if _, err := v.Verify(bg, raw, issuers, t0); code(t, err) != CodeUnknownKey {
			t.Fatal(err)
		}
	}
	if n := p.fetches.Load(); n != 1 {
		t.Fatalf("fetches = %d, want 1", n)
	}
	if p.discoveries.Load() != 0 {
		t.Errorf("discovery used although jwks_uri is set")
	}
	p.set(func(p *idp) { p.down = false })
	clock.Advance(DefaultMinRefreshInterval)
	if _, err := v.Verify(bg, raw, issuers, t0); err != nil {
		t.Fatal(err)
	}
}

// TestDiscovery: keys are found through the discovery document, whose
// issuer must equal the configured one exactly.
func TestDiscovery(t *testing.T) {
	k := rsaTestKey(t)
	for _, c := range []struct {
		name      string
		docIssuer func(url string) string
		want      string
	}{
		{"matching issuer", func(u string) string { return u }, ""},
		{"mismatched issuer", func(u string) string { return "https://evil.example" }, CodeUnknownKey},
		{"trailing slash", func(u string) string { return u + "/" }, CodeUnknownKey},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newIDP(t, jwks(t, []testKey{k}))
			p.set(func(p *idp) { p.issuer = c.docIssuer(p.URL()) })
			v := newTestVerifier(t, newFakeClock(), nil)
			issuers := []Issuer{{Name: "idp", Issuer: p.URL(), Audiences: []string{"app"}}}
			_, err := v.Verify(bg, sign(t, k, claimsFor(p.URL(), "app", nil), nil), issuers, t0)
			if got := code(t, err); got != c.want {
				t.Fatalf("code %q, want %q (%v)", got, c.want, err)
			}
			if c.want != "" {
				if !strings.Contains(err.Error(), "names the issuer") {
					t.Errorf("detail: %v", err)
				}
				if p.fetches.Load() != 0 {
					t.Errorf("the key set of a mismatched discovery document was fetched")
				}
			}
		})
	}
}

// TestFetchNeedsHTTPS: an issuer given to Verify without Validate still
// never has its keys fetched over plain http from a non-loopback host.
func TestFetchNeedsHTTPS(t *testing.T) {
	k := rsaTestKey(t)
	v := newTestVerifier(t, newFakeClock(), nil)
	issuers := []Issuer{{Name: "idp", Issuer: "http://idp.example.com", Audiences: []string{"app"}}}
	_, err := v.Verify(bg, sign(t, k, claimsFor("http://idp.example.com", "app", nil), nil), issuers, t0)
	if code(t, err) != CodeUnknownKey || !strings.Contains(err.Error(), "use https") {
		t.Fatalf("%v", err)
	}
}

// TestMaxAge: Cache-Control max-age decides when keys are fetched again,
// clamped to [1m, 24h].
func TestMaxAge(t *testing.T) {
	k := rsaTestKey(t)
	cases := []struct {
		header string
		fresh  time.Duration // still fresh just before this
	}{
		{"", defaultKeyMaxAge},
		{"public, max-age=3600", time.Hour},
		{"max-age=5", minKeyMaxAge},
		{"no-store", minKeyMaxAge},
		{"max-age=9999999", maxKeyMaxAge},
	}
	for _, c := range cases {
		t.Run(c.header, func(t *testing.T) {
			p := newIDP(t, jwks(t, []testKey{k}))
			p.set(func(p *idp) { p.cacheControl = c.header })
			clock := newFakeClock()
			v := newTestVerifier(t, clock, func(o *Options) { o.CacheEntries = -1 })
			issuers := []Issuer{{Name: "idp", Issuer: p.URL(), Audiences: []string{"app"}, JWKSURI: p.URL() + "/keys"}}
			raw := sign(t, k, claimsFor(p.URL(), "app", nil), nil)
			verify := func() {
				t.Helper()
				if _, err := v.Verify(bg, raw, issuers, t0); err != nil {
					t.Fatal(err)
				}
			}
			verify()
			clock.Advance(c.fresh - time.Second)
			verify()
			if n := p.fetches.Load(); n != 1 {
				t.Fatalf("fetches before max-age = %d, want 1", n)
			}
			clock.Advance(2 * time.Second)
			verify()
			if n := p.fetches.Load(); n != 2 {
				t.Fatalf("fetches after max-age = %d, want 2", n)
			}
		})
	}
}

// TestSharedFetch: concurrent verifications of a cold issuer share one
// fetch.
func TestSharedFetch(t *testing.T) {
	k := rsaTestKey(t)
	p := newIDP(t, jwks(t, []testKey{k}))
	gate := make(chan struct{})
	p.set(func(p *idp) { p.gate = gate })
	v := newTestVerifier(t, newFakeClock(), func(o *Options) { o.CacheEntries = -1 })
	issuers := []Issuer{{Name: "idp", Issuer: p.URL(), Audiences: []string{"app"}}}
	raw := sign(t, k, claimsFor(p.URL(), "app", nil), nil)
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := v.Verify(bg, raw, issuers, t0)
			errs <- err
		})
	}
	for p.fetches.Load() == 0 { // the fetch has reached the server
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let every verification join it
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if f, d := p.fetches.Load(), p.discoveries.Load(); f != 1 || d != 1 {
		t.Fatalf("fetches %d, discoveries %d; want 1 and 1", f, d)
	}
}

// TestWaitEndsWithContext: a caller whose context ends stops waiting for
// a slow fetch and gets its context's error, not a verification code.
func TestWaitEndsWithContext(t *testing.T) {
	k := rsaTestKey(t)
	p := newIDP(t, jwks(t, []testKey{k}))
	gate := make(chan struct{})
	p.set(func(p *idp) { p.gate = gate })
	defer close(gate)
	v := newTestVerifier(t, newFakeClock(), nil)
	issuers := []Issuer{{Name: "idp", Issuer: p.URL(), Audiences: []string{"app"}}}
	ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
	defer cancel()
	_, err := v.Verify(ctx, sign(t, k, claimsFor(p.URL(), "app", nil), nil), issuers, t0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
}
