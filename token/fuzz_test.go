package token

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary tokens to Verify against issuers with inline
// keys (no network): it never panics, every error is an *Error with a
// known code, and a token shaped like a JWT never appears in its error.
func FuzzVerify(f *testing.F) {
	rk, ek, dk, wk := rsaTestKey(f), ecTestKey(f), edTestKey(f), weakTestKey(f)
	const iss = "https://idp.example.com"
	issuers := []Issuer{
		{Name: "idp", Issuer: iss, Audiences: []string{"app"}, JWKS: jwks(f, []testKey{rk, ek, dk, wk}),
			AttributeClaims: []string{"org", "a.b"}},
		{Name: "idp2", Issuer: iss, Audiences: []string{"app2"}, AudienceClaim: "client_id", JWKS: jwks(f, []testKey{rk}),
			PrincipalClaim: "cognito:username", Algorithms: []string{"RS256", "PS256"}},
	}
	for _, k := range []testKey{rk, ek, dk, wk} {
		f.Add(sign(f, k, claimsFor(iss, "app", map[string]any{"org": "acme", "a": map[string]any{"b": 1}}), nil))
	}
	f.Add(sign(f, rk, claimsFor(iss, "", map[string]any{"aud": nil, "client_id": "app2", "cognito:username": "bob"}), nil))
	f.Add(sign(f, rk, claimsFor(iss, "app", map[string]any{"exp": "x", "nbf": []int{1}}), map[string]any{"kid": ""}))
	f.Add(b64json(f, map[string]any{"alg": "none"}) + "." + b64json(f, claimsFor(iss, "app", nil)) + ".")
	f.Add(hmacWithPublicKey(f, claimsFor(iss, "app", nil)))
	f.Add("a.b.c")
	f.Add("..")
	f.Add("e30.e30.e30")
	known := map[string]bool{CodeTokenExpired: true, CodeTokenNotYetValid: true, CodeBadSignature: true,
		CodeAlgorithmNotAllowed: true, CodeUnknownIssuer: true, CodeWrongAudience: true, CodeUnknownKey: true,
		CodeTokenRevoked: true, CodeTokenTooLarge: true, CodeMalformedToken: true}
	v, err := NewVerifier(Options{CacheEntries: 64})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		res, err := v.Verify(bg, raw, issuers, t0)
		if err == nil {
			if res == nil || !strings.HasPrefix(res.Subject, res.IssuerName+":") || res.ExpiresAt.Before(t0.Add(-time.Minute)) {
				t.Fatalf("bad result %+v", res)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || !known[e.Code] || e.Detail == "" {
			t.Fatalf("error %v (%T)", err, err)
		}
		if strings.Count(raw, ".") == 2 && len(raw) >= 32 && isB64URL(strings.ReplaceAll(raw, ".", "")) && strings.Contains(err.Error(), raw) {
			t.Fatalf("the error holds the token: %v", err)
		}
	})
}

// FuzzDecodeIssuer: decoding any body never panics, and a body that
// decodes validates without errors.
func FuzzDecodeIssuer(f *testing.F) {
	f.Add([]byte(`{"issuer": "https://idp.example.com", "audiences": ["app"], "algorithms": ["RS256"]}`))
	f.Add([]byte(`{"issuer": "http://127.0.0.1:1", "audiences": ["a"], "jwks": {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}}`))
	f.Add([]byte(`{"issuer": "https://x", "audiences": ["a", "a"], "attribute_claims": ["b"], "jwks_uri": "https://x/k"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		iss, _, err := DecodeIssuer("idp", body)
		if err == nil && iss.Validate().HasErrors() {
			t.Fatalf("decoded but invalid: %+v", iss)
		}
	})
}
