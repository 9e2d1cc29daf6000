package token

import (
	"context"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"gatehouse.dev/gatehouse/internal/oidctest"
)

// TestOpenIDProvider verifies ID and access tokens that a real OpenID
// provider (zitadel/oidc's op package, through internal/oidctest) issued
// through its authorization-code flow over HTTP: keys found by discovery,
// a key rotation at the provider in the middle of the test, and the
// provider going down after warm-up.
func TestOpenIDProvider(t *testing.T) {
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.ES256} {
		t.Run(string(alg), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			p := oidctest.Start(t, oidctest.WithAlgorithm(alg), oidctest.WithUser(oidctest.User{
				Username: "alice", Password: "wonderland",
				Claims: map[string]any{"custom:companyId": "acme", "groups": []string{"admins"}},
			}))
			issuers := []Issuer{{Name: "op", Issuer: p.Issuer(), Audiences: []string{p.ClientID()},
				AttributeClaims: []string{"custom:companyId", "groups"}}}
			if fs := issuers[0].Validate(); fs.HasErrors() {
				t.Fatal(fs)
			}
			clock := &fakeClock{t: time.Now()}
			v := newTestVerifier(t, clock, nil)

			toks, err := p.LoginTokens(ctx, "alice", "wonderland")
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(ctx, toks.IDToken, issuers, time.Now())
			if err != nil {
				t.Fatalf("ID token: %v", err)
			}
			if res.Subject != "op:"+p.Subject("alice") || res.KeyID != p.KeyID() || res.Attributes["custom:companyId"] != "acme" {
				t.Errorf("ID token: %+v", res)
			}
			if _, err := v.Verify(ctx, toks.AccessToken, issuers, time.Now()); err != nil {
				t.Errorf("access token: %v", err)
			}
			if f := p.JWKSFetches(); f != 1 {
				t.Fatalf("JWKS fetches after warm-up = %d, want 1", f)
			}

			// Rotation: the next login is signed with a new key, which
			// verifies after exactly one more fetch.
			clock.Advance(DefaultMinRefreshInterval)
			newKid := p.RotateKey()
			idToken, err := p.Login(ctx, "alice", "wonderland")
			if err != nil {
				t.Fatal(err)
			}
			res, err = v.Verify(ctx, idToken, issuers, time.Now())
			if err != nil {
				t.Fatalf("after rotation: %v", err)
			}
			if res.KeyID != newKid || p.JWKSFetches() != 2 {
				t.Fatalf("kid %q (want %q), fetches %d (want 2)", res.KeyID, newKid, p.JWKSFetches())
			}
			// The old key still verifies while the provider publishes it.
			if _, err := v.Verify(ctx, toks.IDToken, issuers, time.Now()); err != nil {
				t.Fatalf("token of the previous key: %v", err)
			}

			// The provider goes down; past the keys' max-age they still
			// serve, and the provider is asked once.
			p.SetDown(true)
			clock.Advance(defaultKeyMaxAge + time.Minute)
			before := p.JWKSFetches() + p.DiscoveryFetches()
			for range 3 {
				if _, err := v.Verify(ctx, idToken, issuers, time.Now()); err != nil {
					t.Fatalf("provider down: %v", err)
				}
			}
			if n := p.JWKSFetches() + p.DiscoveryFetches() - before; n != 1 {
				t.Errorf("requests to the provider while down = %d, want 1", n)
			}
			p.SetDown(false)

			// The old key withdrawn: its tokens stop verifying once the keys
			// are fetched again.
			p.DropOldKeys()
			clock.Advance(defaultKeyMaxAge + time.Minute)
			if _, err := v.Verify(ctx, idToken, issuers, time.Now()); err != nil {
				t.Fatal(err)
			}
			_, err = v.Verify(ctx, toks.IDToken, issuers, time.Now())
			if code(t, err) != CodeUnknownKey || !strings.Contains(err.Error(), "is not among the keys") {
				t.Fatalf("token of a withdrawn key: %v", err)
			}
			assertNoToken(t, err, toks.IDToken)
		})
	}
}
