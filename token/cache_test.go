package token

import (
	"context"
	"crypto/sha256"
	"sync/atomic"
	"testing"
	"time"
)

// TestVerifiedCache: a verified token is remembered until its exp, under
// its issuer's configuration; changing or deleting the issuer, or time
// moving outside the token's validity, sends it through full verification;
// revocation is asked on every call.
func TestVerifiedCache(t *testing.T) {
	k := edTestKey(t)
	const iss = "https://idp.example.com"
	base := Issuer{Name: "idp", Issuer: iss, Audiences: []string{"app"}, JWKS: jwks(t, []testKey{k})}
	var revoked atomic.Bool
	var asked atomic.Int64
	v := newTestVerifier(t, newFakeClock(), func(o *Options) {
		o.Revoked = func(context.Context, *Verified) bool { asked.Add(1); return revoked.Load() }
	})
	exp := t0.Add(10 * time.Minute)
	raw := sign(t, k, claimsFor(iss, "app", map[string]any{"exp": exp.Unix(), "iat": t0.Unix(), "nbf": nil}), nil)
	hash := sha256.Sum256([]byte(raw))

	first, err := v.Verify(bg, raw, []Issuer{base}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if v.cache.get(hash) == nil {
		t.Fatal("not cached")
	}
	second, err := v.Verify(bg, raw, []Issuer{base}, t0)
	if err != nil || second.Subject != first.Subject || second == first {
		t.Fatalf("hit: %+v, %v", second, err)
	}
	if asked.Load() != 2 {
		t.Fatalf("revocation asked %d times, want 2 (a miss and a hit)", asked.Load())
	}

	changed := base
	changed.Audiences = []string{"other-app"}
	renamed := base
	renamed.Name = "idp2"
	cases := []struct {
		name    string
		issuers []Issuer
		now     time.Time
		revoked bool
		want    string
	}{
		{"hit", []Issuer{base}, t0.Add(time.Minute), false, ""},
		{"revoked on a hit", []Issuer{base}, t0.Add(time.Minute), true, CodeTokenRevoked},
		{"issuer changed", []Issuer{changed}, t0, false, CodeWrongAudience},
		{"issuer deleted", nil, t0, false, CodeUnknownIssuer},
		{"issuer renamed", []Issuer{renamed}, t0, false, ""},
		{"before iat less the leeway", []Issuer{base}, t0.Add(-2 * time.Minute), false, CodeTokenNotYetValid},
		{"after exp within the leeway", []Issuer{base}, exp.Add(30 * time.Second), false, ""},
		{"after exp beyond the leeway", []Issuer{base}, exp.Add(61 * time.Second), false, CodeTokenExpired},
		{"the first configuration again", []Issuer{base}, t0, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			revoked.Store(c.revoked)
			res, err := v.Verify(bg, raw, c.issuers, c.now)
			if got := code(t, err); got != c.want {
				t.Fatalf("code %q, want %q (%v)", got, c.want, err)
			}
			if err == nil && res.Subject != c.issuers[0].Name+":4fbf0c06-user" {
				t.Errorf("subject %q", res.Subject)
			}
		})
	}
}

// TestVerifiedCacheBound: the cache holds at most CacheEntries tokens and
// drops the least recently used first.
func TestVerifiedCacheBound(t *testing.T) {
	k := edTestKey(t)
	const iss = "https://idp.example.com"
	issuers := []Issuer{{Name: "idp", Issuer: iss, Audiences: []string{"app"}, JWKS: jwks(t, []testKey{k})}}
	v := newTestVerifier(t, newFakeClock(), func(o *Options) { o.CacheEntries = 2 })
	tok := func(jti string) string { return sign(t, k, claimsFor(iss, "app", map[string]any{"jti": jti}), nil) }
	a, b, c := tok("a"), tok("b"), tok("c")
	for _, raw := range []string{a, b, a, c} { // a is used again before c arrives: b goes
		if _, err := v.Verify(bg, raw, issuers, t0); err != nil {
			t.Fatal(err)
		}
	}
	if n := v.cache.len(); n != 2 {
		t.Fatalf("entries = %d, want 2", n)
	}
	for raw, want := range map[string]bool{a: true, b: false, c: true} {
		if got := v.cache.get(sha256.Sum256([]byte(raw))) != nil; got != want {
			t.Errorf("token %s cached = %v, want %v", raw[len(raw)-8:], got, want)
		}
	}
	// Off: nothing is kept.
	off := newTestVerifier(t, newFakeClock(), func(o *Options) { o.CacheEntries = -1 })
	if _, err := off.Verify(bg, a, issuers, t0); err != nil || off.cache != nil {
		t.Fatalf("cache off: %v, %v", err, off.cache)
	}
}
